//! `oral`: Lamport, Shostak and Pease's oral-messages algorithm OM(m) ("The Byzantine Generals
//! Problem", ACM TOPLAS 1982, section 3).
//!
//! OM(0): the commander sends its value to every lieutenant, who uses it (RETREAT if none).
//! OM(m): the commander sends its value to every lieutenant; each lieutenant i then acts as the
//! commander of OM(m − 1), relaying the value it received to the n − 2 others; finally it takes
//! the majority of its own value and of the values it obtained, by OM(m − 1), from each other
//! lieutenant (ties and missing values: RETREAT).
//!
//! Here a message carries its *path*: the commander followed by the lieutenants that relayed it
//! (`0:3:1` is "1 says that 3 says that the commander said"). Round r carries the paths of length
//! r: the commander sends at time 0, and at the end of each round r ≤ m every lieutenant relays
//! each path of length r it received (and is not on) to every general not on it. At the end of
//! round m + 1 lieutenant i evaluates the recursion bottom-up over the paths it holds:
//! `val(p) = received(p)` for |p| = m + 1, else `majority(received(p), val(p·k) for k ∉ p, k ≠ i)`,
//! and decides `majority(received(c), val(c·j) for j ≠ i)`. The commander decides its own order.
//!
//! Messages of an honest run over direct links: f(n, 0) = n − 1, f(n, m) = (n − 1) +
//! (n − 1)·f(n − 1, m − 1), the paper's recursion. Bound: OM(m) reaches interactive consistency
//! with at most m traitors iff n > 3m; with t ≤ m traitors its Lemma 1 needs n > 2t + m. So a
//! configuration is inside when m ≥ t and n > 2t + m (n > 3t at the default m = t), and on a
//! graph with disjoint-path transmission also when its vertex connectivity exceeds 2t (Dolev 1982).
//!
//! Traitor strategy `lsp-split`, the paper's impossibility argument at work (the three generals
//! generalised to three groups of at most t). The loyal lieutenants are split by id into a lower
//! half, the `attack` side, and an upper half, the `retreat` side. A traitorous commander tells each
//! lieutenant its side's value. A traitorous lieutenant serving a traitorous commander relays to
//! each general its side's value, whatever it heard, so that every loyal lieutenant's view
//! agrees with its own commander's order. Serving a loyal commander, it relays the opposite of
//! every value it received, to outvote the order.
//!
//! Which property breaks where: with a loyal commander and t lying lieutenants, validity needs
//! n > 3t (the paper's Lemma 1 with k = m = t); n = 3 with a lying lieutenant, or n = 6 with two,
//! loses the `attack` order (ties go to retreat, so a `retreat` order survives). With a lying
//! commander, agreement only needs OM(m − 1) to be valid among n − 1 generals with m − 1
//! traitors, n − 1 > 3(m − 1) (the induction of Theorem 1), so n = 3t does not let a lying
//! commander split the loyal lieutenants. What the colluding lieutenants do break is m < t: OM(1)
//! with n = 7 and a lying commander and lieutenant splits the loyal lieutenants.

use std::collections::BTreeMap;

use crate::adversary::run_honest;
use crate::general::Traitor;
use crate::general::{
    About, Action, Ctx, EstimateInput, Message, Messages, Params, Protocol, Setup, Theorem,
    Validity,
};
use crate::types::{NodeId, Value, majority};

/// A value with the path it came along: the commander first, then each relaying lieutenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OralMsg {
    /// Shared by all the copies of one relay (a trial runs on one thread).
    pub path: std::rc::Rc<[u32]>,
    pub value: Value,
}

impl Message for OralMsg {
    fn wire_bytes(&self) -> u32 {
        1 + 4 * self.path.len() as u32
    }

    /// "attack along 0→3→1": 1 says that 3 says that the commander 0 said attack.
    fn label(&self) -> String {
        let path: Vec<String> = self.path.iter().map(u32::to_string).collect();
        format!("{} along {}", self.value, path.join("→"))
    }

