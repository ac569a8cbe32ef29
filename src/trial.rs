//! One trial, start to finish: draw the graph, the traitors and the inputs from the trial seed,
//! run the protocol in a [`Sim`], check the outcome and make the [`RunRecord`].

use std::sync::Arc;

use rand::Rng;
use rand::seq::index::sample;

use crate::adversary::{self, BehaviourSpec};
use crate::bound::{self, Bound, Params};
use crate::check::{self, ValidityInput, Verdicts};
use crate::engine::internet::Internet;
use crate::engine::network::{Links, Transport};
use crate::engine::paths::Routes;
use crate::engine::timing::Adversary;
use crate::engine::trace::Recording;
use crate::engine::{Outcome, Sim, Stop};
use crate::error::InputError;
use crate::general::Setup;
use crate::general::Traitor;
use crate::protocol::{Kind, ProtocolVisitor, Registered};
use crate::record::RunRecord;
use crate::rng::{Stream, stream};
use crate::scenario::{Inputs, Scenario, Who};
use crate::topology::Topology;
use crate::types::{NodeId, Value};

/// A finished trial: its row, its verdicts and, when asked for, its trace.
#[derive(Debug)]
pub struct TrialResult {
    pub record: RunRecord,
    pub verdicts: Verdicts,
    pub trace: Option<Recording>,
    /// Transmissions scripted traitors made past the end of their scripts.
    pub unscripted: u64,
}

/// Runs trial number `trial` (seed `trial_seed`) of `scenario` with protocol `kind`. Fails only
/// when the trial's random graph cannot be drawn (validation drew the first one).
pub fn run_trial(
    sc: &Scenario,
    kind: Kind,
    trial: u64,
    trial_seed: u64,
    trace: bool,
) -> Result<TrialResult, InputError> {
    let tracing = if trace { Tracing::On } else { Tracing::Off };
    run_trial_traced(sc, kind, trial, trial_seed, tracing)
}

/// How much of a trial is traced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracing {
    Off,
    /// Every event up to the trace's cap.
    On,
    /// For a page: as `On`, and past the cap still the first send of each new message (every
    /// block of a long proof-of-work trial), so what is drawn covers the whole trial.
    Page,
}

/// [`run_trial`] with the tracing spelt out.
pub fn run_trial_traced(
    sc: &Scenario,
    kind: Kind,
    trial: u64,
    trial_seed: u64,
    tracing: Tracing,
) -> Result<TrialResult, InputError> {
    let topology = topology_of(sc, trial_seed)?;
    Ok(run_on(sc, kind, trial, trial_seed, tracing, topology))
}

/// The graph of a trial: the scenario's fixed one, or one drawn from the trial seed.
pub fn topology_of(sc: &Scenario, trial_seed: u64) -> Result<Arc<Topology>, InputError> {
    if let Some(fixed) = &sc.network.fixed {
        return Ok(Arc::clone(fixed));
    }
    let mut rng = stream(trial_seed, Stream::Topology);
    let net = &sc.network;
    let graph = Topology::build(&net.topology, sc.nodes(), &mut rng, net.require_connected)
        .map_err(|e| InputError {
            file: sc.file.clone(),
            line: None,
            col: None,
            key: Some("network.topology".to_string()),
            message: format!("the graph of the trial with seed {trial_seed}: {e}"),
        })?;
    Ok(Arc::new(graph))
}

/// Which generals are traitors in a trial (none with `crash-recover`: those generals are honest;
/// see [`faulty_of`]).
pub fn traitors_of(sc: &Scenario, trial_seed: u64) -> Vec<bool> {
    match sc.behaviour {
        BehaviourSpec::CrashRecover { .. } => vec![false; sc.nodes()],
        _ => faulty_of(sc, trial_seed),
    }
}

