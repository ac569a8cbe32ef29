//! `byzsim hunt`: search the traitors' choices for a violation, shrink it, write it down.
//!
//! A traitor here is [`scripted`](crate::adversary::scripted): each of its transmissions takes a
//! choice (send `attack`, send `retreat`, or withhold). First an honest run of each traitor
//! placement counts how many transmissions each traitor makes to each recipient; those are the
//! choice slots.
//!
//! - `--exhaustive` enumerates every placement allowed by `faults.who` and every assignment of
//!   the three choices to every slot (3^slots per placement), and refuses with the count when it
//!   exceeds `--budget`. It needs direct transport. If no run sends more than the honest count
//!   (checked), finding nothing is a proof for that configuration, latencies as drawn from the
//!   seed (round-based protocols do not depend on them while messages arrive within a round).
//! - Otherwise a random ("swarm") search draws, per adversary, the placement, each slot's choice
//!   (honest included, and one of three mutants of the message, ByzzFuzz's small-scope mutation:
//!   [`crate::general::Protocol::mutations`]), the seed (hence the latency draws) and, when the scenario has loss, a
//!   loss rate up to it. With `faults.behaviour = "twins"` it draws each traitor's two copies'
//!   sets instead of scripts. Under `timing = "partial"` it also draws the pre-GST schedule:
//!   the scheduler, GST (no later than the scenario's, no earlier than its own partitions heal)
//!   and, for a scenario without partitions, up to two cuts, each healed by GST.
//!
//! A violation is then shrunk (fewer traitors, fewer deviating messages, smaller twin sets,
//! fewer and shorter cuts, the `random` scheduler, an earlier GST, smaller n, each step kept
//! only if the same property still fails) and written as a scenario file whose `[expect]`
//! says the property is violated, so `byzsim run FILE` reproduces it and exits 0.

pub mod candidate;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rand::Rng;
use rand::seq::index::sample;

use crate::adversary::BehaviourSpec;
use crate::adversary::Choice;
use crate::engine::network::Transport;
use crate::engine::timing::Timing;
use crate::error::InputError;
use crate::output::write_atomically;
use crate::protocol::Kind;
use crate::rng::{SEED_MASK, SimRng, mix, trial_seed};
use crate::scenario::source::{parse_override, set_path};
use crate::scenario::{Scenario, ScenarioText, Who};
use crate::trace_index::TraceIndex;
use crate::trial::run_trial;
use candidate::{Candidate, Cut, Plan, Schedule};

/// What `byzsim hunt` was asked to do.
#[derive(Clone, Debug)]
pub struct HuntOptions {
    pub file: PathBuf,
    pub sets: Vec<String>,
    pub budget: u64,
    pub exhaustive: bool,
    pub out: Option<PathBuf>,
    pub seed: Option<u64>,
}

/// A violation, shrunk.
#[derive(Clone, Debug)]
pub struct Violation {
    pub kind: Kind,
    pub property: &'static str,
    pub reason: String,
    pub candidate: Candidate,
    /// The scenario file that replays it.
    pub reproducer: String,
    /// Adversaries tried before it was found.
    pub tried: u64,
}

/// The result of a hunt.
#[derive(Clone, Debug)]
pub enum HuntOutcome {
    /// Nothing found in `tried` adversaries; `proof` when the search was exhaustive and complete.
    Clean {
        tried: u64,
        proof: bool,
        note: String,
    },
    Found(Box<Violation>),
}

/// The base scenario: its validated form and its TOML table with the `--set`s applied.
struct Base {
    file: String,
    table: toml::Table,
    sc: Scenario,
}

fn base(opts: &HuntOptions) -> Result<Base, InputError> {
    let text = ScenarioText::read(&opts.file)?;
    let mut sets = opts.sets.clone();
    sets.extend(opts.seed.map(|s| format!("seed={s}")));
    let sc = Scenario::parse(&text.file, &text.stem, &text.text, &sets)?;
    let mut table: toml::Table = toml::from_str(&text.text)
        .map_err(|e| InputError::file(&text.file, e.message().to_string()))?;
    for spec in &sets {
        let (key, value) = parse_override(spec)?;
        set_path(&mut table, &key, value).map_err(|m| InputError::file("--set", m))?;
    }
    if sc.t == 0 {
        return Err(InputError::file(
            &text.file,
            "t = 0: there are no traitors to search over; set t",
        ));
    }
    Ok(Base {
        file: text.file,
        table,
        sc,
    })
}

