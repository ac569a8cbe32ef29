//! The event loop: one [`Sim`] runs one trial.
//!
//! The engine pops events in `(time, seq)` order, hands each to the general it concerns (through
//! its traitor behaviour if it has one), applies the actions the handler queued (sends through
//! the [`Network`], timers into the queue), and notes decisions. It stops when every honest
//! general has decided, when nothing is left to happen, or at a limit ([`Limits`]); hitting a
//! limit is a result of the trial ([`Stop`]), never a hang. The engine names no protocol and no
//! behaviour: it is generic over [`Protocol`] and calls [`Traitor`] through a trait object, both
//! from the contract in [`crate::general`] (it imports neither `protocol/` nor `adversary/`).
//! A cancelled timer is dropped when it comes up, without counting as an event; an adversary on
//! the network may choose every delay ([`Sim::set_scheduler`]).
//!
//! Relays happen here too: a general that receives a flooded envelope, or a copy of a parcel on
//! a disjoint path it lies on, passes it on; a traitor decides each pass through
//! [`Traitor::relay`].

pub mod internet;
pub mod network;
pub mod paths;
pub mod queue;
pub mod timing;
pub mod trace;

use crate::crypto::{Crypto, CryptoStats, Keyring};
use crate::general::{Action, Ctx, Protocol, ProtocolReport, Setup, TimerId};
use crate::general::{Relay, Traitor};
use crate::rng::{SimRng, Stream, stream};
use crate::types::{NodeId, SimTime, Value};
use network::{Event, Links, NetStats, Network, Trace, Transport};
use paths::Routes;
use queue::EventQueue;
use trace::{Recording, TraceEvent};

/// Per-trial limits: reaching one ends the trial with the reason recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Events processed.
    pub max_events: u64,
    /// Simulated time.
    pub max_time: SimTime,
    /// Transmissions (the memory a trial holds grows with them).
    pub max_messages: u64,
    /// Estimated double SHA-256 hashes of hash mining per trial: a scenario estimated above it is
    /// refused before it runs (the engine itself does not count them).
    pub max_hashes: u64,
    /// Estimated memory per trial in MiB (graph, messages in flight, proof-of-work blocks): a
    /// scenario estimated above it is refused before it runs.
    pub max_memory_mb: u64,
    /// Estimated events over all the trials of one run (of one sweep cell): a scenario whose
    /// trials × per-trial estimate exceeds it is refused before it runs, so a run that would
    /// grind for hours fails at once (a million events take a fraction of a second).
    pub max_run_events: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 200_000_000,
            max_time: SimTime::from_ms(86_400_000),
            max_messages: 50_000_000,
            // About 7 minutes of grinding at ~2.4 million hashes per second on one core.
            max_hashes: 1_000_000_000,
            max_memory_mb: 4096,
            max_run_events: 1_000_000_000,
        }
    }
}

/// Why a trial ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every honest general decided.
    AllDecided,
    /// No event was left.
    Drained,
    /// `limits.max_events` was reached.
    EventLimit(u64),
    /// `limits.max_messages` was reached.
    MessageLimit(u64),
    /// The next event lay beyond `limits.max_time`.
    TimeLimit(SimTime),
}

/// Everything a trial produced, for the checkers and the record.
#[derive(Debug)]
pub struct Outcome {
    /// Each general's decision and when (`None`: undecided; traitors' decisions are not kept).
    pub decisions: Vec<Option<(Value, SimTime)>>,
    /// `honest[v]`: general `v` is not a traitor.
    pub honest: Vec<bool>,
    pub stop: Stop,
    /// The time of the last event processed.
    pub end: SimTime,
    pub events: u64,
    pub net: NetStats,
    pub crypto: CryptoStats,
    pub trace: Option<Recording>,
    /// Transmissions scripted traitors made past the end of their scripts.
    pub unscripted: u64,
    /// When each honest general's decision was contradicted by its later state, if ever.
    pub reverted: Vec<Option<SimTime>>,
    pub report: ProtocolReport,
}

