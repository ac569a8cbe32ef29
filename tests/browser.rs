//! `byzsim view` pages opened in a real browser: headless Chromium loads each page from disk
//! (`--dump-dom`, with a virtual time budget) and the test reads the state the page exposes in
//! its DOM (`#status`, one `data-general` element per general, `#verdict`, `#jump`), comparing it
//! with the trial run again through the library and the CLI's CSV row.
//!
//! Chromium is found at `BYZSIM_CHROMIUM`, `/usr/bin/chromium` or on the PATH; when it is missing
//! and the test runs as root with apt, it installs the distribution's `chromium` package. If it
//! still cannot be had the test fails, naming the package: it never passes silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use byzsim::Scenario;
use byzsim::engine::trace::Recording;
use byzsim::rng::trial_seed;
use byzsim::trace_index::{Fate, TraceIndex};
use byzsim::trial::{run_trial, traitors_of};
use byzsim::types::NodeId;
use byzsim::view::data::first_difference;

const PACKAGE: &str = "chromium";

fn found_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BYZSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let dirs =
        std::env::var_os("PATH").map_or_else(Vec::new, |p| std::env::split_paths(&p).collect());
    let mut places: Vec<PathBuf> = vec![PathBuf::from("/usr/bin/chromium")];
    places.extend(
        dirs.iter()
            .flat_map(|d| names.iter().map(move |n| d.join(n))),
    );
    places.into_iter().find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Chromium, installed once per test run when missing and possible.
