//! Running a scenario: every trial for every protocol kind it names, in parallel, results in
//! trial order (so the output does not depend on the number of threads), and a summary per kind.
//!
//! Trials run in chunks: a chunk's trials run in parallel, then its rows are handed on in trial
//! order and counted into running per-kind tallies. [`run_scenario_streaming`] keeps nothing per
//! trial, so ten million trials need no more memory than ten thousand; [`run_scenario`]
//! collects the rows for callers that want them all.

use rayon::prelude::*;

use crate::error::InputError;
use crate::protocol::Kind;
use crate::record::RunRecord;
use crate::rng::trial_seed;
use crate::scenario::{Expect, Expectation, Scenario};
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
    /// Trials labelled inside and outside the protocol's proven bound (neither: no bound).
    pub inside: u64,
    pub outside: u64,
    /// Proof of work: the mean share of main-chain blocks the traitors mined, over the trials
    /// that report it.
    pub mean_attacker_share_main: Option<f64>,
    /// Proof of work: trials in which an honest decision was reverted.
    pub reverted: u64,
    /// Proof of work: stale blocks and blocks mined (main chain and stale), over the trials.
    pub stale_blocks: u64,
    pub mined_blocks: u64,
}

impl Summary {
    /// `inside`, `outside` or `mixed` over the trials; `None` for a protocol without a bound.
    pub fn bound(&self) -> Option<&'static str> {
        match (self.inside, self.outside) {
            (0, 0) => None,
            (_, 0) => Some("inside"),
            (0, _) => Some("outside"),
            _ => Some("mixed"),
        }
    }
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
    /// A band expectation (`expect.stale_rate`): its ends and the measured rate.
    pub band: Option<(f64, f64, f64)>,
}

/// A finished scenario.
#[derive(Clone, Debug)]
pub struct ScenarioResult {
    /// The rows, in order ([`run_scenario`]); empty when they were streamed
    /// ([`run_scenario_streaming`]).
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
    let mut records = Vec::new();
    let mut result = run_scenario_streaming(sc, |r| {
        records.push(r);
        Ok(())
    })?;
    result.records = records;
    Ok(result)
}

/// Trials run in parallel at a time, per worker thread.
const CHUNK_TRIALS_PER_THREAD: u64 = 256;

/// Runs every trial of `sc` like [`run_scenario`], handing each row to `emit` in the same order
/// as soon as its chunk of trials is done, and keeping only running counts (the result's
/// `records` is empty). An error from `emit` stops the run.
pub fn run_scenario_streaming(
    sc: &Scenario,
    mut emit: impl FnMut(RunRecord) -> Result<(), InputError>,
) -> Result<ScenarioResult, InputError> {
    let mut tallies: Vec<Tally> = sc.kinds.iter().map(|&k| Tally::new(k)).collect();
    let chunk = CHUNK_TRIALS_PER_THREAD * rayon::current_num_threads().max(1) as u64;
    let mut first = 0;
    while first < sc.trials {
        let last = sc.trials.min(first + chunk);
        // The kinds of one trial share its graph (and its vertex connectivity).
        let per_trial: Vec<Vec<RunRecord>> = (first..last)
            .into_par_iter()
            .map(|trial| {
                let results = run_kinds(sc, trial, trial_seed(sc.seed, trial))?;
                Ok(results.into_iter().map(|r| r.record).collect())
            })
            .collect::<Result<_, InputError>>()?;
        for record in per_trial.into_iter().flatten() {
            for tally in tallies
                .iter_mut()
                .filter(|t| t.kind.name() == record.protocol)
            {
                tally.add(&record);
            }
            emit(record)?;
        }
        first = last;
    }
    let summaries: Vec<Summary> = tallies.into_iter().map(Tally::summary).collect();
    let expectations = summaries.iter().flat_map(|s| expectations(sc, s)).collect();
    Ok(ScenarioResult {
        records: Vec::new(),
        summaries,
        expectations,
    })
}

/// Running counts over the rows of one protocol kind, in trial order. The sums start at -0.0
/// and add in row order, as `Iterator::sum` over all rows would: the means come out bit for bit
/// the same as from the collected rows.
struct Tally {
    kind: Kind,
    trials: u64,
    agreement: u64,
    validity: u64,
    termination: u64,
    messages: f64,
    decision_ms: f64,
    decided: u64,
    first_violation: Option<Example>,
    inside: u64,
    outside: u64,
    attacker_share: f64,
    attacker_share_trials: u64,
    reverted: u64,
    stale_blocks: u64,
    mined_blocks: u64,
}

impl Tally {
    fn new(kind: Kind) -> Tally {
        Tally {
            kind,
            trials: 0,
            agreement: 0,
            validity: 0,
            termination: 0,
            messages: -0.0,
            decision_ms: -0.0,
            decided: 0,
            first_violation: None,
            inside: 0,
            outside: 0,
            attacker_share: -0.0,
            attacker_share_trials: 0,
            reverted: 0,
            stale_blocks: 0,
            mined_blocks: 0,
        }
    }

