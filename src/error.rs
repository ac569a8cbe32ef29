//! Errors about user input: they name the file, the line and column where known, and the key.
//! I/O failures on outputs travel in the same type (exit code 2) and say `I/O error` in their
//! message ([`InputError::io`]).

use std::fmt;

/// The end of the message of a write to a pipe whose reader is gone.
const CLOSED_PIPE: &str = " (the reader closed the pipe)";

/// Something wrong with a scenario file, a `--set` override or a command-line argument.
/// The binary prints it and exits with code 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The file (or `<built-in>`, or `--set`) the problem is in.
    pub file: String,
    /// 1-based line and column, where known.
    pub line: Option<usize>,
    pub col: Option<usize>,
    /// The dotted key, where known (`network.loss`).
    pub key: Option<String>,
    pub message: String,
}

impl InputError {
    /// An error about a whole file (cannot read it, not text, ...).
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            file: file.into(),
            line: None,
            col: None,
            key: None,
            message: message.into(),
        }
    }

    /// An I/O failure on a file (full disk, unwritable path, closed pipe): not bad input, but
    /// reported the same way (exit code 2), with a message that says it is an I/O error.
    pub fn io(file: impl Into<String>, doing: &str, err: &std::io::Error) -> InputError {
        let hint = match err.kind() {
            std::io::ErrorKind::BrokenPipe => CLOSED_PIPE,
            _ => "",
        };
        InputError::file(file, format!("I/O error: {doing}: {err}{hint}"))
    }

    /// Whether this is standard output closed by its reader (`byzsim ... | head`): the binary
    /// then stops quietly with the status of a process ended by SIGPIPE.
    pub fn is_closed_stdout(&self) -> bool {
        self.file == crate::output::STDOUT && self.message.ends_with(CLOSED_PIPE)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}
