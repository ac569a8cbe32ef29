//! The general's contract with the engine (`src/general/`): typed timers that can be cancelled,
//! the network's one hook where an adversary chooses delays, and the house rule that the
//! engine and the contract import neither the protocols nor the traitor behaviours.

use std::sync::Arc;

use byzsim::engine::network::{Latency, Links, Schedule, Transmission, Transport};
use byzsim::engine::{Limits, Sim};
use byzsim::general::{Ctx, Message, Protocol, Setup, TimerId, Validity};
use byzsim::rng::{Stream, stream};
use byzsim::topology::{Topology, TopologySpec};
use byzsim::{NodeId, SimTime, Value};

/// A test protocol: general 0 sends `attack` to everyone at once; each general sets two timers
/// (at 5 and 10 ms), cancels the first, and decides `attack` if it heard the order before the
/// one that fires, else `retreat`. It records what fired and when the order came.
struct Probe {
    id: NodeId,
    heard_at: Option<SimTime>,
    fired: Vec<(ProbeTimer, SimTime)>,
    decision: Option<Value>,
    cancel: Option<TimerId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProbeTimer {
    Early,
    Late,
}

#[derive(Clone, Debug)]
struct Order;

impl Message for Order {
    fn wire_bytes(&self) -> u32 {
        1
    }
}

impl Protocol for Probe {
    type Msg = Order;
    type Params = ();
    type Timer = ProbeTimer;
    const NAME: &'static str = "probe";
    const VALIDITY: Validity = Validity::Commander;

    fn new(id: NodeId, _setup: &Setup, _params: &()) -> Self {
        Probe {
            id,
            heard_at: None,
            fired: Vec::new(),
            decision: None,
            cancel: None,
        }
    }

    fn start(&mut self, ctx: &mut Ctx<Self>) {
        if self.id == NodeId(0) {
            ctx.broadcast(Order);
            self.heard_at = Some(ctx.now);
        }
        let early = ctx.timer_at(SimTime::from_ms(5), ProbeTimer::Early);
        let late = ctx.timer_at(SimTime::from_ms(10), ProbeTimer::Late);
        assert_ne!(early, late, "each timer its own id");
        ctx.cancel(early);
        self.cancel = Some(early);
    }

    fn on_message(&mut self, ctx: &mut Ctx<Self>, _from: NodeId, _msg: Order) {
        self.heard_at.get_or_insert(ctx.now);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Self>, timer: ProbeTimer) {
        self.fired.push((timer, ctx.now));
        self.decision = Some(if self.heard_at.is_some() {
            Value::Attack
        } else {
            Value::Retreat
        });
    }

    fn decision(&self) -> Option<Value> {
        self.decision
    }
}

fn setup(n: usize) -> Setup {
    Setup {
        n,
        t: 0,
        m: 0,
        commander: NodeId(0),
        order: Value::Attack,
        inputs: vec![Value::Attack; n],
        neighbours_only: false,
    }
}

fn links(n: usize, latency_ms: u64) -> Links {
    let graph = Topology::build(
        &TopologySpec::Complete,
        n,
        &mut stream(1, Stream::Topology),
        false,
    )
    .unwrap();
    Links {
        topology: Arc::new(graph),
        transport: Transport::Direct,
        latency: Latency::Fixed(SimTime::from_ms(latency_ms)),
        loss: 0.0,
        internet: None,
    }
}

fn sim(n: usize, latency_ms: u64) -> Sim<Probe> {
    let traitors = (0..n).map(|_| None).collect();
    Sim::new(
        &setup(n),
        &(),
        links(n, latency_ms),
        traitors,
        SimTime::from_ms(100),
        Limits::default(),
        7,
    )
}

/// A cancelled timer never fires and is not an event: only the late timer does, at 10 ms.
#[test]
fn a_cancelled_timer_never_fires() {
    let mut s = sim(4, 1);
    s.record_trace();
    let outcome = s.run();
    let trace = outcome.trace.unwrap();
    let fired: Vec<_> = trace
        .events()
        .iter()
        .filter_map(|e| match e {
            byzsim::engine::trace::TraceEvent::Timer { at, node, .. } => Some((*node, *at)),
            _ => None,
        })
        .collect();
    assert_eq!(fired.len(), 4, "one timer per general: {fired:?}");
    assert!(fired.iter().all(|(_, at)| *at == SimTime::from_ms(10)));
    // 3 deliveries and 4 late timers: the 4 cancelled timers are not events.
    assert_eq!(outcome.events, 3 + 4);
    assert!(
        outcome
            .decisions
            .iter()
            .all(|d| d.unwrap().0 == Value::Attack)
    );
}

/// Holds every transmission for `hold` whatever the latency law drew.
struct Hold(SimTime);

impl Schedule for Hold {
    fn delay(&mut self, _: &Transmission) -> Option<SimTime> {
        Some(self.0)
    }
}

/// The scheduler decides delays: held for 12 ms, the order arrives after the 10 ms timer, so the
/// lieutenants decide retreat; without it (1 ms links) they decide attack.
#[test]
fn the_scheduler_chooses_each_delay() {
    let free = sim(4, 1).run();
    assert!(free.decisions.iter().all(|d| d.unwrap().0 == Value::Attack));
    let mut held = sim(4, 1);
    held.set_scheduler(Box::new(Hold(SimTime::from_ms(12))));
    let held = held.run();
    assert_eq!(held.decisions[0].unwrap().0, Value::Attack);
    assert!(
        held.decisions[1..]
            .iter()
            .all(|d| d.unwrap().0 == Value::Retreat)
    );
}

/// The house rule: the engine and the contract import neither `protocol/` nor `adversary/`, and
/// `protocol/mod.rs` is the registry, not the contract.
#[test]
fn the_engine_imports_neither_protocols_nor_traitors() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for dir in ["engine", "general"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().filter(|l| l.trim_start().starts_with("use ")) {
                assert!(
                    !line.contains("crate::protocol") && !line.contains("crate::adversary"),
                    "{}: {line}",
                    path.display()
                );
            }
        }
    }
    let registry = std::fs::read_to_string(root.join("protocol/mod.rs")).unwrap();
    assert!(!registry.contains("pub trait Protocol:"));
}