/// Runs a hunt.
pub fn hunt(opts: &HuntOptions) -> Result<HuntOutcome, InputError> {
    let base = base(opts)?;
    let mut tried = 0;
    let mut proof = true;
    for &kind in &base.sc.kinds {
        let found = if opts.exhaustive {
            exhaustive(&base, kind, opts.budget, &mut tried, &mut proof)?
        } else {
            proof = false;
            swarm(&base, kind, opts.budget, &mut tried)?
        };
        if let Some((candidate, property)) = found {
            let violation = shrink(&base, kind, candidate, property, tried)?;
            if let Some(path) = &opts.out {
                write_atomically(path, |w| w.write_all(violation.reproducer.as_bytes()))?;
            }
            return Ok(HuntOutcome::Found(Box::new(violation)));
        }
    }
    let note = if proof {
        "every choice of the traitors (attack, retreat or withhold, per transmission) was tried: none violates agreement, validity or termination"
            .to_string()
    } else if opts.exhaustive {
        "not a proof: some runs made more transmissions than the honest run counted".to_string()
    } else {
        "random search: no proof".to_string()
    };
    Ok(HuntOutcome::Clean { tried, proof, note })
}

/// Runs `c` and returns (violated property, unscripted transmissions).
fn judge(
    base: &Base,
    kind: Kind,
    c: &Candidate,
) -> Result<(Option<&'static str>, u64), InputError> {
    let sc = c.scenario(&base.table, &base.file)?;
    let r = run_trial(&sc, kind, 0, trial_seed(sc.seed, 0), false)?;
    let v = &r.verdicts;
    let property = [
        ("agreement", &v.agreement),
        ("validity", &v.validity),
        ("termination", &v.termination),
    ]
    .into_iter()
    .find(|(_, verdict)| !verdict.holds)
    .map(|(p, _)| p);
    Ok((property, r.unscripted))
}

/// Transmissions each traitor of `who` makes to each recipient in an honest run: the slots.
fn slots(
    base: &Base,
    kind: Kind,
    n: usize,
    who: &[u32],
    seed: u64,
) -> Result<Vec<Plan>, InputError> {
    let honest = Candidate {
        n,
        who: who.to_vec(),
        scripts: vec![Plan::new(); who.len()],
        seed,
        ..Candidate::default()
    };
    let sc = honest.scenario(&base.table, &base.file)?;
    let r = run_trial(&sc, kind, 0, trial_seed(sc.seed, 0), true)?;
    let Some(trace) = &r.trace else {
        return Ok(vec![Plan::new(); who.len()]);
    };
    if let Some(note) = trace.cut_note() {
        return Err(InputError::file(
            &base.file,
            format!(
                "the honest run of {} is too large to count the traitors' transmissions ({note}): hunt a smaller configuration",
                kind.name()
            ),
        ));
    }
    let index = TraceIndex::new(trace, &sc_traitors(&sc, who));
    let mut counts: Vec<BTreeMap<u32, usize>> = vec![BTreeMap::new(); who.len()];
    for k in index.transmissions() {
        let s = index.sent(k);
        if !s.relay
            && let Some(i) = who.iter().position(|&w| w == s.from.0)
        {
            *counts[i].entry(s.to.0).or_insert(0) += 1;
        }
    }
    Ok(counts
        .into_iter()
        .map(|m| {
            m.into_iter()
                .map(|(to, k)| (to, vec![Choice::Honest; k]))
                .collect()
        })
        .collect())
}

/// C(n, k), saturating at `u128::MAX`.
fn binomial(n: u64, k: u64) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        // c · (n − i) / (i + 1) stays whole at every step.
        c = match c.checked_mul((n - i) as u128) {
            Some(x) => x / (i + 1) as u128,
            None => return u128::MAX,
        };
    }
    c
}

