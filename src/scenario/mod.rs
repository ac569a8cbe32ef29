//! Scenarios: the only place that reads user input.
//!
//! A scenario file is TOML. It is parsed into raw serde structs that reject unknown keys
//! ([`raw`]), `--set KEY=VALUE` overrides are applied ([`source`]), and [`validate`] checks every
//! value and combination once and builds the typed [`Scenario`] the simulator runs. Every error
//! names the file, the line and column where known, and the key ([`InputError`]).

pub mod estimate;
pub mod keys;
pub mod raw;
pub mod source;
mod timing;
mod validate;

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use crate::adversary::BehaviourSpec;
use crate::engine::Limits;
use crate::engine::network::{Latency, Transport};
use crate::error::InputError;
use crate::protocol::Kind;
use crate::topology::{Topology, TopologySpec};
use crate::types::{NodeId, SimTime, Value};

pub use source::Source;

/// The built-in scenario that `byzsim run` uses when given no file.
pub const DEFAULT_SCENARIO: &str = include_str!("default.toml");

/// The largest scenario file byzsim reads: 1 MiB, far above any hand-written scenario (the
/// largest in `scenarios/` is a few KiB), and read no further, so `byzsim run /dev/zero` stops.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// A scenario file's text, read once (a sweep validates it once per cell).
#[derive(Clone, Debug)]
pub struct ScenarioText {
    /// The path as given, for messages.
    pub file: String,
    /// The file name without extension: the default scenario name.
    pub stem: String,
    pub text: String,
}

impl ScenarioText {
    /// Reads a scenario file: refuses directories, unreadable files and non-UTF-8 content.
    pub fn read(path: &Path) -> Result<ScenarioText, InputError> {
        let file = path.display().to_string();
        if path.is_dir() {
            return Err(InputError::file(
                file,
                "is a directory, not a scenario file",
            ));
        }
        let cannot =
            |e: std::io::Error| InputError::file(&file, format!("cannot read the file: {e}"));
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
            .map_err(cannot)?;
        if bytes.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(InputError::file(
                &file,
                format!(
                    "is larger than {} bytes (1 MiB), too large for a scenario file",
                    MAX_SCENARIO_BYTES
                ),
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| InputError::file(&file, "is not a UTF-8 text (TOML) file"))?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone());
        Ok(ScenarioText { file, stem, text })
    }

    /// Parses the file with overrides without validating it: syntax, types and unknown keys.
    pub fn check_syntax(&self, overrides: &[String]) -> Result<raw::RawScenario, InputError> {
        Source::new(&self.file, &self.text).parse(overrides)
    }
}

/// The generals' own inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Inputs {
    /// Each general draws attack or retreat with equal probability, per trial.
    Random,
    /// Everyone starts with this value.
    All(Value),
    /// General `i` starts with `list[i]`.
    List(Vec<Value>),
}

/// Which generals are traitors.
#[derive(Clone, Debug, PartialEq)]
pub enum Who {
    /// `t` generals drawn at random per trial.
    Random,
    /// The commander and `t − 1` others drawn at random.
    Commander,
    /// Exactly these.
    Ids(Vec<NodeId>),
}

/// What the scenario expects of a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// In every trial.
    Holds,
    /// In at least one trial.
    Violated,
}

impl Expectation {
    pub fn as_str(self) -> &'static str {
        match self {
            Expectation::Holds => "holds",
            Expectation::Violated => "violated",
        }
    }

    /// Whether `held` out of `trials` trials meets the expectation.
    pub fn met(self, held: u64, trials: u64) -> bool {
        match self {
            Expectation::Holds => held == trials,
            Expectation::Violated => held < trials,
        }
    }
}

/// The `[expect]` table.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Expect {
    pub agreement: Option<Expectation>,
    pub validity: Option<Expectation>,
    pub termination: Option<Expectation>,
    /// Per protocol (`expect.agreement = { pbft = "holds", pow = "violated" }`), by the kind's
    /// place in [`Kind::ALL`], then agreement, validity, termination; over the values above.
    pub by_kind: [[Option<Expectation>; 3]; Kind::ALL.len()],
    /// Proof of work: the run's stale rate (stale blocks over blocks mined, over all its
    /// trials) lies in `[min, max]`.
    pub stale_rate: Option<(f64, f64)>,
}