/// One trial in progress.
pub struct Sim<P: Protocol> {
    now: SimTime,
    round: SimTime,
    queue: EventQueue<Event<P::Msg, P::Timer>>,
    nodes: Vec<P>,
    traitors: Vec<Option<Box<dyn Traitor<P>>>>,
    rngs: Vec<SimRng>,
    keys: Option<Keyring>,
    crypto: Crypto,
    net: Network<P::Msg>,
    outbox: Vec<Action<P::Msg, P::Timer>>,
    /// The id the next timer set gets, and the cancelled ones (a bitset by id).
    next_timer: u64,
    cancelled: Vec<u64>,
    decisions: Vec<Option<(Value, SimTime)>>,
    undecided_honest: usize,
    /// Generals that want the trial to go on (see [`Protocol::keep_running`] and
    /// [`Traitor::keep_running`]).
    busy: Vec<bool>,
    busy_count: usize,
    limits: Limits,
    events: u64,
    trace: Trace,
    /// Honest generals whose reverted decision is already traced.
    reversion_traced: Vec<bool>,
    /// `down[v]`: honest general `v` has crashed and not yet recovered.
    down: Vec<bool>,
    /// When each general crashes and recovers (`crash-recover`), set before the run.
    power: Vec<(NodeId, SimTime, SimTime)>,
    /// The traitor budget `t` (it sets how many disjoint paths a message needs).
    t: usize,
}

/// The [`Ctx`] of general `$v`, borrowing only the fields it needs, so the general's logic and
/// its traitor behaviour can be borrowed beside it.
macro_rules! ctx_for {
    ($sim:ident, $v:expr) => {
        Ctx {
            id: $v,
            n: $sim.nodes.len(),
            now: $sim.now,
            round: $sim.round,
            rng: &mut $sim.rngs[$v.idx()],
            key: $sim.keys.as_ref().map(|k| k.own($v)),
            crypto: &mut $sim.crypto,
            out: &mut $sim.outbox,
            next_timer: &mut $sim.next_timer,
            firing: None,
        }
    };
}

/// A handler call.
enum Call<M, T> {
    Start,
    Recover,
    Message(NodeId, M),
    Timer(TimerId, T),
}

impl<P: Protocol> Sim<P> {
    /// Sets up a trial: `traitors[v]` is the behaviour of general `v` if it is a traitor.
    pub fn new(
        setup: &Setup,
        params: &P::Params,
        links: Links,
        traitors: Vec<Option<Box<dyn Traitor<P>>>>,
        round: SimTime,
        limits: Limits,
        trial_seed: u64,
    ) -> Sim<P> {
        let n = setup.n;
        let nodes = (0..n as u32)
            .map(|i| P::new(NodeId(i), setup, params))
            .collect();
        let rngs = (0..n as u32)
            .map(|i| stream(trial_seed, Stream::Node(i)))
            .collect();
        let keys = P::SIGNED.then(|| Keyring::new(trial_seed, n));
        let crypto = Crypto::new(trial_seed, n);
        let mut net = Network::new(
            links,
            P::SIGNED,
            stream(trial_seed, Stream::Latency),
            stream(trial_seed, Stream::Loss),
        );
        net.set_relay_rng(stream(trial_seed, Stream::Relay));
        let undecided_honest = traitors.iter().filter(|t| t.is_none()).count();
        Sim {
            now: SimTime::ZERO,
            round,
            queue: EventQueue::with_capacity(n * 4),
            nodes,
            traitors,
            rngs,
            keys,
            crypto,
            net,
            outbox: Vec::new(),
            next_timer: 0,
            cancelled: Vec::new(),
            down: vec![false; n],
            power: Vec::new(),
            decisions: vec![None; n],
            undecided_honest,
            busy: vec![false; n],
            busy_count: 0,
            limits,
            events: 0,
            trace: None,
            reversion_traced: vec![false; n],
            t: setup.t,
        }
    }

