//! The scenario file as written: serde structs that mirror the TOML, every field optional, and
//! unknown keys rejected at every level (`deny_unknown_fields`). Nothing here is checked beyond
//! types; [`super::validate`] turns it into a typed [`super::Scenario`].

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub trials: Option<u64>,
    pub n: Option<u64>,
    pub t: Option<u64>,
    pub protocol: Option<RawProtocol>,
    pub network: Option<RawNetwork>,
    pub faults: Option<RawFaults>,
    pub expect: Option<RawExpect>,
    pub limits: Option<RawLimits>,
    pub pow: Option<RawPow>,
}

/// A string or a list of strings.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged, expecting = "a string or a list of strings")]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProtocol {
    pub kind: Option<OneOrMany>,
    pub commander: Option<u64>,
    pub m: Option<u64>,
    pub value: Option<String>,
    pub inputs: Option<OneOrMany>,
    pub view_timeout_ms: Option<f64>,
    pub round_timeout_ms: Option<f64>,
    pub variant: Option<String>,
}

/// `latency_ms = 5` or `{ fixed = 5 }`, `{ min = 1, max = 10 }`, `{ mean = 10, dist = "exponential" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a number of milliseconds or a table such as { min = 1, max = 10 }, { fixed = 5 } or { mean = 10, dist = \"exponential\" }"
)]
pub enum RawLatency {
    Fixed(f64),
    Table(RawLatencyTable),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLatencyTable {
    pub fixed: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub dist: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub topology: Option<String>,
    pub degree: Option<u64>,
    pub degree_distribution: Option<String>,
    pub p: Option<f64>,
    pub rewire: Option<f64>,
    pub edges: Option<Vec<Vec<u64>>>,
    pub connected: Option<bool>,
    pub transport: Option<String>,
    pub latency_ms: Option<RawLatency>,
    pub loss: Option<f64>,
    pub round_ms: Option<f64>,
    pub timing: Option<String>,
    pub gst_ms: Option<f64>,
    pub delta_ms: Option<f64>,
    pub scheduler: Option<String>,
    pub max_delay_ms: Option<f64>,
    pub regions: Option<String>,
    pub bandwidth_mbps: Option<f64>,
    pub partitions: Option<Vec<RawPartition>>,
}

/// One `[[network.partitions]]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartition {
    pub from_ms: Option<f64>,
    pub to_ms: Option<f64>,
    pub groups: Option<Vec<Vec<u64>>>,
    pub one_way: Option<bool>,
    pub drop: Option<bool>,
}

/// `who = "random"`, `"commander"` or a list of ids.
#[derive(Clone, Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "\"random\", \"commander\" or a list of general ids"
)]
pub enum RawWho {
    Named(String),
    Ids(Vec<u64>),
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaults {
    pub behaviour: Option<String>,
    pub who: Option<RawWho>,
    pub crash_at_ms: Option<f64>,
    pub recover_at_ms: Option<f64>,
    pub drop: Option<f64>,
    pub split: Option<Vec<u64>>,
    /// One table per traitor of `who`: recipient id → choices.
    pub script: Option<Vec<std::collections::BTreeMap<String, Vec<String>>>>,
    pub sybil: Option<u64>,
    /// Traitor id → the two sets of generals its copies talk with.
    pub twins: Option<std::collections::BTreeMap<String, Vec<Vec<u64>>>>,
    pub mutate: Option<RawMutate>,
}

/// `faults.mutate = { rounds = [0, 1], p = 0.5 }`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMutate {
    pub rounds: Option<Vec<u64>>,
    pub p: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub agreement: Option<RawExpectation>,
    pub validity: Option<RawExpectation>,
    pub termination: Option<RawExpectation>,
    pub stale_rate: Option<RawBand>,
}

/// `stale_rate = { min = 0.005, max = 0.02 }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    pub min: f64,
    pub max: f64,
}

/// `"holds"`, or per protocol of a list: `{ pbft = "holds", pow = "violated" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "\"holds\", \"violated\" or a table of protocol = \"holds\" | \"violated\""
)]
pub enum RawExpectation {
    All(String),
    ByKind(std::collections::BTreeMap<String, String>),
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_events: Option<u64>,
    pub max_messages: Option<u64>,
    pub max_time_ms: Option<f64>,
    pub max_hashes: Option<u64>,
    pub max_memory_mb: Option<u64>,
    pub max_run_events: Option<u64>,
}

/// `hashrate_change = { at_ms = 60000, factor = 4 }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHashrateChange {
    pub at_ms: f64,
    pub factor: f64,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPow {
    pub mining: Option<String>,
    pub block_interval_ms: Option<f64>,
    pub confirmations: Option<u64>,
    pub retarget_interval: Option<u64>,
    pub blocks: Option<u64>,
    pub attacker_share: Option<f64>,
    pub tie_share: Option<f64>,
    pub give_up: Option<u64>,
    pub head_start: Option<u64>,
    pub hashes_per_block: Option<u64>,
    pub hashrate_change: Option<RawHashrateChange>,
    pub block_bytes: Option<f64>,
    pub relay: Option<String>,
    pub compact_missing_share: Option<f64>,
}