    /// One message per path; a general on the path never receives it.
    fn about(&self) -> About {
        let slot = |p: &[u32]| p.iter().map(u32::to_string).collect::<Vec<_>>().join("→");
        About {
            slot: slot(&self.path),
            value: Some(self.value),
            skips: self.path.to_vec(),
            passes_on: (self.path.len() > 1).then(|| slot(&self.path[..self.path.len() - 1])),
            signatures: None,
            block: None,
            to_one: false,
        }
    }
}

/// One general running OM(m).
pub struct Oral {
    id: u32,
    n: usize,
    m: usize,
    commander: u32,
    order: Value,
    /// The first value received along each path: `received[len − 1]` holds the paths of
    /// length `len`, keyed by the path packed into an integer ([`Oral::key`]).
    received: Vec<BTreeMap<u128, Value>>,
    /// Bits per general id in a packed path.
    bits: u32,
    decision: Option<Value>,
}

impl Oral {
    /// A path packed into an integer, first general in the highest bits, so that keys of one
    /// length sort like the paths. `(m + 1)·bits ≤ 128` is guaranteed by the work estimate
    /// (such a run would send more messages than any limit allows otherwise).
    fn key(&self, path: &[u32]) -> u128 {
        path.iter()
            .fold(0u128, |k, &v| (k << self.bits) | v as u128)
    }

    fn unpack(&self, mut key: u128, len: usize) -> Vec<u32> {
        let mask = (1u128 << self.bits) - 1;
        let mut path = vec![0u32; len];
        for slot in path.iter_mut().rev() {
            *slot = (key & mask) as u32;
            key >>= self.bits;
        }
        path
    }

    fn get(&self, path: &[u32]) -> Option<Value> {
        self.received
            .get(path.len().checked_sub(1)?)?
            .get(&self.key(path))
            .copied()
    }

    fn is_commander(&self) -> bool {
        self.id == self.commander
    }

    /// Whether a message along `path` from `from` is well-formed for this lieutenant.
    fn acceptable(&self, from: NodeId, path: &[u32]) -> bool {
        let distinct = path
            .iter()
            .enumerate()
            .all(|(i, v)| !path[..i].contains(v) && (*v as usize) < self.n);
        !path.is_empty()
            && path.len() <= self.m + 1
            && path[0] == self.commander
            && path.last() == Some(&from.0)
            && !path.contains(&self.id)
            && distinct
    }

    /// Relays every path of length `len` this lieutenant holds.
    fn relay(&self, ctx: &mut Ctx<Oral>, len: usize) {
        let Some(paths) = self.received.get(len - 1) else {
            return;
        };
        for (&key, &value) in paths {
            let mut next = self.unpack(key, len);
            next.push(self.id);
            let shared: std::rc::Rc<[u32]> = next.into();
            for to in (0..self.n as u32).filter(|v| !shared.contains(v)) {
                let path = shared.clone();
                ctx.send(NodeId(to), OralMsg { path, value });
            }
        }
    }

    /// `val(p)` of the recursion, for a path `p` not containing this lieutenant.
    fn val(&self, path: &mut Vec<u32>) -> Value {
        let direct = self.get(path).unwrap_or_default();
        if path.len() > self.m {
            return direct;
        }
        let (mut attack, mut retreat) = (0, 0);
        let mut count = |v: Value| match v {
            Value::Attack => attack += 1,
            Value::Retreat => retreat += 1,
        };
        count(direct);
        for k in 0..self.n as u32 {
            if k == self.id || path.contains(&k) {
                continue;
            }
            path.push(k);
            count(self.val(path));
            path.pop();
        }
        majority(attack, retreat)
    }

    fn decide(&self) -> Value {
        let own = self.get(&[self.commander]).unwrap_or_default();
        if self.m == 0 {
            return own;
        }
        let (mut attack, mut retreat) = (0, 0);
        let mut count = |v: Value| match v {
            Value::Attack => attack += 1,
            Value::Retreat => retreat += 1,
        };
        count(own);
        let mut path = vec![self.commander];
        for j in 0..self.n as u32 {
            if j == self.id || j == self.commander {
                continue;
            }
            path.push(j);
            count(self.val(&mut path));
            path.pop();
        }
        majority(attack, retreat)
    }
}

/// An oral-messages general's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OralTimer {
    /// End of round r ≤ m: relay the paths of length r.
    Relay(u32),
    /// End of round m + 1: decide.
    Decide,
}

