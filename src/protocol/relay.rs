//! The signed-relay core shared by `signed` (LSP SM(m)) and `dolev-strong`: the commander signs
//! its order; a general that receives, in time, a valid chain carrying a value it has not
//! accepted yet accepts the value and, while relaying rounds remain, countersigns the chain and
//! sends it, at the start of the next round, to every general not on it. After the last round it
//! decides the value if it accepted exactly one, else RETREAT. Relays leave at round boundaries,
//! as in the papers' lock-step rounds, so a relay never overtakes the message it answers.
//!
//! *In time*: a chain with k signatures is accepted only up to the end of round k (a general
//! receiving it later ignores it). This is Dolev and Strong's rule, and the synchrony LSP assume
//! for SM(m) ("messages of round k carry k signatures"); without it a traitor could hand a value
//! to some loyal generals after they can no longer pass it on.

use std::marker::PhantomData;

use crate::general::Traitor;
use crate::general::{Ctx, EstimateInput, Params, Protocol, Setup, Theorem, Validity};
use crate::protocol::chain::Chain;
use crate::types::{NodeId, Value};

/// What distinguishes SM(m) from Dolev–Strong.
pub trait Variant: 'static {
    const NAME: &'static str;
    /// Domain separation for the signed bytes.
    const DOMAIN: [u8; 8];
    /// Relaying rounds: chains of up to this many signatures are passed on, and the generals
    /// decide at the end of round `depth + 1`.
    fn depth(setup: &Setup) -> usize;
    /// Relaying rounds for a work estimate.
    fn depth_of(e: &EstimateInput) -> usize;
    fn bound(p: &Params) -> Theorem;
}

/// One general of a signed-relay protocol.
pub struct Chained<V> {
    id: NodeId,
    n: usize,
    commander: NodeId,
    order: Value,
    depth: usize,
    accepted: Vec<Value>,
    /// Countersigned chains waiting for the start of the next round.
    outgoing: Vec<Chain>,
    decision: Option<Value>,
    variant: PhantomData<V>,
}

/// The timers of a signed-relay protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainTimer {
    /// End of a round: pass on the chains accepted in it, countersigned.
    Relay,
    /// End of the last round: decide.
    Decide,
    /// `late-release`: hand on the second chain held back.
    Release,
}

impl<V: Variant> Chained<V> {
    fn accept(&mut self, ctx: &mut Ctx<Chained<V>>, chain: Chain) {
        if self.decision.is_some() || self.accepted.contains(&chain.value) {
            return;
        }
        let in_time = chain.len() as u64 >= ctx.current_round();
        if !in_time || chain.contains(self.id) || !chain.verify(ctx, &V::DOMAIN, self.commander) {
            return;
        }
        self.accepted.push(chain.value);
        if chain.len() <= self.depth {
            if self.outgoing.is_empty() {
                ctx.timer_at_round(ctx.current_round() as u32, ChainTimer::Relay);
            }
            self.outgoing.push(chain.extend(ctx, &V::DOMAIN));
        }
    }

    fn relay(&mut self, ctx: &mut Ctx<Chained<V>>) {
        for next in std::mem::take(&mut self.outgoing) {
            let only: Box<[bool]> = (0..self.n as u32)
                .map(|v| !next.contains(NodeId(v)))
                .collect();
            ctx.broadcast_only(next, only);
        }
    }
}