/// How many placements `faults.who` allows, counted without listing them.
fn placement_count(sc: &Scenario) -> u128 {
    let (n, t) = (sc.n as u64, sc.t as u64);
    match &sc.who {
        Who::Ids(_) => 1,
        Who::Random => binomial(n, t),
        Who::Commander => binomial(n - 1, t - 1),
    }
}

/// The `index`-th placement containing `commander` in lexicographic order (the order of
/// [`placements`]), found without listing them.
fn commander_placement(n: u32, t: usize, commander: u32, mut index: u128) -> Vec<u32> {
    // Completions of a prefix: `left` more ids from `from..n`, the commander among them unless
    // the prefix has it.
    let completions = |from: u32, left: usize, need: bool| -> u128 {
        let rest = (n - from) as u64;
        match (need, commander >= from) {
            (false, _) => binomial(rest, left as u64),
            (true, true) if left > 0 => binomial(rest - 1, left as u64 - 1),
            (true, _) => 0,
        }
    };
    let mut out = Vec::with_capacity(t);
    let mut need = true;
    let mut from = 0;
    while out.len() < t {
        for v in from..n {
            let still_need = need && v != commander;
            let k = completions(v + 1, t - out.len() - 1, still_need);
            if index < k {
                out.push(v);
                need = still_need;
                from = v + 1;
                break;
            }
            index -= k;
        }
    }
    out
}

/// Which generals of `sc` are the traitors `who`.
fn sc_traitors(sc: &Scenario, who: &[u32]) -> Vec<bool> {
    (0..sc.nodes() as u32).map(|v| who.contains(&v)).collect()
}

/// The traitor placements `faults.who` allows.
fn placements(sc: &Scenario) -> Vec<Vec<u32>> {
    let (n, t, commander) = (sc.n as u32, sc.t, sc.commander.0);
    match &sc.who {
        Who::Ids(ids) => vec![ids.iter().map(|v| v.0).collect()],
        Who::Random => subsets(n, t),
        Who::Commander => subsets(n, t)
            .into_iter()
            .filter(|s| s.contains(&commander))
            .collect(),
    }
}

/// All `t`-subsets of `0..n`, in lexicographic order.
fn subsets(n: u32, t: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    fn go(start: u32, n: u32, t: usize, current: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        if current.len() == t {
            out.push(current.clone());
            return;
        }
        for v in start..n {
            if n - v < (t - current.len()) as u32 {
                break;
            }
            current.push(v);
            go(v + 1, n, t, current, out);
            current.pop();
        }
    }
    go(0, n, t, &mut current, &mut out);
    out
}

const DEVIATIONS: [Choice; 3] = [Choice::Attack, Choice::Retreat, Choice::Withhold];

