//! Checks a [`RawScenario`] value by value and combination by combination, and builds the typed
//! [`Scenario`]. Every rejection names its key; [`Source::error`] adds the file, line and column.

use std::sync::Arc;

use super::keys::{self, did_you_mean};
use super::raw::{
    OneOrMany, RawExpectation, RawFaults, RawLatency, RawNetwork, RawPow, RawProtocol, RawScenario,
    RawWho,
};
use super::{Expect, Expectation, Inputs, NetworkSpec, Scenario, Source, Who, estimate};
use crate::adversary::{BehaviourSpec, Choice, Script};
use crate::engine::Limits;
use crate::engine::internet::{Model, REGION_SETS, RegionSet};
use crate::engine::network::{Latency, Transport};
use crate::engine::paths::{self, Routes};
use crate::error::InputError;
use crate::general::{Protocol, Validity};
use crate::protocol::nakamoto::{Mining, PowParams, Relay};
use crate::protocol::{Kind, ProtocolVisitor};
use crate::rng::{Stream, stream};
use crate::topology::{Topology, TopologySpec};
use crate::types::{NodeId, SimTime, Value};

/// The largest number of generals a scenario may have.
pub const MAX_N: u64 = 100_000;
/// The largest number of trials a scenario may ask for.
pub const MAX_TRIALS: u64 = 10_000_000;

type Result<T> = std::result::Result<T, InputError>;

pub fn validate(raw: RawScenario, src: &Source, stem: &str, family: &[Kind]) -> Result<Scenario> {
    let n = match raw.n {
        None => return Err(src.error("n", "missing: how many generals (n = 4)")),
        Some(0) => return Err(src.error("n", "n = 0: there must be at least one general")),
        Some(n) if n > MAX_N => {
            return Err(src.error("n", format!("n = {n} is more than byzsim runs ({MAX_N})")));
        }
        Some(n) => n as usize,
    };
    let (t, who) = traitors(&raw, src, n)?;
    let trials = match raw.trials.unwrap_or(1) {
        0 => return Err(src.error("trials", "trials = 0: run at least one trial")),
        k if k > MAX_TRIALS => {
            return Err(src.error("trials", format!("{k} trials is more than {MAX_TRIALS}")));
        }
        k => k,
    };
    let protocol = raw.protocol.clone().unwrap_or_default();
    let kinds = kinds(&protocol, src)?;
    let commander = id(
        protocol.commander.unwrap_or(0),
        n,
        src,
        "protocol.commander",
    )?;
    let m = match protocol.m {
        None => t,
        Some(m) if m >= n as u64 => {
            return Err(src.error(
                "protocol.m",
                format!("m = {m} with n = {n}: m must be less than n"),
            ));
        }
        Some(m) => m as usize,
    };
    let order = match &protocol.value {
        None => Value::Attack,
        Some(s) => value(s, src, "protocol.value")?,
    };
    let inputs = inputs(&protocol, src, n)?;
    let applies_to: Vec<Kind> = kinds.iter().chain(family).copied().collect();
    refuse_keys_that_do_not_apply(&protocol, &applies_to, src)?;
    if who == Who::Commander && t == 0 {
        return Err(src.error("faults.who", "\"commander\" needs t >= 1"));
    }
    let behaviour = behaviour(raw.faults.as_ref(), src, n, &kinds)?;
    if matches!(behaviour, BehaviourSpec::Twins { .. })
        && raw
            .network
            .as_ref()
            .and_then(|net| net.transport.as_deref())
            .is_some_and(|t| t != "direct")
    {
        return Err(src.error(
            "network.transport",
            "twins needs transport = \"direct\": on a relaying network the honest generals would carry each copy's messages to the other copy's set",
        ));
    }
    let mut warnings = Vec::new();
    let seed = raw.seed.unwrap_or(0);
    if seed > crate::rng::SEED_MASK {
        // TOML reads integers up to 2^64 - 1 into a u64; `--seed` and `--set` stop at 2^63 - 1.
        return Err(src.error(
            "seed",
            format!(
                "{seed}: a seed is a whole number from 0 to 2^63 − 1 = {}",
                crate::rng::SEED_MASK
            ),
        ));
    }
    let sybil = match raw.faults.as_ref().and_then(|f| f.sybil) {
        None | Some(0) => 0,
        Some(_) if t == 0 => {
            return Err(src.error(
                "faults.sybil",
                "Sybil identities belong to the traitors: set t >= 1",
            ));
        }
        Some(_) if matches!(behaviour, BehaviourSpec::CrashRecover { .. }) => {
            return Err(src.error(
                "faults.sybil",
                "crash-recover generals are honest: there are no traitors to own Sybil identities",
            ));
        }
        Some(k) if k + n as u64 > MAX_N => {
            return Err(src.error(
                "faults.sybil",
                format!("n + sybil = {} is more than {MAX_N}", k + n as u64),
            ));
        }
        Some(k) => k as usize,
    };
    let mut limits = limits(&raw, src)?;
    let mut pow = pow(&raw, src, &kinds)?;
    let pbft = pbft(&protocol, src)?;
    let tendermint = tendermint(&protocol, src)?;
    // With a bandwidth, a block's size takes time: 1 MB unless said.
    let bandwidth = raw
        .network
        .as_ref()
        .is_some_and(|n| n.regions.is_some() || n.bandwidth_mbps.is_some());
    if bandwidth && pow.block_bytes.is_none() {
        pow.block_bytes = Some(DEFAULT_BLOCK_BYTES);
    }
    let explicit_time = raw.limits.as_ref().is_some_and(|l| l.max_time_ms.is_some());
    if kinds.contains(&Kind::Pow) && !explicit_time {
        // Long enough for every block the trial wants, with a wide margin for slow luck. A
        // double spender's race runs on after that until it wins or falls `give_up` blocks
        // behind: a gambler's ruin between +1 and −G, whose length exceeds 10(G + 1)² blocks
        // with probability about e^(−5π²) even at q = 1/2.
        let race = match &behaviour {
            BehaviourSpec::Strategy(name) if name == "double-spend" => {
                (pow.give_up.saturating_add(1))
                    .saturating_pow(2)
                    .saturating_mul(10)
            }
            _ => 0,
        };
        let wanted = (pow.end_height().checked_add(1))
            .and_then(|b| b.checked_mul(20))
            .and_then(|b| b.checked_add(race))
            .and_then(|b| pow.block_interval.0.checked_mul(b));
        let key = if pow.blocks.is_some() {
            "pow.blocks"
        } else {
            "pow.block_interval_ms"
        };
        let wanted = estimate::refuse_horizon(wanted, key, src)?;
        limits.max_time = limits.max_time.max(wanted);
    }
    pow.horizon = limits.max_time;
    // The cost estimate runs as soon as the network's size is known: before graph facts that
    // cost time of their own (a diameter is a search from every node).
    let refuse = |edges: usize, complete: bool, transport: Transport, path_hops: f64| {
        estimate::refuse_too_large(
            &estimate::Shape {
                kinds: &kinds,
                trials,
                nodes: n + sybil,
                n,
                t,
                m,
                edges: edges as f64,
                complete,
                transport,
                path_hops,
                pow: &pow,
                limits: &limits,
            },
            src,
        )
    };
    let network = network(
        raw.network.as_ref(),
        src,
        n + sybil,
        (t + sybil, &kinds),
        seed,
        (&limits, &refuse),
        &mut warnings,
    )?;
    if t > 0 && !matches!(&raw.faults, Some(f) if f.behaviour.is_some()) {
        warnings.push(format!(
            "{}: t = {t} but no faults.behaviour: the traitors equivocate",
            src.file
        ));
    }
    refuse(
        network.edges,
        network.complete,
        network.transport,
        network.first_mean_path_hops,
    )?;
    let expect = expect(&raw, src, &kinds)?;
    Ok(Scenario {
        name: raw.name.clone().unwrap_or_else(|| stem.to_string()),
        description: raw.description.clone().unwrap_or_default(),
        file: src.file.clone(),
        seed,
        trials,
        n,
        t,
        sybil,
        kinds,
        m,
        commander,
        order,
        inputs,
        network,
        behaviour,
        who,
        expect,
        limits,
        pow,
        pbft,
        tendermint,
        warnings,
        overrides: Vec::new(),
    })
}

