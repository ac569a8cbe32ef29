//! How a hostile case runs and what it must keep: the built binary in a fresh temporary
//! directory, under a memory cap (`RLIMIT_AS`), a CPU cap (`RLIMIT_CPU`) and a wall-clock kill
//! from here; then the promises of README's "What byzsim promises": an exit code the contract
//! allows, no panic text, no file touched but the declared outputs (inputs hashed before and
//! after), and every output either complete or absent.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The binary under test: this build's, or `BYZSIM_HOSTILE_BIN` (to run the suite against an
/// older build and see which cases it fails).
pub fn bin() -> PathBuf {
    std::env::var_os("BYZSIM_HOSTILE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_byzsim")))
}

/// Address space per child: far above what any case needs, far below the machine.
pub const MEMORY_CAP_BYTES: u64 = 2 << 30;
/// CPU seconds per child.
pub const CPU_CAP_S: u64 = 60;
/// Wall-clock seconds per child before the parent kills it (a runaway).
pub const WALL_CAP: Duration = Duration::from_secs(40);

/// A file the case puts in its directory before the first step.
#[derive(Clone, Debug)]
pub enum Fixture {
    File(String, Vec<u8>),
    Dir(String),
    /// A directory nobody may write in (0o555).
    ReadOnlyDir(String),
    Fifo(String),
    /// `Symlink(link, target)`.
    Symlink(String, String),
}

impl Fixture {
    pub fn name(&self) -> &str {
        match self {
            Fixture::File(n, _)
            | Fixture::Dir(n)
            | Fixture::ReadOnlyDir(n)
            | Fixture::Fifo(n)
            | Fixture::Symlink(n, _) => n,
        }
    }
}

/// What a declared output must be when it is there.
#[derive(Clone, Debug)]
pub enum Check {
    /// A CSV: a header, every row as long as it, and this many rows where known.
    Csv(Option<usize>),
    /// Exactly these bytes (a sweep, resumed or merged, is the uninterrupted sweep).
    Bytes(Vec<u8>),
    /// A prefix of these bytes (a journal left by `kill -9`, empty if it came before the header).
    PrefixOf(Vec<u8>),
    /// A sweep manifest (JSON) whose cells' rows add up to the rows of the CSV beside it.
    Manifest(String),
    /// Valid JSON (a journal's manifest).
    Json,
    /// An SVG document, closed.
    Svg,
    /// An HTML page, closed (`view`, `report`).
    Html,
    /// A scenario file that byzsim loads.
    Scenario,
    /// Some text (help, a table, DOT).
    Text,
    /// Any one of these.
    OneOf(Vec<Check>),
}

/// A declared output: `path` relative to the case directory, `-` for standard output.
#[derive(Clone, Debug)]
pub struct Out {
    pub path: String,
    pub check: Check,
    /// Must be there after the step (when it exits 0).
    pub required: bool,
}

pub fn out(path: &str, check: Check) -> Out {
    Out {
        path: path.to_string(),
        check,
        required: true,
    }
}

/// An output that may or may not be there, complete when it is.
pub fn maybe(path: &str, check: Check) -> Out {
    Out {
        required: false,
        ..out(path, check)
    }
}

/// Where a step's standard output goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stdout {
    Capture,
    /// `> /dev/full`.
    Full,
    /// A pipe whose reader is gone.
    Closed,
}

/// What happens around the child while it runs.
#[derive(Clone, Debug)]
pub enum Driver {
    Plain,
    /// A thread drains this FIFO (an output written through it).
    FifoReader(String),
    /// A thread writes these bytes into this FIFO and closes it (an input read through it).
    FifoWriter(String, Vec<u8>),
    /// Once `path` has more than `lines` lines (or `wait_ms` have passed, when `lines` is 0),
    /// send `signal`.
    Kill {
        signal: i32,
        path: String,
        lines: usize,
        wait_ms: u64,
    },
    /// Once `path` has more than `lines` lines, run a second byzsim with `args`; it must exit
    /// with one of `exit`.
    Rival {
        args: Vec<String>,
        path: String,
        lines: usize,
        exit: Vec<i32>,
    },
}

/// One run of the binary.
#[derive(Clone, Debug)]
pub struct Step {
    pub args: Vec<String>,
    /// Exit codes allowed.
    pub exit: Vec<i32>,
    /// A signal may end it (the signal cases).
    pub signalled: bool,
    pub outputs: Vec<Out>,
    pub driver: Driver,
    pub stdout: Stdout,
}

