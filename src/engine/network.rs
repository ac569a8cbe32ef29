//! The network: links with latency and loss, and the three transports.
//!
//! - `direct`: a send crosses one link, sender to recipient, if the topology has that link
//!   (every pair on a complete graph); a send to a general that is not a neighbour is counted as
//!   `unroutable` and never arrives.
//! - `flooding`: a send becomes an *envelope* that the origin passes to all its neighbours; every
//!   general that sees an envelope for the first time passes it on to all its neighbours but the
//!   one it came from (unless it is the envelope's sole addressee), and delivers it to its own
//!   logic if addressed to it or to everyone. Each hop draws its own latency and loss. A traitor
//!   decides per hop whether to relay ([`Traitor::relay`](crate::general::Traitor)).
//! - `disjoint-paths`: Dolev's (1982) reliable transmission. A send from `u` to `v` is a
//!   *parcel* whose copies travel the vertex-disjoint `u`–`v` paths of the routing table
//!   ([`Routes`]: `k = 2t + 1` paths for a protocol that does not sign, `t + 1` for one that
//!   does; fewer where the graph has fewer), hop by hop, each hop drawing its own latency and
//!   loss; a traitor on a path decides per hop whether to pass, withhold or tamper with its copy
//!   ([`Traitor::relay`](crate::general::Traitor)). The recipient hands a parcel to its logic:
//!   - *unsigned*: once, the first content that arrives on a strict majority of the pair's
//!     paths (`⌊p/2⌋ + 1` of `p`; `t + 1` of `2t + 1`, so with `2t + 1` disjoint paths only the
//!     genuine content can get there). If no content reaches a majority (copies withheld, lost
//!     or tampered), nothing is handed over: the message is missing, as a withheld direct
//!     message would be.
//!   - *signed*: each distinct content once, as its first copy arrives (the protocol checks the
//!     signatures, so a tampered copy that comes first cannot shadow the genuine one; with
//!     `t + 1` disjoint paths at least one copy is genuine unless lost).
//!
//!   Content identity is the message's [`Message::label`]. A broadcast is one parcel per
//!   recipient (the `only` mask picks recipients, as on direct links). A parcel costs the sum of
//!   its paths' hops in `messages`; a pair with no path at all counts as `unroutable`.
//!
//! Every transmission over a link counts in `messages` and `bytes` (a flooded envelope counts once
//! per hop). Latency draws come from the [`Stream::Latency`](crate::rng::Stream) stream and loss
//! draws from [`Stream::Loss`](crate::rng::Stream), so turning loss on does not move latencies.
//! With the measured-Internet model ([`super::internet`]: regions, bandwidth) a transmission's
//! delay is the region pair's latency draw plus its size over the link's bandwidth, plus one
//! more round trip for the share of messages that need one (compact blocks,
//! [`Message::round_trip_share`], drawn from [`Stream::Relay`](crate::rng::Stream)).

use std::sync::Arc;

use rand::Rng;

use super::internet::Internet;
use super::paths::Routes;
use super::queue::EventQueue;
use super::trace::TraceEvent;
use crate::general::{Message, Only, TimerId};
use crate::rng::SimRng;
use crate::topology::Topology;
use crate::types::{NodeId, SimTime};

/// How long a link takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    Fixed(SimTime),
    /// Uniform over `[min, max]`, in whole microseconds.
    Uniform {
        min: SimTime,
        max: SimTime,
    },
    /// Exponential with the given mean (plus nothing: the minimum is 0).
    Exponential {
        mean: SimTime,
    },
}

impl Latency {
    #[inline]
    pub fn draw(&self, rng: &mut SimRng) -> SimTime {
        match *self {
            Latency::Fixed(t) => t,
            Latency::Uniform { min, max } => SimTime(rng.random_range(min.0..=max.0)),
            Latency::Exponential { mean } => {
                let u: f64 = rng.random();
                SimTime((-libm::log(1.0 - u) * mean.0 as f64).round() as u64)
            }
        }
    }

    /// The smallest latency a draw can give.
    pub fn min(&self) -> SimTime {
        match *self {
            Latency::Fixed(t) => t,
            Latency::Uniform { min, .. } => min,
            Latency::Exponential { .. } => SimTime::ZERO,
        }
    }