fn chromium() -> &'static Path {
    static BROWSER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = BROWSER.get_or_init(|| {
        if let Some(p) = found_chromium() {
            return Ok(p);
        }
        if is_root() && Path::new("/usr/bin/apt-get").exists() {
            let apt = |args: &[&str]| {
                Command::new("apt-get")
                    .args(args)
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !apt(&["install", "-y", PACKAGE]) {
                apt(&["update"]);
                apt(&["install", "-y", PACKAGE]);
            }
        }
        found_chromium().ok_or_else(|| {
            format!(
                "the browser tests need Chromium: install the `{PACKAGE}` package (apt-get install {PACKAGE}), or set BYZSIM_CHROMIUM to a Chromium or Chrome binary"
            )
        })
    });
    match found {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

/// Runs headless Chromium on `url` with `extra` arguments; returns its standard output, after
/// checking that the page's scripts threw nothing (Chromium logs uncaught errors to stderr).
fn browse(url: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("Uncaught"), "a script error on {url}: {log}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn url(page: &Path, fragment: &str) -> String {
    format!(
        "file://{}{fragment}",
        page.canonicalize().unwrap().display()
    )
}

/// The page's DOM after its scripts ran, opened at `fragment`.
fn dom(page: &Path, fragment: &str) -> Dom {
    let html = browse(
        &url(page, fragment),
        &[
            "--dump-dom".to_string(),
            "--virtual-time-budget=3000".to_string(),
        ],
    );
    Dom(html)
}

/// A dumped DOM, read with plain string search.
struct Dom(String);

impl Dom {
    /// The attributes of every start tag that has attribute `name`.
    fn tags_with(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        let needle = format!(" {name}=\"");
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = self.0[from..].find(&needle) {
            let at = from + i;
            let start = self.0[..at].rfind('<').unwrap();
            let end = at + self.0[at..].find('>').unwrap();
            out.push(attributes(&self.0[start..end]));
            from = end;
        }
        out
    }

    /// The attributes of the element with id `id`.
    fn by_id(&self, id: &str) -> BTreeMap<String, String> {
        self.tags_with("id")
            .into_iter()
            .find(|t| t.get("id").is_some_and(|v| v == id))
            .unwrap_or_else(|| panic!("no element #{id}"))
    }

    fn step(&self) -> usize {
        self.by_id("status")["data-step"].parse().unwrap()
    }

    fn steps(&self) -> usize {
        self.by_id("status")["data-steps"].parse().unwrap()
    }

    /// Each general's `data-decision`, by `data-general`.
    fn decisions(&self) -> Vec<String> {
        let mut g: Vec<(usize, String)> = self
            .tags_with("data-general")
            .into_iter()
            .map(|t| {
                (
                    t["data-general"].parse().unwrap(),
                    t["data-decision"].clone(),
                )
            })
            .collect();
        g.sort();
        g.iter()
            .enumerate()
            .for_each(|(i, (v, _))| assert_eq!(i, *v, "one element per general"));
        g.into_iter().map(|(_, d)| d).collect()
    }

    fn traitors(&self) -> Vec<bool> {
        let mut g: Vec<(usize, bool)> = self
            .tags_with("data-general")
            .into_iter()
            .map(|t| {
                (
                    t["data-general"].parse().unwrap(),
                    t["data-traitor"] == "true",
                )
            })
            .collect();
        g.sort();
        g.into_iter().map(|(_, d)| d).collect()
    }
}

/// `name="value"` pairs of one start tag (the DOM dump escapes quotes inside values).
fn attributes(tag: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let value_start = eq + 2;
        let value_end = value_start + rest[value_start..].find('"').unwrap();
        out.insert(
            name.to_string(),
            rest[value_start..value_end].replace("&amp;", "&"),
        );
        rest = &rest[value_end + 1..];
    }
    out
}

/// A trial run again through the library, with its trace.
struct Trial {
    scenario: Scenario,
    trial: u64,
    seed: u64,
    trace: Recording,
    traitors: Vec<bool>,
}

impl Trial {
    fn index(&self) -> TraceIndex<'_> {
        TraceIndex::new(&self.trace, &self.traitors)
    }

    /// Each general's decision after the first `step` events ("" when undecided).
    fn decisions_at(&self, step: usize) -> Vec<String> {
        let mut d = vec![String::new(); self.traitors.len()];
        for x in self.trace.decisions().iter().filter(|x| x.position < step) {
            d[x.node.idx()] = x.value.as_str().to_string();
        }
        d
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes the page of `file` with the CLI; returns it with the trial it shows.
fn page(file: &str, dir: &Path, args: &[&str]) -> (PathBuf, Trial) {
    let out = dir.join("page.html");
    let status = Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .arg("view")
        .arg(root().join(file))
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let sets: Vec<String> = args
        .windows(2)
        .filter(|w| w[0] == "--set")
        .map(|w| w[1].to_string())
        .collect();
    let sc = Scenario::load(&root().join(file), &sets).unwrap();
    let choice = byzsim::view::choose(&sc, None, None).unwrap();
    let seed = trial_seed(sc.seed, choice.trial);
    let result = run_trial(&sc, choice.kind, choice.trial, seed, true).unwrap();
    let traitors = traitors_of(&sc, seed);
    let trial = Trial {
        trace: result.trace.unwrap(),
        scenario: sc,
        trial: choice.trial,
        seed,
        traitors,
    };
    (out, trial)
}

/// The CSV row `byzsim run` writes for the trial: its `decision` column and verdicts.
fn csv_row(t: &Trial, dir: &Path, sets: &[&str]) -> BTreeMap<String, String> {
    let csv = dir.join("row.csv");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_byzsim"));
    cmd.arg("run").arg(&t.scenario.file);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let seed = t.seed.to_string();
    let out = cmd
        .args(["--seed", &seed, "--trials", "1", "--out"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    header
        .iter()
        .zip(row)
        .map(|(h, v)| (h.to_string(), v.to_string()))
        .collect()
}

/// The honest decisions against the CSV row's `decision` column (attack, retreat, split, none).
fn assert_decisions_match_row(
    decisions: &[String],
    traitors: &[bool],
    row: &BTreeMap<String, String>,
) {
    let honest: Vec<&str> = decisions
        .iter()
        .zip(traitors)
        .filter(|(_, t)| !**t)
        .map(|(d, _)| d.as_str())
        .collect();
    let decided: std::collections::BTreeSet<&str> =
        honest.iter().copied().filter(|d| !d.is_empty()).collect();
    match row["decision"].as_str() {
        "split" => assert!(decided.len() > 1, "row says split, page shows {honest:?}"),
        "none" => assert!(decided.is_empty(), "row says none, page shows {honest:?}"),
        v => assert!(
            honest.iter().all(|d| *d == v),
            "row says {v}, page shows {honest:?}"
        ),
    }
}

/// Whether honest generals `a` and `b` heard something different of one logical message (by
/// origin and slot, origins other than themselves) in the first `step` events; nothing heard
/// counts as different from something.
fn views_differ(index: &TraceIndex, step: usize, a: NodeId, b: NodeId) -> bool {
    let mut first: BTreeMap<(u32, u32, u32), u32> = BTreeMap::new();
    for k in index.transmissions() {
        let s = index.sent(k);
        let Fate::Delivered {
            event,
            handed: true,
            ..
        } = index.fate(k)
        else {
            continue;
        };
        if event >= step || (s.to != a && s.to != b) || s.origin == a || s.origin == b {
            continue;
        }
        if index.message(s.msg).about.skips.contains(&a.0)
            || index.message(s.msg).about.skips.contains(&b.0)
        {
            continue;
        }
        first
            .entry((s.to.0, s.origin.0, index.slot(s.msg)))
            .or_insert(s.msg);
    }
    let of = |v: NodeId| -> BTreeMap<(u32, u32), u32> {
        first
            .iter()
            .filter(|(k, _)| k.0 == v.0)
            .map(|(k, m)| ((k.1, k.2), *m))
            .collect()
    };
    of(a) != of(b)
}

/// A PNG that is not blank: valid signature, and image data too large for a single colour.
fn assert_not_blank(png: &Path) {
    let bytes = std::fs::read(png).unwrap();
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is a PNG",
        png.display()
    );
    let mut idat = 0usize;
    let mut i = 8;
    while i + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        if &bytes[i + 4..i + 8] == b"IDAT" {
            idat += len;
        }
        i += 12 + len;
    }
    // A 1280×800 screenshot of one colour deflates to a few kilobytes.
    assert!(
        idat > 20_000,
        "{} looks blank ({idat} bytes of image data)",
        png.display()
    );
}

fn screenshot(page: &Path, fragment: &str, name: &str) {
    let dir = std::env::temp_dir().join("byzsim-browser-shots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(name);
    let _ = std::fs::remove_file(&png);
    browse(
        &url(page, fragment),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,800".to_string(),
            "--virtual-time-budget=3000".to_string(),
        ],
    );
    assert_not_blank(&png);
}

/// What a page must never contain to stay offline: links or loads of anything outside it.
fn assert_offline(page: &Path) {
    let html = std::fs::read_to_string(page).unwrap();
    for bad in [
        "src=\"http",
        "href=\"http",
        "url(",
        "@import",
        "//cdn",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!html.contains(bad), "the page contains `{bad}`");
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn the_vote_equivocation_page_shows_the_trace_decisions_steps_back_and_jumps_to_the_split() {
    let dir = tempfile::tempdir().unwrap();
    let file = "scenarios/vote-n4-equivocating-traitor-breaks-agreement.toml";
    let (page, t) = page(file, dir.path(), &[]);
    assert_offline(&page);
    let end = dom(&page, "#step=end");
    let steps = end.steps();
    assert_eq!(
        steps,
        t.trace.events().len(),
        "a small trace is shown event by event"
    );
    assert_eq!(end.step(), steps);
    assert_eq!(end.traitors(), t.traitors);
    assert_eq!(end.decisions(), t.decisions_at(steps));
    assert_decisions_match_row(&end.decisions(), &t.traitors, &csv_row(&t, dir.path(), &[]));
    let verdict = end.by_id("verdict");
    assert_eq!(verdict["data-agreement"], "false");
    assert_eq!(verdict["data-validity"], "true");
    assert_eq!(verdict["data-termination"], "true");

    let start = dom(&page, "#step=0");
    assert_eq!(start.step(), 0);
    assert!(
        start.decisions().iter().all(String::is_empty),
        "nobody decided at step 0"
    );

    // Every decision is the last events of the trial here: step back over one and it is gone.
    let back = dom(&page, "#step=end&back=1");
    let before_end = dom(&page, &format!("#step={}", steps - 1));
    assert_eq!(back.step(), steps - 1);
    assert_eq!(back.decisions(), before_end.decisions());
    assert_eq!(back.decisions(), t.decisions_at(steps - 1));
    assert_ne!(
        back.decisions(),
        end.decisions(),
        "the last event is a decision"
    );

    // The jump lands where the library says views first differed, and they do differ there.
    let jump = end.by_id("jump");
    let target: usize = jump["data-first-difference-step"].parse().unwrap();
    let index = t.index();
    let fd = first_difference(&index).expect("the equivocation makes the views differ");
    assert_eq!(target, fd.target + 1);
    let pair: Vec<u32> = jump["data-first-difference-generals"]
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let (a, b) = (NodeId(pair[0]), NodeId(pair[1]));
    assert!(
        !t.traitors[a.idx()] && !t.traitors[b.idx()],
        "two honest generals"
    );
    assert!(views_differ(&index, target, a, b));
    assert!(!views_differ(&index, 0, a, b));
    // The keys: the jump button, a round forward from the start, a round back from the end,
    // one event forward twice and back once.
    let at_jump = dom(&page, "#step=0&keys=j");
    assert_eq!(at_jump.step(), target);
    assert_eq!(at_jump.decisions(), t.decisions_at(target));
    let round = t.trace.round.expect("vote runs in rounds");
    let before_round_end = t.trace.events().iter().filter(|e| e.at() < round).count();
    assert!(0 < before_round_end && before_round_end < steps);
    assert_eq!(dom(&page, "#step=0&keys=R").step(), before_round_end);
    assert_eq!(dom(&page, "#step=end&keys=L").step(), before_round_end);
    assert_eq!(dom(&page, "#step=0&keys=rrl").step(), 1);
    screenshot(
        &page,
        &format!("#step={target}"),
        "vote-n4-equivocation.png",
    );
    assert_eq!(
        t.trial, 0,
        "the first violating trial of this scenario is trial 0"
    );
}

#[test]
fn a_p2p_flooding_page_with_a_dropping_cut_matches_its_trace_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = "scenarios/signed-flood-dropping-cut-breaks-agreement.toml";
    let (page, t) = page(file, dir.path(), &[]);
    let end = dom(&page, "#step=end");
    assert_eq!(end.decisions(), t.decisions_at(end.steps()));
    assert_decisions_match_row(&end.decisions(), &t.traitors, &csv_row(&t, dir.path(), &[]));
    assert_eq!(end.by_id("verdict")["data-agreement"], "false");
    let jump = end.by_id("jump");
    let target: usize = jump["data-first-difference-step"].parse().unwrap();
    let pair: Vec<u32> = jump["data-first-difference-generals"]
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(views_differ(
        &t.index(),
        target,
        NodeId(pair[0]),
        NodeId(pair[1])
    ));
    let start = dom(&page, "#step=0");
    assert!(start.decisions().iter().all(String::is_empty));
    screenshot(&page, "#t=50", "signed-flood-cut.png");
}

#[test]
fn a_pow_page_with_a_fork_ends_on_the_rows_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let file = "scenarios/pow-selfish-mining.toml";
    let sets = ["pow.blocks=40"];
    let (page, t) = page(file, dir.path(), &["--set", sets[0]]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("\"blocks\":{"),
        "a PoW page carries its block tree"
    );
    let end = dom(&page, "#step=end");
    assert_eq!(end.decisions(), t.decisions_at(end.steps()));
    assert_decisions_match_row(
        &end.decisions(),
        &t.traitors,
        &csv_row(&t, dir.path(), &sets),
    );
    let by_time = dom(&page, "#t=0");
    assert!(by_time.decisions().iter().all(String::is_empty));
    screenshot(&page, "#step=end", "pow-selfish-fork.png");
}

fn byzsim(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_byzsim"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "byzsim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_report_page_draws_a_figure_per_rate_and_a_row_per_cell_offline_and_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    byzsim(&[
        "sweep",
        "scenarios/oral-om1-n4-t1-holds.toml",
        "--n",
        "3..=6",
        "--t",
        "0..=2",
        "--trials",
        "10",
        "--out",
        &p("s.csv"),
        "--summary",
        &p("sum.csv"),
    ]);
    let manifest = p("s.csv.manifest.json");
    byzsim(&[
        "report",
        &p("sum.csv"),
        "--manifest",
        &manifest,
        "-o",
        &p("a.html"),
    ]);
    byzsim(&[
        "report",
        &p("sum.csv"),
        "--manifest",
        &manifest,
        "-o",
        &p("b.html"),
    ]);
    let page = dir.path().join("a.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(
        html,
        std::fs::read_to_string(dir.path().join("b.html")).unwrap()
    );
    assert_offline(&page);
    assert!(html.contains("byzsim sweep oral-om1-n4-t1-holds.toml --n 3,4,5,6 --t 0,1,2"));
    let summary_rows = std::fs::read_to_string(p("sum.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let shown = dom(&page, "");
    // Three heatmaps and two line plots, one table row per cell plus its header.
    assert_eq!(shown.0.matches("<figure>").count(), 5, "five figures");
    assert_eq!(shown.0.matches("<svg").count(), 5, "each one drawn");
    assert_eq!(shown.0.matches("<tr>").count(), summary_rows + 1);
    screenshot(&page, "", "report.png");
}

#[test]
fn a_view_page_is_the_same_bytes_from_the_same_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = "scenarios/signed-flood-p2p-no-traitor-holds.toml";
    let a = dir.path().join("a.html").display().to_string();
    let b = dir.path().join("b.html").display().to_string();
    byzsim(&["view", file, "--trial", "3", "-o", &a]);
    byzsim(&["view", file, "--trial", "3", "-o", &b]);
    let page = std::fs::read(&a).unwrap();
    assert_eq!(page, std::fs::read(&b).unwrap());
    assert_offline(Path::new(&a));
}
