//! Validation of the timing model (`network.timing`, `gst_ms`, `delta_ms`, `scheduler`,
//! `max_delay_ms`) and of `[[network.partitions]]`; see [`crate::engine::timing`] for what they
//! mean.

use super::Source;
use super::raw::{RawNetwork, RawPartition};
use crate::engine::timing::{Partition, Scheduler, SchedulerKind, Timing};
use crate::error::InputError;
use crate::types::SimTime;

type Result<T> = std::result::Result<T, InputError>;

/// The timing model and partitions of `net` for `n` generals (Sybil identities included).
pub fn timing(
    net: &RawNetwork,
    src: &Source,
    n: usize,
    millis: impl Fn(f64, &str) -> Result<SimTime>,
) -> Result<(Timing, Vec<Partition>)> {
    let kind = net.timing.as_deref().unwrap_or("synchronous");
    let refuse = |key: &str, why: &str| -> Result<()> {
        Err(src.error(
            &format!("network.{key}"),
            format!("{why} with network.timing = \"{kind}\""),
        ))
    };
    let timing = match kind {
        "synchronous" => {
            for (key, set) in [
                ("gst_ms", net.gst_ms.is_some()),
                ("delta_ms", net.delta_ms.is_some()),
                ("scheduler", net.scheduler.is_some()),
                ("max_delay_ms", net.max_delay_ms.is_some()),
            ] {
                if set {
                    refuse(key, "there is no network adversary")?;
                }
            }
            Timing::Synchronous
        }
        "partial" => {
            let gst = match net.gst_ms {
                Some(ms) => millis(ms, "network.gst_ms")?,
                None => {
                    return Err(src.error(
                        "network.gst_ms",
                        "missing: partial synchrony needs the global stabilisation time (gst_ms = 10000)",
                    ));
                }
            };
            let delta = match net.delta_ms {
                Some(ms) => millis(ms, "network.delta_ms")?,
                None => {
                    return Err(src.error(
                        "network.delta_ms",
                        "missing: partial synchrony needs the delay bound after GST (delta_ms = 50)",
                    ));
                }
            };
            if delta == SimTime::ZERO {
                return Err(src.error(
                    "network.delta_ms",
                    "Δ = 0: messages after GST must be allowed some time",
                ));
            }
            let scheduler = scheduler(net, src, &millis, gst)?;
            Timing::Partial {
                gst,
                delta,
                scheduler,
            }
        }
        "asynchronous" => {
            if net.gst_ms.is_some() {
                refuse("gst_ms", "there is no GST")?;
            }
            if net.delta_ms.is_some() {
                refuse("delta_ms", "there is no delay bound")?;
            }
            let scheduler = scheduler(net, src, &millis, SimTime::from_ms(1000))?;
            Timing::Asynchronous { scheduler }
        }
        other => {
            return Err(src.error(
                "network.timing",
                format!("unknown timing `{other}`; known: synchronous, partial, asynchronous"),
            ));
        }
    };
    let partitions = (net.partitions.iter().flatten())
        .map(|p| partition(p, src, n, &millis))
        .collect::<Result<_>>()?;
    Ok((timing, partitions))
}

/// `network.scheduler` and `max_delay_ms` (default `max_delay`).
fn scheduler(
    net: &RawNetwork,
    src: &Source,
    millis: &impl Fn(f64, &str) -> Result<SimTime>,
    max_delay: SimTime,
) -> Result<Scheduler> {
    let name = net.scheduler.as_deref().unwrap_or("random");
    let kind = SchedulerKind::parse(name).ok_or_else(|| {
        src.error(
            "network.scheduler",
            format!(
                "unknown scheduler `{name}`; known: {}",
                SchedulerKind::NAMES.join(", ")
            ),
        )
    })?;
    let max_delay = match net.max_delay_ms {
        Some(ms) => millis(ms, "network.max_delay_ms")?,
        None => max_delay,
    };
    Ok(Scheduler { kind, max_delay })
}

fn partition(
    p: &RawPartition,
    src: &Source,
    n: usize,
    millis: &impl Fn(f64, &str) -> Result<SimTime>,
) -> Result<Partition> {
    let from = millis(p.from_ms.unwrap_or(0.0), "network.partitions.from_ms")?;
    let to = match p.to_ms {
        Some(ms) => millis(ms, "network.partitions.to_ms")?,
        None => {
            return Err(src.error(
                "network.partitions.to_ms",
                "missing: when the partition heals (to_ms = 30000)",
            ));
        }
    };
    if to <= from {
        return Err(src.error(
            "network.partitions.to_ms",
            format!(
                "the partition heals at {} ms, not after it starts ({} ms)",
                to.as_ms(),
                from.as_ms()
            ),
        ));
    }
    let groups = p.groups.as_deref().unwrap_or_default();
    if groups.is_empty() || groups.iter().any(|g| g.is_empty()) {
        return Err(src.error(
            "network.partitions.groups",
            "give the sides as non-empty lists of generals: groups = [[0, 1], [2, 3, 4]]",
        ));
    }
    // Generals listed nowhere form one more group, after the listed ones.
    let rest = groups.len() as u32;
    let mut group = vec![rest; n];
    let mut seen = vec![false; n];
    for (i, g) in groups.iter().enumerate() {
        for &v in g {
            if v >= n as u64 {
                return Err(src.error(
                    "network.partitions.groups",
                    format!("general {v} does not exist: ids run from 0 to {}", n - 1),
                ));
            }
            if std::mem::replace(&mut seen[v as usize], true) {
                return Err(src.error(
                    "network.partitions.groups",
                    format!("general {v} is listed twice: the groups must not overlap"),
                ));
            }
            group[v as usize] = i as u32;
        }
    }
    Ok(Partition {
        from,
        to,
        group,
        one_way: p.one_way.unwrap_or(false),
        drop: p.drop.unwrap_or(false),
    })
}
