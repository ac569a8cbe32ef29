//! Timing models and partitions: who decides how long a message takes.
//!
//! - `synchronous` (the default): every delay is the latency law's draw, and with a bounded law
//!   and long enough rounds every message arrives in its round.
//! - `partial` (Dwork, Lynch and Stockmeyer 1988): before the global stabilisation time
//!   `gst_ms` a network adversary (the scheduler) chooses each message's delay, finite but as
//!   long as it likes; from GST on every message sent arrives within `delta_ms` (the draw,
//!   capped at Δ), and a message sent before GST arrives by GST + Δ at the latest.
//! - `asynchronous` (the FLP setting): the scheduler chooses every delay, finite, with no GST.
//!
//! Schedulers (`network.scheduler`), what the adversary does while it is in charge:
//! - `random`: adds a uniform extra delay in [0, `max_delay_ms`] to the draw (its own stream);
//! - `leader`: holds everything the current leader sends (the general whose
//!   [`Protocol::is_leader`](crate::general::Protocol::is_leader) says so — PBFT's primary of
//!   its view) for `max_delay_ms`, or until GST under partial synchrony; others get the draw;
//! - `partition`: cuts the generals into a lower and an upper half by id and holds what
//!   crosses for `max_delay_ms`, or until GST.
//!
//! Partitions (`[[network.partitions]]`, any timing model, any protocol): from `from_ms` to
//! `to_ms` the generals are cut into `groups` (those listed nowhere form one more group); a
//! message sent across the cut while it lasts is held until it heals (then takes its drawn
//! latency) or, with `drop = true`, lost. With `one_way = true` only messages leaving the first
//! group are cut.
//!
//! Everything here is a [`Schedule`]: the network asks it once per transmission, so relayed
//! messages are delayed hop by hop, and the latency stream draws the same numbers whatever the
//! adversary does. The scheduler's own coin flips come from [`Stream::Scheduler`].

use rand::Rng;

use super::network::{Schedule, Transmission};
use crate::rng::{SimRng, Stream, stream};
use crate::types::{NodeId, SimTime};

/// The timing model of a scenario (`network.timing`).
#[derive(Clone, Debug, PartialEq)]
pub enum Timing {
    Synchronous,
    Partial {
        gst: SimTime,
        delta: SimTime,
        scheduler: Scheduler,
    },
    Asynchronous {
        scheduler: Scheduler,
    },
}

impl Timing {
    pub fn name(&self) -> &'static str {
        match self {
            Timing::Synchronous => "synchronous",
            Timing::Partial { .. } => "partial",
            Timing::Asynchronous { .. } => "asynchronous",
        }
    }

    /// The global stabilisation time, under partial synchrony.
    pub fn gst(&self) -> Option<SimTime> {
        match self {
            Timing::Partial { gst, .. } => Some(*gst),
            _ => None,
        }
    }
}

/// What the network adversary does with the delays it controls.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduler {
    pub kind: SchedulerKind,
    /// The longest extra delay it adds (`network.max_delay_ms`).
    pub max_delay: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerKind {
    Random,
    Leader,
    Partition,
}

impl SchedulerKind {
    pub const NAMES: [&'static str; 3] = ["random", "leader", "partition"];

    pub fn parse(s: &str) -> Option<SchedulerKind> {
        match s {
            "random" => Some(SchedulerKind::Random),
            "leader" => Some(SchedulerKind::Leader),
            "partition" => Some(SchedulerKind::Partition),
            _ => None,
        }
    }
}

/// A cut of the network for a while (`[[network.partitions]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    pub from: SimTime,
    pub to: SimTime,
    /// `group[v]`: which side general `v` is on.
    pub group: Vec<u32>,
    pub one_way: bool,
    pub drop: bool,
}

impl Partition {
    /// Whether a message `from` → `to` sent at `at` crosses this cut while it lasts.
    fn cuts(&self, from: NodeId, to: NodeId, at: SimTime) -> bool {
        let side = |v: NodeId| self.group.get(v.idx()).copied().unwrap_or(u32::MAX);
        let (a, b) = (side(from), side(to));
        self.from <= at && at < self.to && a != b && (!self.one_way || a == 0)
    }
}

/// The network adversary of one trial: the timing model and the partitions.
pub struct Adversary {
    timing: Timing,
    partitions: Vec<Partition>,
    n: usize,
    rng: SimRng,
}

impl Adversary {
    /// The adversary of the trial with seed `trial_seed`; `None` when it would change nothing
    /// (synchronous timing, no partition), so the network stays on its fast path.
    pub fn new(
        timing: &Timing,
        partitions: &[Partition],
        n: usize,
        trial_seed: u64,
    ) -> Option<Adversary> {
        if *timing == Timing::Synchronous && partitions.is_empty() {
            return None;
        }
        Some(Adversary {
            timing: timing.clone(),
            partitions: partitions.to_vec(),
            n,
            rng: stream(trial_seed, Stream::Scheduler),
        })
    }

    /// The scheduler's extra delay for a transmission it controls, until `until` if given.
    fn scheduled(&mut self, s: &Scheduler, t: &Transmission, until: Option<SimTime>) -> SimTime {
        let hold = |now: SimTime| match until {
            Some(gst) => SimTime(gst.0.saturating_sub(now.0)),
            None => s.max_delay,
        };
        match s.kind {
            SchedulerKind::Random => SimTime(self.rng.random_range(0..=s.max_delay.0)),
            SchedulerKind::Leader if t.sender_leads => hold(t.sent),
            SchedulerKind::Partition if self.half(t.from) != self.half(t.to) => hold(t.sent),
            SchedulerKind::Leader | SchedulerKind::Partition => SimTime::ZERO,
        }
    }

    fn half(&self, v: NodeId) -> bool {
        v.idx() < self.n.div_ceil(2)
    }
}

impl Schedule for Adversary {
    fn delay(&mut self, t: &Transmission) -> Option<SimTime> {
        let drawn = t.drawn;
        let mut delay = match self.timing.clone() {
            Timing::Synchronous => drawn,
            Timing::Asynchronous { scheduler } => {
                drawn.saturating_add(self.scheduled(&scheduler, t, None))
            }
            Timing::Partial {
                gst,
                delta,
                scheduler,
            } => {
                if t.sent >= gst {
                    drawn.min(delta)
                } else {
                    // Held by the adversary, but in by GST + Δ.
                    let extra = self.scheduled(&scheduler, t, Some(gst));
                    let latest = SimTime(gst.0.saturating_add(delta.0) - t.sent.0);
                    drawn.saturating_add(extra).min(latest)
                }
            }
        };
        for p in &self.partitions {
            if p.cuts(t.from, t.to, t.sent) {
                if p.drop {
                    return None;
                }
                delay = delay.max(SimTime(p.to.0 - t.sent.0).saturating_add(drawn));
            }
        }
        Some(delay)
    }
}
