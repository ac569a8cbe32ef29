//! What an output path names, decided before anything runs: standard output (`-`), a special
//! file written through (a terminal, `/dev/null`, a FIFO), or a regular file (existing or new,
//! possibly behind a symbolic link) that is replaced atomically. And the refusals that protect
//! the user's files: an output that is also an input, two outputs on one path.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// `-`: standard output.
    Stdout,
    /// A character device or a FIFO: opened and written in place, never replaced.
    Through(PathBuf),
    /// A regular file, existing or not, after following symbolic links: written beside and
    /// renamed over.
    Replace(PathBuf),
}

/// Whether `path` is `-`, the name for standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Classifies `path`. Refuses a directory, a block device or socket, and a symbolic link whose
/// target does not exist (replacing the link would destroy it; creating its target is a guess).
pub fn destination(path: &Path) -> Result<Destination, InputError> {
    let shown = path.display().to_string();
    if is_stdout(path) {
        return Ok(Destination::Stdout);
    }
    let link = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Destination::Replace(path.to_path_buf()));
        }
        Err(e) => return Err(InputError::io(&shown, "cannot look at it", &e)),
        Ok(m) => m,
    };
    let resolved = if link.file_type().is_symlink() {
        std::fs::canonicalize(path).map_err(|e| {
            InputError::file(
                &shown,
                format!(
                    "is a symbolic link whose target cannot be reached ({e}); refusing to replace the link"
                ),
            )
        })?
    } else {
        path.to_path_buf()
    };
    let meta = std::fs::metadata(&resolved)
        .map_err(|e| InputError::io(&shown, "cannot look at it", &e))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        Err(InputError::file(
            &shown,
            "is a directory; give a file name for the output",
        ))
    } else if kind.is_file() {
        Ok(Destination::Replace(resolved))
    } else if kind.is_char_device() || kind.is_fifo() {
        Ok(Destination::Through(resolved))
    } else {
        Err(InputError::file(
            &shown,
            "is a block device or a socket; refusing to write an output there",
        ))
    }
}

/// A path made absolute with `.`, `..` and symbolic links resolved as far as it exists, so that
/// two spellings of one file compare equal.
fn identity(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or(absolute.clone()),
        _ => absolute,
    }
}

/// Whether two paths name one file (the same inode, or the same resolved path).
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        return ma.dev() == mb.dev() && ma.ino() == mb.ino();
    }
    identity(a) == identity(b)
}

fn is_device(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

/// Refuses, before anything runs, an output that is also an input (`run x.toml --out x.toml`)
/// and two outputs on one path (`--out a.csv --summary a.csv`, or both on `-`). Outputs are
/// `(flag, path)`; a character device such as `/dev/null` may take several outputs.
pub fn check_distinct(inputs: &[&Path], outputs: &[(&str, &Path)]) -> Result<(), InputError> {
    for (i, (flag, out)) in outputs.iter().enumerate() {
        for (other_flag, other) in &outputs[..i] {
            let both_stdout = is_stdout(out) && is_stdout(other);
            let one_file =
                !is_stdout(out) && !is_stdout(other) && !is_device(out) && same_file(out, other);
            if both_stdout || one_file {
                return Err(InputError::file(
                    out.display().to_string(),
                    format!(
                        "is given to both {other_flag} and {flag}; each output needs its own file"
                    ),
                ));
            }
        }
        if is_stdout(out) || is_device(out) {
            continue;
        }
        if let Some(input) = inputs.iter().find(|input| same_file(out, input)) {
            return Err(InputError::file(
                out.display().to_string(),
                format!(
                    "{flag} names an input of this command ({}); refusing to overwrite it",
                    input.display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_spellings_of_one_new_file_are_the_same_output() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join(".").join("a.csv");
        let e = check_distinct(&[], &[("--out", &a), ("--summary", &b)]).unwrap_err();
        assert!(e.message.contains("--out and --summary"), "{e}");
        let c = dir.path().join("c.csv");
        assert!(check_distinct(&[], &[("--out", &a), ("--summary", &c)]).is_ok());
    }

    #[test]
    fn a_symlink_to_an_input_is_that_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("x.toml");
        std::fs::write(&input, "n = 4").unwrap();
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let e = check_distinct(&[&input], &[("--out", &link)]).unwrap_err();
        assert!(e.message.contains("input"), "{e}");
        assert_eq!(
            destination(&link).unwrap(),
            Destination::Replace(std::fs::canonicalize(&input).unwrap())
        );
    }

    #[test]
    fn dashes_are_stdout_and_devices_are_written_through() {
        assert_eq!(destination(Path::new("-")).unwrap(), Destination::Stdout);
        assert_eq!(
            destination(Path::new("/dev/null")).unwrap(),
            Destination::Through(PathBuf::from("/dev/null"))
        );
        let null = Path::new("/dev/null");
        assert!(check_distinct(&[], &[("--out", null), ("--summary", null)]).is_ok());
        let dash = Path::new("-");
        assert!(check_distinct(&[], &[("--out", dash), ("--summary", dash)]).is_err());
    }
}
