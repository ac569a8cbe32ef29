//! Running a scenario: every trial for every protocol kind it names, in parallel, results in
//! trial order (so the output does not depend on the number of threads), and a summary per kind.

use rayon::prelude::*;

use crate::error::InputError;
use crate::protocol::Kind;
use crate::record::RunRecord;
use crate::rng::trial_seed;
use crate::scenario::{Expectation, Scenario};
use crate::trial::run_kinds;

/// The first trial that violated a property, to show and replay.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub trial: u64,
    pub seed: u64,
    pub reason: String,
}

/// Counts over the trials of one protocol kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub kind: Kind,
    pub trials: u64,
    pub agreement: u64,
    pub validity: u64,
    pub termination: u64,
    pub mean_messages: f64,
    /// Mean over the trials that terminated.
    pub mean_decision_ms: Option<f64>,
    pub first_violation: Option<Example>,
}

/// One `[expect]` entry and whether it was met.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectationResult {
    pub kind: Kind,
    pub property: &'static str,
    pub expected: Expectation,
    pub held: u64,
    pub trials: u64,
    pub met: bool,
}

/// A finished scenario.
#[derive(Clone, Debug)]
pub struct ScenarioResult {
    pub records: Vec<RunRecord>,
    pub summaries: Vec<Summary>,
    pub expectations: Vec<ExpectationResult>,
}

impl ScenarioResult {
    /// Whether every expectation was met.
    pub fn all_met(&self) -> bool {
        self.expectations.iter().all(|e| e.met)
    }
}

/// Runs every trial of `sc`. Rows are ordered by trial, then by protocol kind in the order the
/// scenario lists them; each trial of every kind uses the same trial seed (the same graph,
/// traitors and inputs).
pub fn run_scenario(sc: &Scenario) -> Result<ScenarioResult, InputError> {
    let per_trial: Vec<Vec<RunRecord>> = (0..sc.trials)
        .into_par_iter()
        .map(|trial| {
            let results = run_kinds(sc, trial, trial_seed(sc.seed, trial))?;
            Ok(results.into_iter().map(|r| r.record).collect())
        })
        .collect::<Result<_, InputError>>()?;
    let records: Vec<RunRecord> = per_trial.into_iter().flatten().collect();
    let summaries: Vec<Summary> = sc.kinds.iter().map(|&k| summarise(k, &records)).collect();
    let expectations = summaries.iter().flat_map(|s| expectations(sc, s)).collect();
    Ok(ScenarioResult {
        records,
        summaries,
        expectations,
    })
}

fn summarise(kind: Kind, records: &[RunRecord]) -> Summary {
    let rows: Vec<&RunRecord> = records
        .iter()
        .filter(|r| r.protocol == kind.name())
        .collect();
    let count = |f: fn(&RunRecord) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
    let trials = rows.len() as u64;
    let times: Vec<f64> = rows.iter().filter_map(|r| r.decision_time_ms).collect();
    Summary {
        kind,
        trials,
        agreement: count(|r| r.agreement),
        validity: count(|r| r.validity),
        termination: count(|r| r.termination),
        mean_messages: rows.iter().map(|r| r.messages as f64).sum::<f64>() / trials.max(1) as f64,
        mean_decision_ms: (!times.is_empty())
            .then(|| times.iter().sum::<f64>() / times.len() as f64),
        first_violation: rows
            .iter()
            .find(|r| !(r.agreement && r.validity && r.termination))
            .map(|r| Example {
                trial: r.trial,
                seed: r.seed,
                reason: r.reason.clone(),
            }),
    }
}

fn expectations(sc: &Scenario, s: &Summary) -> Vec<ExpectationResult> {
    [
        ("agreement", sc.expect.agreement, s.agreement),
        ("validity", sc.expect.validity, s.validity),
        ("termination", sc.expect.termination, s.termination),
    ]
    .into_iter()
    .filter_map(|(property, expected, held)| {
        expected.map(|expected| ExpectationResult {
            kind: s.kind,
            property,
            expected,
            held,
            trials: s.trials,
            met: expected.met(held, s.trials),
        })
    })
    .collect()
}