    /// The largest latency a draw can give; for the exponential, which has none, its 99.9%
    /// quantile (mean × ln 1000).
    pub fn worst(&self) -> SimTime {
        match *self {
            Latency::Fixed(t) => t,
            Latency::Uniform { max, .. } => max,
            Latency::Exponential { mean } => SimTime((mean.0 as f64 * 1000f64.ln()).ceil() as u64),
        }
    }
}

/// Direct links, flooding over the graph, or copies over vertex-disjoint paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Direct,
    Flooding,
    DisjointPaths,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::Direct => "direct",
            Transport::Flooding => "flooding",
            Transport::DisjointPaths => "disjoint-paths",
        }
    }
}

/// The link model of a trial.
#[derive(Clone, Debug)]
pub struct Links {
    pub topology: Arc<Topology>,
    pub transport: Transport,
    pub latency: Latency,
    pub loss: f64,
    /// The measured-Internet model (regions, bandwidth), if the scenario has one: it draws the
    /// latency instead of `latency` when it has regions, and adds each message's transfer time.
    pub internet: Option<Arc<Internet>>,
}

/// What the network counted in one trial.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Transmissions over a link (each hop of a flooded envelope counts).
    pub messages: u64,
    /// Bytes of those transmissions.
    pub bytes: u64,
    /// Transmissions that arrived.
    pub delivered: u64,
    /// Transmissions lost on the link (`network.loss`).
    pub lost: u64,
    /// Relays a traitor withheld.
    pub withheld: u64,
    /// Sends to a general with no link to the sender (direct transport).
    pub unroutable: u64,
    /// Flooded copies of an envelope a general had already seen.
    pub duplicates: u64,
    /// Transmissions that reached a general while it was down (`crash-recover`).
    pub missed: u64,
}

/// The network's one hook for an adversary that chooses delays (the schedulers of partial
/// synchrony): each transmission over a link, direct or one hop of a relayed message, is asked
/// here when it is put on the link. Without one, the delay is the latency law's draw.
pub trait Schedule {
    /// The delay of transmission `t`, or `None` to lose it.
    fn delay(&mut self, t: &Transmission) -> Option<SimTime>;
}

/// One transmission over a link, as a [`Schedule`] sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transmission {
    pub from: NodeId,
    pub to: NodeId,
    /// When it is put on the link.
    pub sent: SimTime,
    /// The latency law's draw (drawn whatever the scheduler does, so that stream never shifts).
    pub drawn: SimTime,
    /// Whether the sender is the current leader by its own account
    /// ([`Protocol::is_leader`](crate::general::Protocol::is_leader)).
    pub sender_leads: bool,
}

/// A scheduled event.
#[derive(Debug)]
pub enum Event<M, T> {
    /// A direct message arrives.
    Deliver { to: NodeId, from: NodeId, msg: M },
    /// One hop of flooded envelope `env` arrives at `to` from neighbour `from`.
    Hop { to: NodeId, from: NodeId, env: u32 },
    /// The copy of parcel `parcel` on path `path` (carrying content `content`) arrives at `to`,
    /// position `pos` of the path, from the general before it.
    Path {
        to: NodeId,
        from: NodeId,
        parcel: u32,
        path: u16,
        pos: u16,
        content: u16,
    },
    /// Timer `id` of general `node` fires.
    Timer { node: NodeId, id: TimerId, timer: T },
    /// An honest general goes down (`up = false`) or comes back (`up = true`).
    Power { node: NodeId, up: bool },
}

/// A message on its way over disjoint paths (`disjoint-paths` transport).
pub struct Parcel<M> {
    pub origin: NodeId,
    pub dest: NodeId,
    /// The paths its copies travel.
    paths: u16,
    /// `contents[0]` is what the origin sent; later ones are tampered copies, one per label.
    contents: Vec<M>,
    /// The labels of `contents`, filled at the first tampering.
    labels: Vec<String>,
    /// Copies of each content that reached the destination.
    arrived: Vec<u16>,
    /// Whether each content was handed to the destination's logic.
    handed: Vec<bool>,
}

