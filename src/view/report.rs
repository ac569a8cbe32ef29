//! `byzsim report`: a sweep summary as one self-contained HTML page.

use std::path::Path;

use crate::error::InputError;

/// The page for summary CSV `summary`.
pub fn page(summary: &Path) -> Result<String, InputError> {
    Err(InputError::file(&summary.display().to_string(), "report: not written yet"))
}