    /// Records every send, delivery, timer and decision of the trial, up to
    /// [`trace::MAX_EVENTS`] events.
    pub fn record_trace(&mut self) {
        self.record_trace_up_to(trace::MAX_EVENTS);
    }

    /// Past the trace's cap, still records the first send of each new message (up to
    /// [`trace::MAX_LATE_MESSAGES`] of them): a page then shows every block of a long trial.
    /// Call after [`Sim::record_trace`].
    pub fn trace_first_sends_past_cap(&mut self) {
        if let Some(t) = &mut self.trace {
            t.keep_first_sends_past_cap();
        }
    }

    /// Records the trial's events, at most `cap` of them.
    pub fn record_trace_up_to(&mut self, cap: usize) {
        let round = P::ROUND_BASED.then_some(self.round);
        self.trace = Some(Recording::new(round, cap));
    }

    /// Sets the disjoint paths of the `disjoint-paths` transport (a table shared by the trials
    /// of a fixed graph). Without it, [`Sim::run`] computes the table for the trial's graph, with
    /// [`paths::needed`]`(t, P::SIGNED)` paths per pair.
    pub fn set_routes(&mut self, routes: std::sync::Arc<Routes>) {
        self.net.set_routes(routes);
    }

    /// Honest general `v` goes down at `at` and comes back at `recover` (`crash-recover`):
    /// meanwhile it hears nothing, relays nothing and its timers are lost;
    /// [`Protocol::on_crash`] and [`Protocol::on_recover`] say what it keeps.
    pub fn crash_for_a_while(&mut self, v: NodeId, at: SimTime, recover: SimTime) {
        self.power.push((v, at, recover));
    }

    /// Lets an adversary choose every transmission's delay (see [`network::Schedule`]).
    pub fn set_scheduler(&mut self, scheduler: Box<dyn network::Schedule>) {
        self.net.set_scheduler(scheduler);
    }

    /// Runs the trial to its end.
    pub fn run(mut self) -> Outcome {
        if self.net.transport() == Transport::DisjointPaths && self.net.routes().is_none() {
            let k = paths::needed(self.t, P::SIGNED);
            let routes = Routes::new(&self.net.links.topology, k);
            self.net.set_routes(std::sync::Arc::new(routes));
        }
        for (node, at, recover) in std::mem::take(&mut self.power) {
            self.queue.push(at, Event::Power { node, up: false });
            self.queue.push(recover, Event::Power { node, up: true });
        }
        for v in 0..self.nodes.len() as u32 {
            self.call(NodeId(v), Call::Start);
        }
        let stop = self.event_loop();
        let honest: Vec<bool> = self.traitors.iter().map(|t| t.is_none()).collect();
        Outcome {
            honest: honest.clone(),
            decisions: self.decisions,
            stop,
            end: self.now,
            events: self.events,
            net: self.net.stats,
            crypto: self.crypto.stats(),
            unscripted: self.traitors.iter().flatten().map(|t| t.unscripted()).sum(),
            reverted: (0..self.nodes.len())
                .map(|i| {
                    self.traitors[i]
                        .is_none()
                        .then(|| self.nodes[i].reverted())
                        .flatten()
                })
                .collect(),
            report: P::report(&self.nodes, &honest),
            trace: self.trace,
        }
    }

