//! `byzsim view`: one trial as one self-contained HTML page that steps through it, forward and
//! back. The page is an output file like a CSV: all its JavaScript, CSS and data are inline (no
//! network request of any kind), and the same scenario and seed give the same bytes.
//!
//! The data comes from the trial's trace and nothing else ([`data`]): the page, the trace files
//! ([`crate::tracefile`]) and the explanation ([`crate::explain`]) render one [`TraceIndex`].
//! A trial longer than the trace's cap is traced for the page with
//! [`Tracing::Page`]: past the cap it still keeps the first send of every new message, so the
//! block tree of a 600-node, 1000-block proof-of-work trial has all its blocks (tips and
//! in-flight messages stop at the cut, and the page says where).
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
use crate::trial::{Tracing, run_trial_traced, topology_of, traitors_of};
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

/// The trial `trial` if given; else the first trial that violated a property, if one did; else
/// trial 0. With `kind`, that protocol of the scenario's list, else the first (or, when
/// searching, the first that violated).
pub fn choose(sc: &Scenario, trial: Option<u64>, kind: Option<&str>) -> Result<Choice, InputError> {
    let kind = match kind {
        None => None,
        Some(name) => Some(
            sc.kinds
                .iter()
                .copied()
                .find(|k| k.name() == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = sc.kinds.iter().map(|k| k.name()).collect();
                    InputError::file(
                        "--protocol",
                        format!(
                            "`{name}` is not one of this scenario's protocols: {}",
                            names.join(", ")
                        ),
                    )
                })?,
        ),
    };
    let first_kind = kind.unwrap_or(sc.kinds[0]);
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
        let wanted = kind.is_none_or(|k| k.name() == r.protocol);
        if wanted && found.is_none() && !(r.agreement && r.validity && r.termination) {
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
                "trial 0: none of the {} trials ({}) violated a property",
                sc.trials,
                first_kind.name()
            ),
        },
    })
}

/// The page of trial `choice` of `sc`; `command` is the command line that made it.
pub fn trial_page(sc: &Scenario, choice: &Choice, command: &str) -> Result<String, InputError> {
    let seed = trial_seed(sc.seed, choice.trial);
    let result = run_trial_traced(sc, choice.kind, choice.trial, seed, Tracing::Page)?;
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

/// The template with its title, style, script and data inlined, in one pass (so a `{{...}}`
/// inside the data or the title stays as it is).
pub fn fill(template: &str, title: &str, data: &serde_json::Value) -> String {
    let title = html_escape(title);
    let data = script_json(data);
    let parts: [(&str, &str); 4] = [
        ("{{TITLE}}", &title),
        ("{{STYLE}}", STYLE),
        ("{{DATA}}", &data),
        ("{{SCRIPT}}", SCRIPT),
    ];
    fill_parts(template, &parts)
}

/// `template` with each `{{NAME}}` marker of `parts` replaced, in one pass.
pub fn fill_parts(template: &str, parts: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + parts.iter().map(|p| p.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match parts.iter().find(|(marker, _)| rest.starts_with(marker)) {
            Some((marker, text)) => {
                out.push_str(text);
                rest = &rest[marker.len()..];
            }
            None => {
                out.push_str("{{");
                rest = &rest[2..];
            }
        }
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_inside_the_data_or_the_title_are_left_alone() {
        let data = serde_json::json!({"description": "{{SCRIPT}} </script><!--"});
        let page = fill(
            "<t>{{TITLE}}</t>{{DATA}}|{{SCRIPT}}",
            "a {{DATA}} & b",
            &data,
        );
        assert_eq!(page.matches(SCRIPT).count(), 1);
        assert!(page.starts_with("<t>a {{DATA}} &amp; b</t>"));
        assert!(!page[..page.len() - SCRIPT.len()].contains("</script>"));
        assert!(page.contains("{{SCRIPT}} \\u003c/script>\\u003c!--"));
    }
}
