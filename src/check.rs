//! The checkers: agreement (consistency), validity and termination (liveness).
//!
//! Each verdict says whether the property held, a one-line reason a person can read, and the
//! simulated time it refers to (when the violation happened, or when the property was settled).
//! Only honest generals count: a traitor's decision is nobody's business.

use crate::engine::{Outcome, Stop};
use crate::general::Validity;
use crate::types::{NodeId, SimTime, Value};

/// The verdict on one property.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub holds: bool,
    pub at: Option<SimTime>,
    pub reason: String,
}

impl Verdict {
    fn holds(at: Option<SimTime>, reason: impl Into<String>) -> Verdict {
        Verdict {
            holds: true,
            at,
            reason: reason.into(),
        }
    }
    fn violated(at: Option<SimTime>, reason: impl Into<String>) -> Verdict {
        Verdict {
            holds: false,
            at,
            reason: reason.into(),
        }
    }
}

/// The three verdicts of one trial.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdicts {
    pub agreement: Verdict,
    pub validity: Verdict,
    pub termination: Verdict,
}

impl Verdicts {
    /// The reason of the first property that failed, or an empty string.
    pub fn first_failure(&self) -> &str {
        [&self.agreement, &self.validity, &self.termination]
            .into_iter()
            .find(|v| !v.holds)
            .map_or("", |v| v.reason.as_str())
    }
}

/// What validity is measured against.
#[derive(Clone, Debug)]
pub struct ValidityInput<'a> {
    pub rule: Validity,
    pub commander: NodeId,
    pub order: Value,
    pub inputs: &'a [Value],
}

fn honest_decisions(o: &Outcome) -> impl Iterator<Item = (NodeId, Option<(Value, SimTime)>)> + '_ {
    o.decisions
        .iter()
        .zip(&o.honest)
        .enumerate()
        .filter(|(_, (_, h))| **h)
        .map(|(i, (d, _))| (NodeId(i as u32), *d))
}

/// Agreement: no two honest generals decided differently, and no honest general's decision was
/// later contradicted by its own state (a proof-of-work reorganisation).
pub fn agreement(o: &Outcome) -> Verdict {
    let reverted = o
        .reverted
        .iter()
        .zip(&o.honest)
        .enumerate()
        .filter_map(|(v, (r, h))| r.filter(|_| *h).map(|at| (at, v)))
        .min();
    if let Some((at, v)) = reverted {
        return Verdict::violated(
            Some(at),
            format!("general {v} decided, then its chain reverted the decision at {at}"),
        );
    }
    agreement_of_decisions(o)
}

fn agreement_of_decisions(o: &Outcome) -> Verdict {
    let mut decided: Vec<(NodeId, Value, SimTime)> = honest_decisions(o)
        .filter_map(|(v, d)| d.map(|(value, at)| (v, value, at)))
        .collect();
    decided.sort_by_key(|&(v, _, at)| (at, v));
    let Some(&(first, value, _)) = decided.first() else {
        return Verdict::holds(None, "no honest general decided");
    };
    match decided.iter().find(|d| d.1 != value) {
        Some(&(other, other_value, at)) => Verdict::violated(
            Some(at),
            format!(
                "general {first} decided {value} but general {other} decided {other_value} at {at}"
            ),
        ),
        None => Verdict::holds(
            decided.last().map(|d| d.2),
            format!("every honest general that decided chose {value}"),
        ),
    }
}

/// Validity: an honest commander's order wins (broadcast), or a unanimous honest input wins
/// (consensus). Vacuous otherwise.
pub fn validity(o: &Outcome, input: &ValidityInput) -> Verdict {
    let required = match input.rule {
        Validity::Commander => {
            if !o.honest[input.commander.idx()] {
                return Verdict::holds(None, "the commander is a traitor: validity is vacuous");
            }
            input.order
        }
        Validity::UnanimousInputs => {
            let mut honest_inputs = input
                .inputs
                .iter()
                .zip(&o.honest)
                .filter(|(_, h)| **h)
                .map(|(v, _)| *v);
            let Some(first) = honest_inputs.next() else {
                return Verdict::holds(None, "no honest general");
            };
            if honest_inputs.any(|v| v != first) {
                return Verdict::holds(None, "honest inputs differ: validity is vacuous");
            }
            first
        }
    };
    let wrong = honest_decisions(o)
        .filter_map(|(v, d)| d.map(|(value, at)| (v, value, at)))
        .filter(|d| d.1 != required)
        .min_by_key(|d| (d.2, d.0));
    match wrong {
        Some((v, value, at)) => Verdict::violated(
            Some(at),
            format!("general {v} decided {value}, not the required {required}"),
        ),
        None => Verdict::holds(
            None,
            format!("no honest general decided other than {required}"),
        ),
    }
}

