//! `byzsim view`: one trial as one self-contained HTML page that steps through it, forward and
//! back. The page is an output file like a CSV: all its JavaScript, CSS and data are inline (no
//! network request of any kind), and the same scenario and seed give the same bytes.
//!
//! The data comes from the trial's trace and nothing else ([`data`]): the page, the trace files
//! ([`crate::tracefile`]) and the explanation ([`crate::explain`]) render one [`TraceIndex`].
//! The template lives in `assets/` (vanilla JavaScript and SVG, no library) and is inlined at
//! build time. For scripts and tests the page exposes its state in the DOM: `#status`
//! (`data-step`, `data-steps`, `data-time-ms`), one element per general (`data-general`,
//! `data-traitor`, `data-decision`), `#verdict` (`data-agreement`, `data-validity`,
//! `data-termination`) and, for a violating trial, `#jump` (`data-first-difference-step`).
//!
//! [`report`] makes `byzsim report`'s page from a sweep summary.

pub mod blocks;
pub mod data;
pub mod layout;
pub mod report;

use crate::error::InputError;
use crate::protocol::Kind;
use crate::rng::trial_seed;
use crate::run::run_scenario_streaming;
use crate::scenario::Scenario;
use crate::trace_index::TraceIndex;
use crate::trial::{run_trial, topology_of, traitors_of};
use data::{TrialView, export};

const TEMPLATE: &str = include_str!("assets/view.html");
const STYLE: &str = include_str!("assets/view.css");
const SCRIPT: &str = include_str!("assets/view.js");

/// Which trial of a scenario to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub trial: u64,
    pub kind: Kind,
    /// Why, in words.
    pub why: String,
}

/// The trial `trial` (first protocol kind) if given; else the first trial (and kind) that
/// violated a property, if one did; else trial 0.
pub fn choose(sc: &Scenario, trial: Option<u64>) -> Result<Choice, InputError> {
    let first_kind = sc.kinds[0];
    if let Some(t) = trial {
        if t >= sc.trials {
            return Err(InputError::file(
                "--trial",
                format!(
                    "{t} is not a trial of {} (it has {} trials: 0..{})",
                    sc.name, sc.trials, sc.trials
                ),
            ));
        }
        return Ok(Choice {
            trial: t,
            kind: first_kind,
            why: format!("trial {t}, as asked"),
        });
    }
    let mut found: Option<(u64, String)> = None;
    run_scenario_streaming(sc, |r| {
        if found.is_none() && !(r.agreement && r.validity && r.termination) {
            found = Some((r.trial, r.protocol.clone()));
        }
        Ok(())
    })?;
    Ok(match found {
        Some((trial, protocol)) => Choice {
            trial,
            kind: Kind::parse(&protocol).unwrap_or(first_kind),
            why: format!(
                "trial {trial}, the first of the {} trials ({protocol}) that violated a property",
                sc.trials
            ),
        },
        None => Choice {
            trial: 0,
            kind: first_kind,
            why: format!(
                "trial 0: none of the {} trials violated a property",
                sc.trials
            ),
        },
    })
}

/// The page of trial `choice` of `sc`; `command` is the command line that made it.
pub fn trial_page(sc: &Scenario, choice: &Choice, command: &str) -> Result<String, InputError> {
    let seed = trial_seed(sc.seed, choice.trial);
    let result = run_trial(sc, choice.kind, choice.trial, seed, true)?;
    let graph = topology_of(sc, seed)?;
    let traitors = traitors_of(sc, seed);
    let Some(trace) = &result.trace else {
        return Err(InputError::file("view", "the trial recorded no trace"));
    };
    let index = TraceIndex::new(trace, &traitors);
    let view = TrialView {
        index: &index,
        record: &result.record,
        verdicts: &result.verdicts,
        graph: &graph,
        description: &sc.description,
        replay: sc.replay_command(seed),
        command: command.to_string(),
        chosen: choice.why.clone(),
    };
    let data = export(&view);
    let title = format!(
        "{} — {} trial {} (seed {})",
        result.record.scenario, result.record.protocol, choice.trial, seed
    );
    Ok(fill(TEMPLATE, &title, &data))
}

/// The template with its title, style, script and data inlined.
pub fn fill(template: &str, title: &str, data: &serde_json::Value) -> String {
    template
        .replace("{{TITLE}}", &html_escape(title))
        .replace("{{STYLE}}", STYLE)
        .replace("{{DATA}}", &script_json(data))
        .replace("{{SCRIPT}}", SCRIPT)
}

/// JSON safe inside a `<script>` element: no `<` at all (so no `</script>` or `<!--`).
pub fn script_json(data: &serde_json::Value) -> String {
    data.to_string().replace('<', "\\u003c")
}

/// Text safe in HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