impl Expect {
    /// The properties, in the order of `by_kind`'s inner arrays.
    pub const PROPERTIES: [&'static str; 3] = ["agreement", "validity", "termination"];

    /// What is expected of `property` (an index into [`Expect::PROPERTIES`]) for `kind`.
    pub fn of(&self, kind: Kind, property: usize) -> Option<Expectation> {
        let all = [self.agreement, self.validity, self.termination][property];
        let k = Kind::ALL.iter().position(|&x| x == kind).unwrap_or(0);
        self.by_kind[k][property].or(all)
    }
}

/// The network of a scenario.
#[derive(Clone, Debug)]
pub struct NetworkSpec {
    pub topology: TopologySpec,
    /// Random graphs are redrawn until connected (default for flooding).
    pub require_connected: bool,
    /// Built once when the topology is neither random nor complete (each trial builds a complete
    /// graph itself: validating it needs nothing built).
    pub fixed: Option<Arc<Topology>>,
    /// Edges of the first trial's graph (for work estimates).
    pub edges: usize,
    /// The first trial's graph is complete.
    pub complete: bool,
    /// `disjoint-paths`: the first trial's routing tables, one per path count the protocols
    /// need (ascending `k`); every trial uses them when the graph is fixed.
    pub routes: Vec<Arc<crate::engine::paths::Routes>>,
    /// `disjoint-paths`: transmissions per message on the first graph, averaged over the pairs
    /// (the largest over `routes`; for work estimates).
    pub first_mean_path_hops: f64,
    pub transport: Transport,
    pub latency: Latency,
    /// The measured-Internet model (`network.regions`, `network.bandwidth_mbps`), if any.
    pub internet: Option<crate::engine::internet::Model>,
    pub loss: f64,
    pub round: SimTime,
    /// `network.timing` and its adversary.
    pub timing: crate::engine::timing::Timing,
    /// `[[network.partitions]]`.
    pub partitions: Vec<crate::engine::timing::Partition>,
}

/// A validated scenario: everything a trial needs, typed.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Where it came from (a path or `<built-in>`), for messages and replay commands.
    pub file: String,
    pub seed: u64,
    pub trials: u64,
    pub n: usize,
    pub t: usize,
    /// Extra identities the traitors control (`faults.sybil`): they run as more traitors with the
    /// first traitor's behaviour and input, and no hashrate.
    pub sybil: usize,
    pub kinds: Vec<Kind>,
    /// `protocol.m`: recursion depth (oral) or relay rounds (signed); defaults to `t`.
    pub m: usize,
    pub commander: NodeId,
    pub order: Value,
    pub inputs: Inputs,
    pub network: NetworkSpec,
    pub behaviour: BehaviourSpec,
    pub who: Who,
    pub expect: Expect,
    pub limits: Limits,
    /// The `[pow]` table (defaults when absent).
    pub pow: crate::protocol::nakamoto::PowParams,
    /// PBFT's parameters (`protocol.view_timeout_ms`; defaults when absent).
    pub pbft: crate::protocol::pbft::PbftParams,
    /// Tendermint's parameters (`protocol.round_timeout_ms`, `protocol.variant`).
    pub tendermint: crate::protocol::tendermint::TendermintParams,
    /// Things that are allowed but probably not what the user wants (printed on stderr).
    pub warnings: Vec<String>,
    /// The `--set KEY=VALUE` overrides applied, for replay commands.
    pub overrides: Vec<String>,
}

impl Scenario {
    /// Reads and validates a scenario file with `--set` overrides.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, InputError> {
        let text = ScenarioText::read(path)?;
        Scenario::parse(&text.file, &text.stem, &text.text, overrides)
    }

    /// The built-in default scenario, with overrides.
    pub fn builtin(overrides: &[String]) -> Result<Scenario, InputError> {
        Scenario::parse("<built-in>", "default", DEFAULT_SCENARIO, overrides)
    }

    /// Parses and validates scenario text. `stem` is the default name.
    pub fn parse(
        file: &str,
        stem: &str,
        text: &str,
        overrides: &[String],
    ) -> Result<Scenario, InputError> {
        Scenario::parse_in_family(file, stem, text, overrides, &[])
    }

    /// Like [`Scenario::parse`], for one cell of a sweep that varies `protocol.kind` over
    /// `family`: a key of the file applies when it applies to any protocol of the family
    /// (`protocol.value` for the broadcast cells of a sweep that also runs consensus ones).
    pub fn parse_in_family(
        file: &str,
        stem: &str,
        text: &str,
        overrides: &[String],
        family: &[Kind],
    ) -> Result<Scenario, InputError> {
        let mut source = Source::new(file, text);
        let raw = source.parse(overrides)?;
        let mut scenario = validate::validate(raw, &source, stem, family)?;
        scenario.overrides = overrides.to_vec();
        Ok(scenario)
    }

    /// Generals plus Sybil identities: the nodes a trial simulates.
    pub fn nodes(&self) -> usize {
        self.n + self.sybil
    }

    /// The command that replays one trial of this scenario.
    pub fn replay_command(&self, seed: u64) -> String {
        let file = if self.file == "<built-in>" {
            String::new()
        } else {
            format!(" {}", self.file)
        };
        let sets: String = self
            .overrides
            .iter()
            .filter(|o| !o.starts_with("seed=") && !o.starts_with("trials="))
            .map(|o| format!(" --set {o}"))
            .collect();
        format!("byzsim run{file}{sets} --seed {seed} --trials 1")
    }
}
