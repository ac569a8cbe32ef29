//! Writing outputs without destroying anything: a regular file is written into a temporary file
//! beside it and renamed into place, so a reader never sees half a file and an interrupted or
//! failed run leaves the old file intact; `-` is standard output; a device or FIFO (`/dev/null`,
//! a named pipe) is written through, never replaced; a symbolic link is followed, and its target
//! replaced ([`paths`]).
//!
//! An [`Output`] is opened before the work starts (so an unwritable path fails in a second, not
//! after an hour) and committed when it is done. Its temporary file is registered with
//! [`cleanup`], which removes it on SIGINT or SIGTERM. Every write error, on a file or on standard
//! output (`> /dev/full`, a closed pipe), is an [`InputError::io`] naming the path: exit code 2,
//! never a panic, never exit 0 with the output lost.

pub mod cleanup;
pub mod paths;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::InputError;
pub use paths::{Destination, check_distinct, destination, is_stdout};

/// The name standard output goes by in messages.
pub const STDOUT: &str = "<stdout>";

/// An output being written; [`Output::commit`] puts it in place. Dropped uncommitted, it removes
/// its temporary file and leaves the old file as it was.
pub struct Output {
    shown: String,
    sink: Sink,
}

enum Sink {
    Stdout(std::io::Stdout),
    Through(BufWriter<File>),
    Temporary {
        file: BufWriter<File>,
        temporary: PathBuf,
        target: PathBuf,
    },
    Done,
}

/// The temporary file beside `target` that an output is written into.
pub fn temporary_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Creates the parent directory of a regular-file output.
pub fn create_parent(target: &Path, shown: &str) -> Result<(), InputError> {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| InputError::io(shown, "cannot create its directory", &e)),
        _ => Ok(()),
    }
}

impl Output {
    /// Opens the output `path` names: standard output for `-`, the device or FIFO itself, or a
    /// temporary file beside a regular file (creating missing directories).
    pub fn create(path: &Path) -> Result<Output, InputError> {
        let shown = path.display().to_string();
        let sink = match destination(path)? {
            Destination::Stdout => {
                return Ok(Output {
                    shown: STDOUT.to_string(),
                    sink: Sink::Stdout(std::io::stdout()),
                });
            }
            Destination::Through(device) => {
                let file = File::options()
                    .write(true)
                    .open(&device)
                    .map_err(|e| InputError::io(&shown, "cannot open it for writing", &e))?;
                Sink::Through(BufWriter::new(file))
            }
            Destination::Replace(target) => {
                if target.file_name().is_none() {
                    return Err(InputError::file(&shown, "is not a file name"));
                }
                create_parent(&target, &shown)?;
                let temporary = temporary_path(&target);
                cleanup::register(&temporary);
                let file = File::create(&temporary).map_err(|e| {
                    cleanup::unregister(&temporary);
                    InputError::io(&shown, "cannot create a file in its directory", &e)
                })?;
                if let Ok(old) = std::fs::metadata(&target) {
                    let _ = file.set_permissions(old.permissions());
                }
                Sink::Temporary {
                    file: BufWriter::new(file),
                    temporary,
                    target,
                }
            }
        };
        Ok(Output { shown, sink })
    }

    /// The path as given (or `<stdout>`), for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The regular file this output replaces, after following links (`None` for standard
    /// output, a device or a FIFO).
    pub fn target(&self) -> Option<&Path> {
        match &self.sink {
            Sink::Temporary { target, .. } => Some(target),
            _ => None,
        }
    }

    /// The error for a failed write to this output.
    pub fn write_error(&self, e: &std::io::Error) -> InputError {
        InputError::io(&self.shown, "cannot write", e)
    }

    /// Flushes everything to disk and, for a regular file, renames the temporary file into
    /// place.
    pub fn commit(self) -> Result<(), InputError> {
        self.commit_with_sidecar(None)
    }

    /// Commits, and with it a sidecar that describes this output (a sweep's manifest): the old
    /// sidecar is removed first and the new one renamed last, so the file is never beside a
    /// sidecar that describes another file.
    pub fn commit_with_sidecar(mut self, mut sidecar: Option<Output>) -> Result<(), InputError> {
        let main = self.settle().map_err(|e| self.write_error(&e))?;
        let side = match &mut sidecar {
            Some(s) => s.settle().map_err(|e| s.write_error(&e))?,
            None => None,
        };
        let mut renames: Vec<(&Path, &Path)> = Vec::new();
        renames.extend(
            main.iter()
                .map(|(tmp, target)| (tmp.as_path(), target.as_path())),
        );
        renames.extend(
            side.iter()
                .map(|(tmp, target)| (tmp.as_path(), target.as_path())),
        );
        let stale = side.as_ref().map(|(_, target)| target.as_path());
        cleanup::commit(stale, &renames).map_err(|e| self.write_error(&e))?;
        self.sink = Sink::Done;
        if let Some(s) = &mut sidecar {
            s.sink = Sink::Done;
        }
        Ok(())
    }

    /// Flushes to disk; returns the rename into place still to do, if any.
    fn settle(&mut self) -> std::io::Result<Option<(PathBuf, PathBuf)>> {
        match &mut self.sink {
            Sink::Stdout(out) => out.flush().map(|()| None),
            Sink::Through(file) => file.flush().map(|()| None),
            Sink::Temporary {
                file,
                temporary,
                target,
            } => {
                file.flush()?;
                file.get_ref().sync_all()?;
                Ok(Some((temporary.clone(), target.clone())))
            }
            Sink::Done => Ok(None),
        }
    }
}

fn remove_temporary(path: &Path) {
    let _ = std::fs::remove_file(path);
    cleanup::unregister(path);
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::Temporary { temporary, .. } = &self.sink {
            remove_temporary(temporary);
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(out) => out.write(buf),
            Sink::Through(file) | Sink::Temporary { file, .. } => file.write(buf),
            Sink::Done => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(out) => out.flush(),
            Sink::Through(file) | Sink::Temporary { file, .. } => file.flush(),
            Sink::Done => Ok(()),
        }
    }
}

/// Writes `path` with what `fill` writes: atomically for a regular file (a missing parent
/// directory is created), through for a device or FIFO, to standard output for `-`.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), InputError> {
    let mut out = Output::create(path)?;
    fill(&mut out).map_err(|e| out.write_error(&e))?;
    out.commit()
}

/// Checks now that `path` can be written (and its directory created), without writing it: for
/// an output that is produced only at the end of a long run.
pub fn check_writable(path: &Path) -> Result<(), InputError> {
    match destination(path)? {
        Destination::Replace(_) => Output::create(path).map(drop),
        Destination::Stdout | Destination::Through(_) => Ok(()),
    }
}

/// Writes `text` to standard output and flushes it; a failure (`> /dev/full`, a closed pipe) is
/// an I/O error, not a panic.
pub fn print(text: &str) -> Result<(), InputError> {
    print_bytes(text.as_bytes())
}

/// [`print`] for bytes.
pub fn print_bytes(bytes: &[u8]) -> Result<(), InputError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| InputError::io(STDOUT, "cannot write", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uncommitted_output_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::create(&path).unwrap();
        out.write_all(b"new").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symlinked_output_replaces_the_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, |w| w.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }
}