/// A flooded message: who sent it, to whom (`None`: everyone), and what.
pub struct Envelope<M> {
    pub origin: NodeId,
    pub dest: Option<NodeId>,
    pub msg: M,
    /// The envelope the sender created; tampered copies keep their original's root.
    pub root: u32,
}

/// Where trace events go when a trace is recorded.
pub type Trace = Option<super::trace::Recording>;

/// The network state of one trial.
pub struct Network<M> {
    pub links: Links,
    latency_rng: SimRng,
    loss_rng: SimRng,
    /// Draws which messages need one more round trip ([`Message::round_trip_share`]).
    relay_rng: Option<SimRng>,
    envelopes: Vec<Envelope<M>>,
    /// Tampered copies by (original, content label).
    forged: std::collections::BTreeMap<(u32, String), u32>,
    /// `seen[v]`: bitset over envelope ids that general `v` has seen.
    seen: Vec<Vec<u64>>,
    /// The disjoint paths (`disjoint-paths` transport), set before the trial starts.
    routes: Option<Arc<Routes>>,
    /// Whether the protocol signs its messages (it decides how a parcel is handed over).
    signed: bool,
    parcels: Vec<Parcel<M>>,
    /// The adversary that chooses delays, if any, and who leads by its own account.
    scheduler: Option<Box<dyn Schedule>>,
    leading: Vec<bool>,
    pub stats: NetStats,
}

impl<M: Message> Network<M> {
    /// The network of a trial; `signed` tells whether the protocol signs its messages.
    pub fn new(links: Links, signed: bool, latency_rng: SimRng, loss_rng: SimRng) -> Network<M> {
        let n = links.topology.n();
        let seen = match links.transport {
            Transport::Flooding => vec![Vec::new(); n],
            Transport::Direct | Transport::DisjointPaths => Vec::new(),
        };
        Network {
            links,
            latency_rng,
            loss_rng,
            relay_rng: None,
            envelopes: Vec::new(),
            forged: std::collections::BTreeMap::new(),
            seen,
            routes: None,
            signed,
            parcels: Vec::new(),
            scheduler: None,
            leading: Vec::new(),
            stats: NetStats::default(),
        }
    }

    /// Sets the stream that draws which messages need one more round trip.
    pub fn set_relay_rng(&mut self, rng: SimRng) {
        self.relay_rng = Some(rng);
    }

    /// The delay of a transmission of `bytes` (a message with round-trip share `share`) from
    /// `from` to `to`: the latency law's draw, or with the Internet model the region pair's
    /// draw plus the transfer time, plus a round trip more for the share that needs one.
    #[inline]
    fn draw_delay(&mut self, from: NodeId, to: NodeId, bytes: u32, share: f64) -> SimTime {
        let Some(net) = self.links.internet.as_deref() else {
            return self.links.latency.draw(&mut self.latency_rng);
        };
        let latency = |rng: &mut SimRng, law: &Latency| {
            net.latency(from, to, rng).unwrap_or_else(|| law.draw(rng))
        };
        let mut delay = latency(&mut self.latency_rng, &self.links.latency)
            .saturating_add(net.transfer(from, to, bytes));
        if share > 0.0
            && let Some(rng) = self.relay_rng.as_mut()
            && rng.random::<f64>() < share
        {
            // The receiver asks for what it misses and waits for the answer.
            let back = latency(rng, &self.links.latency);
            let again = latency(rng, &self.links.latency);
            delay = delay.saturating_add(back).saturating_add(again);
        }
        delay
    }

    /// Sets the routing table of the `disjoint-paths` transport.
    pub fn set_routes(&mut self, routes: Arc<Routes>) {
        self.routes = Some(routes);
    }

    /// The routing table, once set.
    pub fn routes(&self) -> Option<&Arc<Routes>> {
        self.routes.as_ref()
    }

    pub fn parcel(&self, parcel: u32) -> &Parcel<M> {
        &self.parcels[parcel as usize]
    }

    /// The content `content` of parcel `parcel`.
    pub fn content(&self, parcel: u32, content: u16) -> &M {
        &self.parcels[parcel as usize].contents[content as usize]
    }

    pub fn transport(&self) -> Transport {
        self.links.transport
    }

    pub fn envelope(&self, env: u32) -> &Envelope<M> {
        &self.envelopes[env as usize]
    }

