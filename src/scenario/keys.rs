//! Every scenario key, once: its type, its default and what it means. The parser refuses a key
//! that is not here (with "did you mean" from this table), the validator takes the names a
//! key accepts from here, and `byzsim keys` prints it; a test checks the README's list against it
//! and another checks it against the serde structs of [`super::raw`].

/// One key of a scenario file.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The dotted path (`network.loss`).
    pub path: &'static str,
    /// What TOML value it takes.
    pub kind: &'static str,
    /// Its default, in words where it is not a constant.
    pub default: &'static str,
    pub meaning: &'static str,
    /// The names it accepts, where it takes a name (empty otherwise).
    pub values: &'static [&'static str],
}

const fn key(
    path: &'static str,
    kind: &'static str,
    default: &'static str,
    meaning: &'static str,
) -> Key {
    Key {
        path,
        kind,
        default,
        meaning,
        values: &[],
    }
}

const fn named(
    path: &'static str,
    kind: &'static str,
    default: &'static str,
    meaning: &'static str,
    values: &'static [&'static str],
) -> Key {
    Key {
        path,
        kind,
        default,
        meaning,
        values,
    }
}

/// The protocol kinds (`protocol.kind`).
pub const KINDS: &[&str] = &[
    "vote",
    "signed-flood",
    "oral",
    "signed",
    "dolev-strong",
    "phase-king",
    "pow",
    "pbft",
    "hotstuff",
    "tendermint",
];
/// The topologies (`network.topology`).
pub const TOPOLOGIES: &[&str] = &[
    "complete",
    "ring",
    "random-regular",
    "erdos-renyi",
    "small-world",
    "edges",
];
/// The transports (`network.transport`).
pub const TRANSPORTS: &[&str] = &["direct", "flooding", "disjoint-paths"];
/// Every traitor behaviour: the generic ones, then each protocol's own strategies.
pub const BEHAVIOURS: &[&str] = &[
    "honest",
    "crash",
    "crash-recover",
    "drop",
    "equivocate",
    "silent",
    "scripted",
    "twins",
    "mutate",
    "lsp-split",
    "late-release",
    "traitor-king",
    "selfish",
    "double-spend",
    "equivocating-primary",
    "silent-primary",
    "withhold-votes",
    "equivocating-leader",
    "silent-leader",
    "equivocating-proposer",
    "silent-proposer",
];
/// The timing models (`network.timing`).
pub const TIMINGS: &[&str] = &["synchronous", "partial", "asynchronous"];
/// The network adversaries (`network.scheduler`).
pub const SCHEDULERS: &[&str] = &["random", "leader", "partition"];
/// The latency distributions (`network.latency_ms.dist`).
pub const DISTS: &[&str] = &["fixed", "uniform", "exponential"];
/// What `[expect]` keys take.
pub const EXPECTATIONS: &[&str] = &["holds", "violated"];
/// The orders.
pub const ORDERS: &[&str] = &["attack", "retreat"];