impl Protocol for Oral {
    type Msg = OralMsg;
    type Params = ();
    type Timer = OralTimer;
    const NAME: &'static str = "oral";
    const VALIDITY: Validity = Validity::Commander;
    const STRATEGIES: &'static [&'static str] = &["lsp-split"];

    fn new(id: NodeId, setup: &Setup, _params: &()) -> Self {
        Oral {
            id: id.0,
            n: setup.n,
            m: setup.m,
            commander: setup.commander.0,
            order: setup.order,
            received: vec![BTreeMap::new(); setup.m + 1],
            bits: usize::BITS - setup.n.leading_zeros(),
            decision: None,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<Oral>) {
        if self.is_commander() {
            ctx.broadcast(OralMsg {
                path: vec![self.id].into(),
                value: self.order,
            });
            self.decision = Some(self.order);
            return;
        }
        for round in 1..=self.m as u32 {
            ctx.timer_at_round(round, OralTimer::Relay(round));
        }
        ctx.timer_at_round(self.m as u32 + 1, OralTimer::Decide);
    }

    fn on_message(&mut self, _ctx: &mut Ctx<Oral>, from: NodeId, msg: OralMsg) {
        if self.decision.is_none() && self.acceptable(from, &msg.path) {
            let key = self.key(&msg.path);
            self.received[msg.path.len() - 1]
                .entry(key)
                .or_insert(msg.value);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Oral>, timer: OralTimer) {
        match timer {
            OralTimer::Decide => self.decision = Some(self.decide()),
            OralTimer::Relay(round) => self.relay(ctx, round as usize),
        }
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    fn timer_name(&self, timer: &OralTimer) -> String {
        match timer {
            OralTimer::Decide => format!(
                "end of round {}: decide by majority over the paths held",
                self.m + 1
            ),
            OralTimer::Relay(r) => format!("end of round {r}: relay the paths of length {r}"),
        }
    }

    fn with_value(_ctx: &mut Ctx<Oral>, msg: &OralMsg, value: Value) -> Option<OralMsg> {
        Some(OralMsg {
            path: msg.path.clone(),
            value,
        })
    }

    fn bound(p: &Params) -> Option<Theorem> {
        // Lemma 1 of the paper: OM(m) is valid with k traitors when n > 2k + m, and agreement
        // follows by induction on m; at m = t that is the familiar n > 3t. With m > t, n > 3t
        // is not enough: OM(2) with n = 4 and one lying lieutenant loses validity (the
        // lieutenants' OM(1) sub-runs have 3 generals and a traitor).
        let rule = if p.m == p.t {
            "n > 3t, m >= t"
        } else {
            "n > 2t + m, m >= t"
        };
        Some(Theorem {
            holds: p.n > 2 * p.t + p.m && p.m >= p.t,
            rule: rule.to_string(),
            messages: Messages::Oral,
            budgeted: false,
            partial_synchrony: false,
        })
    }

    fn estimate(e: &EstimateInput) -> f64 {
        messages(e.n, e.m)
    }

    fn strategy(
        name: &str,
        _id: NodeId,
        setup: &Setup,
        _params: &(),
        traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        (name == "lsp-split").then(|| {
            Box::new(LspSplit::new(setup.n, setup.commander, traitors)) as Box<dyn Traitor<Self>>
        })
    }
}

/// Messages of an honest OM(m) run with n generals over direct links: the paths of length k
/// ((n − 1)!/(n − k)! of them) each sent to the n − k generals not on them, for k = 1..m+1.
/// Equal to the paper's recursion f(n, m).
pub fn messages(n: usize, m: usize) -> f64 {
    let (n, mut paths, mut total) = (n as f64, 1.0, 0.0);
    for k in 1..=(m + 1) {
        let k = k as f64;
        if k > 1.0 {
            paths *= n - k + 1.0;
        }
        total += paths * (n - k).max(0.0);
    }
    total
}

/// The impossibility strategy (see the module doc).
struct LspSplit {
    /// `attack_side[v]`: whether general v is on the `attack` side of the split.
    attack_side: Vec<bool>,
    /// Whether the commander is a traitor too (then the lieutenants back its split).
    colluding: bool,
}

impl LspSplit {
    /// Splits the loyal lieutenants by id: the lower half (rounded up) on the `attack` side.
    fn new(n: usize, commander: NodeId, traitors: &[NodeId]) -> Self {
        let loyal: Vec<usize> = (0..n)
            .filter(|&v| v != commander.0 as usize && !traitors.contains(&NodeId(v as u32)))
            .collect();
        let mut attack_side = vec![false; n];
        for &v in &loyal[..loyal.len().div_ceil(2)] {
            attack_side[v] = true;
        }
        LspSplit {
            attack_side,
            colluding: traitors.contains(&commander),
        }
    }

    /// The value general `to` is told under the split.
    fn side(&self, to: NodeId) -> Value {
        match self.attack_side.get(to.0 as usize) {
            Some(true) => Value::Attack,
            _ => Value::Retreat,
        }
    }
}

impl Traitor<Oral> for LspSplit {
    fn start(&mut self, honest: &mut Oral, ctx: &mut Ctx<Oral>) {
        let start = run_honest::<Oral>(ctx, |c| honest.start(c));
        if !honest.is_commander() {
            return;
        }
        let tail: Vec<Action<OralMsg, OralTimer>> = ctx.outbox().drain(start..).collect();
        for action in tail {
            let Action::Broadcast { msg, .. } = action else {
                ctx.outbox().push(action);
                continue;
            };
            for to in (0..honest.n as u32)
                .map(NodeId)
                .filter(|&v| v.0 != honest.id)
            {
                let value = self.side(to);
                let path = msg.path.clone();
                ctx.send(to, OralMsg { path, value });
            }
        }
    }

    fn on_timer(&mut self, honest: &mut Oral, ctx: &mut Ctx<Oral>, timer: OralTimer) {
        let start = run_honest::<Oral>(ctx, |c| honest.on_timer(c, timer));
        for action in &mut ctx.outbox()[start..] {
            if let Action::Send { to, msg, .. } = action {
                msg.value = if self.colluding {
                    self.side(*to)
                } else {
                    msg.value.flip()
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lieutenant 1 of four generals running OM(2), commander 0.
    fn lieutenant() -> Oral {
        Oral {
            id: 1,
            n: 4,
            m: 2,
            commander: 0,
            order: Value::Attack,
            received: vec![BTreeMap::new(); 3],
            bits: 3,
            decision: None,
        }
    }

    /// A path naming a general that does not exist (id n or more) is rejected, wherever it
    /// names it; the same paths with ids below n are accepted.
    #[test]
    fn a_path_naming_an_id_of_n_or_more_is_rejected() {
        let l = lieutenant();
        assert!(l.acceptable(NodeId(2), &[0, 2]));
        assert!(l.acceptable(NodeId(3), &[0, 2, 3]));
        assert!(!l.acceptable(NodeId(4), &[0, 4]));
        assert!(!l.acceptable(NodeId(3), &[0, 4, 3]));
        assert!(!l.acceptable(NodeId(5), &[0, 2, 5]));
        assert!(!l.acceptable(NodeId(u32::MAX), &[0, u32::MAX]));
    }

    /// Such a message leaves no trace in what the lieutenant holds.
    #[test]
    fn a_message_along_an_out_of_range_path_is_not_stored() {
        let mut l = lieutenant();
        let (mut rng, mut crypto, mut out) = (
            crate::rng::stream(0, crate::rng::Stream::Faults),
            crate::crypto::Crypto::new(0, 4),
            Vec::new(),
        );
        let mut ctx = Ctx {
            id: NodeId(1),
            n: 4,
            now: crate::types::SimTime(0),
            round: crate::types::SimTime(100_000),
            rng: &mut rng,
            key: None,
            crypto: &mut crypto,
            out: &mut out,
            next_timer: &mut 0,
            firing: None,
        };
        let path: std::rc::Rc<[u32]> = vec![0, 4].into();
        l.on_message(
            &mut ctx,
            NodeId(4),
            OralMsg {
                path,
                value: Value::Retreat,
            },
        );
        assert!(l.received.iter().all(BTreeMap::is_empty));
    }
}
