//! # byzsim: Byzantine agreement, simulated
//!
//! Generals must agree to attack or retreat while some of them are traitors. byzsim runs that
//! story as a deterministic discrete-event simulation and checks, for every trial, whether the
//! honest generals agreed (agreement), whether an honest commander's order or a unanimous honest
//! vote won (validity), and whether every honest general decided (termination).
//!
//! The flow of one trial:
//!
//! ```text
//! scenario.toml ──parse+validate──▶ Scenario ──▶ Sim (engine + network + generals) ──▶ checks ──▶ RunRecord
//! ```
//!
//! - [`scenario`] reads and validates TOML files (the only place that reads user input);
//! - [`engine`] is the event loop, the network and its transports;
//! - [`general`] is the contract between a general and the engine (the `Protocol` and
//!   `Traitor` traits, the handler context, typed timers): the engine imports it and neither
//!   of the two below;
//! - [`protocol`] holds the honest logic of each protocol, [`adversary`] the traitors;
//! - [`check`] judges a trial, [`record`] makes its CSV row, [`run`] runs a scenario's trials;
//! - [`rng`] is the only source of randomness: one seed per trial, a ChaCha stream per subsystem.
//!
//! Same scenario and seed, same bytes out: every row carries the seed that replays it.

pub mod adversary;
pub mod bench;
pub mod bound;
pub mod check;
pub mod cli;
pub mod crypto;
pub mod engine;
pub mod error;
pub mod explain;
pub mod general;
pub mod hunt;
pub mod input;
pub mod output;
pub mod plot;
pub mod pow;
pub mod protocol;
pub mod record;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod stats;
pub mod sweep;
pub mod topology;
pub mod trace_index;
pub mod tracefile;
pub mod trial;
pub mod types;
pub mod view;

pub use error::InputError;
pub use scenario::Scenario;
pub use types::{NodeId, SimTime, Value};