    fn add(&mut self, r: &RunRecord) {
        self.trials += 1;
        self.agreement += u64::from(r.agreement);
        self.validity += u64::from(r.validity);
        self.termination += u64::from(r.termination);
        self.messages += r.messages as f64;
        if let Some(ms) = r.decision_time_ms {
            self.decision_ms += ms;
            self.decided += 1;
        }
        self.inside += u64::from(r.bound == "inside");
        self.outside += u64::from(r.bound == "outside");
        if let Some(share) = r.attacker_share_main {
            self.attacker_share += share;
            self.attacker_share_trials += 1;
        }
        self.reverted += u64::from(r.reverted);
        let stale = r.stale_blocks.unwrap_or(0);
        self.stale_blocks += stale;
        self.mined_blocks += r.blocks.unwrap_or(0) + stale;
        if self.first_violation.is_none() && !(r.agreement && r.validity && r.termination) {
            self.first_violation = Some(Example {
                trial: r.trial,
                seed: r.seed,
                reason: r.reason.clone(),
            });
        }
    }

    fn summary(self) -> Summary {
        Summary {
            kind: self.kind,
            trials: self.trials,
            agreement: self.agreement,
            validity: self.validity,
            termination: self.termination,
            mean_messages: self.messages / self.trials.max(1) as f64,
            mean_decision_ms: (self.decided > 0).then(|| self.decision_ms / self.decided as f64),
            first_violation: self.first_violation,
            inside: self.inside,
            outside: self.outside,
            mean_attacker_share_main: (self.attacker_share_trials > 0)
                .then(|| self.attacker_share / self.attacker_share_trials as f64),
            reverted: self.reverted,
            stale_blocks: self.stale_blocks,
            mined_blocks: self.mined_blocks,
        }
    }
}

fn expectations(sc: &Scenario, s: &Summary) -> Vec<ExpectationResult> {
    let held = [s.agreement, s.validity, s.termination];
    (0..3)
        .map(|i| (Expect::PROPERTIES[i], sc.expect.of(s.kind, i), held[i]))
        .filter_map(|(property, expected, held)| {
            expected.map(|expected| ExpectationResult {
                kind: s.kind,
                property,
                expected,
                held,
                trials: s.trials,
                met: expected.met(held, s.trials),
                band: None,
            })
        })
        .chain(
            sc.expect
                .stale_rate
                .filter(|_| s.kind == Kind::Pow)
                .map(|(lo, hi)| {
                    let rate = s.stale_blocks as f64 / s.mined_blocks.max(1) as f64;
                    ExpectationResult {
                        kind: s.kind,
                        property: "stale_rate",
                        expected: Expectation::Holds,
                        held: s.stale_blocks,
                        trials: s.trials,
                        met: (lo..=hi).contains(&rate),
                        band: Some((lo, hi, rate)),
                    }
                }),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary of one kind computed from all its rows at once.
    fn from_rows(kind: Kind, records: &[RunRecord]) -> Summary {
        let rows: Vec<&RunRecord> = records
            .iter()
            .filter(|r| r.protocol == kind.name())
            .collect();
        let times: Vec<f64> = rows.iter().filter_map(|r| r.decision_time_ms).collect();
        let trials = rows.len() as u64;
        let count = |f: fn(&RunRecord) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
        Summary {
            kind,
            trials,
            agreement: count(|r| r.agreement),
            validity: count(|r| r.validity),
            termination: count(|r| r.termination),
            mean_messages: rows.iter().map(|r| r.messages as f64).sum::<f64>()
                / trials.max(1) as f64,
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
            inside: count(|r| r.bound == "inside"),
            outside: count(|r| r.bound == "outside"),
            stale_blocks: rows.iter().map(|r| r.stale_blocks.unwrap_or(0)).sum(),
            mined_blocks: rows
                .iter()
                .map(|r| r.blocks.unwrap_or(0) + r.stale_blocks.unwrap_or(0))
                .sum(),
            mean_attacker_share_main: {
                let shares: Vec<f64> = rows.iter().filter_map(|r| r.attacker_share_main).collect();
                (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64)
            },
            reverted: count(|r| r.reverted),
        }
    }

    #[test]
    fn the_bound_label_of_a_summary_is_inside_outside_or_mixed() {
        let sc = Scenario::builtin(&["trials=2".into()]).unwrap();
        let mut s = run_scenario(&sc).unwrap().summaries.remove(0);
        let label = |s: &Summary, inside, outside| {
            let mut s = s.clone();
            (s.inside, s.outside) = (inside, outside);
            s.bound()
        };
        assert_eq!(label(&s, 0, 0), None, "vote has no bound");
        assert_eq!(label(&s, 2, 0), Some("inside"));
        assert_eq!(label(&s, 0, 2), Some("outside"));
        assert_eq!(label(&s, 1, 1), Some("mixed"));
        s.inside = 0;
        assert_eq!(s.bound(), None);
    }

    #[test]
    fn running_tallies_equal_the_summary_of_all_rows_across_chunks() {
        // Two kinds, lossy links (some trials never decide), more trials than one chunk holds.
        let sets = [
            "protocol.kind=[\"vote\", \"signed-flood\"]".to_string(),
            "network.loss=0.3".to_string(),
            format!("trials={}", 3 * CHUNK_TRIALS_PER_THREAD + 7),
        ];
        let sc = Scenario::builtin(&sets).unwrap();
        let result = run_scenario(&sc).unwrap();
        assert_eq!(result.records.len() as u64, 2 * sc.trials);
        for (s, &kind) in result.summaries.iter().zip(&sc.kinds) {
            let expected = from_rows(kind, &result.records);
            assert_eq!(s, &expected);
            assert_eq!(s.mean_messages.to_bits(), expected.mean_messages.to_bits());
            assert!(s.first_violation.is_some() && s.agreement < s.trials);
            assert!(s.mean_decision_ms.is_some());
        }
    }
}
