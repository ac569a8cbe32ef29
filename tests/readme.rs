//! The README is tested: every command line in its shell blocks runs, in order, in a fresh
//! temporary directory holding a copy of `scenarios/`, and exits as the README says (0 unless
//! its comment says `exits N`), except the few on [`SKIPPED`], each with its reason. The
//! README's pointers into the tree (paths, "one file each") and its list of scenario keys are
//! checked against the tree and the key table.

use std::path::Path;
use std::process::Command;

use byzsim::scenario::keys::KEYS;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// Commands the test does not run (matched by their start, after `cargo run --release --` has
/// become `byzsim`), and why.
const SKIPPED: &[(&str, &str)] = &[
    (
        "cargo test --release",
        "the test suite itself: running it from a test would recurse",
    ),
    (
        "byzsim bench",
        "measures wall-clock speed for tens of seconds by design; its output format is tested in src/bench.rs",
    ),
    (
        "byzsim sweep big.toml",
        "cluster example on the reader's own big.toml ($SLURM_* exist only in a Slurm job); tests/outputs.rs runs this recipe with the grid made small",
    ),
    (
        "parallel byzsim sweep big.toml",
        "cluster example (GNU parallel); tests/outputs.rs runs it with a stand-in for parallel and a small grid",
    ),
    (
        "byzsim merge parts/",
        "merges the parts the cluster examples make; tests/outputs.rs runs it",
    ),
];

/// One command line of the README: the text, and the exit code its comment states.
#[derive(Debug)]
struct Line {
    command: String,
    exit: i32,
}

/// The comment of a shell line, from an unquoted `#` that starts a word.
fn split_comment(line: &str) -> (&str, &str) {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return (&line[..i], &line[i + 1..]),
            _ => {}
        }
        previous = c;
    }
    (line, "")
}

/// `exits N` in a comment.
fn stated_exit(comment: &str) -> i32 {
    comment
        .split_once("exits ")
        .and_then(|(_, rest)| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|d| d.parse().ok())
        })
        .unwrap_or(0)
}

/// Every command line of the README's ```sh blocks, continuation lines joined, comments cut.
fn command_lines(readme: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    let mut exit = 0;
    for raw in readme.lines() {
        if raw.trim_start().starts_with("```") {
            in_block = raw.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let (code, comment) = split_comment(raw);
        exit = exit.max(stated_exit(comment));
        let code = code.trim();
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head.trim());
            pending.push(' ');
            continue;
        }
        pending.push_str(code);
        let command = std::mem::take(&mut pending)
            .replace("cargo run --release -- ", "byzsim ")
            .trim()
            .to_string();
        if !command.is_empty() {
            lines.push(Line { command, exit });
        }
        exit = 0;
    }
    lines
}

fn skip_reason(command: &str) -> Option<&'static str> {
    SKIPPED
        .iter()
        .find(|(start, _)| command.starts_with(start))
        .map(|&(_, why)| why)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Whether `program` can be run here.
fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The part of a pipeline this machine can run: a stage whose program is not installed (`dot`)
/// and everything after it are cut, byzsim's output then going to /dev/null.
fn runnable(command: &str) -> String {
    let stages: Vec<&str> = command.split(" | ").collect();
    let mut kept = vec![stages[0]];
    for stage in &stages[1..] {
        let program = stage.split_whitespace().next().unwrap_or("");
        if !installed(program) {
            eprintln!("  ({program} is not installed: its stage is not run)");
            return format!("{} > /dev/null", kept.join(" | "));
        }
        kept.push(stage);
    }
    kept.join(" | ")
}