/// Every key a scenario file may hold, in the order of the README's list.
#[rustfmt::skip]
pub const KEYS: &[Key] = &[
    key("name", "string", "the file name without .toml", "the scenario's name in tables and CSV rows"),
    key("description", "string", "none", "what the scenario shows and why; printed above its table"),
    key("seed", "integer", "0", "master seed: trial i uses seed + i (0 to 2^63 - 1)"),
    key("trials", "integer", "1", "how many trials to run (at most 10,000,000)"),
    key("n", "integer", "required", "how many generals, ids 0..n-1 (at most 100,000)"),
    key("t", "integer", "0 (or the length of faults.who)", "how many of them are traitors; must be < n"),
    named("protocol.kind", "string or list of strings", "required", "which protocol runs; a list runs each kind on the same graph, traitors and inputs per trial", KINDS),
    key("protocol.commander", "integer", "0", "the commander of a broadcast protocol (oral, signed, dolev-strong, pow)"),
    named("protocol.value", "string", "attack", "the commander's order (broadcast protocols)", ORDERS),
    named("protocol.inputs", "string or list of strings", "random", "each general's own vote (consensus protocols): random, attack, retreat, or one per general", &["random", "attack", "retreat"]),
    key("protocol.m", "integer", "t", "recursion depth of oral, relay rounds of signed"),
    key("protocol.round_timeout_ms", "number (ms) > 0", "1000", "tendermint: how long each step of round 0 waits (propose, prevote, precommit); round r waits r + 1 times as long"),
    named("protocol.variant", "string", "correct", "tendermint: the published protocol, or unsafe-lock, a teaching bug (a locked general prevotes for any fresh proposal)", &["correct", "unsafe-lock"]),
    key("protocol.view_timeout_ms", "number (ms) > 0", "1000", "pbft, hotstuff: how long view 0 waits for a decision before a view change; view v waits 2^v times as long"),
    named("network.topology", "string", "complete", "the graph the generals are linked by", TOPOLOGIES),
    key("network.degree", "integer", "required by random-regular and small-world", "each general's number of neighbours"),
    named("network.degree_distribution", "string", "none", "random-regular: instead of a degree, each general opens as many outbound links as the measured distribution of Bitcoin nodes draws (1 to 20, mean 8.6)", &["bitcoin"]),
    key("network.p", "number in [0, 1]", "required by erdos-renyi", "the probability of each link"),
    key("network.rewire", "number in [0, 1]", "0.1", "small-world: the probability of rewiring each link"),
    key("network.edges", "list of [id, id] pairs", "required by edges", "the links of an explicit graph"),
    named("network.transport", "string", "direct", "how a message travels: one link, relayed hop by hop over the graph, or copies over vertex-disjoint paths (Dolev)", TRANSPORTS),
    key("network.latency_ms", "number or table", "{ min = 1, max = 10 }", "delay per transmission: a number (fixed), { fixed }, { min, max } (uniform) or { mean, dist = \"exponential\" }"),
    key("network.latency_ms.fixed", "number (ms)", "none", "a fixed delay"),
    key("network.latency_ms.min", "number (ms)", "1", "the least uniform delay"),
    key("network.latency_ms.max", "number (ms)", "10", "the greatest uniform delay"),
    key("network.latency_ms.mean", "number (ms)", "none", "the mean of an exponential delay"),
    named("network.latency_ms.dist", "string", "from the keys given", "the delay's distribution", DISTS),
    named("network.regions", "string", "none", "pow: the measured Internet: each general placed in one of six regions by the measured share of Bitcoin nodes, latency drawn from the region pair's measured mean with a heavy (Pareto) tail, bandwidth per region (SimBlock's tables)", crate::engine::internet::REGION_SETS),
    key("network.bandwidth_mbps", "number > 0 (Mbit/s)", "none: the regions' bandwidths, or none", "pow: every link's bandwidth, both ways; a message takes its size over it on top of the latency"),
    key("network.loss", "number in [0, 1]", "0", "the probability that a link loses one transmission"),
    key("network.round_ms", "number (ms)", "100", "the round length of round-based protocols"),
    key("network.connected", "boolean", "true for flooding and disjoint-paths, else false", "random graphs are redrawn until connected"),
    named("network.timing", "string", "synchronous", "who decides delays: the latency law (synchronous), a network adversary until GST (partial), or always (asynchronous)", TIMINGS),
    key("network.gst_ms", "number (ms)", "required by partial", "the global stabilisation time: from then on every message arrives within delta_ms"),
    key("network.delta_ms", "number (ms)", "required by partial", "the delay bound after GST (messages sent before GST arrive by GST + delta)"),
    named("network.scheduler", "string", "random", "the network adversary (partial, asynchronous): extra random delays, hold the current leader's messages, or hold what crosses between two halves", SCHEDULERS),
    key("network.max_delay_ms", "number (ms)", "gst_ms (partial), 1000 (asynchronous)", "the longest delay the scheduler adds"),
    key("network.partitions", "list of tables", "none", "[[network.partitions]]: cuts of the network for a while"),
    key("network.partitions.from_ms", "number (ms)", "0", "when the cut starts"),
    key("network.partitions.to_ms", "number (ms)", "required", "when it heals"),
    key("network.partitions.groups", "list of lists of ids", "required", "the sides (generals listed nowhere form one more)"),
    key("network.partitions.one_way", "boolean", "false", "cut only what leaves the first group"),
    key("network.partitions.drop", "boolean", "false", "lose what crosses instead of holding it until the heal"),
    named("faults.behaviour", "string", "equivocate", "what the t traitors do (a protocol's own strategies only with that protocol)", BEHAVIOURS),
    key("faults.who", "\"random\", \"commander\" or list of ids", "random", "which generals are traitors: drawn per trial, the commander and others drawn, or these"),
    key("faults.split", "list of ids", "a random half per trial", "equivocate: who hears \"attack\""),
    key("faults.crash_at_ms", "number (ms)", "0", "crash: when the traitors stop (a handler at exactly that time sends only part of its output); crash-recover: when the chosen (honest) generals go down"),
    key("faults.recover_at_ms", "number (ms)", "required by crash-recover", "crash-recover: when they come back"),
    key("faults.drop", "number in [0, 1]", "1", "drop: the probability of omitting each own send and each relay"),
    key("faults.sybil", "integer", "0", "extra identities the traitors control (vote as their maker, no hashrate)"),
    key("faults.script", "list of tables", "none", "scripted: per traitor of who, recipient id -> choices (attack, retreat, withhold, honest, mutate, mutate-K); written by byzsim hunt"),
    key("faults.twins", "table: traitor id -> [[ids], [ids]]", "two random halves of the others per trial and traitor", "twins: the sets of generals each of the traitor's two copies talks with (disjoint; a general in neither hears nothing from it)"),
    key("faults.mutate", "table", "{ p = 0.5 }, every round", "mutate: when and how often the traitors mutate their own messages"),
    key("faults.mutate.rounds", "list of integers", "every round", "mutate: the protocol rounds (PBFT's views, Tendermint's rounds; else round_ms rounds, from 1) in which messages are mutated"),
    key("faults.mutate.p", "number in [0, 1]", "0.5", "mutate: the probability that one transmission in those rounds is replaced by a mutant"),
    named("expect.agreement", "string or table", "not checked", "holds = in every trial; violated = in at least one; or per protocol of a list: { pbft = \"holds\", pow = \"violated\" }", EXPECTATIONS),
    key("expect.stale_rate", "table { min, max }", "not checked", "pow: the run's stale rate (stale blocks over blocks mined, all trials) lies in [min, max]"),
    key("expect.stale_rate.min", "number in [0, 1]", "required", "the band's lower end"),
    key("expect.stale_rate.max", "number in [0, 1]", "required", "the band's upper end"),
    named("expect.validity", "string or table", "not checked", "holds = in every trial; violated = in at least one; or per protocol of a list: { pbft = \"holds\", pow = \"violated\" }", EXPECTATIONS),
    named("expect.termination", "string or table", "not checked", "holds = in every trial; violated = in at least one; or per protocol of a list: { pbft = \"holds\", pow = \"violated\" }", EXPECTATIONS),
    named("pow.mining", "string", "exponential", "drawn block times, or real double SHA-256 over the header, nonce by nonce", &["exponential", "hash"]),
    key("pow.block_interval_ms", "number (ms)", "600000", "the block interval the difficulty aims at"),
    key("pow.confirmations", "integer", "6", "a node decides once the order's block is this deep"),
    key("pow.retarget_interval", "integer", "2016", "blocks between difficulty retargets"),
    key("pow.blocks", "integer", "none", "run until the main chain holds this many blocks"),
    key("pow.attacker_share", "number in [0, 1)", "none: every general an equal share, the traitors t/n", "the traitors' total share of the hashrate"),
    key("pow.tie_share", "number in [0, 1]", "0", "gamma: the chance an honest node switches to a tying block"),
    key("pow.give_up", "integer", "20", "a double spender quits this many blocks behind"),
    key("pow.head_start", "integer (0 or 1)", "0", "1: a double spender pre-mines a block before it pays"),
    key("pow.hashes_per_block", "integer", "1024", "expected hashes per block (sets the target)"),
    key("pow.block_bytes", "integer > 0 (bytes)", "1000000 with a bandwidth (network.regions or network.bandwidth_mbps), else not modelled", "a block's size: a full block takes it over the link's bandwidth"),
    named("pow.relay", "string", "full", "how blocks are relayed: whole, or as BIP 152 compact blocks (header and 6-byte short ids)", &["full", "compact"]),
    key("pow.compact_missing_share", "number in [0, 1]", "0.1", "compact relay: the share of compact blocks the receiver cannot rebuild from its mempool, which cost one more round trip"),
    key("pow.hashrate_change", "table", "none", "{ at_ms, factor }: the hashrate is multiplied by factor at at_ms"),
    key("pow.hashrate_change.at_ms", "number (ms)", "required", "when the hashrate changes"),
    key("pow.hashrate_change.factor", "number > 0", "required", "by how much it is multiplied"),
    key("limits.max_events", "integer", "200000000", "events per trial; pow estimated above it is refused"),
    key("limits.max_time_ms", "number (ms)", "86400000 (pow: 20 x blocks x interval)", "simulated time per trial (at most 2^62 us)"),
    key("limits.max_messages", "integer", "50000000", "messages per trial; a configuration estimated above it is refused (--max-messages N)"),
    key("limits.max_hashes", "integer", "1000000000", "hash mining: miners x hashes_per_block x blocks mined, refused when estimated above it"),
    key("limits.max_memory_mb", "integer", "4096, or half of the machine's RAM over its cores if less (--max-memory MB)", "graph adjacency, messages in flight and pow blocks, refused before anything is built"),
    key("limits.max_run_events", "integer", "1000000000", "events over all trials of a run (a sweep cell): trials x the per-trial estimate, refused above it"),
];