fn exhaustive(
    base: &Base,
    kind: Kind,
    budget: u64,
    tried: &mut u64,
    proof: &mut bool,
) -> Result<Option<(Candidate, &'static str)>, InputError> {
    if matches!(base.sc.behaviour, BehaviourSpec::Twins { .. }) {
        return Err(InputError::file(
            &base.file,
            "--exhaustive enumerates scripted choices, not twin placements: drop --exhaustive to search the twins' sets (and the pre-GST schedule) at random",
        ));
    }
    if base.sc.network.transport != Transport::Direct {
        return Err(InputError::file(
            &base.file,
            "--exhaustive enumerates direct transmissions: set network.transport = \"direct\" (or drop --exhaustive for a random search)",
        ));
    }
    let seed = base.sc.seed;
    let too_many = |total: f64, placements: u128| {
        InputError::file(
            &base.file,
            format!(
                "--exhaustive: the traitors have about {total:.3e} ways to choose ({placements} placement(s), 3 choices per transmission) for {}, more than --budget {budget}: shrink the configuration, raise --budget, or search at random without --exhaustive",
                kind.name()
            ),
        )
    };
    // Count before simulating: placements × the choices of the first one (one honest run).
    let count = placement_count(&base.sc);
    let first = match &base.sc.who {
        Who::Ids(ids) => ids.iter().map(|v| v.0).collect(),
        Who::Commander => commander_placement(base.sc.n as u32, base.sc.t, base.sc.commander.0, 0),
        Who::Random => (0..base.sc.t as u32).collect(),
    };
    let first_slots = slots(base, kind, base.sc.n, &first, seed)?;
    let k: usize = first_slots
        .iter()
        .flat_map(|p| p.values())
        .map(Vec::len)
        .sum();
    let estimate = count as f64 * 3f64.powi(k.min(i32::MAX as usize) as i32);
    if estimate > budget as f64 {
        return Err(too_many(estimate, count));
    }
    let mut plans = Vec::new();
    let mut total: f64 = 0.0;
    for who in placements(&base.sc) {
        let slots = slots(base, kind, base.sc.n, &who, seed)?;
        let k: usize = slots.iter().flat_map(|p| p.values()).map(Vec::len).sum();
        total += 3f64.powi(k as i32);
        plans.push((who, slots, k));
    }
    if total > budget as f64 {
        return Err(too_many(total, plans.len() as u128));
    }
    for (who, slots, k) in plans {
        let positions: Vec<(usize, u32, usize)> = slots
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                p.iter()
                    .flat_map(move |(&to, c)| (0..c.len()).map(move |j| (i, to, j)))
            })
            .collect();
        let mut digits = vec![0usize; k];
        loop {
            let mut scripts = slots.clone();
            for (&(i, to, j), &d) in positions.iter().zip(&digits) {
                if let Some(c) = scripts[i].get_mut(&to) {
                    c[j] = DEVIATIONS[d];
                }
            }
            let c = Candidate {
                n: base.sc.n,
                who: who.clone(),
                scripts,
                seed,
                ..Candidate::default()
            };
            *tried += 1;
            let (property, unscripted) = judge(base, kind, &c)?;
            if unscripted > 0 {
                *proof = false;
            }
            if let Some(p) = property {
                return Ok(Some((c, p)));
            }
            // Next assignment (mixed radix, base 3).
            let Some(pos) = digits.iter().position(|&d| d < 2) else {
                break;
            };
            digits[..pos].iter_mut().for_each(|d| *d = 0);
            digits[pos] += 1;
        }
    }
    Ok(None)
}

fn swarm(
    base: &Base,
    kind: Kind,
    budget: u64,
    tried: &mut u64,
) -> Result<Option<(Candidate, &'static str)>, InputError> {
    let sc = &base.sc;
    let count = placement_count(sc);
    let mut slot_cache: BTreeMap<Vec<u32>, Vec<Plan>> = BTreeMap::new();
    for i in 0..budget {
        let mut rng: SimRng = crate::rng::stream(mix(&[sc.seed, i]), crate::rng::Stream::Protocol);
        let who = match &sc.who {
            Who::Random => {
                let mut w: Vec<u32> = sample(&mut rng, sc.n, sc.t)
                    .into_iter()
                    .map(|v| v as u32)
                    .collect();
                w.sort_unstable();
                w
            }
            Who::Ids(ids) => ids.iter().map(|v| v.0).collect(),
            // The same draw as indexing the list of placements, without listing them.
            Who::Commander => match usize::try_from(count) {
                Ok(len) => {
                    let index = rng.random_range(0..len) as u128;
                    commander_placement(sc.n as u32, sc.t, sc.commander.0, index)
                }
                Err(_) => {
                    let mut w: Vec<u32> = sample(&mut rng, sc.n - 1, sc.t - 1)
                        .into_iter()
                        .map(|v| v as u32 + u32::from(v as u32 >= sc.commander.0))
                        .chain([sc.commander.0])
                        .collect();
                    w.sort_unstable();
                    w
                }
            },
        };
        let twinned = matches!(sc.behaviour, BehaviourSpec::Twins { .. });
        let (scripts, twins) = if twinned {
            (Vec::new(), Some(draw_twins(&mut rng, sc.n, &who)))
        } else {
            if !slot_cache.contains_key(&who) {
                let s = slots(base, kind, sc.n, &who, sc.seed)?;
                slot_cache.insert(who.clone(), s);
            }
            let mut scripts = slot_cache[&who].clone();
            for plan in &mut scripts {
                for choices in plan.values_mut() {
                    for c in choices.iter_mut() {
                        *c = Choice::SEARCH[rng.random_range(0..Choice::SEARCH.len())];
                    }
                }
            }
            (scripts, None)
        };
        let schedule = draw_schedule(&mut rng, sc);
        let mut extra = Vec::new();
        if sc.network.loss > 0.0 {
            let loss = rng.random_range(0.0..=sc.network.loss);
            extra.push(("network.loss".to_string(), toml::Value::Float(loss)));
        }
        let seed = rng.random::<u64>() & SEED_MASK;
        let c = Candidate {
            n: sc.n,
            who,
            scripts,
            seed,
            extra,
            twins,
            schedule,
        };
        *tried += 1;
        if let (Some(p), _) = judge(base, kind, &c)? {
            return Ok(Some((c, p)));
        }
    }
    Ok(None)
}

