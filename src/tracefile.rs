//! One trial's trace written for people and tools: JSON lines (`.jsonl`, one event per line),
//! a Mermaid sequence diagram (`.mmd`, readable on GitHub, for small runs) or the Chrome
//! trace-event format (`.json`, one track per general; opens in Perfetto or chrome://tracing).
//!
//! All three render the same [`TraceIndex`]: each message in words (value; path; chain length
//! and signers; block height and the order it carries), deliveries paired with their sends and
//! marked late when they arrive after the round they were sent in, lost and withheld messages,
//! timers by name, decisions and reverted decisions. A trace cut at its cap says so: the JSON
//! lines end with a `cut` event, the diagram with a note, the Chrome trace with an instant event
//! and a `note` in its `otherData`.

use std::io::Write;
use std::path::Path;

use serde_json::{Value as Json, json};

use crate::engine::trace::TraceEvent;
use crate::error::InputError;
use crate::output::write_atomically;
use crate::trace_index::TraceIndex;
use crate::types::{NodeId, SimTime};

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

/// Which trial a trace shows.
#[derive(Clone, Debug)]
pub struct TraceMeta {
    pub scenario: String,
    pub protocol: String,
    pub seed: u64,
}

/// Writes the indexed trace of a trial to `path`, in the format its extension names.
pub fn write(path: &Path, index: &TraceIndex, meta: &TraceMeta) -> Result<(), InputError> {
    let text = match Format::of(path)? {
        Format::JsonLines => json_lines(index, meta),
        Format::Mermaid => mermaid(index, meta)?,
        Format::Chrome => chrome(index, meta),
    };
    write_atomically(path, |w: &mut dyn Write| w.write_all(text.as_bytes()))
}

fn ms(t: SimTime) -> f64 {
    t.as_ms()
}

/// The words of the message a delivery (by its `seq`) carries, and whether it came late (the
/// round it was sent in and that round's end).
fn delivered<'a>(index: &'a TraceIndex, seq: u64) -> (&'a str, Option<(u64, SimTime)>) {
    match index.transmission_of(seq) {
        Some(k) => (
            index.message(index.sent(k).msg).words.as_str(),
            index.late(k),
        ),
        None => ("(to itself)", None),
    }
}

fn envelope_words<'a>(index: &'a TraceIndex, env: u32) -> &'a str {
    index
        .envelope_msg(env)
        .map_or("?", |m| index.message(m).words.as_str())
}

/// One JSON object per line: a `trace` header, then the events, then a `cut` line if the trace
/// was cut.
pub fn json_lines(index: &TraceIndex, meta: &TraceMeta) -> String {
    let rec = index.rec;
    let traitors: Vec<usize> = (0..index.n()).filter(|&v| index.traitors()[v]).collect();
    let mut out = json!({
        "event": "trace", "scenario": meta.scenario, "protocol": meta.protocol, "seed": meta.seed,
        "n": index.n(), "traitors": traitors, "round_ms": rec.round.map(ms),
    })
    .to_string();
    out.push('\n');
    let words = |m: u32| index.message(m).words.as_str();
    for e in rec.events() {
        let j = match e {
            TraceEvent::Send {
                at,
                from,
                to,
                seq,
                relay,
                envelope,
                origin,
                msg,
            } => json!({
                "t_ms": ms(*at), "event": if seq.is_some() { "send" } else { "loss" },
                "from": from.0, "to": to.0, "origin": origin.0, "seq": seq, "relay": relay,
                "envelope": envelope, "message": words(*msg), "round": index.round_of(*at),
            }),
            TraceEvent::Deliver {
                at,
                from,
                to,
                seq,
                envelope,
                handed,
            } => {
                let (message, late) = delivered(index, *seq);
                let mut j = json!({
                    "t_ms": ms(*at), "event": "deliver", "from": from.0, "to": to.0, "seq": seq,
                    "envelope": envelope, "handed": handed, "message": message,
                });
                if rec.round.is_some() {
                    j["late"] = json!(late.is_some());
                    j["round_ended_ms"] = json!(late.map(|l| ms(l.1)));
                }
                j
            }
            TraceEvent::Withheld {
                at,
                by,
                to,
                origin,
                envelope,
                msg,
            } => json!({
                "t_ms": ms(*at), "event": "withhold", "by": by.0, "to": to.0, "origin": origin.0,
                "envelope": envelope, "message": words(*msg), "round": index.round_of(*at),
            }),
            TraceEvent::Redundant {
                at,
                from,
                to,
                envelope,
                lost,
            } => json!({
                "t_ms": ms(*at), "event": "redundant", "from": from.0, "to": to.0,
                "envelope": envelope, "lost": lost, "message": envelope_words(index, *envelope),
            }),
            TraceEvent::Timer {
                at,
                node,
                tag,
                name,
            } => json!({
                "t_ms": ms(*at), "event": "timer", "general": node.0, "tag": tag,
                "name": rec.names()[*name as usize],
            }),
            TraceEvent::Decide { at, node, value } => json!({
                "t_ms": ms(*at), "event": "decide", "general": node.0, "value": value.as_str(),
            }),
            TraceEvent::Reverted { at, node, how } => json!({
                "t_ms": ms(*at), "event": "revert", "general": node.0,
                "how": rec.names()[*how as usize],
            }),
        };
        out.push_str(&j.to_string());
        out.push('\n');
    }
    if let (Some(cut), Some(note)) = (rec.cut(), rec.cut_note()) {
        let j = json!({
            "t_ms": ms(cut.at), "event": "cut", "kept": cut.kept, "dropped": cut.dropped,
            "note": note,
        });
        out.push_str(&j.to_string());
        out.push('\n');
    }
    out
}

