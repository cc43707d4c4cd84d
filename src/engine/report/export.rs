//! CSV exports (UTF-8 with BOM so Excel shows Chinese correctly). Cells that
//! a spreadsheet would run as a formula are neutralised.

use crate::engine::analyze::rfm::RfmResult;
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
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

fn csv_writer<W: Write>(mut w: W) -> io::Result<csv::Writer<W>> {
    w.write_all(UTF8_BOM)?;
    Ok(csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(w))
}

fn io_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// Writes one row per customer: id, R/F/M values, scores and segment name.
pub fn write_rfm_csv<W: Write>(w: W, ids: &IdArena, r: &RfmResult, t: &Texts) -> io::Result<()> {
    let mut out = csv_writer(w)?;
    out.write_record(RFM_COLUMNS).map_err(io_err)?;
    let mut money = String::new();
    for (id, c) in ids.iter().zip(&r.customers) {
        use std::fmt::Write as _;
        money.clear();
        let _ = write!(money, "{}", c.monetary);
        out.write_record([
            safe_cell(id).as_ref(),
            &c.recency_days.to_string(),
            &c.frequency.to_string(),
            &money,
            &c.score.r.to_string(),
            &c.score.f.to_string(),
            &c.score.m.to_string(),
            t.segment(c.segment).name,
        ])
        .map_err(io_err)?;
    }
    out.flush()
}

/// Writes the rows set aside: row number, reason, field and value.
pub fn write_rejects_csv<W: Write>(w: W, rejects: &[Reject], t: &Texts) -> io::Result<()> {
    let mut out = csv_writer(w)?;
    out.write_record(["row", "reason", "reason_text", "field", "value"]).map_err(io_err)?;
    for r in rejects {
        out.write_record([
            r.row.to_string().as_str(),
            r.reason.key(),
            t.reject_reason(r.reason),
            r.field.map_or("", |f| f.key()),
            &safe_cell(&r.value),
        ])
        .map_err(io_err)?;
    }
    out.flush()
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
        assert_eq!(safe_cell("C001"), "C001");
        assert_eq!(safe_cell(""), "");
    }
}