/// Each traitor's two copies' sets: every other general hears the first copy, the second, or
/// (one time in six) neither.
fn draw_twins(rng: &mut SimRng, n: usize, who: &[u32]) -> Vec<[Vec<u32>; 2]> {
    who.iter()
        .map(|&traitor| {
            let mut sets = [Vec::new(), Vec::new()];
            for v in (0..n as u32).filter(|&v| v != traitor) {
                match rng.random_range(0..6) {
                    0 => {}
                    k => sets[k % 2].push(v),
                }
            }
            sets
        })
        .collect()
}

/// Under partial synchrony, the adversary's schedule before GST: any scheduler, GST anywhere up
/// to the scenario's, and, when the scenario lists no partitions of its own (those are kept as
/// given), up to two cuts of a random side from everyone else, each healed by GST (a cut past
/// GST would break the model's promise that every message then arrives within delta). Half the
/// cuts start within the first eight worst-case link delays, where a single-shot protocol's
/// first round happens. Other timing models keep the scenario's schedule.
fn draw_schedule(rng: &mut SimRng, sc: &Scenario) -> Option<Schedule> {
    let Timing::Partial { gst, .. } = &sc.network.timing else {
        return None;
    };
    let gst_ms = rng.random_range(partitions_end(sc)..=gst.as_ms() as u64);
    let scheduler = crate::engine::timing::SchedulerKind::NAMES[rng.random_range(0..3)].to_string();
    let mut cuts = Vec::new();
    let early = (8.0 * sc.network.latency.worst().as_ms()).ceil() as u64;
    if gst_ms > 0 && sc.network.partitions.is_empty() {
        for _ in 0..rng.random_range(0..=2) {
            // A side of 1..n − 1 generals, its size uniform.
            let size = rng.random_range(1..sc.n);
            let mut side: Vec<u32> = sample(rng, sc.n, size)
                .into_iter()
                .map(|v| v as u32)
                .collect();
            side.sort_unstable();
            let horizon = if rng.random::<bool>() {
                early.clamp(1, gst_ms)
            } else {
                gst_ms
            };
            let from_ms = rng.random_range(0..horizon);
            let to_ms = rng.random_range(from_ms + 1..=gst_ms);
            let one_way = rng.random::<bool>();
            cuts.push(Cut {
                from_ms,
                to_ms,
                side,
                one_way,
            });
        }
    }
    Some(Schedule {
        scheduler,
        gst_ms,
        cuts,
    })
}

/// When the scenario's own partitions have all healed, in whole ms, at most its GST: the hunt
/// moves GST no earlier, so partitions the scenario keeps within the model stay within it.
fn partitions_end(sc: &Scenario) -> u64 {
    let gst = sc.network.timing.gst().map_or(0, |g| g.as_ms() as u64);
    let end = (sc.network.partitions.iter())
        .map(|p| p.to.as_ms().ceil() as u64)
        .max()
        .unwrap_or(0);
    end.min(gst)
}