/// The generals `faults.who` picks in a trial (and the Sybil identities): the traitors, or with
/// `crash-recover` the honest generals that go down for a while.
pub fn faulty_of(sc: &Scenario, trial_seed: u64) -> Vec<bool> {
    let mut traitor = vec![false; sc.nodes()];
    traitor[sc.n..].iter_mut().for_each(|s| *s = true);
    let mut rng = stream(trial_seed, Stream::Faults);
    match &sc.who {
        Who::Ids(ids) => ids.iter().for_each(|v| traitor[v.idx()] = true),
        Who::Random => sample(&mut rng, sc.n, sc.t)
            .into_iter()
            .for_each(|i| traitor[i] = true),
        Who::Commander => {
            traitor[sc.commander.idx()] = true;
            let others: Vec<usize> = (0..sc.n).filter(|&i| i != sc.commander.idx()).collect();
            sample(&mut rng, others.len(), sc.t - 1)
                .into_iter()
                .for_each(|k| traitor[others[k]] = true);
        }
    }
    traitor
}

/// The generals' inputs in a trial.
pub fn inputs_of(sc: &Scenario, trial_seed: u64, traitor: &[bool]) -> Vec<Value> {
    let mut inputs = match &sc.inputs {
        Inputs::All(v) => vec![*v; sc.n],
        Inputs::List(list) => list.clone(),
        Inputs::Random => {
            let mut rng = stream(trial_seed, Stream::Inputs);
            (0..sc.n)
                .map(|_| {
                    if rng.random::<bool>() {
                        Value::Attack
                    } else {
                        Value::Retreat
                    }
                })
                .collect()
        }
    };
    // Sybil identities vote as the traitor that made them.
    let owner = traitor[..sc.n]
        .iter()
        .position(|t| *t)
        .map_or(Value::Retreat, |i| inputs[i]);
    inputs.resize(sc.nodes(), owner);
    inputs
}

/// The bound label of a finished trial: the protocol's theorem judged against this trial's
/// network ([`crate::bound::judge`]), and `outside` whenever the run itself left the model: a
/// send found no link, or a limit cut the trial short.
fn bound_of<P: Registered>(
    sc: &Scenario,
    graph: &Topology,
    traitor: &[bool],
    outcome: &Outcome,
    route_hops: Option<usize>,
) -> Option<Bound> {
    let params = Params {
        n: sc.nodes(),
        t: traitor.iter().filter(|x| **x).count(),
        budget: sc.t,
        m: sc.m,
    };
    if !P::proven(sc) {
        return None;
    }
    let theorem = P::bound(&params)?;
    let net = bound::Network {
        transport: sc.network.transport,
        graph,
        latency: &sc.network.latency,
        loss: sc.network.loss,
        round: sc.network.round,
        traitor,
        route_hops,
        timing: &sc.network.timing,
        partitioned: !sc.network.partitions.is_empty(),
        partition_drops: sc.network.partitions.iter().any(|p| p.drop),
        crash_recover: matches!(sc.behaviour, BehaviourSpec::CrashRecover { .. }),
    };
    let mut b = bound::judge(&theorem, params, &net);
    let cut = match outcome.stop {
        Stop::EventLimit(_) => Some("limits.max_events"),
        Stop::MessageLimit(_) => Some("limits.max_messages"),
        Stop::TimeLimit(_) => Some("limits.max_time_ms"),
        Stop::AllDecided | Stop::Drained => None,
    };
    let left_model = if outcome.net.unroutable > 0 {
        Some(format!(
            "a link between every pair ({} sends had no link)",
            outcome.net.unroutable
        ))
    } else {
        cut.map(|key| format!("a run to the protocol's end (stopped at {key})"))
    };
    if let (true, Some(why)) = (b.inside, left_model) {
        b.inside = false;
        b.rule = format!("{}; not met: {why}", b.rule);
    }
    Some(b)
}

/// Runs trial `trial` of `sc` with protocol `kind` on a graph already drawn for that trial (the
/// protocols of a list share one graph per trial, and with it its vertex connectivity).
pub fn run_trial_on(
    sc: &Scenario,
    kind: Kind,
    trial: u64,
    trial_seed: u64,
    trace: bool,
    topology: Arc<Topology>,
) -> TrialResult {
    let tracing = if trace { Tracing::On } else { Tracing::Off };
    run_on(sc, kind, trial, trial_seed, tracing, topology)
}

