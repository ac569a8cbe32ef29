//! A sweep's manifest: what a per-trial CSV is, so that `--resume` and `merge` verify instead of
//! splicing. It is a sidecar JSON file beside the CSV, `FILE.csv.manifest.json`, written by every
//! `sweep --out FILE.csv` (and by `merge`), not a comment inside the CSV: the CSV stays plain for
//! every reader (pandas, R, a spreadsheet, `byzsim plot`) and its bytes stay what they were.
//!
//! It records the byzsim version, the scenario file's name and SHA-256, the resolved grid (the
//! values of n and t, each `--vary` key with its values), the `--set` overrides, the trials per
//! cell, the master seed, the shard, the CSV columns, and the cells the file holds when complete
//! with their row counts. Nothing in it depends on where or when the sweep ran, so the manifest
//! of merged shards is byte for byte the one the unsharded sweep writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::grid::{Shard, Vary};
use crate::error::InputError;

/// One `--vary` key and its values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaryValues {
    pub key: String,
    pub values: Vec<String>,
}

/// Shard `k` of `of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardId {
    pub k: u64,
    pub of: u64,
}

/// What a sweep's per-trial CSV holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The byzsim version that wrote it.
    pub byzsim: String,
    /// The scenario file's name (without its directory: the rows carry its stem).
    pub scenario_file: String,
    pub scenario_sha256: String,
    pub n: Vec<u64>,
    pub t: Vec<u64>,
    pub vary: Vec<VaryValues>,
    /// The `--set` overrides (with `--max-messages` as `limits.max_messages`), in order.
    pub sets: Vec<String>,
    /// Trials per cell (`--trials`, or the file's).
    pub trials: u64,
    /// The sweep's master seed (`--seed`, or the file's).
    pub seed: u64,
    /// The shard this file is; absent for a whole sweep (or merged shards).
    pub shard: Option<ShardId>,
    pub columns: Vec<String>,
    /// `[cell, rows]` for each cell the file holds when complete, in grid order.
    pub cells: Vec<[u64; 2]>,
}

/// The manifest's path beside a CSV: `FILE.csv.manifest.json`.
pub fn manifest_path(csv: &Path) -> PathBuf {
    let mut name = csv.file_name().unwrap_or_default().to_os_string();
    name.push(".manifest.json");
    csv.with_file_name(name)
}

/// The SHA-256 of a scenario file's text, in hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `--vary` lists as recorded.
pub fn vary_values(vary: &[Vary]) -> Vec<VaryValues> {
    vary.iter()
        .map(|v| VaryValues {
            key: v.key.clone(),
            values: v.values.clone(),
        })
        .collect()
}

impl From<Shard> for ShardId {
    fn from(s: Shard) -> ShardId {
        ShardId {
            k: s.k as u64,
            of: s.of as u64,
        }
    }
}

impl std::fmt::Display for ShardId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.of)
    }
}

/// The last value each `--set` key was given.
fn set_values(sets: &[String]) -> BTreeMap<&str, &str> {
    sets.iter()
        .map(|s| s.split_once('=').unwrap_or((s.as_str(), "")))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn show<T: std::fmt::Debug>(x: &T) -> String {
    format!("{x:?}").replace('"', "")
}

impl Manifest {
    /// Rows of the file when complete.
    pub fn rows(&self) -> u64 {
        self.cells.iter().map(|c| c[1]).sum()
    }

    /// How `self` (a file's) and `this` (this command's) differ in what they are, each as
    /// `what: THERE there, HERE here`; the shard and the cells are compared only when
    /// `with_shard`. Empty when they are one sweep.
    pub fn differences(&self, this: &Manifest, with_shard: bool) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |what: &str, there: String, here: String| {
            if there != here {
                out.push(format!("{what}: {there} there, {here} here"));
            }
        };
        field("byzsim version", self.byzsim.clone(), this.byzsim.clone());
        field(
            "scenario file",
            self.scenario_file.clone(),
            this.scenario_file.clone(),
        );
        // By characters: a damaged manifest's digest need not be ASCII hex.
        let digest = |m: &Manifest| m.scenario_sha256.chars().take(12).collect::<String>();
        field("scenario content (SHA-256)", digest(self), digest(this));
        field("--n", show(&self.n), show(&this.n));
        field("--t", show(&self.t), show(&this.t));
        let vary = |m: &Manifest| {
            m.vary
                .iter()
                .map(|v| format!("{}={}", v.key, v.values.join(",")))
                .collect::<Vec<_>>()
        };
        field("--vary", show(&vary(self)), show(&vary(this)));
        let (there, here) = (set_values(&self.sets), set_values(&this.sets));
        for key in there
            .keys()
            .chain(here.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let value = |m: &BTreeMap<&str, &str>| {
                m.get(key)
                    .map_or("(not set)".to_string(), |v| v.to_string())
            };
            field(&format!("--set {key}"), value(&there), value(&here));
        }
        field("trials", self.trials.to_string(), this.trials.to_string());
        field("seed", self.seed.to_string(), this.seed.to_string());
        if with_shard {
            let shard = |m: &Manifest| m.shard.map_or("none".to_string(), |s| s.to_string());
            field("--shard", shard(self), shard(this));
        }
        field("columns", self.columns.join(","), this.columns.join(","));
        if with_shard && out.is_empty() && self.cells != this.cells {
            out.push("the cells it holds differ (another byzsim build?)".to_string());
        }
        out
    }

    /// Reads the manifest beside `csv`; `None` when there is none.
    pub fn read(csv: &Path) -> Result<Option<Manifest>, InputError> {
        let path = manifest_path(csv);
        let shown = path.display().to_string();
        let text = match crate::input::read_capped(&path, crate::input::MAX_MANIFEST_BYTES) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(None),
            Err(e) => return Err(InputError::io(&shown, "cannot read", &e)),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            InputError::file(
                &shown,
                format!("is not a byzsim sweep manifest (or is damaged): {e}"),
            )
        })
    }

    /// The manifest as its file holds it.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Manifest {
        Manifest {
            byzsim: "0.1.0".into(),
            scenario_file: "vote.toml".into(),
            scenario_sha256: sha256_hex("n = 4"),
            n: vec![4, 5],
            t: vec![0, 1],
            vary: vec![VaryValues {
                key: "network.loss".into(),
                values: vec!["0".into(), "0.1".into()],
            }],
            sets: vec!["faults.behaviour=crash".into()],
            trials: 10,
            seed: 3,
            shard: Some(ShardId { k: 1, of: 2 }),
            columns: vec!["scenario".into(), "cell".into()],
            cells: vec![[0, 10], [2, 10]],
        }
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let m = example();
        let back: Manifest = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(back, m);
        assert_eq!(m.rows(), 20);
    }

    #[test]
    fn every_difference_is_named() {
        let m = example();
        assert!(m.differences(&m, true).is_empty());
        let mut other = m.clone();
        other.sets = vec![
            "faults.behaviour=equivocate".into(),
            "network.loss=0.2".into(),
        ];
        other.trials = 11;
        other.shard = Some(ShardId { k: 2, of: 2 });
        let d = m.differences(&other, true);
        assert_eq!(
            d,
            vec![
                "--set faults.behaviour: crash there, equivocate here",
                "--set network.loss: (not set) there, 0.2 here",
                "trials: 10 there, 11 here",
                "--shard: 1/2 there, 2/2 here",
            ]
        );
        assert_eq!(m.differences(&other, false).len(), 3);
    }
}
