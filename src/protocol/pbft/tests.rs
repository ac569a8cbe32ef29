//! Scripted runs of PBFT's handlers, message by message, for the case the view-change rule
//! exists for: a value decided by one honest general in view 0, the others prepared but not
//! decided, and a new primary whose own input is the other value.

use super::*;
use crate::crypto::{Crypto, Keyring};
use crate::general::Action;
use crate::rng::{SimRng, Stream, stream};

/// Four generals; every handler call runs with a real context, and the test routes what it
/// queues by hand.
struct Script {
    nodes: Vec<Pbft>,
    ring: Keyring,
    crypto: Crypto,
    rngs: Vec<SimRng>,
    next_timer: u64,
}

type Out = Vec<Action<PbftMsg, ViewTimer>>;

impl Script {
    fn new(inputs: &[Value], t: usize) -> Script {
        let n = inputs.len();
        let setup = Setup {
            n,
            t,
            m: t,
            commander: NodeId(0),
            order: Value::Attack,
            inputs: inputs.to_vec(),
            neighbours_only: false,
        };
        let params = PbftParams::default();
        Script {
            nodes: (0..n as u32)
                .map(|v| Pbft::new(NodeId(v), &setup, &params))
                .collect(),
            ring: Keyring::new(7, n),
            crypto: Crypto::new(7, n),
            rngs: (0..n as u32).map(|v| stream(7, Stream::Node(v))).collect(),
            next_timer: 0,
        }
    }

    fn call(&mut self, v: u32, f: impl FnOnce(&mut Pbft, &mut Ctx<Pbft>)) -> Out {
        let mut out = Vec::new();
        let mut ctx = Ctx {
            id: NodeId(v),
            n: self.nodes.len(),
            now: SimTime::from_ms(1),
            round: SimTime::from_ms(100),
            rng: &mut self.rngs[v as usize],
            key: Some(self.ring.own(NodeId(v))),
            crypto: &mut self.crypto,
            out: &mut out,
            next_timer: &mut self.next_timer,
            firing: None,
        };
        f(&mut self.nodes[v as usize], &mut ctx);
        out
    }

    fn deliver(&mut self, to: u32, msg: &PbftMsg) -> Out {
        self.call(to, |p, ctx| p.on_message(ctx, NodeId(99), msg.clone()))
    }
}

/// The messages an outbox sends (broadcasts and sends alike).
fn sent(out: &Out) -> Vec<PbftMsg> {
    out.iter()
        .filter_map(|a| match a {
            Action::Send { msg, .. } | Action::Broadcast { msg, .. } => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

fn one(out: &Out) -> PbftMsg {
    let msgs = sent(out);
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    msgs[0].clone()
}

/// General 3 decides attack in view 0; 1 and 2 are prepared for attack but their commits are
/// delayed; general 0 (the traitor) sends a view-change that hides its certificate and claims
/// input retreat. The primary of view 1, general 1, has input retreat, and retreat is justified
/// by two inputs among the view-changes, yet its new-view must pre-prepare attack, the value of
/// the certificates; a new-view for retreat over the same view-changes is refused; and general
/// 2 ends with attack.
#[test]
fn a_value_decided_in_view_0_survives_the_view_change() {
    use Value::{Attack, Retreat};
    let mut s = Script::new(&[Attack, Retreat, Attack, Attack], 1);
    let requests: Vec<Out> = (0..4).map(|v| s.call(v, |p, c| p.start(c))).collect();
    assert!(
        sent(&requests[0]).is_empty(),
        "the primary needs t + 1 = 2 inputs"
    );
    let pre_prepare = one(&s.deliver(0, &one(&requests[2])));
    assert!(matches!(&pre_prepare, PbftMsg::PrePrepare(p) if p.signed.value == Attack));
    let prepares: Vec<PbftMsg> = (1..4).map(|v| one(&s.deliver(v, &pre_prepare))).collect();
    let mut commits = Vec::new();
    for v in 0..4u32 {
        let mut out = Vec::new();
        for (i, p) in prepares.iter().enumerate() {
            if i as u32 + 1 != v {
                out.extend(s.deliver(v, p));
            }
        }
        commits.push(one(&out));
    }
    for (v, c) in commits.iter().enumerate() {
        if v != 3 {
            s.deliver(3, c);
        }
    }
    assert_eq!(s.nodes[3].decision(), Some(Attack));
    assert!(s.nodes[1].decision().is_none() && s.nodes[2].decision().is_none());

    // Views change at 1 and 2; the traitor hides its certificate and lies about its input.
    let vc1 = one(&s.call(1, |p, c| p.on_timer(c, ViewTimer { view: 0 })));
    let vc2 = one(&s.call(2, |p, c| p.on_timer(c, ViewTimer { view: 0 })));
    let liar = s.call(0, |_, c| {
        let input = Signed::new(c, Phase::Input, 0, Retreat);
        let vc = ViewChange::new(c, 1, input, None);
        c.broadcast(PbftMsg::ViewChange(Arc::new(vc)));
    });
    let vc0 = one(&liar);
    assert!(
        sent(&s.deliver(1, &vc2)).is_empty(),
        "two view-changes are not a quorum"
    );
    let new_view = one(&s.deliver(1, &vc0));
    let PbftMsg::NewView(nv) = &new_view else {
        panic!("{new_view:?}")
    };
    assert_eq!(
        nv.pre_prepare.value, Attack,
        "the certified value, not its own input"
    );

    // The same view-changes with a pre-prepare for retreat (a faulty primary): refused.
    let forged = s.call(1, |_, c| {
        let pre_prepare = Signed::new(c, Phase::PrePrepare, 1, Retreat);
        let vcs = nv.vcs.clone();
        c.broadcast(PbftMsg::NewView(Arc::new(NewView {
            view: 1,
            vcs,
            pre_prepare,
        })));
    });
    s.deliver(2, &vc1);
    assert!(
        sent(&s.deliver(2, &one(&forged))).is_empty(),
        "no prepare for retreat"
    );
    // The real one: 2 prepares attack, and with the prepares and commits of view 1, decides.
    let prepare2 = one(&s.deliver(2, &new_view));
    assert!(matches!(&prepare2, PbftMsg::Prepare(p) if p.value == Attack && p.view == 1));
    let prepare0 = one(&s.deliver(0, &new_view));
    let mut commits = sent(&s.deliver(1, &prepare2));
    commits.extend(sent(&s.deliver(1, &prepare0)));
    commits.extend(sent(&s.deliver(2, &prepare0)));
    commits.extend(sent(&s.deliver(0, &prepare2)));
    assert_eq!(commits.len(), 3);
    for c in &commits {
        s.deliver(2, c);
        s.deliver(1, c);
    }
    assert_eq!(s.nodes[1].decision(), Some(Attack));
    assert_eq!(s.nodes[2].decision(), Some(Attack));
}

/// q = ⌈(n + t + 1)/2⌉: two quorums share at least t + 1 generals, and n − t honest generals
/// make a quorum exactly when n > 3t.
#[test]
fn quorums_intersect_in_t_plus_1_and_fit_the_honest_exactly_above_3t() {
    assert_eq!(quorum(4, 1), 3);
    assert_eq!(quorum(7, 2), 5);
    assert_eq!(quorum(3, 1), 3);
    assert_eq!(quorum(5, 1), 4);
    for t in 0..20 {
        for n in t + 1..80 {
            let q = quorum(n, t);
            assert!(2 * q > n + t && q <= n, "n = {n}, t = {t}");
            assert_eq!(q <= n - t, n > 3 * t, "n = {n}, t = {t}");
        }
    }
}
