//! `byzsim keys`: every scenario key with its type, default and meaning, printed from the table
//! the parser and the validator use ([`crate::scenario::keys`]).

use std::fmt::Write as _;

use clap::Args;

use crate::error::InputError;
use crate::output::print;
use crate::scenario::keys::{KEYS, Key, did_you_mean};

pub(super) const EXAMPLES: &str = "\
Examples:
  byzsim keys
  byzsim keys network
  byzsim keys pow.confirmations";

#[derive(Debug, Args)]
pub struct KeysArgs {
    /// Only the keys under this table or with this name (`network`, `pow.blocks`).
    pub prefix: Option<String>,
}

/// Whether `key` is `prefix` or lies under it.
fn under(key: &Key, prefix: &str) -> bool {
    key.path == prefix
        || key
            .path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The listing of `keys`: a line with the key, its type and default, then its meaning and the
/// names it accepts.
pub fn listing<'a>(keys: impl IntoIterator<Item = &'a Key>) -> String {
    let mut out = String::new();
    for k in keys {
        let _ = writeln!(out, "{}  ({}; default: {})", k.path, k.kind, k.default);
        let _ = writeln!(out, "    {}", k.meaning);
        if !k.values.is_empty() {
            let _ = writeln!(out, "    one of: {}", k.values.join(", "));
        }
    }
    out
}

/// Prints the keys under `PREFIX` (all without one); an unknown prefix is exit code 2.
pub(super) fn keys_command(args: KeysArgs) -> Result<u8, InputError> {
    let prefix = args
        .prefix
        .as_deref()
        .unwrap_or("")
        .trim_matches(['[', ']']);
    let mut chosen: Vec<&Key> = KEYS.iter().filter(|k| under(k, prefix)).collect();
    if chosen.is_empty() {
        // The start of a name: `network.lat`.
        chosen = KEYS.iter().filter(|k| k.path.starts_with(prefix)).collect();
    }
    if chosen.is_empty() {
        let tables = KEYS
            .iter()
            .filter_map(|k| k.path.rsplit_once('.').map(|(t, _)| t));
        let names = KEYS.iter().map(|k| k.path).chain(tables);
        return Err(InputError::file(
            "keys",
            format!(
                "no scenario key is `{prefix}`, starts with it or lies under it{}",
                did_you_mean(prefix, names)
            ),
        ));
    }
    print(&listing(chosen))?;
    Ok(0)
}