fn id(v: u64, n: usize, src: &Source, key: &str) -> Result<NodeId> {
    if v >= n as u64 {
        return Err(src.error(
            key,
            format!("general {v} does not exist: ids run from 0 to {}", n - 1),
        ));
    }
    Ok(NodeId(v as u32))
}

fn value(s: &str, src: &Source, key: &str) -> Result<Value> {
    Value::parse(s).ok_or_else(|| {
        src.error(
            key,
            format!(
                "`{s}` is not an order: use \"attack\" or \"retreat\"{}",
                did_you_mean(s, keys::ORDERS.iter().copied())
            ),
        )
    })
}

fn probability(p: f64, src: &Source, key: &str) -> Result<f64> {
    if !(0.0..=1.0).contains(&p) {
        return Err(src.error(
            key,
            format!("{} is not a probability: it must lie in [0, 1]", show(p)),
        ));
    }
    Ok(p)
}

/// A number as a person reads it: plain when it is of everyday size, in scientific notation when
/// tiny or huge (Rust's `{}` would print 1e-300 with three hundred zeros).
fn show(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && a.is_finite() && !(1e-4..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn millis(ms: f64, src: &Source, key: &str) -> Result<SimTime> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(src.error(
            key,
            format!("{} ms: a time must be a finite number >= 0", show(ms)),
        ));
    }
    if ms > 1e12 {
        return Err(src.error(
            key,
            format!("{} ms is too long (more than 10^12 ms)", show(ms)),
        ));
    }
    Ok(SimTime::from_ms_f64(ms))
}

fn traitors(raw: &RawScenario, src: &Source, n: usize) -> Result<(usize, Who)> {
    let who_raw = raw.faults.as_ref().and_then(|f| f.who.clone());
    let who = match who_raw {
        None => Who::Random,
        Some(RawWho::Named(s)) if s == "random" => Who::Random,
        Some(RawWho::Named(s)) if s == "commander" => Who::Commander,
        Some(RawWho::Named(s)) => {
            return Err(src.error(
                "faults.who",
                format!(
                    "`{s}`: use \"random\", \"commander\" or a list of ids like [1, 3]{}",
                    did_you_mean(&s, ["random", "commander"])
                ),
            ));
        }
        Some(RawWho::Ids(ids)) => {
            let mut out: Vec<NodeId> = Vec::with_capacity(ids.len());
            for v in ids {
                let v = id(v, n, src, "faults.who")?;
                if out.contains(&v) {
                    return Err(src.error("faults.who", format!("general {v} is listed twice")));
                }
                out.push(v);
            }
            Who::Ids(out)
        }
    };
    let t = match (raw.t, &who) {
        (Some(t), Who::Ids(ids)) if t as usize != ids.len() => {
            return Err(src.error(
                "faults.who",
                format!("lists {} traitors but t = {t}", ids.len()),
            ));
        }
        (Some(t), _) => t,
        (None, Who::Ids(ids)) => ids.len() as u64,
        (None, _) => 0,
    };
    if t >= n as u64 {
        return Err(src.error(
            "t",
            format!("t = {t} with n = {n}: t must be less than n (at least one honest general)"),
        ));
    }
    Ok((t as usize, who))
}

fn kinds(p: &RawProtocol, src: &Source) -> Result<Vec<Kind>> {
    let names = match &p.kind {
        None => return Err(src.error("protocol.kind", "missing: which protocol to run")),
        Some(OneOrMany::One(s)) => vec![s.clone()],
        Some(OneOrMany::Many(v)) if v.is_empty() => {
            return Err(src.error("protocol.kind", "the list of protocols is empty"));
        }
        Some(OneOrMany::Many(v)) => v.clone(),
    };
    let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let mut kinds = Vec::new();
    for name in names {
        let kind = Kind::parse(&name).ok_or_else(|| {
            src.error(
                "protocol.kind",
                format!(
                    "unknown protocol `{name}`{}; known: {}",
                    did_you_mean(&name, known.iter().copied()),
                    known.join(", ")
                ),
            )
        })?;
        if kinds.contains(&kind) {
            return Err(src.error("protocol.kind", format!("`{name}` is listed twice")));
        }
        kinds.push(kind);
    }
    Ok(kinds)
}

