//! From text to [`RawScenario`]: TOML parsing, `--set` overrides, and finding where a key is
//! written so that every error can name the file, the line, the column and the key.

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::keys;
use super::raw::RawScenario;
use crate::error::InputError;

/// A key path with the spans of its key and value in the text.
struct Located {
    path: String,
    key: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
}

/// A scenario's text, with what is needed to point into it.
pub struct Source {
    pub file: String,
    text: String,
    located: Vec<Located>,
    /// Keys set with `--set` (they are not in the text).
    overridden: Vec<String>,
}

impl Source {
    pub fn new(file: impl Into<String>, text: impl Into<String>) -> Source {
        let text = text.into();
        let mut located = Vec::new();
        if let Ok(table) = DeTable::parse(&text) {
            collect(table.get_ref(), "", &mut located);
        }
        Source {
            file: file.into(),
            text,
            located,
            overridden: Vec::new(),
        }
    }

    /// Line and column (1-based) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rfind('\n')
            .map_or(before.len(), |nl| before.len() - nl - 1)
            + 1;
        (line, col)
    }

    /// An error about `key`, located at the key's value in the text if it is there.
    pub fn error(&self, key: &str, message: impl Into<String>) -> InputError {
        let message = message.into();
        if self.overridden.iter().any(|k| k == key) {
            return InputError {
                file: self.file.clone(),
                line: None,
                col: None,
                key: Some(key.to_string()),
                message: format!("{message} {}", set_by(key)),
            };
        }
        let (line, col) = match self.located.iter().find(|l| l.path == key) {
            Some(l) => {
                let (line, col) = self.line_col(l.value.start);
                (Some(line), Some(col))
            }
            None => (None, None),
        };
        InputError {
            file: self.file.clone(),
            line,
            col,
            key: Some(key.to_string()),
            message,
        }
    }

    /// An error from the TOML parser or deserializer, located by its span.
    fn toml_error(&self, err: &toml::de::Error) -> InputError {
        let mut message = err.message().trim().to_string();
        let Some(span) = err.span() else {
            return InputError::file(self.file.clone(), message);
        };
        if message.starts_with("duplicate key") {
            let name = self.text.get(span.clone()).unwrap_or("").trim();
            let name = name
                .trim_matches(|c| c == '[' || c == ']' || c == '"')
                .trim();
            if !name.is_empty() && name.len() <= 80 && !name.contains('\n') {
                message = format!("duplicate key `{name}`: it is set twice");
            }
        }
        let (line, col) = self.line_col(span.start);
        // The innermost key whose key or value contains the error.
        let key = self
            .located
            .iter()
            .filter(|l| contains(&l.key, &span) || contains(&l.value, &span))
            .max_by_key(|l| l.path.len())
            .map(|l| l.path.clone());
        let message = explain_seed(key.as_deref(), message);
        InputError {
            file: self.file.clone(),
            line: Some(line),
            col: Some(col),
            key,
            message,
        }
    }

    /// Parses the text into a [`RawScenario`], then applies `overrides` (`KEY=VALUE`, KEY a dotted
    /// path, VALUE a TOML value or a bare string).
    pub fn parse(&mut self, overrides: &[String]) -> Result<RawScenario, InputError> {
        self.refuse_unknown_keys()?;
        let raw: RawScenario = toml::from_str(&self.text).map_err(|e| self.toml_error(&e))?;
        if overrides.is_empty() {
            return Ok(raw);
        }
        let mut table: toml::Table = toml::from_str(&self.text).map_err(|e| self.toml_error(&e))?;
        for spec in overrides {
            let (key, value) = parse_override(spec)?;
            if !keys::is_known(&key) {
                return Err(set_error(spec, &key, keys::unknown_key(&key)));
            }
            set_path(&mut table, &key, value).map_err(|m| set_error(spec, &key, m))?;
            // Check each override as it comes, so an error names the one at fault.
            RawScenario::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
                set_error(
                    spec,
                    &key,
                    explain_seed(Some(&key), e.message().trim().into()),
                )
            })?;
            self.overridden.push(key);
        }
        RawScenario::deserialize(toml::Value::Table(table))
            .map_err(|e| InputError::file("--set", e.message().trim().to_string()))
    }
}

impl Source {
    /// The first key in the text that the key table ([`keys::KEYS`]) does not have, named
    /// with the nearest one.
    fn refuse_unknown_keys(&self) -> Result<(), InputError> {
        let Some(unknown) = self
            .located
            .iter()
            .filter(|l| !keys::is_known(&l.path))
            .min_by_key(|l| l.key.start)
        else {
            return Ok(());
        };
        let (line, col) = self.line_col(unknown.key.start);
        Err(InputError {
            file: self.file.clone(),
            line: Some(line),
            col: Some(col),
            key: Some(unknown.path.clone()),
            message: keys::unknown_key(&unknown.path),
        })
    }
}

/// How an error about a key a `--set` gave says so: `(set by --set t=...)`. A caller that set
/// the key with another flag (`sweep --t`) replaces this with that flag's name.
pub fn set_by(key: &str) -> String {
    format!("(set by --set {key}=...)")
}

/// `e`, when it is about `key` and a `--set` carried it, said to come from `flag` instead: a
/// command that turns its own flags into overrides (`--trials`, `sweep --t`) names them.
pub fn blame_flag(mut e: InputError, key: &str, flag: &str) -> InputError {
    if e.key.as_deref() == Some(key) {
        e.message = e.message.replace(&set_by(key), &format!("(set by {flag})"));
    }
    e
}

/// A seed out of range says what the range is (a seed is valid or not whatever `--trials` is).
fn explain_seed(key: Option<&str>, message: String) -> String {
    if key == Some("seed") {
        format!(
            "{message}: a seed is a whole number from 0 to 2^63 − 1 = {}",
            crate::rng::SEED_MASK
        )
    } else {
        message
    }
}

fn contains(outer: &std::ops::Range<usize>, inner: &std::ops::Range<usize>) -> bool {
    outer.start <= inner.start && inner.start < outer.end.max(outer.start + 1)
}

fn collect(table: &DeTable, prefix: &str, out: &mut Vec<Located>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if let DeValue::Table(inner) = value.get_ref() {
            collect(inner, &path, out);
        }
        out.push(Located {
            path,
            key: Spanned::span(key),
            value: value.span(),
        });
    }
}

fn set_error(spec: &str, key: &str, message: impl Into<String>) -> InputError {
    InputError {
        file: "--set".to_string(),
        line: None,
        col: None,
        key: Some(key.to_string()),
        message: format!("{} (in --set {spec})", message.into()),
    }
}

/// Splits `KEY=VALUE` and reads VALUE as TOML (`0.1`, `true`, `[1, 2]`, `"x"`), falling back to a
/// bare string (`equivocate`).
pub fn parse_override(spec: &str) -> Result<(String, toml::Value), InputError> {
    let Some((key, value)) = spec.split_once('=') else {
        return Err(InputError::file(
            "--set",
            format!("`{spec}` is not KEY=VALUE (for example --set network.loss=0.1)"),
        ));
    };
    let key = key.trim().to_string();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(set_error(spec, &key, "the key is empty"));
    }
    let value = value.trim();
    let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    Ok((key, parsed))
}

/// Sets a dotted path in a table, creating intermediate tables.
pub fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or(key);
    let mut current = table;
    for part in parts {
        let entry = current
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            _ => return Err(format!("`{part}` is not a table")),
        };
    }
    current.insert(last.to_string(), value);
    Ok(())
}