fn run_on(
    sc: &Scenario,
    kind: Kind,
    trial: u64,
    trial_seed: u64,
    trace: Tracing,
    topology: Arc<Topology>,
) -> TrialResult {
    struct Run<'a> {
        sc: &'a Scenario,
        trial: u64,
        trial_seed: u64,
        trace: Tracing,
        topology: Arc<Topology>,
    }
    impl ProtocolVisitor for Run<'_> {
        type Output = TrialResult;
        fn visit<P: Registered>(self) -> Self::Output {
            run::<P>(
                self.sc,
                self.trial,
                self.trial_seed,
                self.trace,
                self.topology,
            )
        }
    }
    kind.visit(Run {
        sc,
        trial,
        trial_seed,
        trace,
        topology,
    })
}

/// Runs every protocol kind of `sc` for one trial on the same graph, in the scenario's order.
pub fn run_kinds(
    sc: &Scenario,
    trial: u64,
    trial_seed: u64,
) -> Result<Vec<TrialResult>, InputError> {
    let topology = topology_of(sc, trial_seed)?;
    Ok(sc
        .kinds
        .iter()
        .map(|&k| run_trial_on(sc, k, trial, trial_seed, false, Arc::clone(&topology)))
        .collect())
}

fn run<P: Registered>(
    sc: &Scenario,
    trial: u64,
    trial_seed: u64,
    trace: Tracing,
    topology: Arc<Topology>,
) -> TrialResult {
    let graph = Arc::clone(&topology);
    let traitor = traitors_of(sc, trial_seed);
    let setup = Setup {
        n: sc.nodes(),
        t: sc.t,
        m: sc.m,
        commander: sc.commander,
        order: sc.order,
        inputs: inputs_of(sc, trial_seed, &traitor),
        neighbours_only: sc.network.transport == Transport::Direct && !topology.is_complete(),
    };
    let params = P::params(sc, &traitor);
    let coalition: Vec<NodeId> = (0..sc.nodes() as u32)
        .map(NodeId)
        .filter(|v| traitor[v.idx()])
        .collect();
    let behaviours: Vec<Option<Box<dyn Traitor<P>>>> = (0..sc.nodes() as u32)
        .map(NodeId)
        .map(|v| {
            traitor[v.idx()]
                .then(|| {
                    adversary::build::<P>(&sc.behaviour, v, &setup, &params, &coalition, trial_seed)
                })
                .flatten()
        })
        .collect();
    let links = Links {
        topology,
        transport: sc.network.transport,
        latency: sc.network.latency.clone(),
        loss: sc.network.loss,
        internet: sc.network.internet.map(|model| {
            let mut rng = stream(trial_seed, Stream::Regions);
            Arc::new(Internet::place(model, sc.nodes(), &mut rng))
        }),
    };
    let mut sim = Sim::<P>::new(
        &setup,
        &params,
        links,
        behaviours,
        sc.network.round,
        sc.limits,
        trial_seed,
    );
    // Disjoint paths against every traitor identity (Sybil ones included): a fixed graph's were
    // found once, at validation; a random graph's are found here, once for the trial.
    let routes = (sc.network.transport == Transport::DisjointPaths).then(|| {
        let k = crate::engine::paths::needed(sc.t + sc.sybil, P::SIGNED);
        let known = sc.network.fixed.as_ref().and_then(|_| {
            sc.network
                .routes
                .iter()
                .find(|r| r.k() == k)
                .map(Arc::clone)
        });
        known.unwrap_or_else(|| Arc::new(Routes::new(&graph, k)))
    });
    if let Some(routes) = &routes {
        sim.set_routes(Arc::clone(routes));
    }
    let net = &sc.network;
    if let Some(adversary) = Adversary::new(&net.timing, &net.partitions, sc.nodes(), trial_seed) {
        sim.set_scheduler(Box::new(adversary));
    }
    if let BehaviourSpec::CrashRecover { at, recover } = sc.behaviour {
        let down = faulty_of(sc, trial_seed);
        for v in (0..sc.nodes() as u32).map(NodeId).filter(|v| down[v.idx()]) {
            sim.crash_for_a_while(v, at, recover);
        }
    }
    match trace {
        Tracing::Off => {}
        Tracing::On => sim.record_trace(),
        Tracing::Page => {
            sim.record_trace();
            sim.trace_first_sends_past_cap();
        }
    }
    let mut outcome = sim.run();
    // A strategy name unknown to the protocol is refused by validation; should one slip
    // through, the general still counts as a traitor.
    outcome.honest = traitor.iter().map(|t| !t).collect();
    let validity = ValidityInput {
        rule: P::VALIDITY,
        commander: sc.commander,
        order: sc.order,
        inputs: &setup.inputs,
    };
    let verdicts = check::check(&outcome, &validity);
    let mut record = record(
        sc,
        P::NAME,
        trial,
        trial_seed,
        &traitor,
        &outcome,
        &verdicts,
    );
    let route_hops = routes.as_ref().map(|r| r.max_hops() as usize);
    if let Some(bound) = bound_of::<P>(sc, &graph, &traitor, &outcome, route_hops) {
        record.bound = if bound.inside { "inside" } else { "outside" }.to_string();
        record.bound_rule = bound.rule;
    }
    TrialResult {
        record,
        verdicts,
        unscripted: outcome.unscripted,
        trace: outcome.trace.take(),
    }
}

