//! A candidate adversary for `byzsim hunt`: the size of the configuration, which generals are
//! traitors, each traitor's script (or, for Twins, the generals each of its two copies talks
//! with), and under partial synchrony the network adversary's schedule before GST (scheduler,
//! GST, cuts that heal by GST). It becomes a scenario by overriding keys of the base scenario's
//! TOML, so a violation found is written out as a scenario file that `byzsim run` replays
//! exactly.

use std::collections::BTreeMap;

use crate::adversary::Choice;
use crate::error::InputError;
use crate::scenario::Scenario;
use crate::scenario::source::set_path;

/// One traitor's script: recipient → choices in order.
pub type Plan = BTreeMap<u32, Vec<Choice>>;

/// A configuration with every traitor choice fixed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Candidate {
    pub n: usize,
    pub who: Vec<u32>,
    /// `scripts[i]` belongs to `who[i]` (empty for Twins).
    pub scripts: Vec<Plan>,
    pub seed: u64,
    /// Other keys the search varies (loss).
    pub extra: Vec<(String, toml::Value)>,
    /// Twins instead of scripts: `twins[i]`, the generals each copy of `who[i]` talks with.
    pub twins: Option<Vec<[Vec<u32>; 2]>>,
    /// The pre-GST schedule, under partial synchrony; `None` keeps the base scenario's.
    pub schedule: Option<Schedule>,
}

/// What the network adversary does before GST (`timing = "partial"`).
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// `network.scheduler`.
    pub scheduler: String,
    /// `network.gst_ms`.
    pub gst_ms: u64,
    /// `[[network.partitions]]`, each healed by GST (later would break the model's promise).
    pub cuts: Vec<Cut>,
}

/// A partition from `from_ms` to `to_ms` between `side` and everyone else (held, not lost).
#[derive(Clone, Debug, PartialEq)]
pub struct Cut {
    pub from_ms: u64,
    pub to_ms: u64,
    pub side: Vec<u32>,
    /// Only what leaves `side` is cut.
    pub one_way: bool,
}

fn ids(v: &[u32]) -> toml::Value {
    toml::Value::Array(v.iter().map(|&x| toml::Value::Integer(x as i64)).collect())
}

impl Candidate {
    /// What the adversary does, in words: its deviating messages, or its twins, and its cuts.
    pub fn summary(&self) -> String {
        let mut out = match &self.twins {
            Some(t) => format!("{} twinned traitor(s)", t.len()),
            None => format!("{} deviating message(s)", self.deviations()),
        };
        if let Some(s) = &self.schedule {
            out += &format!(
                ", scheduler {} until GST = {} ms, {} cut(s)",
                s.scheduler,
                s.gst_ms,
                s.cuts.len()
            );
        }
        out
    }

    /// Entries that are not `honest`: the deviating messages.
    pub fn deviations(&self) -> usize {
        self.scripts
            .iter()
            .flat_map(|p| p.values())
            .flatten()
            .filter(|c| **c != Choice::Honest)
            .count()
    }

    /// The base scenario table with this candidate's keys set.
    pub fn table(&self, base: &toml::Table) -> toml::Table {
        let mut t = base.clone();
        let set = |t: &mut toml::Table, k: &str, v: toml::Value| {
            // Paths here are fixed and valid: setting cannot fail.
            let _ = set_path(t, k, v);
        };
        set(&mut t, "n", toml::Value::Integer(self.n as i64));
        set(&mut t, "t", toml::Value::Integer(self.who.len() as i64));
        set(&mut t, "seed", toml::Value::Integer(self.seed as i64));
        set(&mut t, "trials", toml::Value::Integer(1));
        if let Some(toml::Value::Table(f)) = t.get_mut("faults") {
            for key in ["split", "crash_at_ms", "drop", "script", "twins", "mutate"] {
                f.remove(key);
            }
        }
        t.remove("expect");
        set(&mut t, "faults.who", ids(&self.who));
        if let Some(schedule) = &self.schedule {
            set(
                &mut t,
                "network.scheduler",
                toml::Value::String(schedule.scheduler.clone()),
            );
            set(
                &mut t,
                "network.gst_ms",
                toml::Value::Integer(schedule.gst_ms as i64),
            );
            let cuts = schedule
                .cuts
                .iter()
                .map(|c| {
                    let mut cut = toml::Table::new();
                    cut.insert("from_ms".into(), toml::Value::Integer(c.from_ms as i64));
                    cut.insert("to_ms".into(), toml::Value::Integer(c.to_ms as i64));
                    cut.insert("groups".into(), toml::Value::Array(vec![ids(&c.side)]));
                    cut.insert("one_way".into(), toml::Value::Boolean(c.one_way));
                    toml::Value::Table(cut)
                })
                .collect::<Vec<_>>();
            // Cuts are drawn only for a scenario without partitions of its own.
            if !cuts.is_empty() {
                set(&mut t, "network.partitions", toml::Value::Array(cuts));
            }
        }
        if let Some(twins) = &self.twins {
            if let Some(toml::Value::Table(f)) = t.get_mut("faults") {
                f.remove("twins");
            }
            set(
                &mut t,
                "faults.behaviour",
                toml::Value::String("twins".into()),
            );
            let mut table = toml::Table::new();
            for (traitor, sets) in self.who.iter().zip(twins) {
                table.insert(
                    traitor.to_string(),
                    toml::Value::Array(sets.iter().map(|s| ids(s)).collect()),
                );
            }
            set(&mut t, "faults.twins", toml::Value::Table(table));
        } else {
            self.set_scripts(&mut t);
        }
        if let Some(toml::Value::Array(inputs)) =
            t.get_mut("protocol").and_then(|p| p.get_mut("inputs"))
        {
            inputs.truncate(self.n);
        }
        for (k, v) in &self.extra {
            set(&mut t, k, v.clone());
        }
        t
    }

    /// `faults.behaviour = "scripted"` with this candidate's scripts.
    fn set_scripts(&self, t: &mut toml::Table) {
        let _ = set_path(
            t,
            "faults.behaviour",
            toml::Value::String("scripted".into()),
        );
        let scripts = self
            .scripts
            .iter()
            .map(|plan| {
                let mut table = toml::Table::new();
                for (to, choices) in plan.iter().filter(|(_, c)| !c.is_empty()) {
                    let list = choices
                        .iter()
                        .map(|c| toml::Value::String(c.name()))
                        .collect();
                    table.insert(to.to_string(), toml::Value::Array(list));
                }
                toml::Value::Table(table)
            })
            .collect();
        let _ = set_path(t, "faults.script", toml::Value::Array(scripts));
    }

    /// The candidate as a validated scenario.
    pub fn scenario(&self, base: &toml::Table, file: &str) -> Result<Scenario, InputError> {
        let text = toml::to_string(&self.table(base))
            .map_err(|e| InputError::file(file, format!("cannot write the candidate: {e}")))?;
        Scenario::parse(file, "hunt", &text, &[])
    }

    /// The candidate with trailing `honest` choices and empty recipients removed.
    pub fn trimmed(mut self) -> Candidate {
        for plan in &mut self.scripts {
            for choices in plan.values_mut() {
                while choices.last() == Some(&Choice::Honest) {
                    choices.pop();
                }
            }
            plan.retain(|_, c| !c.is_empty());
        }
        self
    }
}