/// `protocol.value` is the commander's order (broadcast protocols), `protocol.inputs` the
/// generals' own votes (consensus protocols), `protocol.m` the depth of `oral` and `signed`: a key
/// that none of the listed protocols reads is refused rather than silently ignored.
fn refuse_keys_that_do_not_apply(p: &RawProtocol, kinds: &[Kind], src: &Source) -> Result<()> {
    let names = || {
        kinds
            .iter()
            .map(|k| format!("\"{}\"", k.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let any_validity = |v: Validity| kinds.iter().any(|k| k.validity() == v);
    if p.value.is_some() && !any_validity(Validity::Commander) {
        return Err(src.error(
            "protocol.value",
            format!("the commander's order applies to broadcast protocols (oral, signed, dolev-strong, pow), not to {}: set the generals' own votes with protocol.inputs", names()),
        ));
    }
    if p.inputs.is_some() && !any_validity(Validity::UnanimousInputs) {
        return Err(src.error(
            "protocol.inputs",
            format!("the generals' own votes apply to consensus protocols (vote, signed-flood, phase-king, pbft, hotstuff, tendermint), not to {}: set the commander's order with protocol.value", names()),
        ));
    }
    if p.view_timeout_ms.is_some()
        && !kinds
            .iter()
            .any(|k| matches!(k, Kind::Pbft | Kind::HotStuff))
    {
        return Err(src.error(
            "protocol.view_timeout_ms",
            format!(
                "the view timeout applies to \"pbft\" and \"hotstuff\" only, not to {}",
                names()
            ),
        ));
    }
    for (key, set) in [
        ("protocol.round_timeout_ms", p.round_timeout_ms.is_some()),
        ("protocol.variant", p.variant.is_some()),
    ] {
        if set && !kinds.contains(&Kind::Tendermint) {
            return Err(src.error(
                key,
                format!("applies to \"tendermint\" only, not to {}", names()),
            ));
        }
    }
    if p.m.is_some() && !kinds.iter().any(|k| matches!(k, Kind::Oral | Kind::Signed)) {
        return Err(src.error(
            "protocol.m",
            format!(
                "the depth m applies to \"oral\" and \"signed\" only, not to {}",
                names()
            ),
        ));
    }
    Ok(())
}

/// PBFT's parameters: `protocol.view_timeout_ms`, a time above 0.
fn pbft(p: &RawProtocol, src: &Source) -> Result<crate::protocol::pbft::PbftParams> {
    const KEY: &str = "protocol.view_timeout_ms";
    let mut params = crate::protocol::pbft::PbftParams::default();
    if let Some(ms) = p.view_timeout_ms {
        params.view_timeout = millis(ms, src, KEY)?;
        if params.view_timeout == SimTime::ZERO {
            return Err(src.error(
                KEY,
                format!(
                    "{} ms: a view must wait some time (more than 0 ms)",
                    show(ms)
                ),
            ));
        }
    }
    Ok(params)
}

/// Tendermint's parameters: `protocol.round_timeout_ms`, a time above 0, and
/// `protocol.variant`.
fn tendermint(
    p: &RawProtocol,
    src: &Source,
) -> Result<crate::protocol::tendermint::TendermintParams> {
    use crate::protocol::tendermint::{TendermintParams, Variant};
    const KEY: &str = "protocol.round_timeout_ms";
    let mut params = TendermintParams::default();
    if let Some(ms) = p.round_timeout_ms {
        params.round_timeout = millis(ms, src, KEY)?;
        if params.round_timeout == SimTime::ZERO {
            return Err(src.error(
                KEY,
                format!(
                    "{} ms: a round must wait some time (more than 0 ms)",
                    show(ms)
                ),
            ));
        }
    }
    if let Some(name) = &p.variant {
        params.variant = Variant::parse(name).ok_or_else(|| {
            src.error(
                "protocol.variant",
                format!(
                    "unknown variant \"{name}\"{}: expected one of {}",
                    did_you_mean(name, Variant::NAMES),
                    Variant::NAMES.join(", ")
                ),
            )
        })?;
    }
    Ok(params)
}

fn inputs(p: &RawProtocol, src: &Source, n: usize) -> Result<Inputs> {
    const KEY: &str = "protocol.inputs";
    Ok(match &p.inputs {
        None => Inputs::Random,
        Some(OneOrMany::One(s)) if s == "random" => Inputs::Random,
        Some(OneOrMany::One(s)) => Inputs::All(Value::parse(s).ok_or_else(|| {
            src.error(
                KEY,
                format!(
                    "`{s}`: use \"random\", \"attack\", \"retreat\" or a list{}",
                    did_you_mean(s, keys::values(KEY).iter().copied())
                ),
            )
        })?),
        Some(OneOrMany::Many(list)) => {
            if list.len() != n {
                return Err(src.error(
                    KEY,
                    format!("lists {} inputs for n = {n} generals", list.len()),
                ));
            }
            Inputs::List(
                list.iter()
                    .map(|s| value(s, src, KEY))
                    .collect::<Result<_>>()?,
            )
        }
    })
}

fn behaviour(
    f: Option<&RawFaults>,
    src: &Source,
    n: usize,
    kinds: &[Kind],
) -> Result<BehaviourSpec> {
    let default = RawFaults::default();
    let f = f.unwrap_or(&default);
    let name = f.behaviour.as_deref().unwrap_or("equivocate");
    let only_for = |key: &str, given: bool, owner: &str| -> Result<()> {
        if given && name != owner {
            return Err(src.error(
                key,
                format!("applies to behaviour \"{owner}\" only, but the behaviour is \"{name}\""),
            ));
        }
        Ok(())
    };
    if name != "crash-recover" {
        only_for("faults.crash_at_ms", f.crash_at_ms.is_some(), "crash")?;
    }
    only_for(
        "faults.recover_at_ms",
        f.recover_at_ms.is_some(),
        "crash-recover",
    )?;
    only_for("faults.drop", f.drop.is_some(), "drop")?;
    only_for("faults.split", f.split.is_some(), "equivocate")?;
    only_for("faults.script", f.script.is_some(), "scripted")?;
    only_for("faults.twins", f.twins.is_some(), "twins")?;
    only_for("faults.mutate", f.mutate.is_some(), "mutate")?;
    Ok(match name {
        "twins" => twins(f, src, n)?,
        "mutate" => {
            let m = f.mutate.clone().unwrap_or_default();
            BehaviourSpec::Mutate(crate::adversary::MutateSpec {
                rounds: m.rounds,
                p: probability(
                    m.p.unwrap_or(crate::adversary::MutateSpec::DEFAULT_P),
                    src,
                    "faults.mutate.p",
                )?,
            })
        }
        "honest" => BehaviourSpec::Honest,
        "scripted" => scripted(f, src, n)?,
        "silent" => BehaviourSpec::Silent,
        "crash" => BehaviourSpec::Crash {
            at: millis(f.crash_at_ms.unwrap_or(0.0), src, "faults.crash_at_ms")?,
        },
        "crash-recover" => {
            let at = millis(f.crash_at_ms.unwrap_or(0.0), src, "faults.crash_at_ms")?;
            let Some(recover_ms) = f.recover_at_ms else {
                return Err(src.error(
                    "faults.recover_at_ms",
                    "missing: when the crashed generals come back (recover_at_ms = 500)",
                ));
            };
            let recover = millis(recover_ms, src, "faults.recover_at_ms")?;
            if recover <= at {
                return Err(src.error(
                    "faults.recover_at_ms",
                    format!(
                        "recovery at {} ms is not after the crash at {} ms",
                        recover.as_ms(),
                        at.as_ms()
                    ),
                ));
            }
            BehaviourSpec::CrashRecover { at, recover }
        }
        "drop" => BehaviourSpec::Drop {
            p: probability(f.drop.unwrap_or(1.0), src, "faults.drop")?,
        },
        "equivocate" => BehaviourSpec::Equivocate {
            attack_to: match &f.split {
                None => None,
                Some(ids) => {
                    let mut out: Vec<NodeId> = Vec::with_capacity(ids.len());
                    for &v in ids {
                        let v = id(v, n, src, "faults.split")?;
                        if out.contains(&v) {
                            return Err(
                                src.error("faults.split", format!("general {v} is listed twice"))
                            );
                        }
                        out.push(v);
                    }
                    Some(out)
                }
            },
        },
        other => {
            let unsupported: Vec<&str> = kinds
                .iter()
                .filter(|k| !k.strategies().contains(&other))
                .map(|k| k.name())
                .collect();
            if !unsupported.is_empty() {
                let mut known: Vec<&str> = BehaviourSpec::GENERIC.to_vec();
                for k in kinds {
                    known.extend(k.strategies());
                }
                return Err(src.error(
                    "faults.behaviour",
                    format!(
                        "unknown behaviour `{other}` for {}{}; known: {}",
                        unsupported.join(", "),
                        did_you_mean(other, known.iter().copied()),
                        known.join(", ")
                    ),
                ));
            }
            BehaviourSpec::Strategy(other.to_string())
        }
    })
}

fn twins(f: &RawFaults, src: &Source, n: usize) -> Result<BehaviourSpec> {
    const KEY: &str = "faults.twins";
    if n < 3 {
        return Err(src.error(
            "faults.behaviour",
            format!("twins needs n >= 3: a traitor's two copies talk with two other sets of generals (n = {n})"),
        ));
    }
    let Some(table) = &f.twins else {
        return Ok(BehaviourSpec::Twins { sets: Vec::new() });
    };
    let listed: Option<&Vec<u64>> = match &f.who {
        Some(RawWho::Ids(ids)) => Some(ids),
        _ => None,
    };
    let Some(listed) = listed else {
        return Err(src.error(
            "faults.who",
            "faults.twins names its traitors: list them in who = [ids]",
        ));
    };
    let mut out = Vec::new();
    for (key, groups) in table {
        let traitor = key
            .parse::<u64>()
            .ok()
            .filter(|v| listed.contains(v))
            .ok_or_else(|| {
                src.error(
                    KEY,
                    format!("`{key}` is not a traitor of faults.who = {listed:?}"),
                )
            })?;
        if groups.len() != 2 {
            return Err(src.error(
                KEY,
                format!(
                    "traitor {traitor}: {} sets given; a traitor has two copies, so two sets: {key} = [[ids], [ids]]",
                    groups.len()
                ),
            ));
        }
        let mut seen: Vec<u64> = Vec::new();
        let mut sets: [Vec<NodeId>; 2] = [Vec::new(), Vec::new()];
        for (g, ids) in groups.iter().enumerate() {
            for &v in ids {
                let id = id(v, n, src, KEY)?;
                if v == traitor {
                    return Err(
                        src.error(KEY, format!("traitor {traitor} is listed in its own sets"))
                    );
                }
                if seen.contains(&v) {
                    return Err(src.error(
                        KEY,
                        format!("traitor {traitor}: general {v} is in both sets or listed twice"),
                    ));
                }
                seen.push(v);
                sets[g].push(id);
            }
        }
        out.push((NodeId(traitor as u32), sets));
    }
    Ok(BehaviourSpec::Twins { sets: out })
}

fn scripted(f: &RawFaults, src: &Source, n: usize) -> Result<BehaviourSpec> {
    const KEY: &str = "faults.script";
    let Some(RawWho::Ids(who)) = &f.who else {
        return Err(src.error(
            "faults.who",
            "a scripted behaviour needs the traitors listed: who = [ids]",
        ));
    };
    let scripts = f.script.clone().unwrap_or_default();
    if scripts.len() > who.len() {
        return Err(src.error(
            KEY,
            format!(
                "{} scripts for {} traitors in faults.who",
                scripts.len(),
                who.len()
            ),
        ));
    }
    let mut out = Vec::new();
    for (&id, table) in who.iter().zip(&scripts) {
        let mut script = Script::new();
        for (to, choices) in table {
            let to = to
                .parse::<u64>()
                .ok()
                .filter(|&v| v < n as u64)
                .ok_or_else(|| {
                    src.error(KEY, format!("`{to}` is not a general id below n = {n}"))
                })?;
            let choices = choices
                .iter()
                .map(|c| {
                    Choice::parse(c).ok_or_else(|| {
                        src.error(
                            KEY,
                            format!(
                                "`{c}`: use \"honest\", \"attack\", \"retreat\", \"withhold\", \"mutate\" or \"mutate-K\""
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            script.insert(NodeId(to as u32), choices);
        }
        out.push((NodeId(id as u32), script));
    }
    Ok(BehaviourSpec::Scripted { scripts: out })
}

fn topology_spec(net: &RawNetwork, src: &Source, n: usize) -> Result<TopologySpec> {
    const KEY: &str = "network.topology";
    let name = net.topology.as_deref().unwrap_or("complete");
    let unknown = || {
        src.error(
            KEY,
            format!(
                "unknown topology `{name}`{}; known: {}",
                did_you_mean(name, keys::TOPOLOGIES.iter().copied()),
                keys::TOPOLOGIES.join(", ")
            ),
        )
    };
    // The name first: a misspelt topology is the topology's fault, not its parameters'.
    if !keys::TOPOLOGIES.contains(&name) {
        return Err(unknown());
    }
    let wants = |key: &str, given: bool, owners: &[&str]| -> Result<()> {
        if given && !owners.contains(&name) {
            return Err(src.error(
                key,
                format!(
                    "applies to topology {} only, but the topology is \"{name}\"",
                    owners.join(" or ")
                ),
            ));
        }
        Ok(())
    };
    wants(
        "network.degree",
        net.degree.is_some(),
        &["random-regular", "small-world"],
    )?;
    wants("network.p", net.p.is_some(), &["erdos-renyi"])?;
    wants("network.rewire", net.rewire.is_some(), &["small-world"])?;
    wants("network.edges", net.edges.is_some(), &["edges"])?;
    let need = |key: &str, v: Option<u64>| {
        v.ok_or_else(|| src.error(key, format!("missing: topology \"{name}\" needs it")))
    };
    let degree = |v: Option<u64>| -> Result<u32> {
        let d = need("network.degree", v)?;
        u32::try_from(d).map_err(|_| src.error("network.degree", format!("{d} is too large")))
    };
    if let Some(dd) = net.degree_distribution.as_deref() {
        const DD: &str = "network.degree_distribution";
        if dd != "bitcoin" {
            return Err(src.error(
                DD,
                format!(
                    "unknown degree distribution `{dd}`{}; known: bitcoin",
                    did_you_mean(dd, ["bitcoin"].into_iter())
                ),
            ));
        }
        if name != "random-regular" {
            return Err(src.error(
                DD,
                format!("draws a random graph: it applies to topology \"random-regular\", not \"{name}\""),
            ));
        }
        if net.degree.is_some() {
            return Err(src.error(
                "network.degree",
                "network.degree_distribution draws each general's links: leave degree out",
            ));
        }
        let spec = TopologySpec::BitcoinOutbound;
        spec.check(n).map_err(|e| src.error(KEY, e.to_string()))?;
        return Ok(spec);
    }
    let spec = match name {
        "complete" => TopologySpec::Complete,
        "ring" => TopologySpec::Ring,
        "random-regular" => TopologySpec::RandomRegular {
            degree: degree(net.degree)?,
        },
        "erdos-renyi" => TopologySpec::ErdosRenyi {
            p: probability(
                net.p.ok_or_else(|| {
                    src.error("network.p", "missing: topology \"erdos-renyi\" needs it")
                })?,
                src,
                "network.p",
            )?,
        },
        "small-world" => TopologySpec::SmallWorld {
            degree: degree(net.degree)?,
            rewire: probability(net.rewire.unwrap_or(0.1), src, "network.rewire")?,
        },
        "edges" => {
            let edges = net.edges.as_ref().ok_or_else(|| {
                src.error(
                    "network.edges",
                    "missing: topology \"edges\" needs a list like [[0, 1], [1, 2]]",
                )
            })?;
            let mut out = Vec::with_capacity(edges.len());
            for edge in edges {
                let &[a, b] = edge.as_slice() else {
                    return Err(src.error(
                        "network.edges",
                        format!("{edge:?} is not a pair of general ids like [0, 1]"),
                    ));
                };
                let (a, b) = (
                    id(a, n, src, "network.edges")?,
                    id(b, n, src, "network.edges")?,
                );
                out.push((a.0, b.0));
            }
            TopologySpec::Edges(out)
        }
        _ => return Err(unknown()),
    };
    spec.check(n).map_err(|e| src.error(KEY, e.to_string()))?;
    Ok(spec)
}

fn latency(raw: Option<&RawLatency>, src: &Source) -> Result<Latency> {
    const KEY: &str = "network.latency_ms";
    let table = match raw {
        None => {
            return Ok(Latency::Uniform {
                min: SimTime::from_ms(1),
                max: SimTime::from_ms(10),
            });
        }
        Some(RawLatency::Fixed(ms)) => return Ok(Latency::Fixed(millis(*ms, src, KEY)?)),
        Some(RawLatency::Table(t)) => t,
    };
    let key = |k: &str| format!("{KEY}.{k}");
    match (
        table.fixed,
        table.min,
        table.max,
        table.mean,
        table.dist.as_deref(),
    ) {
        (Some(f), None, None, None, None | Some("fixed")) => {
            Ok(Latency::Fixed(millis(f, src, &key("fixed"))?))
        }
        (None, Some(lo), Some(hi), None, None | Some("uniform")) => {
            let (min, max) = (millis(lo, src, &key("min"))?, millis(hi, src, &key("max"))?);
            if min > max {
                return Err(src.error(
                    KEY,
                    format!("min = {} is greater than max = {}", show(lo), show(hi)),
                ));
            }
            Ok(Latency::Uniform { min, max })
        }
        (None, None, None, Some(mean), Some("exponential")) => Ok(Latency::Exponential {
            mean: millis(mean, src, &key("mean"))?,
        }),
        (None, None, None, Some(_), None) => {
            Err(src.error(KEY, "`mean` needs dist = \"exponential\""))
        }
        (_, _, _, _, Some(d)) if !keys::DISTS.contains(&d) => Err(src.error(
            &key("dist"),
            format!(
                "unknown distribution `{d}`{}; known: {}",
                did_you_mean(d, keys::DISTS.iter().copied()),
                keys::DISTS.join(", ")
            ),
        )),
        _ => Err(src.error(
            KEY,
            "give { fixed = MS }, { min = MS, max = MS } or { mean = MS, dist = \"exponential\" }",
        )),
    }
}

/// The disjoint paths per pair each protocol of `kinds` needs against `t` traitors (ascending,
/// without repeats).
fn path_counts(t: usize, kinds: &[Kind]) -> Vec<usize> {
    struct Signs;
    impl ProtocolVisitor for Signs {
        type Output = bool;
        fn visit<P: Protocol>(self) -> bool {
            P::SIGNED
        }
    }
    let mut counts: Vec<usize> = kinds
        .iter()
        .map(|k| paths::needed(t, k.visit(Signs)))
        .collect();
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// The cost estimate, given the first graph's edges, completeness, transport and mean path
/// hops: refuses a configuration too large to run.
type RefuseTooLarge<'a> = dyn Fn(usize, bool, Transport, f64) -> Result<()> + 'a;

fn network(
    raw: Option<&RawNetwork>,
    src: &Source,
    n: usize,
    (t, kinds): (usize, &[Kind]),
    seed: u64,
    (limits, refuse): (&Limits, &RefuseTooLarge),
    warnings: &mut Vec<String>,
) -> Result<NetworkSpec> {
    let round_based = kinds.iter().any(|k| k.round_based());
    // Every protocol but proof of work (which gossips block by block) sends to generals that
    // need not be its neighbours: over direct links it needs every pair linked.
    let pairwise = kinds.iter().copied().find(|&k| k != Kind::Pow);
    let default = RawNetwork::default();
    let net = raw.unwrap_or(&default);
    let topology = topology_spec(net, src, n)?;
    let transport = match net.transport.as_deref().unwrap_or("direct") {
        "direct" => Transport::Direct,
        "flooding" => Transport::Flooding,
        "disjoint-paths" => Transport::DisjointPaths,
        other => {
            return Err(src.error(
                "network.transport",
                format!(
                    "unknown transport `{other}`{}; known: {}",
                    did_you_mean(other, keys::TRANSPORTS.iter().copied()),
                    keys::TRANSPORTS.join(", ")
                ),
            ));
        }
    };
    if transport == Transport::DisjointPaths && kinds.contains(&Kind::Pow) {
        return Err(src.error(
            "network.transport",
            "disjoint-paths is Dolev's transmission for the agreement protocols; pow spreads blocks by gossip (direct) or flooding",
        ));
    }
    // Multi-hop transports cannot cross between components.
    let multi_hop = transport != Transport::Direct;
    let latency = latency(net.latency_ms.as_ref(), src)?;
    let internet = internet(net, src, kinds)?;
    let loss = probability(net.loss.unwrap_or(0.0), src, "network.loss")?;
    let (timing, partitions) = super::timing::timing(net, src, n, |ms, key| millis(ms, src, key))?;
    let round = millis(net.round_ms.unwrap_or(100.0), src, "network.round_ms")?;
    if round == SimTime::ZERO {
        return Err(src.error("network.round_ms", "a round must last longer than 0 ms"));
    }
    let require_connected = net.connected.unwrap_or(multi_hop);
    if multi_hop && !require_connected {
        return Err(src.error(
            "network.connected",
            format!(
                "{} needs a connected graph: connected cannot be false",
                transport.name()
            ),
        ));
    }
    estimate::refuse_large_graph(&topology, n, limits, src)?;
    if topology == TopologySpec::Complete {
        // Its facts are closed-form (connected, diameter 1): nothing to build here, and each
        // trial builds its own, so a sweep over many large complete graphs holds none.
        // On a complete graph the k disjoint paths are the link and k − 1 detours of two hops.
        let k = path_counts(t, kinds)
            .last()
            .copied()
            .unwrap_or(1)
            .min(n.max(2) - 1);
        let hops = match transport {
            Transport::Direct => 1,
            Transport::Flooding => u32::from(n > 1),
            Transport::DisjointPaths => 1 + u32::from(k > 1 && n > 2),
        };
        if round_based {
            round_warning(src, &latency, round, hops, "", warnings);
        }
        return Ok(NetworkSpec {
            topology,
            require_connected,
            edges: n * (n - 1) / 2,
            complete: true,
            fixed: None,
            routes: Vec::new(),
            first_mean_path_hops: (2 * k).saturating_sub(1) as f64,
            transport,
            latency,
            internet,
            loss,
            round,
            timing,
            partitions,
        });
    }
    // Build the graph of trial 0 (the only one, for a deterministic topology) to check it.
    let mut rng = stream(seed, Stream::Topology);
    let first = Topology::build(
        &topology,
        n,
        &mut rng,
        require_connected && topology.is_random(),
    )
    .map_err(|e| src.error("network.topology", e.to_string()))?;
    if multi_hop && !first.is_connected() {
        return Err(src.error(
            "network.topology",
            format!(
                "{} needs a connected graph, and this one is disconnected: some generals could never hear others",
                transport.name()
            ),
        ));
    }
    if let (Transport::Direct, Some(kind), false) = (transport, pairwise, first.is_complete()) {
        let drawn = if topology.is_random() {
            " (the first trial's graph)"
        } else {
            ""
        };
        return Err(src.error(
            "network.transport",
            format!(
                "transport = \"direct\" sends each message over one link, and this {} graph{drawn} has no link between some generals: {} would silently lose those messages. Use topology = \"complete\", or transport = \"flooding\" to relay over the graph",
                topology.name(),
                kind.name()
            ),
        ));
    }
    // The disjoint paths of the first graph, one table per path count the protocols need.
    let routes: Vec<Arc<Routes>> = match transport {
        Transport::DisjointPaths => path_counts(t, kinds)
            .into_iter()
            .map(|k| Arc::new(Routes::new(&first, k)))
            .collect(),
        _ => Vec::new(),
    };
    let first_edges = first.edge_count();
    let complete = first.is_complete();
    let first_mean_path_hops = routes
        .iter()
        .map(|r| r.mean_hops_per_message())
        .fold(0.0, f64::max);
    refuse(first_edges, complete, transport, first_mean_path_hops)?;
    let hops = match transport {
        _ if !round_based => None,
        Transport::Direct => Some(1),
        Transport::Flooding => first.diameter(),
        Transport::DisjointPaths => routes.iter().map(|r| r.max_hops()).max(),
    };
    if let Some(hops) = hops {
        let drawn = if topology.is_random() {
            " (of the first trial's graph)"
        } else {
            ""
        };
        round_warning(src, &latency, round, hops, drawn, warnings);
    }
    // A fixed graph is shared by every trial, and so is its vertex connectivity, computed the
    // first time a bound label needs it.
    let fixed = (!topology.is_random()).then(|| Arc::new(first));
    Ok(NetworkSpec {
        topology,
        require_connected,
        edges: first_edges,
        complete,
        fixed,
        routes,
        first_mean_path_hops,
        transport,
        latency,
        internet,
        loss,
        round,
        timing,
        partitions,
    })
}

/// `network.regions` and `network.bandwidth_mbps`: the measured-Internet model (see
/// [`crate::engine::internet`]), for proof of work only.
fn internet(net: &RawNetwork, src: &Source, kinds: &[Kind]) -> Result<Option<Model>> {
    let regions = match net.regions.as_deref() {
        None => None,
        Some(name) => Some(RegionSet::parse(name).ok_or_else(|| {
            src.error(
                "network.regions",
                format!(
                    "unknown region set `{name}`{}; known: {}",
                    did_you_mean(name, REGION_SETS.iter().copied()),
                    REGION_SETS.join(", ")
                ),
            )
        })?),
    };
    let bandwidth = match net.bandwidth_mbps {
        None => None,
        Some(b) if b.is_finite() && b > 0.0 => Some(b * 1e6),
        Some(b) => {
            return Err(src.error(
                "network.bandwidth_mbps",
                format!("{}: a bandwidth must be more than 0 Mbit/s", show(b)),
            ));
        }
    };
    if regions.is_none() && bandwidth.is_none() {
        return Ok(None);
    }
    let key = if regions.is_some() {
        "network.regions"
    } else {
        "network.bandwidth_mbps"
    };
    if let Some(k) = kinds.iter().find(|k| **k != Kind::Pow) {
        return Err(src.error(
            key,
            format!(
                "the measured-Internet model is for pow; {} counts on delays with a bound, and these have a heavy tail",
                k.name()
            ),
        ));
    }
    if regions.is_some() && net.latency_ms.is_some() {
        return Err(src.error(
            "network.latency_ms",
            "network.regions draws each link's latency from the region pair's measurements: leave latency_ms out",
        ));
    }
    Ok(Some(Model { regions, bandwidth }))
}

/// Warns when a round is shorter than the worst delivery time over `hops` hops.
fn round_warning(
    src: &Source,
    latency: &Latency,
    round: SimTime,
    hops: u32,
    drawn: &str,
    warnings: &mut Vec<String>,
) {
    let worst = SimTime(latency.worst().0.saturating_mul(hops as u64));
    if worst > round {
        warnings.push(format!(
            "{}: network.round_ms = {} is shorter than the worst-case delivery time {} ({hops} hop(s){drawn} × {} per hop): the synchrony assumption is broken and late messages miss their round",
            src.file,
            round.as_ms(),
            worst,
            latency.worst(),
        ));
    }
}

fn pow(raw: &RawScenario, src: &Source, kinds: &[Kind]) -> Result<PowParams> {
    let mut p = PowParams::default();
    let Some(r) = &raw.pow else {
        return Ok(p);
    };
    if !kinds.contains(&Kind::Pow) {
        return Err(src.error("pow", "the [pow] table applies to protocol \"pow\" only"));
    }
    if let Some(m) = r.mining.as_deref() {
        p.mining = match m {
            "exponential" => Mining::Exponential,
            "hash" => Mining::Hash,
            other => {
                return Err(src.error(
                    "pow.mining",
                    format!(
                        "`{other}`: use \"exponential\" or \"hash\"{}",
                        did_you_mean(other, keys::values("pow.mining").iter().copied())
                    ),
                ));
            }
        };
    }
    if let Some(ms) = r.block_interval_ms {
        p.block_interval = millis(ms, src, "pow.block_interval_ms")?;
        if p.block_interval == SimTime::ZERO {
            return Err(src.error("pow.block_interval_ms", "must be more than 0"));
        }
    }
    let positive = |v: Option<u64>, key: &str, default: u64| -> Result<u64> {
        match v {
            Some(0) => Err(src.error(key, "must be at least 1")),
            Some(v) => Ok(v),
            None => Ok(default),
        }
    };
    p.confirmations = positive(r.confirmations, "pow.confirmations", p.confirmations)?;
    p.retarget_interval = positive(
        r.retarget_interval,
        "pow.retarget_interval",
        p.retarget_interval as u64,
    )?
    .min(u32::MAX as u64) as u32;
    p.give_up = positive(r.give_up, "pow.give_up", p.give_up)?;
    p.head_start = r.head_start.unwrap_or(p.head_start);
    if p.head_start > 1 {
        return Err(src.error(
            "pow.head_start",
            format!(
                "{}: 0 (pay at once) or 1 (pre-mine a block first)",
                p.head_start
            ),
        ));
    }
    p.hashes_per_block = positive(
        r.hashes_per_block,
        "pow.hashes_per_block",
        p.hashes_per_block,
    )?;
    if p.hashes_per_block > 1 << 40 {
        return Err(src.error(
            "pow.hashes_per_block",
            "at most 2^40: hash mining grinds real hashes",
        ));
    }
    p.blocks = r
        .blocks
        .map(|b| positive(Some(b), "pow.blocks", b))
        .transpose()?;
    if let Some(q) = r.attacker_share {
        if !(0.0..1.0).contains(&q) {
            return Err(src.error(
                "pow.attacker_share",
                format!("{}: a share in [0, 1)", show(q)),
            ));
        }
        p.attacker_share = Some(q);
    }
    if let Some(g) = r.tie_share {
        p.tie_share = probability(g, src, "pow.tie_share")?;
    }
    block_size(r, src, &mut p)?;
    if let Some(c) = &r.hashrate_change {
        if !(c.factor.is_finite() && c.factor > 0.0) {
            return Err(src.error(
                "pow.hashrate_change",
                format!("factor {}: must be more than 0", show(c.factor)),
            ));
        }
        p.hashrate_change = Some((millis(c.at_ms, src, "pow.hashrate_change")?, c.factor));
    }
    Ok(p)
}

/// A block's size when a bandwidth is modelled and `pow.block_bytes` is not set: 1 MB, Bitcoin's
/// limit before SegWit.
const DEFAULT_BLOCK_BYTES: u32 = 1_000_000;

/// `pow.block_bytes`, `pow.relay` and `pow.compact_missing_share`.
fn block_size(r: &RawPow, src: &Source, p: &mut PowParams) -> Result<()> {
    if let Some(b) = r.block_bytes {
        if !(b.is_finite() && b >= 1.0 && b <= u32::MAX as f64) {
            return Err(src.error(
                "pow.block_bytes",
                format!(
                    "{}: a block size is a whole number of bytes, at least 1",
                    show(b)
                ),
            ));
        }
        p.block_bytes = Some(b.round() as u32);
    }
    p.relay = match r.relay.as_deref() {
        None | Some("full") => Relay::Full,
        Some("compact") => Relay::Compact,
        Some(other) => {
            return Err(src.error(
                "pow.relay",
                format!(
                    "`{other}`: use \"full\" or \"compact\"{}",
                    did_you_mean(other, ["full", "compact"].into_iter())
                ),
            ));
        }
    };
    if p.relay == Relay::Compact && p.block_bytes.is_none() {
        return Err(src.error(
            "pow.relay",
            "compact relay sends a header and a short id per transaction: it needs pow.block_bytes, the size of the block it stands for",
        ));
    }
    if let Some(s) = r.compact_missing_share {
        p.compact_missing_share = probability(s, src, "pow.compact_missing_share")?;
    }
    Ok(())
}

fn expect(raw: &RawScenario, src: &Source, kinds: &[Kind]) -> Result<Expect> {
    let Some(e) = &raw.expect else {
        return Ok(Expect::default());
    };
    let one = |v: &str, key: &str| -> Result<Expectation> {
        match v {
            "holds" => Ok(Expectation::Holds),
            "violated" => Ok(Expectation::Violated),
            other => Err(src.error(
                key,
                format!(
                    "`{other}`: use \"holds\" or \"violated\"{}",
                    did_you_mean(other, keys::EXPECTATIONS.iter().copied())
                ),
            )),
        }
    };
    let mut out = Expect::default();
    let raws = [&e.agreement, &e.validity, &e.termination];
    for (i, raw) in raws.into_iter().enumerate() {
        let key = format!("expect.{}", Expect::PROPERTIES[i]);
        match raw {
            None => {}
            Some(RawExpectation::All(v)) => {
                let x = Some(one(v, &key)?);
                match i {
                    0 => out.agreement = x,
                    1 => out.validity = x,
                    _ => out.termination = x,
                }
            }
            Some(RawExpectation::ByKind(table)) => {
                for (name, v) in table {
                    let at = format!("{key}.{name}");
                    let kind = Kind::parse(name).filter(|k| kinds.contains(k));
                    let Some(kind) = kind else {
                        let listed: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
                        return Err(src.error(
                            &at,
                            format!(
                                "`{name}` is not a protocol of this scenario (protocol.kind: {}){}",
                                listed.join(", "),
                                did_you_mean(name, listed.iter().copied())
                            ),
                        ));
                    };
                    let k = Kind::ALL.iter().position(|&x| x == kind).unwrap_or(0);
                    out.by_kind[k][i] = Some(one(v, &at)?);
                }
            }
        }
    }
    if let Some(b) = &e.stale_rate {
        let ok = |x: f64| (0.0..=1.0).contains(&x);
        if !(ok(b.min) && ok(b.max) && b.min <= b.max) {
            return Err(src.error(
                "expect.stale_rate",
                format!(
                    "{{ min = {}, max = {} }}: a band of rates, 0 <= min <= max <= 1",
                    show(b.min),
                    show(b.max)
                ),
            ));
        }
        if !kinds.contains(&Kind::Pow) {
            return Err(src.error(
                "expect.stale_rate",
                "a stale rate is a proof-of-work figure: it needs protocol.kind = \"pow\"",
            ));
        }
        out.stale_rate = Some((b.min, b.max));
    }
    Ok(out)
}

fn limits(raw: &RawScenario, src: &Source) -> Result<Limits> {
    let mut limits = Limits {
        max_memory_mb: estimate::machine_memory_mb(),
        ..Limits::default()
    };
    if let Some(l) = &raw.limits {
        if let Some(e) = l.max_events {
            if e == 0 {
                return Err(src.error("limits.max_events", "must be at least 1"));
            }
            limits.max_events = e;
        }
        if let Some(m) = l.max_messages {
            if m == 0 {
                return Err(src.error("limits.max_messages", "must be at least 1"));
            }
            limits.max_messages = m;
        }
        if let Some(ms) = l.max_time_ms {
            limits.max_time = millis(ms, src, "limits.max_time_ms")?;
        }
        if let Some(h) = l.max_hashes {
            limits.max_hashes = h;
        }
        if let Some(mb) = l.max_memory_mb {
            if mb == 0 {
                return Err(src.error("limits.max_memory_mb", "must be at least 1"));
            }
            limits.max_memory_mb = mb;
        }
        if let Some(e) = l.max_run_events {
            if e == 0 {
                return Err(src.error("limits.max_run_events", "must be at least 1"));
            }
            limits.max_run_events = e;
        }
    }
    Ok(limits)
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn tiny_and_huge_numbers_print_in_scientific_notation() {
        assert_eq!(show(-1e-300), "-1e-300");
        assert_eq!(show(2.5e20), "2.5e20");
        assert_eq!(show(0.25), "0.25");
        assert_eq!(show(0.0), "0");
        assert_eq!(show(f64::NAN), "NaN");
    }
}