fn record(
    sc: &Scenario,
    protocol: &str,
    trial: u64,
    seed: u64,
    traitor: &[bool],
    o: &Outcome,
    v: &Verdicts,
) -> RunRecord {
    let last_decision = v.termination.holds.then_some(v.termination.at).flatten();
    let round_us = sc.network.round.0.max(1);
    let rounds = last_decision.map_or(0, |at| at.0.div_ceil(round_us));
    RunRecord {
        scenario: sc.name.clone(),
        protocol: protocol.to_string(),
        topology: sc.network.topology.name().to_string(),
        transport: sc.network.transport.name().to_string(),
        n: sc.n,
        t: sc.t,
        behaviour: if sc.t == 0 {
            "none"
        } else {
            sc.behaviour.name()
        }
        .to_string(),
        seed,
        trial,
        agreement: v.agreement.holds,
        validity: v.validity.holds,
        termination: v.termination.holds,
        decision: check::common_decision(o).to_string(),
        messages: o.net.messages,
        bytes: o.net.bytes,
        rounds,
        decision_time_ms: last_decision.map(|t| t.as_ms()),
        bound: String::new(),
        bound_rule: String::new(),
        traitors: traitor
            .iter()
            .enumerate()
            .filter(|(_, t)| **t)
            .map(|(i, _)| i.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        delivered: o.net.delivered,
        lost: o.net.lost,
        withheld: o.net.withheld,
        unroutable: o.net.unroutable,
        events: o.events,
        signatures: o.crypto.signatures,
        verifications: o.crypto.verifications_requested,
        verifications_computed: o.crypto.verifications_computed,
        stop: match o.stop {
            Stop::AllDecided => "all-decided",
            Stop::Drained => "drained",
            Stop::EventLimit(_) => "event-limit",
            Stop::MessageLimit(_) => "message-limit",
            Stop::TimeLimit(_) => "time-limit",
        }
        .to_string(),
        reason: v.first_failure().to_string(),
        blocks: o.report.blocks,
        stale_blocks: o.report.stale_blocks,
        attacker_share_main: o.report.attacker_share_main,
        block_interval_ms: o.report.block_interval_ms,
        propagation_p50_ms: o.report.propagation_p50_ms,
        propagation_p90_ms: o.report.propagation_p90_ms,
        stale_rate: o
            .report
            .blocks
            .zip(o.report.stale_blocks)
            .map(|(main, stale)| stale as f64 / (main + stale).max(1) as f64),
        propagation_mean_ms: o.report.propagation_mean_ms,
        stale_rate_first_order: o.report.propagation_mean_ms.map(|tau| {
            let interval = sc.pow.block_interval.as_ms().max(f64::MIN_POSITIVE);
            1.0 - libm::exp(-tau / interval)
        }),
        reverted: o
            .reverted
            .iter()
            .zip(&o.honest)
            .any(|(r, h)| *h && r.is_some()),
        decision_after_gst_ms: last_decision
            .zip(sc.network.timing.gst())
            .map(|(at, gst)| (at.0 as f64 - gst.0 as f64) / 1000.0),
        views: o.report.views,
    }
}
