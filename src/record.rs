//! `RunRecord`: one trial as one CSV row. The columns are the struct's fields, in order; the
//! first seventeen are the contract of DESIGN.md and never move.

use serde::Serialize;

/// One trial's result.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunRecord {
    pub scenario: String,
    pub protocol: String,
    pub topology: String,
    pub transport: String,
    pub n: usize,
    pub t: usize,
    pub behaviour: String,
    /// The trial seed: `byzsim run FILE --seed SEED --trials 1` replays this row.
    pub seed: u64,
    pub trial: u64,
    pub agreement: bool,
    pub validity: bool,
    pub termination: bool,
    /// The honest generals' common decision, `split`, or `none`.
    pub decision: String,
    /// Transmissions over links (each flooding hop counts).
    pub messages: u64,
    pub bytes: u64,
    /// Rounds until the last honest decision (`ceil(decision time / round_ms)`).
    pub rounds: u64,
    /// When the last honest general decided; empty if one never did.
    pub decision_time_ms: Option<f64>,
    // --- more columns, after the contract ---
    /// `inside` or `outside` the protocol's proven bound for this configuration; empty for
    /// protocols that promise nothing.
    pub bound: String,
    /// The bound, as a condition: `n > 3t`.
    pub bound_rule: String,
    /// The traitors, as ids separated by spaces.
    pub traitors: String,
    pub delivered: u64,
    pub lost: u64,
    /// Transmissions traitors withheld: relays (flooding), and their own sends that a
    /// scripted or dropping traitor chose not to make.
    pub withheld: u64,
    /// Sends that found no link to their addressee (direct transport on an incomplete graph).
    pub unroutable: u64,
    pub events: u64,
    pub signatures: u64,
    pub verifications: u64,
    pub verifications_computed: u64,
    /// Why the trial ended: all-decided, drained, event-limit, time-limit.
    pub stop: String,
    /// The first violated property's reason, empty when all held.
    pub reason: String,
    /// Proof of work: blocks on the main chain at the end (empty for other protocols).
    pub blocks: Option<u64>,
    /// Proof of work: blocks mined off the main chain.
    pub stale_blocks: Option<u64>,
    /// Proof of work: share of main-chain blocks mined by traitors.
    pub attacker_share_main: Option<f64>,
    /// Proof of work: mean time between main-chain blocks.
    pub block_interval_ms: Option<f64>,
    /// An honest general's decision was later contradicted by its own chain.
    pub reverted: bool,
    /// Partial synchrony: the time of the last honest decision minus GST (negative when it came
    /// before GST); empty without a GST or without a decision by every honest general.
    pub decision_after_gst_ms: Option<f64>,
    /// PBFT: the view changes until the last honest decision (the highest view an honest
    /// general decided in); empty for other protocols.
    pub views: Option<u64>,
    /// Proof of work: the median over blocks of the time from mining to half of the generals
    /// holding the block (blocks that never got there are left out).
    pub propagation_p50_ms: Option<f64>,
    /// Proof of work: the same to nine tenths of the generals.
    pub propagation_p90_ms: Option<f64>,
    /// Proof of work: stale blocks over blocks mined, stale_blocks / (blocks + stale_blocks).
    pub stale_rate: Option<f64>,
    /// Proof of work: the mean time for a block to reach a general (over the blocks that
    /// reached all of them), τ.
    pub propagation_mean_ms: Option<f64>,
    /// Proof of work: the first-order stale rate 1 − e^(−τ/T) for that τ and the block
    /// interval T (`pow.block_interval_ms`), to set beside `stale_rate`.
    pub stale_rate_first_order: Option<f64>,
}

/// Writes records as CSV (with a header) into `out`.
pub fn write_csv<W: std::io::Write>(out: W, records: &[RunRecord]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in records {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

impl RunRecord {
    /// The column names, in order.
    pub fn header() -> csv::StringRecord {
        let example = RunRecord::default();
        let mut w = csv::Writer::from_writer(Vec::new());
        // Serialising a plain struct into memory cannot fail.
        let _ = w.serialize(&example);
        let bytes = w.into_inner().unwrap_or_default();
        csv::Reader::from_reader(bytes.as_slice())
            .headers()
            .cloned()
            .unwrap_or_default()
    }

    /// The row's fields as CSV strings, in column order.
    pub fn to_string_record(&self) -> csv::StringRecord {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        let _ = w.serialize(self);
        let bytes = w.into_inner().unwrap_or_default();
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice())
            .records()
            .next()
            .and_then(Result::ok)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_columns_lead_in_order() {
        let header = RunRecord::header();
        let lead: Vec<&str> = header.iter().take(17).collect();
        assert_eq!(
            lead.join(","),
            "scenario,protocol,topology,transport,n,t,behaviour,seed,trial,agreement,validity,termination,decision,messages,bytes,rounds,decision_time_ms"
        );
        let row = RunRecord {
            decision_time_ms: Some(12.5),
            reason: "a, \"quoted\" reason".into(),
            ..RunRecord::default()
        };
        let fields = row.to_string_record();
        assert_eq!(fields.len(), header.len());
        assert_eq!(&fields[16], "12.5");
        let reason = header.iter().position(|h| h == "reason").unwrap();
        assert_eq!(&fields[reason], "a, \"quoted\" reason");
    }
}
