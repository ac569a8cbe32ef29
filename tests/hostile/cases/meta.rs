//! Help, version and usage: every subcommand's `--help`, no arguments, an unknown subcommand or
//! flag; help and version onto a full disk and a closed pipe (a lost help text is exit 2, not 0);
//! `bench` only where it is quick (usage errors, and standard output that fails before it
//! measures anything).

use crate::harness::{Case, Check, Stdout, args, maybe, out};

const FAMILY: &str = "help and usage";

const SUBCOMMANDS: [&str; 7] = ["run", "sweep", "plot", "merge", "hunt", "topology", "bench"];

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let text = || vec![out("-", Check::Text)];
    for a in [&["--help"][..], &["-h"], &["--version"], &["-V"], &["help"]] {
        cases.push(Case::new(
            FAMILY,
            a.join(" "),
            vec![],
            args(a),
            &[0],
            text(),
        ));
    }
    for sub in SUBCOMMANDS {
        cases.push(Case::new(
            FAMILY,
            format!("{sub} --help"),
            vec![],
            args(&[sub, "--help"]),
            &[0],
            text(),
        ));
        cases.push(Case::new(
            FAMILY,
            format!("help {sub}"),
            vec![],
            args(&["help", sub]),
            &[0],
            text(),
        ));
        cases.push(Case::new(
            FAMILY,
            format!("{sub} --no-such-flag"),
            vec![],
            args(&[sub, "--no-such-flag"]),
            &[2],
            vec![],
        ));
    }
    for a in [
        &[][..],
        &["frobnicate"],
        &["--no-such-flag"],
        &["run", "--seed"],
        &["bench", "extra"],
    ] {
        cases.push(Case::new(
            FAMILY,
            format!("byzsim {}", a.join(" ")),
            vec![],
            args(a),
            &[2],
            vec![],
        ));
    }
    for stdout in [Stdout::Full, Stdout::Closed] {
        for a in [
            &["--help"][..],
            &["--version"],
            &["run", "--help"],
            &["bench"],
            &["bench", "--json"],
        ] {
            cases.push(
                Case::new(
                    FAMILY,
                    format!("{} onto {stdout:?} standard output", a.join(" ")),
                    vec![],
                    args(a),
                    // A closed pipe (`| head`) ends quietly with SIGPIPE's status; a full
                    // device is an I/O error.
                    if stdout == Stdout::Closed {
                        &[141]
                    } else {
                        &[2]
                    },
                    vec![maybe("-", Check::Text)],
                )
                .stdout(stdout),
            );
        }
    }
    cases
}
