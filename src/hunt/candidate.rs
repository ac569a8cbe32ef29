//! A candidate adversary for `byzsim hunt`: the size of the configuration, which generals are
//! traitors, and each traitor's script. It becomes a scenario by overriding keys of the base
//! scenario's TOML, so a violation found is written out as a scenario file that `byzsim run`
//! replays exactly.

use std::collections::BTreeMap;

use crate::adversary::Choice;
use crate::error::InputError;
use crate::scenario::Scenario;
use crate::scenario::source::set_path;

/// One traitor's script: recipient → choices in order.
pub type Plan = BTreeMap<u32, Vec<Choice>>;

/// A configuration with every traitor choice fixed.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub n: usize,
    pub who: Vec<u32>,
    /// `scripts[i]` belongs to `who[i]`.
    pub scripts: Vec<Plan>,
    pub seed: u64,
    /// Other keys the search varies (loss).
    pub extra: Vec<(String, toml::Value)>,
}

impl Candidate {
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
            for key in ["split", "crash_at_ms", "drop", "script"] {
                f.remove(key);
            }
        }
        t.remove("expect");
        set(
            &mut t,
            "faults.behaviour",
            toml::Value::String("scripted".into()),
        );
        let who = self
            .who
            .iter()
            .map(|&v| toml::Value::Integer(v as i64))
            .collect();
        set(&mut t, "faults.who", toml::Value::Array(who));
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
        set(&mut t, "faults.script", toml::Value::Array(scripts));
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