/// A case: fixtures, then steps in one directory.
#[derive(Clone, Debug)]
pub struct Case {
    pub family: &'static str,
    pub name: String,
    pub fixtures: Vec<Fixture>,
    pub steps: Vec<Step>,
    /// Needs file permissions enforced (not root).
    pub needs_permissions: bool,
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Case {
    /// A one-step case with captured stdout and no driver.
    pub fn new(
        family: &'static str,
        name: impl Into<String>,
        fixtures: Vec<Fixture>,
        argv: Vec<String>,
        exit: &[i32],
        outputs: Vec<Out>,
    ) -> Case {
        Case {
            family,
            name: name.into(),
            fixtures,
            steps: vec![Step::new(argv, exit, outputs)],
            needs_permissions: false,
        }
    }

    pub fn driver(mut self, driver: Driver) -> Case {
        self.steps[0].driver = driver;
        self
    }

    pub fn stdout(mut self, stdout: Stdout) -> Case {
        self.steps[0].stdout = stdout;
        self
    }

    pub fn then(mut self, step: Step) -> Case {
        self.steps.push(step);
        self
    }
}

impl Step {
    pub fn new(argv: Vec<String>, exit: &[i32], outputs: Vec<Out>) -> Step {
        Step {
            args: argv,
            exit: exit.to_vec(),
            signalled: false,
            outputs,
            driver: Driver::Plain,
            stdout: Stdout::Capture,
        }
    }
}

/// What one case cost.
pub struct Ran {
    pub failures: Vec<String>,
    pub skipped: Option<String>,
}

/// How this process can make a directory nobody may write into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOnly {
    /// Mode 0555 (file permissions stop this user).
    Permissions,
    /// The immutable attribute (`chattr +i`): root ignores modes, but not that.
    Immutable,
    /// Neither works here: cases that need one are skipped, and say so.
    Unavailable,
}

/// Which way of making a read-only directory works for this process.
pub fn read_only_mode() -> ReadOnly {
    if permissions_enforced() {
        return ReadOnly::Permissions;
    }
    let Ok(dir) = tempfile::tempdir() else {
        return ReadOnly::Unavailable;
    };
    let ro = dir.path().join("ro");
    let _ = fs::create_dir(&ro);
    let works = chattr(&ro, "+i") && fs::write(ro.join("x"), b"x").is_err();
    let _ = chattr(&ro, "-i");
    if works {
        ReadOnly::Immutable
    } else {
        ReadOnly::Unavailable
    }
}

/// `chattr FLAG path`; whether it succeeded (false where chattr is missing or not allowed).
fn chattr(path: &Path, flag: &str) -> bool {
    let _spawning = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
    Command::new("chattr")
        .arg(flag)
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether file permissions stop this process (false as root).
pub fn permissions_enforced() -> bool {
    let Ok(dir) = tempfile::tempdir() else {
        return false;
    };
    let ro = dir.path().join("ro");
    let _ = fs::create_dir(&ro);
    let _ = fs::set_permissions(&ro, fs::Permissions::from_mode(0o555));
    let enforced = fs::write(ro.join("x"), b"x").is_err();
    let _ = fs::set_permissions(&ro, fs::Permissions::from_mode(0o755));
    enforced
}

fn make(dir: &Path, f: &Fixture, read_only: ReadOnly) -> std::io::Result<()> {
    let path = dir.join(f.name());
    match f {
        Fixture::File(_, bytes) => fs::write(&path, bytes),
        Fixture::Dir(_) => fs::create_dir_all(&path),
        Fixture::ReadOnlyDir(_) => {
            fs::create_dir_all(&path)?;
            match read_only {
                ReadOnly::Immutable if chattr(&path, "+i") => Ok(()),
                ReadOnly::Immutable => Err(std::io::Error::other("chattr +i failed")),
                _ => fs::set_permissions(&path, fs::Permissions::from_mode(0o555)),
            }
        }
        Fixture::Fifo(_) => {
            let status = {
                let _spawning = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
                Command::new("mkfifo").arg(&path).status()?
            };
            if status.success() {
                Ok(())
            } else {
                Err(std::io::Error::other("mkfifo failed"))
            }
        }
        Fixture::Symlink(_, target) => std::os::unix::fs::symlink(target, &path),
    }
}

/// Every entry under `dir` (not following links), as relative paths; a directory ends in `/`.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let Ok(entries) = fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = rel.join(e.file_name());
            let shown = name.display().to_string();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                all.push(format!("{shown}/"));
                todo.push(name);
            } else {
                all.push(shown);
            }
        }
    }
    all.sort();
    all
}

