//! One trial's trace written for people and tools: JSON lines (`.jsonl`, one event per line),
//! a Mermaid sequence diagram (`.mmd`, readable on GitHub, for small runs) or the Chrome
//! trace-event format (`.json`, one track per general; opens in Perfetto or chrome://tracing).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Value as Json, json};

use crate::engine::trace::TraceEvent;
use crate::error::InputError;
use crate::output::write_atomically;

/// The most messages a Mermaid diagram shows before it stops being readable.
pub const MERMAID_MAX_EVENTS: usize = 400;

/// The format of a trace file, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Mermaid,
    Chrome,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format, InputError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl") => Ok(Format::JsonLines),
            Some("mmd") => Ok(Format::Mermaid),
            Some("json") => Ok(Format::Chrome),
            _ => Err(InputError::file(
                "--trace",
                format!(
                    "`{}`: name the file .jsonl (JSON lines), .mmd (Mermaid) or .json (Chrome trace events)",
                    path.display()
                ),
            )),
        }
    }
}

/// Writes `events` of a trial with `n` generals (`traitor[v]` marks traitors) to `path`.
pub fn write(path: &Path, events: &[TraceEvent], traitor: &[bool]) -> Result<(), InputError> {
    let text = match Format::of(path)? {
        Format::JsonLines => json_lines(events),
        Format::Mermaid => mermaid(events, traitor)?,
        Format::Chrome => chrome(events, traitor),
    };
    write_atomically(path, |w: &mut dyn Write| w.write_all(text.as_bytes()))
}

fn ms(t: crate::types::SimTime) -> f64 {
    t.as_ms()
}

/// One JSON object per line.
pub fn json_lines(events: &[TraceEvent]) -> String {
    let mut out = String::new();
    for e in events {
        let j = match e {
            TraceEvent::Send {
                at,
                from,
                to,
                seq,
                relay,
                envelope,
                label,
            } => json!({
                "t_ms": ms(*at), "event": if seq.is_some() { "send" } else { "loss" },
                "from": from.0, "to": to.0, "seq": seq, "relay": relay, "envelope": envelope, "message": label,
            }),
            TraceEvent::Deliver {
                at,
                from,
                to,
                seq,
                envelope,
                handed,
            } => json!({
                "t_ms": ms(*at), "event": "deliver", "from": from.0, "to": to.0, "seq": seq,
                "envelope": envelope, "handed": handed,
            }),
            TraceEvent::Withheld { at, by, to } => json!({
                "t_ms": ms(*at), "event": "withhold", "by": by.0, "to": to.0,
            }),
            TraceEvent::Redundant {
                at,
                from,
                to,
                envelope,
                lost,
            } => json!({
                "t_ms": ms(*at), "event": "redundant", "from": from.0, "to": to.0,
                "envelope": envelope, "lost": lost,
            }),
            TraceEvent::Timer { at, node, tag } => json!({
                "t_ms": ms(*at), "event": "timer", "general": node.0, "tag": tag,
            }),
            TraceEvent::Decide { at, node, value } => json!({
                "t_ms": ms(*at), "event": "decide", "general": node.0, "value": value.as_str(),
            }),
        };
        out.push_str(&j.to_string());
        out.push('\n');
    }
    out
}

fn participant(v: u32) -> String {
    format!("G{v}")
}

