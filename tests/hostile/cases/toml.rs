//! Malformed and odd scenario files, each given to every subcommand that reads one (run, sweep,
//! hunt, topology); then every key with out-of-range, non-finite, huge and ill-typed values,
//! given to `run`. Bad input exits 2; a valid file runs.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{BASE, codes, every_reader, file};
use crate::harness::{Case, Check, args, maybe};

const FAMILY: &str = "scenario file";

/// (name, bytes, valid?) — `None` when either outcome is allowed (a truncation may still parse).
fn files() -> Vec<(String, Vec<u8>, Option<bool>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(16_07);
    let mut f = vec![
        e("empty", vec![], Some(false)),
        e("only a comment", b"# nothing\n".to_vec(), Some(false)),
        e("valid", BASE, Some(true)),
        e("crlf line ends", BASE.replace('\n', "\r\n"), Some(true)),
        e(
            "lone carriage returns",
            BASE.replace('\n', "\r"),
            Some(false),
        ),
        e(
            "utf-8 byte order mark",
            [&b"\xef\xbb\xbf"[..], BASE.as_bytes()].concat(),
            None,
        ),
        e(
            "nul byte in a line",
            BASE.replacen("n = 4", "n = 4\0", 1),
            Some(false),
        ),
        e("only nul bytes", vec![0; 4096], Some(false)),
        e(
            "invalid utf-8",
            [BASE.as_bytes(), &b"# \xff\xfe\n"[..]].concat(),
            Some(false),
        ),
        e(
            "over the 1 MiB cap",
            format!("{BASE}#{}\n", "x".repeat(1 << 20)),
            Some(false),
        ),
        e(
            "a 900 KB name",
            format!("name = \"{}\"\n{BASE}", "y".repeat(900_000)),
            Some(true),
        ),
        e(
            "a thousand-digit integer",
            BASE.replacen("n = 4", &format!("n = {}", "9".repeat(1000)), 1),
            Some(false),
        ),
        e(
            "deep arrays",
            format!("n = {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
            Some(false),
        ),
        e(
            "deep inline tables",
            format!("n = {}1{}\n", "{a=".repeat(50_000), "}".repeat(50_000)),
            Some(false),
        ),
        e(
            "deep dotted key",
            format!("{} = 1\n", vec!["a"; 100_000].join(".")),
            Some(false),
        ),
        e(
            "duplicate key",
            BASE.replacen("t = 1", "t = 1\nt = 1", 1),
            Some(false),
        ),
        e(
            "duplicate table",
            format!("{BASE}[protocol]\nkind = \"oral\"\n"),
            Some(false),
        ),
        e(
            "dotted key against a table",
            format!("{BASE}protocol.kind = \"oral\"\n"),
            Some(false),
        ),
        e(
            "array of tables",
            BASE.replace("[protocol]", "[[protocol]]"),
            Some(false),
        ),
        e(
            "table named like a key",
            format!("{BASE}[n]\nx = 1\n"),
            Some(false),
        ),
        e(
            "unterminated string",
            BASE.replace("\"vote\"", "\"vote"),
            Some(false),
        ),
        e(
            "unterminated multi-line string",
            format!("description = \"\"\"\n{BASE}"),
            Some(false),
        ),
        e("unicode key", format!("{BASE}ключ = 1\n"), Some(false)),
        e("quoted empty key", format!("\"\" = 1\n{BASE}"), Some(false)),
        e(
            "control characters",
            BASE.replacen("n = 4", "n = 4\x07\x1b", 1),
            Some(false),
        ),
        e(
            "right-to-left override in a name",
            format!("name = \"a\u{202e}b\"\n{BASE}"),
            Some(true),
        ),
    ];
    let mut garbage = vec![0u8; 4096];
    rng.fill(&mut garbage[..]);
    f.push(("random bytes".into(), garbage, Some(false)));
    let printable: String = (0..2000)
        .map(|_| char::from(rng.random_range(b' '..=b'~')))
        .collect();
    f.push((
        "random printable text".into(),
        printable.into_bytes(),
        Some(false),
    ));
    for source in [BASE.to_string(), pow_text()] {
        for _ in 0..4 {
            let cut = rng.random_range(1..source.len());
            let what = if source == BASE { "base" } else { "pow" };
            f.push((
                format!("{what} truncated at byte {cut}"),
                source.as_bytes()[..cut].to_vec(),
                None,
            ));
        }
    }
    f
}

/// A named file and whether it is a valid scenario.
fn e(
    name: &str,
    bytes: impl Into<Vec<u8>>,
    valid: Option<bool>,
) -> (String, Vec<u8>, Option<bool>) {
    (name.to_string(), bytes.into(), valid)
}

fn pow_text() -> String {
    String::from_utf8(crate::refs::scenario("pow-honest-agrees.toml")).unwrap()
}

/// Each key with values it must refuse (exit 2) or may take (exit 0 or 1). `table` is where
/// the key goes; `kind` the protocol it needs.
fn values() -> Vec<(&'static str, &'static str, &'static str, bool)> {
    const NOT_NUMBERS: [&str; 6] = ["\"4\"", "true", "[4]", "{ x = 4 }", "nan", "-inf"];
    let mut v: Vec<(&str, &str, &str, bool)> = Vec::new();
    for bad in [
        "0",
        "-1",
        "100001",
        "9223372036854775807",
        "18446744073709551615",
        "4.5",
    ] {
        v.push(("", "n", bad, false));
    }
    for bad in ["4", "5", "-1", "9223372036854775807"] {
        v.push(("", "t", bad, false));
    }
    for bad in ["0", "10000001", "9223372036854775807", "-5"] {
        v.push(("", "trials", bad, false));
    }
    for bad in ["-1", "9223372036854775808", "18446744073709551615", "1.5"] {
        v.push(("", "seed", bad, false));
    }
    v.push(("", "seed", "9223372036854775807", true));
    for bad in NOT_NUMBERS {
        for key in ["n", "t", "trials", "seed"] {
            v.push(("", key, bad, false));
        }
    }
    v.push(("", "name", "4", false));
    v.push(("", "unknown", "1", false));
    for bad in ["\"paxos\"", "[]", "[\"vote\", \"vote\"]", "4", "\"\""] {
        v.push(("protocol", "kind", bad, false));
    }
    v.push(("protocol", "commander", "4", false));
    v.push(("protocol", "m", "1", false));
    v.push(("protocol", "value", "\"maybe\"", false));
    v.push(("protocol", "inputs", "[\"attack\"]", false));
    for bad in ["-0.1", "1.5", "nan", "inf", "1e308", "\"0.1\""] {
        v.push(("network", "loss", bad, false));
    }
    v.push(("network", "loss", "1.0", true));
    for bad in [
        "-1",
        "nan",
        "inf",
        "-inf",
        "1e308",
        "{ min = 10, max = 1 }",
        "{ mean = 1e308, dist = \"exponential\" }",
        "{ fixed = 1, min = 1 }",
        "{ mean = 5, dist = \"pareto\" }",
        "{}",
    ] {
        v.push(("network", "latency_ms", bad, false));
    }
    for bad in ["-1", "nan", "inf", "1e308"] {
        v.push(("network", "round_ms", bad, false));
    }
    for bad in ["\"moebius\"", "\"edges\"", "\"random-regular\""] {
        v.push(("network", "topology", bad, false));
    }
    v.push(("network", "transport", "\"carrier-pigeon\"", false));
    v.push(("network", "degree", "3", false));
    for bad in ["\"explode\"", "\"\""] {
        v.push(("faults", "behaviour", bad, false));
    }
    for bad in [
        "[4]",
        "[0, 0]",
        "[]",
        "[18446744073709551615]",
        "\"nobody\"",
        "[0, 1, 2, 3]",
    ] {
        v.push(("faults", "who", bad, false));
    }
    v.push(("faults", "split", "[9]", false));
    v.push(("faults", "sybil", "9223372036854775807", false));
    v.push(("faults", "drop", "0.5", false));
    for (key, bad) in [
        ("max_events", "0"),
        ("max_messages", "0"),
        ("max_hashes", "-1"),
        ("max_memory_mb", "0"),
        ("max_time_ms", "nan"),
        ("max_time_ms", "-1"),
        ("max_time_ms", "1e308"),
        ("max_time_ms", "inf"),
    ] {
        v.push(("limits", key, bad, false));
    }
    for bad in ["x = 1", "[1, 2]"] {
        v.push(("expect", "agreement", bad, false));
    }
    v.push(("expect", "agreement", "\"sometimes\"", false));
    v
}

fn pow_values() -> Vec<(&'static str, &'static str, bool)> {
    vec![
        ("blocks", "0", false),
        ("blocks", "9223372036854775807", false),
        ("block_interval_ms", "0", false),
        ("block_interval_ms", "1e-300", false),
        ("block_interval_ms", "1e308", false),
        ("block_interval_ms", "nan", false),
        ("confirmations", "9223372036854775807", false),
        ("attacker_share", "1.5", false),
        ("attacker_share", "nan", false),
        ("tie_share", "-1", false),
        ("retarget_interval", "0", false),
        ("hashes_per_block", "9223372036854775807", false),
        ("mining", "\"quantum\"", false),
        ("hashrate_change", "{ at_ms = 1, factor = 0 }", false),
        ("hashrate_change", "{ at_ms = nan, factor = 2 }", false),
        (
            "hashrate_change",
            "{ at_ms = 1e308, factor = 1e308 }",
            false,
        ),
        ("hashrate_change", "{ at_ms = 1 }", false),
    ]
}

/// `BASE` with `key = value` put in `table` (`""`: top level), replacing the key there.
pub fn with_value(table: &str, key: &str, value: &str) -> String {
    let mut sections: Vec<(String, Vec<String>)> = vec![(String::new(), Vec::new())];
    for line in BASE.lines() {
        if line.starts_with('[') {
            sections.push((line.trim_matches(['[', ']']).to_string(), Vec::new()));
        } else if !line.trim().is_empty() {
            sections.last_mut().unwrap().1.push(line.to_string());
        }
    }
    let entry = format!("{key} = {value}");
    match sections.iter_mut().find(|(name, _)| name == table) {
        Some((_, lines)) => {
            lines.retain(|l| l.split('=').next().map(str::trim) != Some(key));
            lines.push(entry);
        }
        None => sections.push((table.to_string(), vec![entry])),
    }
    sections
        .iter()
        .map(|(name, lines)| {
            let head = if name.is_empty() {
                String::new()
            } else {
                format!("[{name}]\n")
            };
            format!("{head}{}\n", lines.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, bytes, valid) in files() {
        for (reader, argv, reader_valid, outputs) in every_reader(&[0, 1]) {
            cases.push(Case::new(
                FAMILY,
                format!("{name}, {reader}"),
                vec![file("s.toml", bytes.clone())],
                argv,
                &codes(valid, &reader_valid),
                outputs,
            ));
        }
    }
    for (table, key, value, valid) in values() {
        let where_ = if table.is_empty() {
            key.to_string()
        } else {
            format!("{table}.{key}")
        };
        cases.push(Case::new(
            FAMILY,
            format!("{where_} = {value}, run"),
            vec![file("s.toml", with_value(table, key, value))],
            args(&["run", "s.toml"]),
            if valid { &[0, 1] } else { &[2] },
            vec![maybe("-", Check::Text)],
        ));
    }
    let pow = pow_text();
    for (key, value, valid) in pow_values() {
        let text = if pow.contains(&format!("\n{key} =")) {
            pow.lines()
                .map(|l| {
                    if l.starts_with(&format!("{key} =")) {
                        format!("{key} = {value}")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            format!("{pow}\n").replacen("[pow]\n", &format!("[pow]\n{key} = {value}\n"), 1)
        };
        cases.push(Case::new(
            FAMILY,
            format!("pow.{key} = {value}, run"),
            vec![file("s.toml", text)],
            args(&["run", "s.toml", "--trials", "1"]),
            if valid { &[0, 1] } else { &[2] },
            vec![maybe("-", Check::Text)],
        ));
    }
    cases
}
