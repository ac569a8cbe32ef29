//! The `byzsim` command: parse the arguments, run, map the result to an exit code
//! (0: every expectation held; 1: one did not; 2: bad input or usage, or an I/O failure;
//! 141: standard output was closed by its reader, `| head`, and the command stopped quietly).
//! SIGINT and SIGTERM remove the temporary files of unfinished outputs
//! ([`byzsim::output::cleanup`]).

use std::process::ExitCode;

use clap::Parser;

/// The exit status when standard output was closed by its reader.
const CLOSED_STDOUT: u8 = 141;

fn main() -> ExitCode {
    let cli = match byzsim::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to standard output: lost there (`> /dev/full`, a closed
            // pipe), they are an I/O error like any other output.
            if let Err(io) = e.print() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::from(CLOSED_STDOUT);
                }
                eprintln!("error: <stdout>: I/O error: cannot write: {io}");
                return ExitCode::from(2);
            }
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Err(e) = byzsim::output::cleanup::install() {
        eprintln!(
            "warning: cannot watch for SIGINT/SIGTERM ({e}); an interrupt may leave temporary files"
        );
    }
    match byzsim::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        // `byzsim ... | head`: the reader has what it wanted. Stop quietly with the status a
        // shell reports for a process ended by SIGPIPE (128 + 13), not 0: the run was cut
        // short, so it cannot claim that every expectation held.
        Err(e) if e.is_closed_stdout() => ExitCode::from(CLOSED_STDOUT),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