/// A Mermaid sequence diagram: an arrow per delivered message at its arrival, a cross for a lost
/// one, a note for each decision; traitors are named as such.
pub fn mermaid(events: &[TraceEvent], traitor: &[bool]) -> Result<String, InputError> {
    let arrows = events
        .iter()
        .filter(|e| matches!(e, TraceEvent::Send { .. }))
        .count();
    if arrows > MERMAID_MAX_EVENTS {
        return Err(InputError::file(
            "--trace",
            format!(
                "{arrows} messages are too many for a readable sequence diagram (at most {MERMAID_MAX_EVENTS}): trace to .jsonl or .json instead, or use a smaller n"
            ),
        ));
    }
    let mut out = String::from("sequenceDiagram\n");
    for (v, &is_traitor) in traitor.iter().enumerate() {
        let role = if is_traitor { " (traitor)" } else { "" };
        out.push_str(&format!("    participant G{v} as general {v}{role}\n"));
    }
    let sent: BTreeMap<u64, &str> = events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Send {
                seq: Some(s),
                label,
                ..
            } => Some((*s, label.as_str())),
            _ => None,
        })
        .collect();
    for e in events {
        let line = match e {
            TraceEvent::Send {
                at,
                from,
                to,
                seq: None,
                label,
                ..
            } => format!(
                "    {}-x{}: {label} (lost, {:.3} ms)",
                participant(from.0),
                participant(to.0),
                ms(*at)
            ),
            TraceEvent::Deliver {
                at, from, to, seq, ..
            } => format!(
                "    {}->>{}: {} ({:.3} ms)",
                participant(from.0),
                participant(to.0),
                sent.get(seq).copied().unwrap_or("?"),
                ms(*at)
            ),
            TraceEvent::Withheld { at, by, to } => format!(
                "    Note over {}: withholds a relay to {} ({:.3} ms)",
                participant(by.0),
                to.0,
                ms(*at)
            ),
            TraceEvent::Decide { at, node, value } => format!(
                "    Note over {}: decides {value} at {:.3} ms",
                participant(node.0),
                ms(*at)
            ),
            TraceEvent::Send { .. } | TraceEvent::Timer { .. } | TraceEvent::Redundant { .. } => {
                continue;
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Chrome trace events: general `v` is thread `v` of process 1; sends and deliveries are short
/// slices joined by flow arrows, decisions and timers are instant events.
pub fn chrome(events: &[TraceEvent], traitor: &[bool]) -> String {
    let mut out: Vec<Json> = Vec::new();
    out.push(
        json!({"ph": "M", "pid": 1, "name": "process_name", "args": {"name": "byzsim trial"}}),
    );
    for (v, &is_traitor) in traitor.iter().enumerate() {
        let name = if is_traitor {
            format!("general {v} (traitor)")
        } else {
            format!("general {v}")
        };
        out.push(
            json!({"ph": "M", "pid": 1, "tid": v, "name": "thread_name", "args": {"name": name}}),
        );
    }
    let us = |t: crate::types::SimTime| t.0;
    for e in events {
        match e {
            TraceEvent::Send { at, from, to, seq, label, .. } => {
                let name = if seq.is_some() { format!("send {label} to {to}") } else { format!("lost {label} to {to}") };
                out.push(json!({"ph": "X", "pid": 1, "tid": from.0, "ts": us(*at), "dur": 1, "name": name, "cat": "send"}));
                if let Some(s) = seq {
                    out.push(json!({"ph": "s", "pid": 1, "tid": from.0, "ts": us(*at), "id": s, "name": "message", "cat": "message"}));
                }
            }
            TraceEvent::Deliver { at, from, to, seq, handed, .. } => {
                let name = format!("from {from}{}", if *handed { "" } else { " (already seen)" });
                out.push(json!({"ph": "X", "pid": 1, "tid": to.0, "ts": us(*at), "dur": 1, "name": name, "cat": "deliver"}));
                out.push(json!({"ph": "f", "bp": "e", "pid": 1, "tid": to.0, "ts": us(*at), "id": seq, "name": "message", "cat": "message"}));
            }
            TraceEvent::Withheld { at, by, to } => out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": by.0, "ts": us(*at), "name": format!("withholds relay to {to}")})),
            TraceEvent::Redundant { at, from, to, .. } => out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": from.0, "ts": us(*at), "name": format!("copy to {to}, who has it already")})),
            TraceEvent::Timer { at, node, tag } => out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": node.0, "ts": us(*at), "name": format!("timer {tag}")})),
            TraceEvent::Decide { at, node, value } => out.push(json!({"ph": "i", "s": "t", "pid": 1, "tid": node.0, "ts": us(*at), "name": format!("decides {value}")})),
        }
    }
    let doc = json!({"traceEvents": out, "displayTimeUnit": "ms"});
    doc.to_string()
}