    fn event_loop(&mut self) -> Stop {
        loop {
            if self.undecided_honest == 0 && self.busy_count == 0 {
                return Stop::AllDecided;
            }
            if self.events >= self.limits.max_events {
                return Stop::EventLimit(self.limits.max_events);
            }
            if self.net.stats.messages > self.limits.max_messages {
                return Stop::MessageLimit(self.limits.max_messages);
            }
            let Some((at, event)) = self.queue.pop() else {
                return Stop::Drained;
            };
            if let Event::Timer { id, .. } = &event
                && self.is_cancelled(*id)
            {
                continue;
            }
            if let Event::Timer { node, .. } = &event
                && self.down[node.idx()]
            {
                // A crashed general's timers are lost.
                continue;
            }
            if at > self.limits.max_time {
                return Stop::TimeLimit(self.limits.max_time);
            }
            self.now = at;
            self.events += 1;
            match event {
                Event::Power { node, up } => self.power(node, up),
                Event::Deliver { to, .. } | Event::Hop { to, .. } | Event::Path { to, .. }
                    if self.down[to.idx()] =>
                {
                    // It arrives at a general that is down: nobody reads or relays it.
                    self.net.stats.missed += 1;
                }
                Event::Deliver { to, from, msg } => {
                    self.net.stats.delivered += 1;
                    self.trace_arrival(from, to, None, true);
                    self.call(to, Call::Message(from, msg));
                }
                Event::Hop { to, from, env } => self.hop(to, from, env),
                Event::Path {
                    to,
                    from,
                    parcel,
                    path,
                    pos,
                    content,
                } => self.path_arrival(to, from, parcel, path, pos, content),
                Event::Timer { node, id, timer } => {
                    if let Some(t) = &mut self.trace {
                        let general = &self.nodes[node.idx()];
                        t.timer(at, node, id.0, || general.timer_name(&timer));
                    }
                    self.call(node, Call::Timer(id, timer));
                }
            }
        }
    }

    /// A flooded envelope arrives at `to` from its neighbour `from`: relay it, then deliver it.
    fn hop(&mut self, to: NodeId, from: NodeId, env: u32) {
        self.net.stats.delivered += 1;
        let fresh = self.net.mark_seen(to, env);
        let (origin, dest) = {
            let e = self.net.envelope(env);
            (e.origin, e.dest)
        };
        let handed = fresh && dest.is_none_or(|d| d == to);
        self.trace_arrival(from, to, Some(env), handed);
        if !fresh {
            self.net.stats.duplicates += 1;
            return;
        }
        if dest != Some(to) {
            self.relay(to, from, env);
        }
        if dest.is_none_or(|d| d == to) {
            let msg = self.net.envelope(env).msg.clone();
            self.call(to, Call::Message(origin, msg));
        }
    }

    /// General `relayer` passes envelope `env`, which came from `from`, on to its other
    /// neighbours; a traitor may withhold or tamper with each copy.
    fn relay(&mut self, relayer: NodeId, from: NodeId, env: u32) {
        let topology = std::sync::Arc::clone(&self.net.links.topology);
        let next_hops = topology.neighbours(relayer).iter().filter(|&&w| w != from);
        let i = relayer.idx();
        let Some(traitor) = &mut self.traitors[i] else {
            for &next in next_hops {
                self.net.hop(
                    &mut self.queue,
                    self.now,
                    relayer,
                    next,
                    env,
                    &mut self.trace,
                );
            }
            return;
        };
        let msg = self.net.envelope(env).msg.clone();
        for &next in next_hops {
            let mut ctx = ctx_for!(self, relayer);
            match traitor.relay(&mut ctx, next, &msg) {
                Relay::Pass => {
                    self.net.hop(
                        &mut self.queue,
                        self.now,
                        relayer,
                        next,
                        env,
                        &mut self.trace,
                    );
                }
                Relay::Withhold => {
                    self.net.stats.withheld += 1;
                    if let Some(t) = &mut self.trace {
                        let m = t.intern(&msg).unwrap_or_default();
                        let (at, origin) = (self.now, self.net.envelope(env).origin);
                        t.push(TraceEvent::Withheld {
                            at,
                            by: relayer,
                            to: next,
                            origin,
                            envelope: Some(env),
                            msg: m,
                        });
                    }
                }
                Relay::Replace(forged) => {
                    let copy = self.net.forge(relayer, env, forged);
                    self.net.hop(
                        &mut self.queue,
                        self.now,
                        relayer,
                        next,
                        copy,
                        &mut self.trace,
                    );
                }
            }
        }
        self.outbox.clear();
    }

