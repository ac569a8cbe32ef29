//! The table of hostile cases, one file per family. Each case is data: fixtures, the command
//! line, the exit codes the contract allows, the declared outputs and how each must look.

pub mod concurrency;
pub mod extreme;
pub mod flags;
pub mod meta;
pub mod paths;
pub mod resume_merge;
pub mod signals;
pub mod toml;

use crate::harness::{Case, Check, Fixture, Out, args, maybe};
use crate::refs::Refs;

/// Every case.
pub fn all(refs: &Refs) -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(meta::cases());
    cases.extend(toml::cases());
    cases.extend(extreme::cases());
    cases.extend(flags::cases(refs));
    cases.extend(paths::cases(refs));
    cases.extend(concurrency::cases(refs));
    cases.extend(signals::cases(refs));
    cases.extend(resume_merge::cases(refs));
    cases
}

/// A small valid scenario: four generals vote, one equivocates, two trials.
pub const BASE: &str = "n = 4\nt = 1\ntrials = 2\nseed = 1\n\n[protocol]\nkind = \"vote\"\n\n[network]\ntopology = \"complete\"\nlatency_ms = { min = 1, max = 10 }\nround_ms = 100\n\n[faults]\nbehaviour = \"equivocate\"\n";

pub fn file(name: &str, bytes: impl Into<Vec<u8>>) -> Fixture {
    Fixture::File(name.to_string(), bytes.into())
}

/// A reader of `s.toml`: its name, command line, exit codes when the file is valid, outputs.
pub type Reader = (&'static str, Vec<String>, Vec<i32>, Vec<Out>);

/// The scenario file under test, `s.toml`, run by each subcommand that reads one: each a
/// command line, the exit codes it may give when the file is valid, and its outputs.
pub fn every_reader(valid: &[i32]) -> Vec<Reader> {
    vec![
        (
            "run",
            args(&["run", "s.toml"]),
            valid.to_vec(),
            vec![maybe("-", Check::Text)],
        ),
        (
            "sweep",
            args(&["sweep", "s.toml", "--n", "4", "--t", "1", "--jobs", "1"]),
            vec![0],
            vec![maybe("-", Check::Csv(None))],
        ),
        (
            "hunt",
            args(&["hunt", "s.toml", "--budget", "20"]),
            vec![0, 1],
            vec![maybe("-", Check::Text)],
        ),
        (
            "topology",
            args(&["topology", "s.toml", "--dot"]),
            vec![0],
            vec![maybe("-", Check::Text)],
        ),
    ]
}

/// `exit` for a file that is invalid (`None`) or valid (the reader's own codes).
pub fn codes(valid: Option<bool>, reader_valid: &[i32]) -> Vec<i32> {
    match valid {
        Some(false) => vec![2],
        Some(true) => reader_valid.to_vec(),
        None => {
            let mut all = reader_valid.to_vec();
            all.push(2);
            all
        }
    }
}
