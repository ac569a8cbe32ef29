//! The event queue: events in `(time, seq)` order, as a monotone radix heap.
//!
//! `seq` is a strictly increasing counter assigned at push, so events scheduled for the same
//! simulated instant pop in the order they were scheduled (first in, first out).
//!
//! A discrete-event simulation never schedules into the past, and a *radix heap* (Ahuja,
//! Mehlhorn, Orlin and Tarjan 1990) exploits that: bucket `i` holds the events whose time first
//! differs from the last popped one in bit `i − 1`, so a push is an append to a `Vec`, and a
//! pop redistributes at most one bucket into lower ones. Every event moves at most 64 times and
//! in practice a handful, through memory in order, which makes it several times faster than a
//! binary heap of a million events.
//!
//! Buckets are kept on a coarse clock (units of [`GRAIN_US`] µs): events less than a grain
//! apart share bucket 0, which is sorted by `(time, seq)` when refilled, and a push into the
//! current grain is inserted in order. An event then moves through a handful of buckets (about
//! log₂ of its delay in grains) instead of one per bit of its delay in µs, and a bitmask of the
//! non-empty buckets finds the lowest at once.

use std::collections::VecDeque;

use crate::types::SimTime;

/// The width of the coarse clock's tick, in µs (about a millisecond).
const GRAIN_US: u32 = 10;

/// The largest allocation an emptied bucket keeps, in events.
const KEEP_CAPACITY: usize = 4096;

struct Entry<E> {
    time: u64,
    seq: u64,
    event: E,
}

/// Events of type `E` in `(time, seq)` order. Pushing an event earlier than the last popped one
/// is a logic error (the engine never does; such an event is treated as due now).
pub struct EventQueue<E> {
    /// Events in the grain of `last`, in `(time, seq)` order, the next at the front.
    now: VecDeque<Entry<E>>,
    /// `buckets[i]` (i ≥ 1): events whose grain first differs from `last`'s in bit `i − 1`.
    buckets: Vec<Vec<Entry<E>>>,
    /// Bit `i` set: `buckets[i]` is not empty.
    full: u128,
    /// The time of the last popped event (only its grain sets the buckets).
    last: u64,
    len: usize,
    next_seq: u64,
    last_popped: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            now: VecDeque::new(),
            buckets: (0..=64).map(|_| Vec::new()).collect(),
            full: 0,
            last: 0,
            len: 0,
            next_seq: 0,
            last_popped: 0,
        }
    }

    /// A queue; `capacity` is a hint only (buckets grow as needed).
    pub fn with_capacity(_capacity: usize) -> Self {
        Self::new()
    }

    #[inline]
    fn bucket(&self, time: u64) -> usize {
        (64 - ((time >> GRAIN_US) ^ (self.last >> GRAIN_US)).leading_zeros()) as usize
    }

    /// Schedules `event` at `time`, after every event already scheduled for that time.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        debug_assert!(time.0 >= self.last, "event scheduled in the past");
        let time = time.0.max(self.last);
        let entry = Entry {
            time,
            seq: self.next_seq,
            event,
        };
        self.next_seq += 1;
        self.len += 1;
        match self.bucket(time) {
            // In the current grain: after every event at or before its time (its seq is the
            // largest yet), usually at the back.
            0 => match self.now.back() {
                Some(b) if b.time > time => {
                    let at = self.now.partition_point(|e| e.time <= time);
                    self.now.insert(at, entry);
                }
                _ => self.now.push_back(entry),
            },
            b => {
                self.buckets[b].push(entry);
                self.full |= 1 << b;
            }
        }
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.now.is_empty() {
            self.refill()?;
        }
        let e = self.now.pop_front()?;
        self.len -= 1;
        self.last = e.time;
        self.last_popped = e.seq;
        Some((SimTime(e.time), e.event))
    }

    /// Moves the earliest events into `now`: finds the lowest non-empty bucket, makes its
    /// smallest time the new `last`, redistributes the bucket below it, and sorts the grain.
    fn refill(&mut self) -> Option<()> {
        if self.full == 0 {
            return None;
        }
        let b = self.full.trailing_zeros() as usize;
        let mut entries = std::mem::take(&mut self.buckets[b]);
        self.full &= !(1 << b);
        self.last = entries.iter().map(|e| e.time).min()?;
        for e in entries.drain(..) {
            match self.bucket(e.time) {
                0 => self.now.push_back(e),
                lower => {
                    self.buckets[lower].push(e);
                    self.full |= 1 << lower;
                }
            }
        }
        // Give the emptied Vec's allocation back to its bucket, unless it is large: every
        // bucket keeping the largest wave it ever held would hold several waves' worth of
        // memory at once (a block's wave over 100,000 nodes is 700,000 events).
        if entries.capacity() <= KEEP_CAPACITY {
            self.buckets[b] = entries;
        }
        if self.now.len() > 1 {
            self.now
                .make_contiguous()
                .sort_unstable_by_key(|e| (e.time, e.seq));
        }
        Some(())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many events were ever scheduled: the `seq` the next push will get.
    pub fn scheduled(&self) -> u64 {
        self.next_seq
    }

    /// The sequence number of the event popped last: it names a transmission in a trace.
    pub fn last_popped_seq(&self) -> u64 {
        self.last_popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pops_by_time_then_first_in_first_out() {
        let mut q = EventQueue::new();
        q.push(SimTime(5), 'a');
        q.push(SimTime(1), 'b');
        q.push(SimTime(5), 'c');
        q.push(SimTime(1), 'd');
        q.push(SimTime(0), 'e');
        let order: Vec<(u64, char)> =
            std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect();
        assert_eq!(
            order,
            vec![(0, 'e'), (1, 'b'), (1, 'd'), (5, 'a'), (5, 'c')]
        );
        assert_eq!(q.scheduled(), 5);
        assert!(q.is_empty());
    }

    proptest! {
        /// Interleaved pushes (never into the past) and pops come out exactly in `(time, seq)`
        /// order, the order a sorted reference gives.
        #[test]
        fn matches_a_sorted_reference(ops in proptest::collection::vec((0u64..3, 0u64..50_000, any::<bool>()), 1..400)) {
            let mut q = EventQueue::new();
            let mut reference: Vec<(u64, u64)> = Vec::new();
            let mut now = 0u64;
            let mut popped = Vec::new();
            let mut expected = Vec::new();
            for (kind, delay, pop) in ops {
                let delay = match kind { 0 => 0, 1 => delay % 16, _ => delay };
                let seq = q.scheduled();
                q.push(SimTime(now + delay), seq);
                reference.push((now + delay, seq));
                if pop {
                    reference.sort();
                    let first = reference.remove(0);
                    expected.push(first);
                    let (t, s) = q.pop().unwrap();
                    now = t.0;
                    popped.push((t.0, s));
                }
            }
            reference.sort();
            expected.extend(reference);
            while let Some((t, s)) = q.pop() {
                popped.push((t.0, s));
            }
            prop_assert_eq!(popped, expected);
        }
    }
}