/// Termination: every honest general decided before the run ended.
pub fn termination(o: &Outcome) -> Verdict {
    let undecided: Vec<NodeId> = honest_decisions(o)
        .filter(|(_, d)| d.is_none())
        .map(|(v, _)| v)
        .collect();
    let Some(&first) = undecided.first() else {
        let last = honest_decisions(o)
            .filter_map(|(_, d)| d.map(|d| d.1))
            .max();
        return Verdict::holds(last, "every honest general decided");
    };
    let why = match o.stop {
        Stop::AllDecided | Stop::Drained => format!("nothing was left to happen at {}", o.end),
        Stop::EventLimit(max) => format!("the event limit ({max}) was reached at {}", o.end),
        Stop::MessageLimit(max) => format!("the message limit ({max}) was passed at {}", o.end),
        Stop::TimeLimit(max) => format!("the time limit ({max}) was reached"),
    };
    let who = match undecided.len() {
        1 => format!("general {first} never decided"),
        k => format!("{k} honest generals never decided (first: general {first})"),
    };
    Verdict::violated(Some(o.end), format!("{who}: {why}"))
}

/// All three checks.
pub fn check(o: &Outcome, input: &ValidityInput) -> Verdicts {
    Verdicts {
        agreement: agreement(o),
        validity: validity(o, input),
        termination: termination(o),
    }
}

/// The common decision of the honest generals: the value, `split` if they disagree, `none` if
/// none decided.
pub fn common_decision(o: &Outcome) -> &'static str {
    let mut values = honest_decisions(o).filter_map(|(_, d)| d.map(|d| d.0));
    match values.next() {
        None => "none",
        Some(first) if values.all(|v| v == first) => first.as_str(),
        Some(_) => "split",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::CryptoStats;
    use crate::engine::network::NetStats;

    fn outcome(decisions: Vec<Option<(Value, u64)>>, honest: Vec<bool>) -> Outcome {
        Outcome {
            decisions: decisions
                .into_iter()
                .map(|d| d.map(|(v, t)| (v, SimTime(t))))
                .collect(),
            honest,
            stop: Stop::Drained,
            end: SimTime(500),
            events: 0,
            net: NetStats::default(),
            crypto: CryptoStats::default(),
            trace: None,
            unscripted: 0,
            reverted: Vec::new(),
            report: Default::default(),
        }
    }

    const A: Value = Value::Attack;
    const R: Value = Value::Retreat;

    #[test]
    fn disagreement_among_honest_generals_is_a_violation_but_a_traitor_is_ignored() {
        let o = outcome(
            vec![Some((A, 10)), Some((R, 20)), Some((A, 5))],
            vec![true, true, true],
        );
        let v = agreement(&o);
        assert!(!v.holds);
        assert_eq!(v.at, Some(SimTime(20)));
        assert!(
            v.reason
                .contains("general 2 decided attack but general 1 decided retreat")
        );
        let o = outcome(
            vec![Some((A, 10)), Some((R, 20)), Some((A, 5))],
            vec![true, false, true],
        );
        assert!(agreement(&o).holds);
        assert_eq!(common_decision(&o), "attack");
    }

    #[test]
    fn validity_follows_an_honest_commander_and_is_vacuous_for_a_traitor() {
        let o = outcome(
            vec![None, Some((R, 3)), Some((R, 4))],
            vec![true, true, true],
        );
        let input = ValidityInput {
            rule: Validity::Commander,
            commander: NodeId(0),
            order: A,
            inputs: &[],
        };
        let v = validity(&o, &input);
        assert!(!v.holds);
        assert!(v.reason.contains("general 1 decided retreat"));
        let o = outcome(
            vec![None, Some((R, 3)), Some((R, 4))],
            vec![false, true, true],
        );
        assert!(validity(&o, &input).holds);
    }

    #[test]
    fn unanimous_honest_inputs_must_win() {
        let input = ValidityInput {
            rule: Validity::UnanimousInputs,
            commander: NodeId(0),
            order: A,
            inputs: &[A, A, R],
        };
        let o = outcome(
            vec![Some((A, 1)), Some((R, 1)), Some((R, 1))],
            vec![true, true, false],
        );
        assert!(
            !validity(&o, &input).holds,
            "honest 0 and 1 both started with attack"
        );
        let o = outcome(
            vec![Some((A, 1)), Some((R, 1)), Some((R, 1))],
            vec![true, true, true],
        );
        assert!(validity(&o, &input).holds, "inputs differ: vacuous");
    }

    #[test]
    fn an_undecided_honest_general_breaks_termination() {
        let o = outcome(vec![Some((A, 1)), None, None], vec![true, true, false]);
        let v = termination(&o);
        assert!(!v.holds);
        assert!(
            v.reason.starts_with("general 1 never decided"),
            "{}",
            v.reason
        );
        assert_eq!(common_decision(&o), "attack");
        let o = outcome(vec![None, None], vec![true, true]);
        assert_eq!(common_decision(&o), "none");
    }
}