#[test]
fn every_readme_command_exits_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("scenarios"), &d.join("scenarios"));
    std::fs::create_dir(d.join("bin")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_byzsim"), d.join("bin/byzsim")).unwrap();
    let path = format!(
        "{}:{}",
        d.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let lines = command_lines(&readme());
    let (mut ran, mut skipped) = (Vec::new(), Vec::new());
    for line in &lines {
        if let Some(why) = skip_reason(&line.command) {
            skipped.push(format!("{}  [{why}]", line.command));
            continue;
        }
        assert!(
            line.command.starts_with("byzsim "),
            "a README command the test does not know: {} (run it here or add it to SKIPPED with a reason)",
            line.command
        );
        eprintln!("$ {}", line.command);
        let script = format!("set -o pipefail; {}", runnable(&line.command));
        let o = Command::new("bash")
            .args(["-c", &script])
            .current_dir(d)
            .env("PATH", &path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(line.exit),
            "README command `{}` should exit {}: {err}",
            line.command,
            line.exit
        );
        assert!(!err.contains("panicked"), "{}: {err}", line.command);
        ran.push(line.command.clone());
    }
    eprintln!("ran {} README commands; skipped:", ran.len());
    for s in &skipped {
        eprintln!("  {s}");
    }
    // The tour, the replay, the sweep, the plots and the hunt all ran.
    assert!(ran.len() >= 15, "{ran:#?}");
    assert_eq!(skipped.len(), 5, "{skipped:#?}");
    // The commands left their files where the README says.
    for file in [
        "lossy.csv",
        "om.mmd",
        "all.csv",
        "sweep.csv",
        "summary.csv",
        "heat.svg",
        "found.toml",
        "t.jsonl",
    ] {
        assert!(d.join(file).is_file(), "{file} was not written");
    }
}

#[test]
fn the_readme_reads_its_shell_lines_as_a_shell_would() {
    let text =
        "```sh\nbyzsim a \\\n    --b c   # exits 1: why\n# a comment\nbyzsim d '#not' # x\n```\n";
    let lines = command_lines(text);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        (lines[0].command.as_str(), lines[0].exit),
        ("byzsim a --b c", 1)
    );
    assert_eq!(
        (lines[1].command.as_str(), lines[1].exit),
        ("byzsim d '#not'", 0)
    );
}

/// The keys written in the README's annotated scenario file (commented ones too), with the
/// fields of inline tables (`latency_ms = { min = 1, max = 10 }   # or { fixed = 5 }`).
fn readme_keys(readme: &str) -> Vec<String> {
    let start = readme.find("### A scenario file, key by key").unwrap();
    let block_start = start + readme[start..].find("```toml\n").unwrap() + 8;
    let block = &readme[block_start..block_start + readme[block_start..].find("```").unwrap()];
    let mut keys = Vec::new();
    let mut table = String::new();
    for line in block.lines() {
        let line = line.trim().trim_start_matches("# ");
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = name.to_string();
            continue;
        }
        let Some((key, rest)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let path = if table.is_empty() {
            key.to_string()
        } else {
            format!("{table}.{key}")
        };
        // Inline tables: `{ a = 1, b = 2 }`, anywhere on the line (the comment lists the other
        // forms). A script's recipients and twins' traitors are ids, not keys.
        if path != "faults.script" && path != "faults.twins" {
            for inline in rest.split('{').skip(1) {
                let inner = inline.split('}').next().unwrap_or("");
                for field in inner.split(',') {
                    if let Some((name, _)) = field.split_once('=') {
                        keys.push(format!("{path}.{}", name.trim()));
                    }
                }
            }
        }
        keys.push(path);
    }
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn the_readme_key_list_is_the_key_table() {
    let written = readme_keys(&readme());
    let mut table: Vec<String> = KEYS.iter().map(|k| k.path.to_string()).collect();
    table.sort();
    let missing: Vec<&String> = table.iter().filter(|k| !written.contains(k)).collect();
    let unknown: Vec<&String> = written.iter().filter(|k| !table.contains(k)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "keys the README does not list: {missing:?}; keys it lists that the table does not have: {unknown:?}"
    );
}

/// The paths the README names in backticks (`src/...`, `tests/...`, `scenarios/...`).
fn named_paths(readme: &str) -> Vec<String> {
    readme
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            ["src/", "tests/", "scenarios/", "results/"]
                .iter()
                .any(|p| s.starts_with(p))
        })
        .filter(|s| !s.contains(' ') && !s.contains('*'))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_readme_points_only_at_what_the_tree_has() {
    let text = readme();
    let paths = named_paths(&text);
    assert!(paths.len() > 10, "{paths:?}");
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !root().join(p.trim_end_matches('/')).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "the README names paths the tree does not have: {missing:?}"
    );
    if !root().join("DESIGN.md").exists() {
        assert!(
            !text.contains("DESIGN.md"),
            "the README points at a DESIGN.md that is not in the repository"
        );
    }
    // "one file each for crash, drop, equivocate, scripted; honest and silent in its mod.rs".
    for behaviour in byzsim::adversary::BehaviourSpec::GENERIC {
        let file = root().join(format!("src/adversary/{behaviour}.rs"));
        // crash-recover generals are honest: the engine runs them (src/engine/mod.rs).
        let in_mod = ["honest", "silent", "crash-recover"].contains(&behaviour);
        assert_eq!(file.exists(), !in_mod, "src/adversary/{behaviour}.rs");
        assert!(text.contains(&format!("`{behaviour}`")), "{behaviour}");
    }
    // Every scenario file in the table of examples exists, and every scenario is in it.
    let dir = root().join("scenarios");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().path();
        let stem = name.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            text.contains(&format!("| `{stem}` |")),
            "scenarios/{stem}.toml is not in the README's table"
        );
    }
}