/// Keys under which any name may appear (a script's recipient ids).
const OPEN_TABLES: &[&str] = &[
    "faults.script",
    "faults.twins",
    "expect.agreement",
    "expect.validity",
    "expect.termination",
];

/// The entry for `path`, if it is a key.
pub fn lookup(path: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.path == path)
}

/// Whether `path` may be written: a key, a table holding keys, or inside an open table.
pub fn is_known(path: &str) -> bool {
    lookup(path).is_some()
        || KEYS.iter().any(|k| {
            k.path
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('.'))
        })
        || OPEN_TABLES.iter().any(|t| {
            path.strip_prefix(t)
                .is_some_and(|rest| rest.starts_with('.'))
        })
}

/// The names `path` accepts, where it takes a name.
pub fn values(path: &str) -> &'static [&'static str] {
    lookup(path).map_or(&[], |k| k.values)
}

/// How far apart two names are, ignoring case and `-` versus `_`.
fn distance(a: &str, b: &str) -> usize {
    let norm = |s: &str| s.to_lowercase().replace('_', "-");
    strsim::damerau_levenshtein(&norm(a), &norm(b))
}

/// The candidate nearest to `word`, if it is near enough to be a typo (a third of its letters,
/// at least one and at most three).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|&(d, c)| d <= limit && c != word)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// `" (did you mean `x`?)"` when a candidate is near `word`, else empty.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"))
}