fn participant(v: NodeId) -> String {
    format!("G{}", v.0)
}

/// Text Mermaid shows as is (`;` and `#` have meanings in its syntax).
fn mermaid_text(s: &str) -> String {
    s.replace(';', ",").replace('#', "no. ")
}

/// A Mermaid sequence diagram: an arrow per delivered message at its arrival (marked when it
/// came late), a cross for a lost one, notes for withheld messages, timers, decisions and
/// reverted decisions; traitors are named as such.
pub fn mermaid(index: &TraceIndex, meta: &TraceMeta) -> Result<String, InputError> {
    let rec = index.rec;
    if index.len() > MERMAID_MAX_EVENTS || rec.cut().is_some() {
        return Err(InputError::file(
            "--trace",
            format!(
                "{} messages are too many for a readable sequence diagram (at most {MERMAID_MAX_EVENTS}): trace to .jsonl or .json instead, or use a smaller n",
                index.len()
            ),
        ));
    }
    let mut out = format!(
        "sequenceDiagram\n    %% {} ({}), seed {}\n",
        meta.scenario, meta.protocol, meta.seed
    );
    for v in 0..index.n() {
        let role = if index.traitors()[v] {
            " (traitor)"
        } else {
            ""
        };
        out.push_str(&format!("    participant G{v} as general {v}{role}\n"));
    }
    let words = |m: u32| index.message(m).words.as_str();
    for e in rec.events() {
        let line = match e {
            TraceEvent::Send {
                at,
                from,
                to,
                seq: None,
                msg,
                ..
            } => format!(
                "    {}-x{}: {} (lost, sent at {:.3} ms)",
                participant(*from),
                participant(*to),
                words(*msg),
                ms(*at)
            ),
            TraceEvent::Deliver {
                at, from, to, seq, ..
            } => {
                let (message, late) = delivered(index, *seq);
                let late = late.map_or(String::new(), |(r, end)| {
                    format!(", late: round {r} ended at {:.3} ms", ms(end))
                });
                format!(
                    "    {}->>{}: {message} ({:.3} ms{late})",
                    participant(*from),
                    participant(*to),
                    ms(*at)
                )
            }
            TraceEvent::Withheld {
                at, by, to, msg, ..
            } => format!(
                "    Note over {}: withholds {} from general {} ({:.3} ms)",
                participant(*by),
                words(*msg),
                to.0,
                ms(*at)
            ),
            TraceEvent::Timer { at, node, name, .. } => format!(
                "    Note over {}: {} ({:.3} ms)",
                participant(*node),
                rec.names()[*name as usize],
                ms(*at)
            ),
            TraceEvent::Decide { at, node, value } => format!(
                "    Note over {}: decides {value} at {:.3} ms",
                participant(*node),
                ms(*at)
            ),
            TraceEvent::Reverted { at, node, how } => format!(
                "    Note over {}: decision reverted at {:.3} ms: {}",
                participant(*node),
                ms(*at),
                rec.names()[*how as usize]
            ),
            TraceEvent::Send { .. } | TraceEvent::Redundant { .. } => continue,
        };
        out.push_str(&mermaid_text(&line));
        out.push('\n');
    }
    Ok(out)
}

