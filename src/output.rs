//! Writing output files atomically: into a temporary file beside the target, then renamed into
//! place, so a reader never sees half a file and an interrupted run leaves the old file intact.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// Writes `path` atomically with what `fill` writes. A missing parent directory is created.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), InputError> {
    let shown = path.display().to_string();
    let fail = |what: &str, e: std::io::Error| InputError::file(&shown, format!("{what}: {e}"));
    if path.is_dir() {
        return Err(InputError::file(
            &shown,
            "is a directory; give a file name for the output",
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| fail("cannot create its directory", e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| InputError::file(&shown, "is not a file name"))?;
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut out = std::io::BufWriter::new(file);
        fill(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail("cannot write", e)
    })
}