    /// A copy of `parcel` on path `path` arrives at `to` (position `pos`): the destination may
    /// hand it over (see [`network`]); any other general on the path relays it, a traitor as
    /// it pleases.
    fn path_arrival(
        &mut self,
        to: NodeId,
        from: NodeId,
        parcel: u32,
        path: u16,
        pos: u16,
        content: u16,
    ) {
        self.net.stats.delivered += 1;
        let (origin, dest) = {
            let p = self.net.parcel(parcel);
            (p.origin, p.dest)
        };
        let handed = if to == dest {
            self.net.arrive(parcel, content)
        } else {
            None
        };
        self.trace_arrival(from, to, Some(parcel), handed.is_some());
        if to == dest {
            if let Some(msg) = handed {
                self.call(to, Call::Message(origin, msg));
            }
            return;
        }
        let next = self.net.next_on_path(parcel, path, pos);
        let relayed = content;
        let content = match &mut self.traitors[to.idx()] {
            None => Some(content),
            Some(traitor) => {
                let msg = self.net.content(parcel, content).clone();
                let mut ctx = ctx_for!(self, to);
                let choice = traitor.relay(&mut ctx, next, &msg);
                self.outbox.clear();
                match choice {
                    Relay::Pass => Some(content),
                    Relay::Withhold => None,
                    Relay::Replace(forged) => Some(self.net.tamper(parcel, forged)),
                }
            }
        };
        let Some(content) = content else {
            self.net.stats.withheld += 1;
            if let Some(t) = &mut self.trace {
                let m = t
                    .intern(self.net.content(parcel, relayed))
                    .unwrap_or_default();
                let (at, origin) = (self.now, origin);
                t.push(TraceEvent::Withheld {
                    at,
                    by: to,
                    to: next,
                    origin,
                    envelope: Some(parcel),
                    msg: m,
                });
            }
            return;
        };
        self.net.path_hop(
            &mut self.queue,
            self.now,
            parcel,
            path,
            pos + 1,
            content,
            to,
            next,
            &mut self.trace,
        );
    }

    /// General `v` goes down or comes back.
    fn power(&mut self, v: NodeId, up: bool) {
        self.down[v.idx()] = !up;
        if up {
            self.call(v, Call::Recover);
        } else {
            self.nodes[v.idx()].on_crash();
        }
    }

    /// Marks timer `id` cancelled: it will be dropped when it comes up.
    fn cancel(&mut self, id: TimerId) {
        let (word, bit) = ((id.0 / 64) as usize, id.0 % 64);
        if self.cancelled.len() <= word {
            self.cancelled.resize(word + 1, 0);
        }
        self.cancelled[word] |= 1 << bit;
    }

    fn is_cancelled(&self, id: TimerId) -> bool {
        let (word, bit) = ((id.0 / 64) as usize, id.0 % 64);
        self.cancelled
            .get(word)
            .is_some_and(|w| w & (1 << bit) != 0)
    }

    /// Traces the arrival of the transmission just popped (of envelope or parcel `envelope`),
    /// and whether it was handed to the general's logic.
    fn trace_arrival(&mut self, from: NodeId, to: NodeId, envelope: Option<u32>, handed: bool) {
        if let Some(t) = &mut self.trace {
            let (at, seq) = (self.now, self.queue.last_popped_seq());
            t.push(TraceEvent::Deliver {
                at,
                from,
                to,
                seq,
                envelope,
                handed,
            });
        }
    }