/// Chrome trace events: general `v` is thread `v` of process 1; sends and deliveries are short
/// slices joined by flow arrows, decisions, timers and withheld messages are instant events.
pub fn chrome(index: &TraceIndex, meta: &TraceMeta) -> String {
    let rec = index.rec;
    let mut out: Vec<Json> = Vec::new();
    let title = format!("{} ({}), seed {}", meta.scenario, meta.protocol, meta.seed);
    out.push(json!({"ph": "M", "pid": 1, "name": "process_name", "args": {"name": title}}));
    for v in 0..index.n() {
        let name = if index.traitors()[v] {
            format!("general {v} (traitor)")
        } else {
            format!("general {v}")
        };
        out.push(
            json!({"ph": "M", "pid": 1, "tid": v, "name": "thread_name", "args": {"name": name}}),
        );
    }
    let us = |t: SimTime| t.0;
    let words = |m: u32| index.message(m).words.as_str();
    let instant = |tid: u32, at: SimTime, name: String| json!({"ph": "i", "s": "t", "pid": 1, "tid": tid, "ts": us(at), "name": name});
    for e in rec.events() {
        match e {
            TraceEvent::Send {
                at,
                from,
                to,
                seq,
                msg,
                ..
            } => {
                let name = match seq {
                    Some(_) => format!("send {} to {to}", words(*msg)),
                    None => format!("lost {} to {to}", words(*msg)),
                };
                out.push(json!({"ph": "X", "pid": 1, "tid": from.0, "ts": us(*at), "dur": 1, "name": name, "cat": "send"}));
                if let Some(s) = seq {
                    out.push(json!({"ph": "s", "pid": 1, "tid": from.0, "ts": us(*at), "id": s, "name": "message", "cat": "message"}));
                }
            }
            TraceEvent::Deliver {
                at,
                from,
                to,
                seq,
                handed,
                ..
            } => {
                let (message, late) = delivered(index, *seq);
                let name = format!(
                    "{message} from {from}{}{}",
                    if *handed { "" } else { " (already seen)" },
                    late.map_or(String::new(), |(r, end)| format!(
                        " (late: round {r} ended at {:.3} ms)",
                        ms(end)
                    ))
                );
                out.push(json!({"ph": "X", "pid": 1, "tid": to.0, "ts": us(*at), "dur": 1, "name": name, "cat": "deliver"}));
                out.push(json!({"ph": "f", "bp": "e", "pid": 1, "tid": to.0, "ts": us(*at), "id": seq, "name": "message", "cat": "message"}));
            }
            TraceEvent::Withheld {
                at,
                by,
                to,
                envelope,
                msg,
                ..
            } => {
                let what = if envelope.is_some() { "relay of " } else { "" };
                let name = format!("withholds {what}{} to {to}", words(*msg));
                out.push(instant(by.0, *at, name));
            }
            TraceEvent::Redundant {
                at,
                from,
                to,
                envelope,
                ..
            } => out.push(instant(
                from.0,
                *at,
                format!(
                    "copy of {} to {to}, who has it already",
                    envelope_words(index, *envelope)
                ),
            )),
            TraceEvent::Timer { at, node, name, .. } => {
                out.push(instant(node.0, *at, rec.names()[*name as usize].clone()));
            }
            TraceEvent::Decide { at, node, value } => {
                out.push(instant(node.0, *at, format!("decides {value}")));
            }
            TraceEvent::Reverted { at, node, how } => out.push(instant(
                node.0,
                *at,
                format!("decision reverted: {}", rec.names()[*how as usize]),
            )),
        }
    }
    let note = rec.cut_note();
    if let (Some(cut), Some(note)) = (rec.cut(), &note) {
        out.push(json!({"ph": "i", "s": "g", "pid": 1, "tid": 0, "ts": us(cut.at), "name": note}));
    }
    let doc = json!({
        "traceEvents": out, "displayTimeUnit": "ms",
        "otherData": {"scenario": meta.scenario, "protocol": meta.protocol, "seed": meta.seed, "note": note},
    });
    doc.to_string()
}