/// Whether `c` still violates `property`.
fn still(base: &Base, kind: Kind, c: &Candidate, property: &str) -> bool {
    matches!(judge(base, kind, c), Ok((Some(p), _)) if p == property)
}

/// Fewer traitors, fewer deviating messages, smaller n: each step kept only if `property` still
/// fails; repeated until nothing more can go.
fn shrink(
    base: &Base,
    kind: Kind,
    found: Candidate,
    property: &'static str,
    tried: u64,
) -> Result<Violation, InputError> {
    let mut best = found.trimmed();
    loop {
        let before = best.clone();
        // Fewer traitors.
        let mut i = 0;
        while i < best.who.len() && best.who.len() > 1 {
            let mut c = best.clone();
            c.who.remove(i);
            if let Some(t) = &mut c.twins {
                t.remove(i);
            } else {
                c.scripts.remove(i);
            }
            if still(base, kind, &c, property) {
                best = c;
            } else {
                i += 1;
            }
        }
        // Fewer deviating messages.
        let positions: Vec<(usize, u32, usize)> = best
            .scripts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                p.iter()
                    .flat_map(move |(&to, c)| (0..c.len()).map(move |j| (i, to, j)))
            })
            .collect();
        for (i, to, j) in positions {
            let mut c = best.clone();
            if let Some(choices) = c.scripts[i].get_mut(&to)
                && choices[j] != Choice::Honest
            {
                choices[j] = Choice::Honest;
                if still(base, kind, &c, property) {
                    best = c;
                }
            }
        }
        best = best.trimmed();
        // Twins: fewer generals in each copy's set (they hear nothing from that traitor).
        for i in 0..best.twins.as_ref().map_or(0, Vec::len) {
            for copy in 0..2 {
                let mut k = 0;
                while let Some(&v) = best.twins.as_ref().and_then(|t| t[i][copy].get(k)) {
                    let mut c = best.clone();
                    if let Some(t) = &mut c.twins {
                        t[i][copy].retain(|&x| x != v);
                    }
                    if still(base, kind, &c, property) {
                        best = c;
                    } else {
                        k += 1;
                    }
                }
            }
        }
        // The schedule: fewer cuts, each shorter; the plain random scheduler; an earlier GST.
        best = shrink_schedule(base, kind, best, property);
        // Smaller n: drop the last general when it is honest and not the commander.
        let last = best.n as u32 - 1;
        if best.n > 2
            && !best.who.contains(&last)
            && last != base.sc.commander.0
            && best.who.len() < best.n - 1
        {
            let mut c = best.clone();
            c.n -= 1;
            for plan in &mut c.scripts {
                plan.remove(&last);
            }
            for sets in c.twins.iter_mut().flatten() {
                sets.iter_mut().for_each(|s| s.retain(|&v| v != last));
            }
            if let Some(s) = &mut c.schedule {
                for cut in &mut s.cuts {
                    cut.side.retain(|&v| v != last);
                }
                let n = c.n;
                s.cuts
                    .retain(|cut| !cut.side.is_empty() && cut.side.len() < n);
            }
            if c.scenario(&base.table, &base.file).is_ok() && still(base, kind, &c, property) {
                best = c;
            }
        }
        if best == before {
            break;
        }
    }
    let sc = best.scenario(&base.table, &base.file)?;
    let r = run_trial(&sc, kind, 0, trial_seed(sc.seed, 0), false)?;
    let v = &r.verdicts;
    let reason = match property {
        "agreement" => v.agreement.reason.clone(),
        "validity" => v.validity.reason.clone(),
        _ => v.termination.reason.clone(),
    };
    let reproducer = reproducer(base, kind, &best, property, &reason);
    Ok(Violation {
        kind,
        property,
        reason,
        candidate: best,
        reproducer,
        tried,
    })
}