/// Why `path` is not a key: where a key of that name lives, or the nearest key of its table,
/// and which keys its table holds.
pub fn unknown_key(path: &str) -> String {
    let (parent, leaf) = match path.rsplit_once('.') {
        Some((p, l)) => (p, l),
        None => ("", path),
    };
    let siblings: Vec<&str> = KEYS
        .iter()
        .filter_map(|k| match k.path.rsplit_once('.') {
            Some((p, l)) if p == parent => Some(l),
            None if parent.is_empty() => Some(k.path),
            _ => None,
        })
        .chain(
            // Table names at the top level.
            KEYS.iter()
                .filter(|_| parent.is_empty())
                .filter_map(|k| k.path.split_once('.').map(|(t, _)| t)),
        )
        .fold(Vec::new(), |mut v, s| {
            if !v.contains(&s) {
                v.push(s);
            }
            v
        });
    let hint = if let Some(near) = nearest(leaf, siblings.iter().copied()) {
        let full = if parent.is_empty() {
            near.to_string()
        } else {
            format!("{parent}.{near}")
        };
        format!("; did you mean `{full}`?")
    } else if let Some(elsewhere) = KEYS
        .iter()
        .find(|k| k.path.rsplit('.').next() == Some(leaf))
    {
        format!("; did you mean `{}`?", elsewhere.path)
    } else {
        String::new()
    };
    let table = if parent.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in [{parent}]")
    };
    format!(
        "unknown key `{leaf}` {table}{hint} (known here: {}; `byzsim keys` lists them all)",
        siblings.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_names_the_nearest_key() {
        assert_eq!(
            nearest("trails", ["n", "t", "trials", "seed"]),
            Some("trials")
        );
        assert_eq!(
            nearest("random_regular", TOPOLOGIES.iter().copied()),
            Some("random-regular")
        );
        assert_eq!(nearest("banana", TOPOLOGIES.iter().copied()), None);
        assert!(unknown_key("trails").contains("did you mean `trials`?"));
        assert!(unknown_key("network.lossy").contains("did you mean `network.loss`?"));
        // A key written in the wrong table points at its own.
        assert!(unknown_key("loss").contains("did you mean `network.loss`?"));
    }

    #[test]
    fn tables_and_open_tables_are_known_but_not_misspellings() {
        assert!(is_known("network") && is_known("network.latency_ms.min"));
        assert!(is_known("faults.script.1"));
        assert!(!is_known("network.lossy") && !is_known("networks"));
    }

    /// The fields serde accepts in the table of type `T`, from its unknown-field message.
    fn serde_fields<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let mut table = toml::Table::new();
        table.insert("zz_unknown".into(), toml::Value::Integer(0));
        let err = T::deserialize(toml::Value::Table(table)).unwrap_err();
        let message = err.message().to_string();
        let expected = message.split_once("expected").expect("lists the fields").1;
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    fn table_keys(prefix: &str) -> Vec<String> {
        KEYS.iter()
            .filter_map(|k| match k.path.rsplit_once('.') {
                Some((p, leaf)) if p == prefix => Some(leaf.to_string()),
                None if prefix.is_empty() => Some(k.path.to_string()),
                _ => None,
            })
            .chain(
                KEYS.iter()
                    .filter(|_| prefix.is_empty())
                    .filter_map(|k| k.path.split_once('.').map(|(t, _)| t.to_string())),
            )
            .fold(Vec::new(), |mut v, s| {
                if !v.contains(&s) {
                    v.push(s);
                }
                v
            })
    }

    #[test]
    fn the_key_table_has_exactly_the_fields_the_parser_accepts() {
        use crate::scenario::raw::*;
        let tables: [(&str, Vec<String>); 11] = [
            ("", serde_fields::<RawScenario>()),
            ("protocol", serde_fields::<RawProtocol>()),
            ("network", serde_fields::<RawNetwork>()),
            ("network.latency_ms", serde_fields::<RawLatencyTable>()),
            ("network.partitions", serde_fields::<RawPartition>()),
            ("faults", serde_fields::<RawFaults>()),
            ("expect", serde_fields::<RawExpect>()),
            ("expect.stale_rate", serde_fields::<RawBand>()),
            ("limits", serde_fields::<RawLimits>()),
            ("pow", serde_fields::<RawPow>()),
            ("pow.hashrate_change", serde_fields::<RawHashrateChange>()),
        ];
        for (prefix, mut fields) in tables {
            let mut ours = table_keys(prefix);
            fields.sort();
            ours.sort();
            assert_eq!(ours, fields, "the keys of [{prefix}]");
        }
    }

    #[test]
    fn the_validator_accepts_every_name_the_table_lists() {
        use crate::scenario::Scenario;
        // A protocol's own strategies need that protocol: the behaviours are checked against
        // the code in `the_named_values_are_the_ones_the_code_knows`.
        let named = KEYS
            .iter()
            .filter(|k| !k.values.is_empty() && k.path != "faults.behaviour");
        for k in named {
            for v in k.values {
                let base = k.path.rsplit_once('.').map_or("", |(t, _)| t);
                let mut sets = vec![format!("{}={v}", k.path)];
                if base == "pow" {
                    sets.push("protocol.kind=pow".into());
                }
                if let Err(e) = Scenario::builtin(&sets) {
                    let m = e.to_string();
                    assert!(
                        !m.contains("unknown") && !m.contains(&format!("`{v}`: use")),
                        "{} = {v}: {m}",
                        k.path
                    );
                }
            }
        }
        let err = Scenario::builtin(&["network.topology=ringg".into()]).unwrap_err();
        assert!(err.to_string().contains("did you mean `ring`?"), "{err}");
    }

    #[test]
    fn the_named_values_are_the_ones_the_code_knows() {
        let kinds: Vec<&str> = crate::protocol::Kind::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(kinds, KINDS);
        let mut behaviours: Vec<&str> = crate::adversary::BehaviourSpec::GENERIC.to_vec();
        for k in crate::protocol::Kind::ALL {
            for s in k.strategies() {
                if !behaviours.contains(s) {
                    behaviours.push(s);
                }
            }
        }
        let (mut a, mut b) = (behaviours.clone(), BEHAVIOURS.to_vec());
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }
}