/// What a fixture file is, to compare before and after: its bytes, or its kind.
fn snapshot(path: &Path) -> String {
    match fs::symlink_metadata(path) {
        Err(_) => "absent".into(),
        Ok(m) if m.file_type().is_symlink() => {
            format!("link to {:?}", fs::read_link(path).ok())
        }
        Ok(m) if m.file_type().is_fifo() => "fifo".into(),
        Ok(m) if m.is_dir() => format!("dir {:o}", m.permissions().mode() & 0o777),
        Ok(_) => {
            let bytes = fs::read(path).unwrap_or_default();
            format!("{} bytes, {:016x}", bytes.len(), fnv(&bytes))
        }
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// Sets the caps in the child, between fork and exec.
fn capped(cmd: &mut Command) {
    // SAFETY: setrlimit is async-signal-safe; the closure allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            let memory = libc::rlimit {
                rlim_cur: MEMORY_CAP_BYTES,
                rlim_max: MEMORY_CAP_BYTES,
            };
            let cpu = libc::rlimit {
                rlim_cur: CPU_CAP_S,
                rlim_max: CPU_CAP_S + 5,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &memory) != 0
                || libc::setrlimit(libc::RLIMIT_CPU, &cpu) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Held while a child is started: a child forked by another thread while a pipe's read end
/// is still open would hold a copy of it until it execs, and a "closed" pipe would take a write
/// (seen: `run --help` onto a closed pipe exited 0 once in a few hundred runs).
pub static SPAWNING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Starts byzsim in `dir` with its caps; stdout and stderr go to files in `capture`.
pub fn spawn(dir: &Path, capture: &Path, argv: &[String], stdout: Stdout) -> Child {
    spawn_program(&bin(), dir, capture, argv, stdout)
}

/// [`spawn`] for a given build of byzsim.
pub fn spawn_program(
    program: &Path,
    dir: &Path,
    capture: &Path,
    argv: &[String],
    stdout: Stdout,
) -> Child {
    let _spawning = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
    let mut cmd = Command::new(program);
    cmd.args(argv)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stderr(fs::File::create(capture.join("stderr")).expect("capture file"));
    match stdout {
        Stdout::Capture => {
            cmd.stdout(fs::File::create(capture.join("stdout")).expect("capture file"));
        }
        Stdout::Full => {
            cmd.stdout(
                fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .expect("/dev/full"),
            );
        }
        Stdout::Closed => {
            // The reader is closed before the child starts: its first write fails.
            let (reader, writer) = std::io::pipe().expect("a pipe");
            drop(reader);
            cmd.stdout(writer);
        }
    }
    capped(&mut cmd);
    cmd.spawn().expect("byzsim starts")
}

fn lines_in(path: &Path) -> usize {
    fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Waits for `child`, killing it past the wall-clock cap; `on_tick` runs every few ms until it
/// returns true.
fn wait(child: &mut Child, mut on_tick: impl FnMut(&mut Child) -> bool) -> (ExitStatus, bool) {
    #[allow(clippy::disallowed_methods)] // the wall-clock kill of a runaway child
    let started = Instant::now();
    let mut quiet = false;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status, false);
        }
        if started.elapsed() > WALL_CAP {
            let _ = child.kill();
            return (child.wait().expect("wait"), true);
        }
        if !quiet {
            quiet = on_tick(child);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn send(child: &Child, signal: i32) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
}

/// Runs one step; returns its exit status, whether the wall clock killed it, and the rival's
/// failure if any.
fn drive(dir: &Path, capture: &Path, step: &Step) -> (ExitStatus, bool, Vec<String>) {
    let mut problems = Vec::new();
    let helper = match &step.driver {
        Driver::FifoReader(name) => {
            let path = dir.join(name);
            Some(std::thread::spawn(move || {
                let _ = fs::read(path);
            }))
        }
        Driver::FifoWriter(name, bytes) => {
            let (path, bytes) = (dir.join(name), bytes.clone());
            Some(std::thread::spawn(move || {
                if let Ok(mut f) = fs::OpenOptions::new().write(true).open(path) {
                    let _ = f.write_all(&bytes);
                }
            }))
        }
        _ => None,
    };
    let mut child = spawn(dir, capture, &step.args, step.stdout);
    #[allow(clippy::disallowed_methods)] // the wall-clock kill of a runaway child
    let started = Instant::now();
    let (status, runaway) = match &step.driver {
        Driver::Kill {
            signal,
            path,
            lines,
            wait_ms,
        } => wait(&mut child, |c| {
            let ready = if *lines == 0 {
                started.elapsed() >= Duration::from_millis(*wait_ms)
            } else {
                lines_in(&dir.join(path)) > *lines
            };
            if ready {
                if *lines > 0 && *wait_ms > 0 {
                    std::thread::sleep(Duration::from_millis(*wait_ms));
                }
                send(c, *signal);
            }
            ready
        }),
        Driver::Rival {
            args: rival,
            path,
            lines,
            exit,
        } => wait(&mut child, |_| {
            if lines_in(&dir.join(path)) <= *lines {
                return false;
            }
            let rival_capture = capture.join("rival");
            let _ = fs::create_dir_all(&rival_capture);
            let mut r = spawn(dir, &rival_capture, rival, Stdout::Capture);
            let (status, runaway) = wait(&mut r, |_| true);
            let code = status.code().unwrap_or(-1);
            if runaway || !exit.contains(&code) {
                problems.push(format!(
                    "the rival exited {status:?} (allowed {exit:?}); stderr: {}",
                    read_text(&rival_capture.join("stderr"))
                ));
            }
            problems.extend(panic_text(&rival_capture, "the rival"));
            true
        }),
        _ => wait(&mut child, |_| true),
    };
    if let Some(h) = helper {
        let fifo = match &step.driver {
            Driver::FifoReader(n) | Driver::FifoWriter(n, _) => dir.join(n),
            _ => PathBuf::new(),
        };
        // A helper still blocked (on a FIFO byzsim replaced: the fixture check reports that)
        // is left behind rather than hanging the suite.
        if release(&fifo, &h) {
            let _ = h.join();
        }
    }
    (status, runaway, problems)
}

/// Frees a FIFO helper the child left waiting (it never opened the FIFO, or stopped reading):
/// opens the other end now and then, draining it, until the helper is done (true) or two
/// seconds have passed (false).
fn release(fifo: &Path, helper: &std::thread::JoinHandle<()>) -> bool {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    for _ in 0..400 {
        if helper.is_finished() {
            return true;
        }
        if let Ok(mut f) = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(fifo)
        {
            let mut buf = [0u8; 65536];
            while matches!(f.read(&mut buf), Ok(n) if n > 0) {}
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    helper.is_finished()
}

fn read_text(path: &Path) -> String {
    String::from_utf8_lossy(&fs::read(path).unwrap_or_default()).into_owned()
}

/// Panic text in what a child printed.
fn panic_text(capture: &Path, who: &str) -> Vec<String> {
    let mut found = Vec::new();
    for stream in ["stdout", "stderr"] {
        let text = read_text(&capture.join(stream));
        for needle in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
            if text.contains(needle) {
                found.push(format!("{who}: `{needle}` in its {stream}: {text}"));
            }
        }
    }
    found
}

/// Runs a case in a fresh directory and checks every promise; the failures, each naming the
/// case and step.
/// Clears the immutable attribute of a case's read-only directories when the case ends, however
/// it ends, so its temporary directory can be removed.
struct Mutable<'a>(&'a Path, &'a [Fixture], ReadOnly);

impl Drop for Mutable<'_> {
    fn drop(&mut self) {
        if self.2 == ReadOnly::Immutable {
            for f in self.1 {
                if let Fixture::ReadOnlyDir(name) = f {
                    chattr(&self.0.join(name), "-i");
                }
            }
        }
    }
}

pub fn run_case(case: &Case, read_only: ReadOnly) -> Ran {
    if case.needs_permissions && read_only == ReadOnly::Unavailable {
        return Ran {
            failures: Vec::new(),
            skipped: Some(format!(
                "{}: no way to make a read-only directory here (root without chattr +i?)",
                case.name
            )),
        };
    }
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("case");
    let capture = root.path().join("capture");
    fs::create_dir_all(&dir).unwrap();
    let _mutable = Mutable(&dir, &case.fixtures, read_only);
    let mut failures = Vec::new();
    for f in &case.fixtures {
        if let Err(e) = make(&dir, f, read_only) {
            return Ran {
                failures: Vec::new(),
                skipped: Some(format!("{}: cannot make {}: {e}", case.name, f.name())),
            };
        }
    }
    let fixtures: Vec<(String, String)> = case
        .fixtures
        .iter()
        .map(|f| (f.name().to_string(), snapshot(&dir.join(f.name()))))
        .collect();
    let mut declared: Vec<String> = Vec::new();
    for (i, step) in case.steps.iter().enumerate() {
        let _ = fs::remove_dir_all(&capture);
        fs::create_dir_all(&capture).unwrap();
        let what = format!(
            "[{}] {} (step {}: byzsim {})",
            case.family,
            case.name,
            i + 1,
            step.args.join(" ")
        );
        let (status, runaway, rival) = drive(&dir, &capture, step);
        let stderr = read_text(&capture.join("stderr"));
        let mut bad: Vec<String> = rival;
        if runaway {
            bad.push(format!("still running after {WALL_CAP:?}: killed"));
        } else if let Some(code) = status.code() {
            if !(step.exit.contains(&code) || step.signalled && code >= 128) {
                bad.push(format!("exit code {code}, allowed {:?}", step.exit));
            }
        } else if !step.signalled {
            bad.push(format!(
                "killed by signal {:?} (core dumped: {})",
                status.signal(),
                status.core_dumped()
            ));
        }
        bad.extend(panic_text(&capture, "byzsim"));
        declared.extend(step.outputs.iter().map(|o| o.path.clone()));
        bad.extend(untouched(&dir, &fixtures, &declared));
        bad.extend(complete(
            &dir,
            &capture,
            step,
            status.code() == Some(0),
            &fixtures,
        ));
        if !bad.is_empty() {
            failures.push(format!(
                "{what}\n    {}\n    stderr: {}",
                bad.join("\n    "),
                stderr.trim_end()
            ));
            break;
        }
    }
    restore_permissions(&dir);
    for device in ["/dev/null", "/dev/full"] {
        if !fs::metadata(device).is_ok_and(|m| m.file_type().is_char_device()) {
            failures.push(format!(
                "[{}] {}: {device} is no longer a device (restore it: mknod)",
                case.family, case.name
            ));
        }
    }
    Ran {
        failures,
        skipped: None,
    }
}

/// No entry but fixtures and declared outputs, and fixtures not declared as outputs unchanged.
fn untouched(dir: &Path, fixtures: &[(String, String)], declared: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    let allowed = |entry: &str| {
        let entry = entry.trim_end_matches('/');
        fixtures
            .iter()
            .any(|(f, _)| f == entry || f.starts_with(&format!("{entry}/")))
            || declared
                .iter()
                .any(|d| d == entry || d.starts_with(&format!("{entry}/")))
    };
    for entry in listing(dir) {
        if !allowed(&entry) {
            bad.push(format!(
                "left `{entry}`, which is neither an input nor a declared output"
            ));
        }
    }
    for (name, before) in fixtures {
        if declared.contains(name) {
            continue;
        }
        let after = snapshot(&dir.join(name));
        if &after != before {
            bad.push(format!("input `{name}` changed: was {before}, is {after}"));
        }
    }
    bad
}

/// Every declared output there is complete (or, when it was an input too, as it was); a
/// required one is there after exit 0.
fn complete(
    dir: &Path,
    capture: &Path,
    step: &Step,
    succeeded: bool,
    fixtures: &[(String, String)],
) -> Vec<String> {
    let mut bad = Vec::new();
    for o in &step.outputs {
        let kept = fixtures
            .iter()
            .any(|(name, before)| name == &o.path && &snapshot(&dir.join(name)) == before);
        if kept && !succeeded {
            continue;
        }
        let path = if o.path == "-" {
            if step.stdout != Stdout::Capture {
                continue;
            }
            capture.join("stdout")
        } else {
            dir.join(&o.path)
        };
        let is_file = fs::metadata(&path).is_ok_and(|m| m.is_file());
        let empty_stdout = o.path == "-" && fs::metadata(&path).is_ok_and(|m| m.len() == 0);
        if !is_file || empty_stdout {
            if succeeded && o.required {
                bad.push(format!("exit 0 without its output `{}`", o.path));
            }
            continue;
        }
        if let Err(why) = check(&path, &o.check) {
            bad.push(format!("output `{}` is not complete: {why}", o.path));
        }
    }
    bad
}

fn check(path: &Path, c: &Check) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    match c {
        Check::Csv(rows) => {
            let found = csv_rows(&bytes)?;
            match rows {
                Some(r) if *r != found => Err(format!("{found} rows, expected {r}")),
                _ => Ok(()),
            }
        }
        Check::Bytes(expected) if &bytes == expected => Ok(()),
        Check::Bytes(expected) => Err(format!(
            "{} bytes differ from the expected {} bytes",
            bytes.len(),
            expected.len()
        )),
        Check::PrefixOf(all) if all.starts_with(&bytes) => Ok(()),
        Check::PrefixOf(_) => Err(format!("{} bytes, not a prefix of the sweep", bytes.len())),
        Check::Manifest(csv_name) => {
            let json: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?;
            let rows: u64 = json["cells"]
                .as_array()
                .ok_or("no cells")?
                .iter()
                .map(|c| c[1].as_u64().unwrap_or(0))
                .sum();
            let csv_path = path.with_file_name(csv_name);
            let csv = fs::read(&csv_path).map_err(|e| format!("its CSV: {e}"))?;
            let found = csv_rows(&csv)?;
            if rows as usize != found {
                return Err(format!("lists {rows} rows, its CSV has {found}"));
            }
            let header: Vec<String> = csv::Reader::from_reader(csv.as_slice())
                .headers()
                .map_err(|e| e.to_string())?
                .iter()
                .map(str::to_string)
                .collect();
            let columns: Vec<String> = serde_json::from_value(json["columns"].clone())
                .map_err(|e| format!("columns: {e}"))?;
            if header != columns {
                return Err("its columns are not its CSV's".into());
            }
            Ok(())
        }
        Check::Json => serde_json::from_slice::<serde_json::Value>(&bytes)
            .map(drop)
            .map_err(|e| format!("not JSON: {e}")),
        Check::Svg => {
            let text = String::from_utf8_lossy(&bytes);
            if text.starts_with("<svg") && text.trim_end().ends_with("</svg>") {
                Ok(())
            } else {
                Err("not a closed <svg> document".into())
            }
        }
        Check::Html => {
            let text = String::from_utf8_lossy(&bytes);
            if text.starts_with("<!DOCTYPE html>") && text.trim_end().ends_with("</html>") {
                Ok(())
            } else {
                Err("not a closed HTML page".into())
            }
        }
        Check::Scenario => byzsim::scenario::Scenario::load(path, &[])
            .map(drop)
            .map_err(|e| e.to_string()),
        Check::OneOf(all) => {
            let why: Vec<String> = all.iter().filter_map(|c| check(path, c).err()).collect();
            if why.len() < all.len() {
                Ok(())
            } else {
                Err(why.join("; nor: "))
            }
        }
        Check::Text if bytes.is_empty() => Err("empty".into()),
        Check::Text => Ok(()),
    }
}

/// The data rows of a CSV whose every row is as long as its header, ending in a newline.
pub fn csv_rows(bytes: &[u8]) -> Result<usize, String> {
    if !bytes.ends_with(b"\n") {
        return Err("does not end with a newline".into());
    }
    let mut reader = csv::Reader::from_reader(bytes);
    reader.headers().map_err(|e| format!("header: {e}"))?;
    let mut rows = 0;
    for r in reader.records() {
        r.map_err(|e| format!("row {}: {e}", rows + 2))?;
        rows += 1;
    }
    Ok(rows)
}

fn restore_permissions(dir: &Path) {
    for entry in listing(dir) {
        if entry.ends_with('/') {
            let _ = fs::set_permissions(dir.join(&entry), fs::Permissions::from_mode(0o755));
        }
    }
}

/// The peak resident memory of any child waited for so far, in KiB.
pub fn children_peak_kib() -> i64 {
    // SAFETY: getrusage fills the struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}
