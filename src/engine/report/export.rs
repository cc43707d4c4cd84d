//! CSV exports (UTF-8 with BOM so Excel shows Chinese correctly). Cells that
//! a spreadsheet would run as a formula are neutralised.

use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::migration::Migration;
use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::rfm::RfmResult;
use crate::engine::clean::run::{Change, SetAside};
use crate::engine::clean::table::TextTable;
use crate::engine::clean::Reject;
use crate::engine::ids::IdArena;
use crate::i18n::Texts;
use std::borrow::Cow;
use std::io::{self, Write};

/// The byte-order mark that makes Excel read the file as UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Columns of the per-customer RFM file.
pub const RFM_COLUMNS: [&str; 8] =
    ["user_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "segment"];

/// Prefixes a cell starting with `= + - @`, tab or CR with `'` so that
/// spreadsheets show it as text instead of evaluating it.
/// A plain negative number (`-12.50`) is left as it is: a spreadsheet reads
/// it as the number it is, and nothing in it can run.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'-') if is_plain_number(&s[1..]) => Cow::Borrowed(s),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Digits with at most one decimal point inside (`12`, `12.50`).
fn is_plain_number(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    !int.is_empty() && !frac.is_empty() && (int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
}

/// [`safe_cell`] as bytes, for `csv` records.
fn safe_bytes(s: &str) -> Cow<'_, [u8]> {
    match safe_cell(s) {
        Cow::Borrowed(b) => Cow::Borrowed(b.as_bytes()),
        Cow::Owned(o) => Cow::Owned(o.into_bytes()),
    }
}

fn csv_writer<W: Write>(mut w: W) -> io::Result<csv::Writer<W>> {
    w.write_all(UTF8_BOM)?;
    Ok(csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(w))
}

fn io_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// The per-customer RFM table: id, R/F/M values, scores, segment name and,
/// when computed, the 0–100 score (2 decimals) — what [`write_rfm_csv`] and
/// the XLSX export write.
pub fn rfm_table(ids: &IdArena, r: &RfmResult, t: &Texts) -> TextTable {
    rfm_rows(ids, r, t, 0..r.customers.len())
}

/// [`rfm_table`] for some customers only (positions in `r.customers`, in the order given).
pub fn rfm_rows(ids: &IdArena, r: &RfmResult, t: &Texts, which: impl IntoIterator<Item = usize>) -> TextTable {
    let scaled = r.params.scale100.is_some();
    let mut headers: Vec<String> = RFM_COLUMNS.iter().map(|c| c.to_string()).collect();
    if scaled {
        headers.push("score100".to_string());
    }
    let mut table = TextTable::new(headers);
    for i in which {
        let c = &r.customers[i];
        let name = r.segments.get(c.segment as usize).map_or("", |s| t.segment_name(&s.segment));
        let score100 = c.score100.map(|x| format!("{x:.2}")).unwrap_or_default();
        let cells = [
            ids.get(i as u32),
            &c.recency_days.to_string(),
            &c.frequency.to_string(),
            &c.monetary.to_string(),
            &c.score.r.to_string(),
            &c.score.f.to_string(),
            &c.score.m.to_string(),
            name,
            &score100,
        ];
        table.push(i as u64 + 2, cells.into_iter().take(if scaled { 9 } else { 8 }));
    }
    table
}

/// Writes one row per customer: id, R/F/M values, scores and segment name.
pub fn write_rfm_csv<W: Write>(w: W, ids: &IdArena, r: &RfmResult, t: &Texts) -> io::Result<()> {
    write_table_csv(w, &rfm_table(ids, r, t))
}

/// Columns of the segment summary file.
pub const SEGMENT_COLUMNS: [&str; 10] = [
    "segment",
    "customers",
    "customer_share",
    "revenue",
    "revenue_share",
    "mean_recency",
    "mean_frequency",
    "mean_monetary",
    "mean_score100",
    "action",
];

/// Writes one row per segment: its name, customers and revenue with their
/// shares, the means, and the suggested action — the user's text from
/// `actions` (by segment key, [`crate::engine::analyze::segment::SegmentLabel::key`])
/// where given, else the rule's or the built-in one.
pub fn write_segments_csv<W: Write>(w: W, r: &RfmResult, actions: &[(String, String)], t: &Texts) -> io::Result<()> {
    write_table_csv(w, &segments_table(r, actions, t))
}

/// The segment summary as a table (what [`write_segments_csv`] writes).
pub fn segments_table(r: &RfmResult, actions: &[(String, String)], t: &Texts) -> TextTable {
    let mut table = TextTable::new(SEGMENT_COLUMNS.iter().map(|c| c.to_string()).collect());
    for (i, s) in r.segments.iter().enumerate() {
        let action =
            actions.iter().find(|(k, _)| k == s.segment.key()).map_or_else(|| t.segment_action(s), |(_, a)| a.as_str());
        table.push(
            i as u64 + 2,
            [
                t.segment_name(&s.segment),
                &s.customers.to_string(),
                &s.customer_share.to_string(),
                &s.revenue.to_string(),
                &s.revenue_share.to_string(),
                &s.mean_recency.to_string(),
                &s.mean_frequency.to_string(),
                &s.mean_monetary.to_string(),
                &s.mean_score100.map(|x| x.to_string()).unwrap_or_default(),
                action,
            ],
        );
    }
    table
}

/// Writes the migration matrix, one row per (segment at A, segment at B):
/// customers and the share of the row. The extra row is "new" (no order by
/// A), the extra column "none" (no order by B), named as `t` names them.
pub fn write_migration_csv<W: Write>(w: W, m: &Migration, t: &Texts) -> io::Result<()> {
    let mut out = csv_writer(w)?;
    out.write_record(["from_segment", "to_segment", "customers", "row_share"]).map_err(io_err)?;
    let k = m.segments.len();
    let name = |i: usize, extra: &'static str| if i < k { t.segment_name(&m.segments[i]) } else { extra };
    for (i, row) in m.counts.iter().enumerate() {
        for (j, n) in row.iter().enumerate() {
            out.write_record([
                safe_cell(name(i, t.rfm.mig_new)).as_ref(),
                &safe_cell(name(j, t.rfm.mig_none)),
                &n.to_string(),
                &m.row_shares[i][j].to_string(),
            ])
            .map_err(io_err)?;
        }
    }
    out.flush()
}

/// Columns of the Pareto ranking file.
pub const PARETO_COLUMNS: [&str; 5] =
    ["rank", "user_id", "spend", "cumulative_customer_share", "cumulative_revenue_share"];

/// Writes the Pareto ranking, best customer first: rank, id, net spend and the
/// cumulative shares of customers and of revenue (fractions of 1).
pub fn write_pareto_csv<W: Write>(w: W, ids: &IdArena, p: &Pareto) -> io::Result<()> {
    let mut out = csv_writer(w)?;
    out.write_record(PARETO_COLUMNS).map_err(io_err)?;
    for r in p.ranking.rows() {
        out.write_record([
            r.rank.to_string().as_str(),
            &safe_cell(ids.get(r.customer)),
            &r.spend.to_string(),
            &r.cumulative_customer_share.to_string(),
            &r.cumulative_revenue_share.to_string(),
        ])
        .map_err(io_err)?;
    }
    out.flush()
}

/// Writes every customer who dropped out of a funnel: the step they did not
/// reach and their id, step by step, customers in order of first appearance.
pub fn write_funnel_dropped_csv<W: Write>(w: W, f: &Funnel) -> io::Result<()> {
    let mut out = csv_writer(w)?;
    out.write_record(["dropped_at_step", "step", "user_id"]).map_err(io_err)?;
    for (k, (step, dropped)) in f.steps.iter().zip(&f.dropped_customers).enumerate() {
        for &c in dropped {
            out.write_record([(k + 1).to_string().as_str(), &safe_cell(&step.step), &safe_cell(f.ids.get(c))])
                .map_err(io_err)?;
        }
    }
    out.flush()
}

/// Columns of the rejects file.
pub const REJECT_COLUMNS: [&str; 5] = ["row", "reason", "reason_text", "field", "value"];

/// The rows set aside while reading: row number, reason, field and value.
pub fn rejects_table(rejects: &[Reject], t: &Texts) -> TextTable {
    let mut table = TextTable::new(REJECT_COLUMNS.iter().map(|c| c.to_string()).collect());
    for (i, r) in rejects.iter().enumerate() {
        table.push(
            i as u64 + 2,
            [
                r.row.to_string().as_str(),
                r.reason.key(),
                t.reject_reason(r.reason),
                r.field.map_or("", |f| f.key()),
                &r.value,
            ],
        );
    }
    table
}

/// Writes the rows set aside: row number, reason, field and value.
pub fn write_rejects_csv<W: Write>(w: W, rejects: &[Reject], t: &Texts) -> io::Result<()> {
    write_table_csv(w, &rejects_table(rejects, t))
}

/// Writes a table (the cleaned rows) with its headers.
pub fn write_table_csv<W: Write>(w: W, t: &TextTable) -> io::Result<()> {
    let mut out = csv_writer(w)?;
    out.write_record(t.headers.iter().map(|h| safe_bytes(h))).map_err(io_err)?;
    for r in 0..t.len() {
        out.write_record(t.row(r).map(safe_bytes)).map_err(io_err)?;
    }
    out.flush()
}

/// Columns of the set-aside file before the input's own columns.
pub const SET_ASIDE_COLUMNS: [&str; 4] = ["row", "reason", "reason_text", "field"];

/// The rows a cleaning run took out: row number, reason, field, then the
/// row's original cells.
pub fn set_aside_table(input: &TextTable, rows: &[SetAside], t: &Texts) -> TextTable {
    let headers = SET_ASIDE_COLUMNS.iter().map(|h| h.to_string()).chain(input.headers.iter().cloned()).collect();
    let mut table = TextTable::new(headers);
    for (i, s) in rows.iter().enumerate() {
        let row = input.row_numbers[s.index].to_string();
        let lead = [row.as_str(), s.reason.key(), t.reject_reason(s.reason), s.field.map_or("", |f| f.key())];
        table.push(i as u64 + 2, lead.into_iter().chain(input.row(s.index)));
    }
    table
}

/// Writes the rows a cleaning run took out: row number, reason, field, then
/// the row's original cells.
pub fn write_set_aside_csv<W: Write>(w: W, input: &TextTable, rows: &[SetAside], t: &Texts) -> io::Result<()> {
    write_table_csv(w, &set_aside_table(input, rows, t))
}

/// Columns of the change log.
pub const CHANGE_COLUMNS: [&str; 5] = ["row", "column", "old", "new", "rule"];

/// The change log: row, column, old value, new value, rule.
pub fn changes_table(changes: &[Change]) -> TextTable {
    let mut table = TextTable::new(CHANGE_COLUMNS.iter().map(|c| c.to_string()).collect());
    for (i, c) in changes.iter().enumerate() {
        table.push(i as u64 + 2, [c.row.to_string().as_str(), &c.column, &c.old, &c.new, &c.rule]);
    }
    table
}

/// Writes the change log: row, column, old value, new value, rule.
pub fn write_changes_csv<W: Write>(w: W, changes: &[Change]) -> io::Result<()> {
    write_table_csv(w, &changes_table(changes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+86 138"), "'+86 138");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("-1+2"), "'-1+2");
        assert_eq!(safe_cell("-166.20"), "-166.20", "a plain negative amount stays a number");
        assert_eq!(safe_cell("-1."), "'-1.");
        assert_eq!(safe_cell("-"), "'-");
        assert_eq!(safe_cell("C001"), "C001");
        assert_eq!(safe_cell(""), "");
    }
}
