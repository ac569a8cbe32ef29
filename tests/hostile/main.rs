//! The hostile-input suite (issue 16 item 7): over two hundred cases across every subcommand,
//! each a run of the built binary in a fresh directory under a memory and a CPU cap and a
//! wall-clock kill, each checked for what README's "What byzsim promises" says: the exit code
//! the contract allows (0, 1, 2; a signal only where one is sent), no panic text, no file touched
//! but the declared outputs, every output complete or absent. The cases are data, one file per
//! family under `cases/`; the harness that runs and checks them is `harness.rs`.
//!
//! `cargo test --release --test hostile -- --nocapture` prints the count per family, the
//! runtime and the children's peak memory. `BYZSIM_HOSTILE_BIN=path` runs the cases against
//! another build (to see what an older one fails).

mod cases;
mod harness;
mod refs;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Cases run at once: enough to keep two cores busy while some cases wait on signals.
const POOL: usize = 3;

#[test]
fn every_hostile_case_keeps_the_promises() {
    #[allow(clippy::disallowed_methods)] // the suite reports its own runtime
    let started = Instant::now();
    let refs = refs::Refs::make();
    let cases = cases::all(&refs);
    let read_only = harness::read_only_mode();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..POOL {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let ran = harness::run_case(case, read_only);
                    failures.lock().unwrap().extend(ran.failures);
                    skipped.lock().unwrap().extend(ran.skipped);
                }
            });
        }
    });
    let mut by_family: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &cases {
        *by_family.entry(c.family).or_default() += 1;
    }
    let skipped = skipped.into_inner().unwrap();
    eprintln!("hostile cases by family:");
    for (family, count) in &by_family {
        eprintln!("  {count:4}  {family}");
    }
    eprintln!(
        "  {:4}  in all ({} skipped), {:.1} s, children's peak resident memory {} MiB",
        cases.len(),
        skipped.len(),
        started.elapsed().as_secs_f64(),
        harness::children_peak_kib() / 1024
    );
    for s in &skipped {
        eprintln!("skipped: {s}");
    }
    let failures = failures.into_inner().unwrap();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases broke a promise:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
