//! The small vocabulary every layer shares: who a general is ([`NodeId`]), when something
//! happens ([`SimTime`], microseconds of simulated time) and what the generals decide ([`Value`]).

use std::fmt;

/// A general, by index: `0..n`. State is kept in `Vec`s indexed by it, never in a hash map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index into per-general vectors.
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Simulated time in microseconds. There is no wall clock inside the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    /// Whole milliseconds to simulated time.
    pub fn from_ms(ms: u64) -> SimTime {
        SimTime(ms.saturating_mul(1000))
    }

    /// Fractional milliseconds (as written in scenario files) to simulated time, rounded to the
    /// nearest microsecond.
    pub fn from_ms_f64(ms: f64) -> SimTime {
        SimTime((ms * 1000.0).round().max(0.0) as u64)
    }

    /// Milliseconds, for reports and CSV columns.
    pub fn as_ms(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub fn saturating_add(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} ms", self.as_ms())
    }
}

/// The generals' order. `Retreat` is the default wherever a value is missing, and ties in a
/// majority break to `Retreat` (Lamport, Shostak and Pease 1982).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Value {
    Attack,
    #[default]
    Retreat,
}

impl Value {
    pub fn as_str(self) -> &'static str {
        match self {
            Value::Attack => "attack",
            Value::Retreat => "retreat",
        }
    }

    pub fn parse(s: &str) -> Option<Value> {
        match s {
            "attack" => Some(Value::Attack),
            "retreat" => Some(Value::Retreat),
            _ => None,
        }
    }

    /// The byte a signed statement carries for this value (retreat 0, attack 1).
    pub fn byte(self) -> u8 {
        match self {
            Value::Attack => 1,
            Value::Retreat => 0,
        }
    }

    /// The other order: what an equivocating traitor tells the other half.
    pub fn flip(self) -> Value {
        match self {
            Value::Attack => Value::Retreat,
            Value::Retreat => Value::Attack,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Majority of a multiset of values given as counts; ties break to `Retreat`.
pub fn majority(attack: usize, retreat: usize) -> Value {
    if attack > retreat {
        Value::Attack
    } else {
        Value::Retreat
    }
}