/// The schedule of `best`, reduced while `property` still fails: each cut removed or halved,
/// the scheduler made `random`, GST halved (never below the end of the last cut, nor of the
/// scenario's own partitions).
fn shrink_schedule(base: &Base, kind: Kind, mut best: Candidate, property: &str) -> Candidate {
    let Some(schedule) = best.schedule.clone() else {
        return best;
    };
    let try_with = |best: &mut Candidate, s: Schedule| {
        let mut c = best.clone();
        c.schedule = Some(s);
        let kept = still(base, kind, &c, property);
        if kept {
            *best = c;
        }
        kept
    };
    let mut i = 0;
    while i < best.schedule.as_ref().map_or(0, |s| s.cuts.len()) {
        let mut s = best.schedule.clone().unwrap_or(schedule.clone());
        s.cuts.remove(i);
        if !try_with(&mut best, s) {
            i += 1;
        }
    }
    for i in 0..best.schedule.as_ref().map_or(0, |s| s.cuts.len()) {
        loop {
            let mut s = best.schedule.clone().unwrap_or(schedule.clone());
            let cut = &mut s.cuts[i];
            let half = cut.from_ms + (cut.to_ms - cut.from_ms) / 2;
            if half <= cut.from_ms {
                break;
            }
            cut.to_ms = half;
            if !try_with(&mut best, s) {
                break;
            }
        }
    }
    if let Some(s) = best.schedule.clone()
        && s.scheduler != "random"
    {
        try_with(
            &mut best,
            Schedule {
                scheduler: "random".into(),
                ..s
            },
        );
    }
    while let Some(s) = best.schedule.clone() {
        let floor = (s.cuts.iter().map(|c| c.to_ms))
            .chain([partitions_end(&base.sc)])
            .max()
            .unwrap_or(0);
        let half = (s.gst_ms / 2).max(floor);
        if half >= s.gst_ms || !try_with(&mut best, Schedule { gst_ms: half, ..s }) {
            break;
        }
    }
    best
}

/// The scenario file that replays a violation.
fn reproducer(base: &Base, kind: Kind, c: &Candidate, property: &str, reason: &str) -> String {
    let mut t = c.table(&base.table);
    let _ = set_path(
        &mut t,
        "protocol.kind",
        toml::Value::String(kind.name().into()),
    );
    let _ = set_path(
        &mut t,
        &format!("expect.{property}"),
        toml::Value::String("violated".into()),
    );
    let name = format!("{}-hunted", base.sc.name);
    t.insert("name".into(), toml::Value::String(name));
    let description = format!(
        "Found by byzsim hunt from {} and shrunk: n = {}, traitors {:?}, {}. {property} fails: {reason}.",
        base.file,
        c.n,
        c.who,
        c.summary()
    );
    t.insert("description".into(), toml::Value::String(description));
    let body = toml::to_string(&t).unwrap_or_default();
    format!("# Replay: byzsim run THIS_FILE\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_are_all_t_subsets_in_order() {
        assert_eq!(
            subsets(4, 2),
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(subsets(3, 0), vec![Vec::<u32>::new()]);
        assert_eq!(subsets(5, 3).len(), 10);
    }

    #[test]
    fn binomial_counts_subsets() {
        assert_eq!(binomial(30, 9), 14_307_150);
        assert_eq!(binomial(5, 0), 1);
        assert_eq!(binomial(3, 4), 0);
        assert_eq!(binomial(100_000, 50_000), u128::MAX);
        for n in 0..12u32 {
            for t in 0..=n as usize {
                assert_eq!(subsets(n, t).len() as u128, binomial(n as u64, t as u64));
            }
        }
    }

    /// Unranking lists the same placements, in the same order, as filtering the subsets.
    #[test]
    fn commander_placements_unrank_in_lexicographic_order() {
        for n in 1..9u32 {
            for t in 1..=n as usize {
                for c in 0..n {
                    let listed: Vec<Vec<u32>> = subsets(n, t)
                        .into_iter()
                        .filter(|s| s.contains(&c))
                        .collect();
                    assert_eq!(listed.len() as u128, binomial(n as u64 - 1, t as u64 - 1));
                    for (i, s) in listed.iter().enumerate() {
                        assert_eq!(
                            &commander_placement(n, t, c, i as u128),
                            s,
                            "n {n} t {t} c {c}"
                        );
                    }
                }
            }
        }
    }
}