impl<V: Variant> Protocol for Chained<V> {
    type Msg = Chain;
    type Params = ();
    type Timer = ChainTimer;
    const NAME: &'static str = V::NAME;
    const SIGNED: bool = true;
    const VALIDITY: Validity = Validity::Commander;
    const STRATEGIES: &'static [&'static str] = &["late-release"];

    fn new(id: NodeId, setup: &Setup, _params: &()) -> Self {
        Chained {
            id,
            n: setup.n,
            commander: setup.commander,
            order: setup.order,
            depth: V::depth(setup),
            accepted: Vec::new(),
            outgoing: Vec::new(),
            decision: None,
            variant: PhantomData,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<Chained<V>>) {
        if self.id == self.commander {
            let chain = Chain::start(ctx, &V::DOMAIN, self.order);
            ctx.broadcast(chain);
            self.decision = Some(self.order);
        } else {
            ctx.timer_at_round(self.depth as u32 + 1, ChainTimer::Decide);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Chained<V>>, _from: NodeId, chain: Chain) {
        self.accept(ctx, chain);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Chained<V>>, timer: ChainTimer) {
        if timer == ChainTimer::Relay {
            self.relay(ctx);
            return;
        }
        self.decision = Some(match self.accepted.as_slice() {
            [only] => *only,
            _ => Value::Retreat,
        });
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }

    /// Only the commander can change the value of a chain: it signs a new one.
    fn timer_name(&self, timer: &ChainTimer) -> String {
        match timer {
            ChainTimer::Relay => {
                "end of round: pass on the chains accepted, countersigned".to_string()
            }
            ChainTimer::Release => "late-release: hand on the held second chain".to_string(),
            ChainTimer::Decide => format!(
                "end of round {}: decide (one value accepted: it; else retreat)",
                self.depth + 1
            ),
        }
    }

    fn with_value(ctx: &mut Ctx<Chained<V>>, msg: &Chain, value: Value) -> Option<Chain> {
        (msg.len() == 1 && msg.links[0].signer == ctx.id)
            .then(|| Chain::start(ctx, &V::DOMAIN, value))
    }

    fn bound(p: &Params) -> Option<Theorem> {
        Some(V::bound(p))
    }

    /// An honest run over direct links: the commander's n − 1 sends, then, with a relaying
    /// round, each lieutenant's one relay to the n − 2 generals not on its chain: (n − 1)².
    fn estimate(e: &EstimateInput) -> f64 {
        let n = e.n as f64;
        if V::depth_of(e) == 0 {
            n - 1.0
        } else {
            (n - 1.0) * (n - 1.0)
        }
    }

    fn strategy(
        name: &str,
        id: NodeId,
        setup: &Setup,
        _params: &(),
        traitors: &[NodeId],
    ) -> Option<Box<dyn Traitor<Self>>> {
        (name == "late-release").then(|| {
            let depth = V::depth(setup);
            Box::new(LateRelease::new(id, setup, depth, traitors)) as Box<dyn Traitor<Self>>
        })
    }
}

/// `late-release`: a traitorous commander signs two orders and releases the second as late as the
/// protocol still accepts it. It broadcasts a chain for `attack` (the first order) and passes a
/// chain for `retreat` (the second) privately along r traitor lieutenants, one countersignature
/// per round (each holds only its own key), where r = min(relaying rounds, t − 1) and the
/// relaying rounds are m for SM(m), t for Dolev–Strong. The last of them (the commander itself
/// when r = 0) hands the chain, now r + 1 signatures long, to the lower half (rounded up) of the
/// loyal lieutenants at the start of round r + 1, the last round a chain that long is accepted.
///
/// The first order is `attack` whatever `protocol.value` says: a general holding both orders
/// picks `retreat`, so the generals that miss the second must hold `attack` to disagree.
/// - r = m < t (SM(m) outside its bound): the targets accept the (m + 1)-signature chain in
///   round m + 1 but may not pass it on; they decide `retreat`, the other loyal lieutenants
///   `attack`: agreement breaks in every trial with at least two loyal lieutenants.
/// - r = t − 1 < relaying rounds (SM(m) with m ≥ t; Dolev–Strong): the targets accept a chain of
///   t signatures in round t, relay it in round t + 1, in time, and every loyal general ends
///   with both orders and decides `retreat`: the attack fails, as the theorems promise.
///
/// With a loyal commander the traitors cannot sign a second order and follow the protocol.
pub struct LateRelease {
    id: NodeId,
    commander: NodeId,
    /// The traitor lieutenants that countersign the second order, in id order.
    route: Vec<NodeId>,
    /// The loyal lieutenants that get the second order.
    targets: Vec<NodeId>,
    pending: Option<Chain>,
    active: bool,
}

/// The order a traitorous commander sends everyone.
const FIRST: Value = Value::Attack;
/// The order it releases late.
const SECOND: Value = Value::Retreat;

impl LateRelease {
    fn new(id: NodeId, setup: &Setup, depth: usize, traitors: &[NodeId]) -> LateRelease {
        let loyal: Vec<NodeId> = (0..setup.n as u32)
            .map(NodeId)
            .filter(|v| !traitors.contains(v))
            .collect();
        LateRelease {
            id,
            commander: setup.commander,
            route: traitors
                .iter()
                .copied()
                .filter(|&v| v != setup.commander)
                .take(depth)
                .collect(),
            targets: loyal[..loyal.len().div_ceil(2)].to_vec(),
            pending: None,
            active: traitors.contains(&setup.commander),
        }
    }

    /// Who gets the chain from this traitor: the next one on the route, or (at its end) the
    /// targets. Empty for a traitor off the route.
    fn next_hops(&self) -> &[NodeId] {
        if self.id == self.commander {
            return self
                .route
                .first()
                .map_or(&self.targets, std::slice::from_ref);
        }
        match self.route.iter().position(|&v| v == self.id) {
            Some(at) if at + 1 < self.route.len() => std::slice::from_ref(&self.route[at + 1]),
            Some(_) => &self.targets,
            None => &[],
        }
    }

    fn pass_on<V: Variant>(&self, ctx: &mut Ctx<Chained<V>>, chain: Chain) {
        for &to in self.next_hops() {
            ctx.send(to, chain.clone());
        }
    }

    /// Whether this traitor countersigns the second order rather than treat `chain` honestly.
    fn carries(&self, chain: &Chain) -> bool {
        self.active && chain.value == SECOND && self.route.contains(&self.id)
    }
}

impl<V: Variant> Traitor<Chained<V>> for LateRelease {
    fn start(&mut self, honest: &mut Chained<V>, ctx: &mut Ctx<Chained<V>>) {
        if !(self.active && self.id == self.commander) {
            honest.start(ctx);
            return;
        }
        let first = Chain::start(ctx, &V::DOMAIN, FIRST);
        ctx.broadcast(first);
        let second = Chain::start(ctx, &V::DOMAIN, SECOND);
        self.pass_on(ctx, second);
    }

    fn on_message(
        &mut self,
        honest: &mut Chained<V>,
        ctx: &mut Ctx<Chained<V>>,
        from: NodeId,
        chain: Chain,
    ) {
        if !self.carries(&chain) {
            honest.on_message(ctx, from, chain);
            return;
        }
        if self.pending.is_none() && !chain.contains(self.id) {
            // Countersign now, pass it on at the start of the round its new length allows.
            let next = chain.extend(ctx, &V::DOMAIN);
            ctx.timer_at_round(next.len() as u32 - 1, ChainTimer::Release);
            self.pending = Some(next);
        }
    }

    fn on_timer(&mut self, honest: &mut Chained<V>, ctx: &mut Ctx<Chained<V>>, timer: ChainTimer) {
        if timer != ChainTimer::Release {
            honest.on_timer(ctx, timer);
            return;
        }
        if let Some(chain) = self.pending.take() {
            self.pass_on(ctx, chain);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Crypto, Keyring};
    use crate::general::Action;
    use crate::protocol::signed::{Signed, Sm};
    use crate::rng::{SimRng, Stream, stream};
    use crate::types::SimTime;

    fn ctx<'a>(
        id: u32,
        keys: &'a Keyring,
        crypto: &'a mut Crypto,
        rng: &'a mut SimRng,
        out: &'a mut Vec<Action<Chain, ChainTimer>>,
        next_timer: &'a mut u64,
    ) -> Ctx<'a, Signed> {
        Ctx {
            id: NodeId(id),
            n: 3,
            now: SimTime(0),
            round: SimTime(100_000),
            rng,
            key: Some(keys.own(NodeId(id))),
            crypto,
            out,
            next_timer,
            firing: None,
        }
    }

    /// An equivocating traitor can re-sign only its own order: a one-signature chain it signed.
    /// Someone else's order, or a chain already countersigned, keeps its value.
    #[test]
    fn with_value_re_signs_only_the_traitors_own_order() {
        let keys = Keyring::new(7, 3);
        let (mut crypto, mut rng, mut out) = (Crypto::new(7, 3), stream(7, Stream::Faults), vec![]);
        let mut timers = 0;
        let mut commander = ctx(0, &keys, &mut crypto, &mut rng, &mut out, &mut timers);
        let order = Chain::start(&mut commander, &Sm::DOMAIN, Value::Attack);
        let flipped = Signed::with_value(&mut commander, &order, Value::Retreat).unwrap();
        assert_eq!((flipped.value, flipped.len()), (Value::Retreat, 1));
        assert!(flipped.verify(&mut commander, &Sm::DOMAIN, NodeId(0)));
        let mut lieutenant = ctx(1, &keys, &mut crypto, &mut rng, &mut out, &mut timers);
        assert!(Signed::with_value(&mut lieutenant, &order, Value::Retreat).is_none());
        let relayed = order.extend(&mut lieutenant, &Sm::DOMAIN);
        assert!(Signed::with_value(&mut lieutenant, &relayed, Value::Retreat).is_none());
        let mut commander = ctx(0, &keys, &mut crypto, &mut rng, &mut out, &mut timers);
        assert!(Signed::with_value(&mut commander, &relayed, Value::Retreat).is_none());
    }
}