    /// Puts one event on a link: counts it, maybe loses it, else schedules its arrival.
    #[inline]
    fn transmit<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        bytes: u32,
        event: Event<M, T>,
    ) -> Option<u64> {
        self.stats.messages += 1;
        self.stats.bytes += bytes as u64;
        if self.links.loss > 0.0 && self.loss_rng.random::<f64>() < self.links.loss {
            self.stats.lost += 1;
            return None;
        }
        let drawn = match &event {
            Event::Deliver { from, to, msg } if self.links.internet.is_some() => {
                let share = msg.round_trip_share();
                self.draw_delay(*from, *to, bytes, share)
            }
            Event::Hop { from, to, env } if self.links.internet.is_some() => {
                let share = self.envelopes[*env as usize].msg.round_trip_share();
                self.draw_delay(*from, *to, bytes, share)
            }
            Event::Path { from, to, .. } => self.draw_delay(*from, *to, bytes, 0.0),
            _ => self.links.latency.draw(&mut self.latency_rng),
        };
        let delay = match (&mut self.scheduler, &event) {
            (None, _) | (_, Event::Timer { .. } | Event::Power { .. }) => drawn,
            (
                Some(s),
                Event::Deliver { from, to, .. }
                | Event::Hop { from, to, .. }
                | Event::Path { from, to, .. },
            ) => {
                let t = Transmission {
                    from: *from,
                    to: *to,
                    sent: now,
                    drawn,
                    sender_leads: self.leading.get(from.idx()).copied().unwrap_or(false),
                };
                match s.delay(&t) {
                    Some(d) => d,
                    None => {
                        self.stats.lost += 1;
                        return None;
                    }
                }
            }
        };
        let at = now.saturating_add(delay);
        let seq = queue.scheduled();
        queue.push(at, event);
        Some(seq)
    }

    /// Puts an adversary in charge of every transmission's delay (see [`Schedule`]).
    pub fn set_scheduler(&mut self, scheduler: Box<dyn Schedule>) {
        self.scheduler = Some(scheduler);
        self.leading = vec![false; self.links.topology.n()];
    }

    /// Whether a scheduler wants to know who leads (see [`Network::set_leading`]).
    pub fn has_scheduler(&self) -> bool {
        self.scheduler.is_some()
    }

    /// Notes whether general `v` leads by its own account, for the scheduler.
    pub fn set_leading(&mut self, v: NodeId, leads: bool) {
        if let Some(slot) = self.leading.get_mut(v.idx()) {
            *slot = leads;
        }
    }

    /// Sends `msg` from `from` to one general.
    pub fn send<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        msg: M,
        trace: &mut Trace,
    ) {
        match self.links.transport {
            Transport::Direct => {
                if !self.links.topology.has_edge(from, to) {
                    self.stats.unroutable += 1;
                    return;
                }
                self.direct(queue, now, from, to, msg, trace);
            }
            Transport::Flooding => self.flood(queue, now, from, Some(to), msg, None, trace),
            Transport::DisjointPaths => self.dispatch(queue, now, from, to, msg, trace),
        }
    }

    /// One message over the direct link `from` → `to`, traced.
    fn direct<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        msg: M,
        trace: &mut Trace,
    ) {
        let info = trace.as_mut().and_then(|t| t.intern(&msg));
        let bytes = msg.wire_bytes();
        let seq = self.transmit(queue, now, bytes, Event::Deliver { to, from, msg });
        if let Some(t) = trace {
            let (relay, envelope, origin) = (false, None, from);
            t.push(TraceEvent::Send {
                at: now,
                from,
                to,
                seq,
                relay,
                envelope,
                origin,
                msg: info.unwrap_or_default(),
            });
        }
    }

    /// Sends `msg` from `from` to every other general (first transmissions restricted by `only`).
    pub fn broadcast<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        from: NodeId,
        msg: M,
        only: Option<&Only>,
        trace: &mut Trace,
    ) {
        match self.links.transport {
            Transport::Direct => {
                let topology = Arc::clone(&self.links.topology);
                let send_to = |to: NodeId| to != from && only.is_none_or(|m| m.allows(to));
                let mut emit = |this: &mut Self, to: NodeId| {
                    this.direct(queue, now, from, to, msg.clone(), trace);
                };
                if topology.is_complete() {
                    for to in (0..topology.n() as u32).map(NodeId).filter(|&v| send_to(v)) {
                        emit(self, to);
                    }
                } else {
                    for &to in topology.neighbours(from).iter().filter(|&&v| send_to(v)) {
                        emit(self, to);
                    }
                }
            }
            Transport::Flooding => self.flood(queue, now, from, None, msg, only, trace),
            Transport::DisjointPaths => {
                let n = self.links.topology.n() as u32;
                let send_to = |to: NodeId| to != from && only.is_none_or(|m| m.allows(to));
                for to in (0..n).map(NodeId).filter(|&v| send_to(v)) {
                    self.dispatch(queue, now, from, to, msg.clone(), trace);
                }
            }
        }
    }

    /// Creates a parcel from `origin` to `dest` and puts a copy on the first hop of each of
    /// their disjoint paths.
    fn dispatch<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        origin: NodeId,
        dest: NodeId,
        msg: M,
        trace: &mut Trace,
    ) {
        let routes = Arc::clone(self.routes.as_ref().expect("routes set before the trial"));
        let paths = routes.count(origin, dest).min(u16::MAX as usize);
        if paths == 0 {
            self.stats.unroutable += 1;
            return;
        }
        let parcel = self.parcels.len() as u32;
        self.parcels.push(Parcel {
            origin,
            dest,
            paths: paths as u16,
            contents: vec![msg],
            labels: Vec::new(),
            arrived: vec![0],
            handed: vec![false],
        });
        for path in 0..paths {
            let next = routes.vertex(origin, dest, path, 1);
            self.path_hop(queue, now, parcel, path as u16, 1, 0, origin, next, trace);
        }
    }

    /// The general after position `pos` on path `path` of parcel `parcel`.
    pub fn next_on_path(&self, parcel: u32, path: u16, pos: u16) -> NodeId {
        let p = &self.parcels[parcel as usize];
        let routes = self.routes.as_ref().expect("routes set before the trial");
        routes.vertex(p.origin, p.dest, path as usize, pos as usize + 1)
    }

    /// One hop of the copy of `parcel` on path `path`, carrying `content`, from `from` to `to`
    /// (position `pos` of the path).
    #[allow(clippy::too_many_arguments)]
    pub fn path_hop<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        parcel: u32,
        path: u16,
        pos: u16,
        content: u16,
        from: NodeId,
        to: NodeId,
        trace: &mut Trace,
    ) {
        let p = &self.parcels[parcel as usize];
        let origin = p.origin;
        let bytes = p.contents[content as usize].wire_bytes();
        let info = trace
            .as_mut()
            .and_then(|t| t.intern(&p.contents[content as usize]));
        let event = Event::Path {
            to,
            from,
            parcel,
            path,
            pos,
            content,
        };
        let seq = self.transmit(queue, now, bytes, event);
        if let Some(t) = trace {
            t.push(TraceEvent::Send {
                at: now,
                from,
                to,
                seq,
                relay: from != origin,
                envelope: Some(parcel),
                origin,
                msg: info.unwrap_or_default(),
            });
        }
    }

    /// The content id of `msg` as a tampered copy of `parcel`: one id per distinct label, the
    /// original's if the label is the original's.
    pub fn tamper(&mut self, parcel: u32, msg: M) -> u16 {
        let p = &mut self.parcels[parcel as usize];
        if p.labels.is_empty() {
            p.labels.push(p.contents[0].label());
        }
        let label = msg.label();
        if let Some(c) = p.labels.iter().position(|l| *l == label) {
            return c as u16;
        }
        p.labels.push(label);
        p.contents.push(msg);
        p.arrived.push(0);
        p.handed.push(false);
        (p.contents.len() - 1) as u16
    }

    /// A copy carrying `content` reached the destination of `parcel`: the message to hand to
    /// its logic, if this copy decides one (see the module doc).
    pub fn arrive(&mut self, parcel: u32, content: u16) -> Option<M> {
        let signed = self.signed;
        let p = &mut self.parcels[parcel as usize];
        let c = content as usize;
        p.arrived[c] += 1;
        let hand = if signed {
            !p.handed[c]
        } else {
            !p.handed.contains(&true) && p.arrived[c] == p.paths / 2 + 1
        };
        if !hand {
            return None;
        }
        p.handed[c] = true;
        Some(p.contents[c].clone())
    }

    /// Creates an envelope at `origin` and passes it to its neighbours.
    #[allow(clippy::too_many_arguments)]
    fn flood<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        origin: NodeId,
        dest: Option<NodeId>,
        msg: M,
        only: Option<&Only>,
        trace: &mut Trace,
    ) {
        let env = self.envelopes.len() as u32;
        self.envelopes.push(Envelope {
            origin,
            dest,
            msg,
            root: env,
        });
        self.mark_seen(origin, env);
        let topology = Arc::clone(&self.links.topology);
        for &to in topology.neighbours(origin) {
            if only.is_none_or(|m| m.allows(to)) {
                self.hop(queue, now, origin, to, env, trace);
            }
        }
    }

    /// A tampered copy of envelope `of`, made by `relayer` and claiming the same origin. There
    /// is one copy per original and content, whoever tampers: a tampered copy relayed by another
    /// traitor is the same envelope again, not a new one (otherwise copies would multiply at
    /// every traitor they pass).
    pub fn forge(&mut self, relayer: NodeId, of: u32, msg: M) -> u32 {
        let original = &self.envelopes[of as usize];
        let (origin, dest, root) = (original.origin, original.dest, original.root);
        let key = (root, msg.label());
        let env = match self.forged.get(&key) {
            Some(&env) => env,
            None => {
                let env = self.envelopes.len() as u32;
                self.envelopes.push(Envelope {
                    origin,
                    dest,
                    msg,
                    root,
                });
                self.forged.insert(key, env);
                env
            }
        };
        self.mark_seen(relayer, env);
        env
    }

    /// One hop of envelope `env` from `from` to its neighbour `to`.
    pub fn hop<T>(
        &mut self,
        queue: &mut EventQueue<Event<M, T>>,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        env: u32,
        trace: &mut Trace,
    ) {
        let bytes = self.envelopes[env as usize].msg.wire_bytes();
        if self.has_seen(to, env) {
            self.redundant(now, from, to, env, bytes, trace);
            return;
        }
        let seq = self.transmit(queue, now, bytes, Event::Hop { to, from, env });
        if let Some(t) = trace {
            let e = &self.envelopes[env as usize];
            let (relay, origin) = (e.origin != from, e.origin);
            let msg = t.intern(&e.msg).unwrap_or_default();
            t.push(TraceEvent::Send {
                at: now,
                from,
                to,
                seq,
                relay,
                envelope: Some(env),
                origin,
                msg,
            });
        }
    }

    /// A hop to a general that already holds the envelope: it will arrive as a duplicate
    /// whatever its latency, so it is counted (transmitted, maybe lost, else delivered and
    /// discarded) without being scheduled. Flooding sends most copies this way.
    fn redundant(
        &mut self,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        env: u32,
        bytes: u32,
        trace: &mut Trace,
    ) {
        self.stats.messages += 1;
        self.stats.bytes += bytes as u64;
        let lost = self.links.loss > 0.0 && self.loss_rng.random::<f64>() < self.links.loss;
        if lost {
            self.stats.lost += 1;
        } else {
            self.stats.delivered += 1;
            self.stats.duplicates += 1;
        }
        if let Some(t) = trace {
            t.push(TraceEvent::Redundant {
                at: now,
                from,
                to,
                envelope: env,
                lost,
            });
        }
    }

    fn has_seen(&self, v: NodeId, env: u32) -> bool {
        let (word, bit) = (env as usize / 64, env % 64);
        self.seen[v.idx()]
            .get(word)
            .is_some_and(|w| w & (1 << bit) != 0)
    }

    /// Records that `v` has seen envelope `env`; `false` if it had already.
    pub fn mark_seen(&mut self, v: NodeId, env: u32) -> bool {
        let bits = &mut self.seen[v.idx()];
        let (word, bit) = (env as usize / 64, env % 64);
        if bits.len() <= word {
            bits.resize(word + 1, 0);
        }
        let fresh = bits[word] & (1 << bit) == 0;
        bits[word] |= 1 << bit;
        fresh
    }
}