    /// Runs one handler of general `v`, applies its actions and notes a new decision.
    fn call(&mut self, v: NodeId, call: Call<P::Msg, P::Timer>) {
        let i = v.idx();
        let mut ctx = ctx_for!(self, v);
        if let Call::Timer(id, _) = &call {
            ctx.firing = Some(*id);
        }
        let node = &mut self.nodes[i];
        match (&mut self.traitors[i], call) {
            (None, Call::Start) => node.start(&mut ctx),
            (_, Call::Recover) => node.on_recover(&mut ctx),
            (None, Call::Message(from, msg)) => node.on_message(&mut ctx, from, msg),
            (None, Call::Timer(_, timer)) => node.on_timer(&mut ctx, timer),
            (Some(t), Call::Start) => t.start(node, &mut ctx),
            (Some(t), Call::Message(from, msg)) => t.on_message(node, &mut ctx, from, msg),
            (Some(t), Call::Timer(_, timer)) => t.on_timer(node, &mut ctx, timer),
        }
        if self.net.has_scheduler() {
            self.net.set_leading(v, self.nodes[i].is_leader());
        }
        if !self.outbox.is_empty() {
            self.apply_outbox(v);
        }
        let busy = match &self.traitors[i] {
            None => self.nodes[i].keep_running(),
            Some(t) => t.keep_running(&self.nodes[i]),
        };
        if busy != self.busy[i] {
            self.busy[i] = busy;
            if busy {
                self.busy_count += 1;
            } else {
                self.busy_count -= 1;
            }
        }
        if self.traitors[i].is_none()
            && self.decisions[i].is_none()
            && let Some(value) = self.nodes[i].decision()
        {
            self.decisions[i] = Some((value, self.now));
            self.undecided_honest -= 1;
            if let Some(t) = &mut self.trace {
                t.decide(self.now, v, value);
            }
        }
        if let Some(t) = &mut self.trace
            && self.decisions[i].is_some()
            && !self.reversion_traced[i]
            && self.nodes[i].reverted().is_some()
        {
            self.reversion_traced[i] = true;
            let how = self.nodes[i].reversion().unwrap_or_default();
            t.revert(self.now, v, how);
        }
    }

    fn apply_outbox(&mut self, from: NodeId) {
        let mut outbox = std::mem::take(&mut self.outbox);
        for action in outbox.drain(..) {
            match action {
                Action::Send { to, msg } if to == from => {
                    self.queue.push(self.now, Event::Deliver { to, from, msg });
                }
                Action::Send { to, msg } => {
                    if to.idx() < self.nodes.len() {
                        self.net
                            .send(&mut self.queue, self.now, from, to, msg, &mut self.trace);
                    }
                }
                Action::Broadcast { msg, only } => self.net.broadcast(
                    &mut self.queue,
                    self.now,
                    from,
                    msg,
                    only.as_ref(),
                    &mut self.trace,
                ),
                Action::Timer { at, id, timer } => {
                    let at = at.max(self.now);
                    let node = from;
                    self.queue.push(at, Event::Timer { node, id, timer });
                }
                Action::Cancel(id) => self.cancel(id),
                Action::Withhold { to, msg } => self.withhold(from, to, &msg),
            }
        }
        self.outbox = outbox;
    }

    /// Traitor `by` withholds its own `msg` from `to`: counted (when there was a link to send
    /// it over) and traced.
    fn withhold(&mut self, by: NodeId, to: NodeId, msg: &P::Msg) {
        if to == by || to.idx() >= self.nodes.len() || !self.net.links.topology.has_edge(by, to) {
            return;
        }
        self.net.stats.withheld += 1;
        if let Some(t) = &mut self.trace {
            let m = t.intern(msg).unwrap_or_default();
            let (at, origin, envelope) = (self.now, by, None);
            t.push(TraceEvent::Withheld {
                at,
                by,
                to,
                origin,
                envelope,
                msg: m,
            });
        }
    }

    /// The transport in use.
    pub fn transport(&self) -> Transport {
        self.net.transport()
    }
}
