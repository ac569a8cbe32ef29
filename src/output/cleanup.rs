//! What an interrupt leaves behind: temporary files are removed, outputs keep their old content.
//!
//! Every temporary file an output is written into is registered here until it is renamed into
//! place. [`install`] starts a thread that waits for SIGINT (Ctrl-C) or SIGTERM (what Slurm and
//! `kill` send); on either it removes every registered file, says on stderr what it kept, and
//! ends the process the way the signal would have (so a shell or scheduler sees "killed by
//! SIGTERM"). A rename into place happens with the registry held ([`commit`]), so an interrupt
//! comes either before it (the old file stays) or after it (the new file is complete).
//!
//! The signal thread uses `signal-hook`: a handler that only writes to a pipe, and a plain
//! thread that does the work, so nothing unsafe runs inside the signal handler.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Files an interrupt removes, and the notes it prints about files it keeps.
struct Registry {
    temporary: BTreeSet<PathBuf>,
    kept: BTreeSet<String>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    temporary: BTreeSet::new(),
    kept: BTreeSet::new(),
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Marks `path` as a temporary file: an interrupt removes it.
pub fn register(path: &Path) {
    registry().temporary.insert(path.to_path_buf());
}

/// `path` is no longer temporary (renamed into place, or removed).
pub fn unregister(path: &Path) {
    registry().temporary.remove(path);
}

/// A note printed when an interrupt comes, about a file it keeps on purpose (a sweep's
/// journal under `--resume`).
pub fn note_kept(note: String) {
    registry().kept.insert(note);
}

/// Removes `stale` (if given and present), then renames temporary files into place, with the
/// registry held, and unregisters them: an interrupt sees either none of this or all of it.
/// A sidecar that describes a file is `stale` and renamed last, so a file is never left beside
/// an old sidecar that describes something else.
pub fn commit(stale: Option<&Path>, renames: &[(&Path, &Path)]) -> std::io::Result<()> {
    let mut held = registry();
    if let Some(path) = stale {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    for (from, to) in renames {
        std::fs::rename(from, to)?;
        held.temporary.remove(*from);
    }
    Ok(())
}

/// Starts the thread that cleans up on SIGINT and SIGTERM. Call it once, from the binary.
pub fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("byzsim-interrupt".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                interrupted(signal);
            }
        })?;
    Ok(())
}

/// Removes the temporary files and ends the process as `signal` would. The registry stays held,
/// so no rename into place can happen after this point.
fn interrupted(signal: i32) -> ! {
    let held = registry();
    for path in &held.temporary {
        let _ = std::fs::remove_file(path);
    }
    let name = if signal == signal_hook::consts::SIGINT {
        "SIGINT"
    } else {
        "SIGTERM"
    };
    eprintln!(
        "\ninterrupted by {name}: {} temporary file(s) removed, existing outputs left as they were",
        held.temporary.len()
    );
    for note in &held.kept {
        eprintln!("{note}");
    }
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal)
}
