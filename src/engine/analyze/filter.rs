//! Narrowing what the analyses of the kept sources read: rows dated within
//! a range (each kind by its own date: order time, event time, ticket
//! creation, survey date, touch time or channel period) and rows of a set
//! of customers (a tag's, an RFM segment's). Every row is accounted for:
//! the report says, per source, how many rows were read and kept, and how
//! many were left out for lacking a readable date while a range was set.

use crate::engine::clean::table::TextTable;
use crate::engine::date::{parse_timestamp, Day};
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::money::trim_text;
use crate::engine::unify::Source;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Which rows the analyses read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFilter {
    /// First day kept (inclusive).
    pub from: Option<Day>,
    /// Last day kept (inclusive).
    pub to: Option<Day>,
    /// Customer ids kept (as the sources write them); `None`: everyone.
    pub customers: Option<HashSet<String>>,
}

/// What a filter did to one source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilteredSource {
    /// The source's file.
    pub file: String,
    /// Rows read.
    pub rows: u64,
    /// Rows kept.
    pub kept: u64,
    /// Rows left out because a date range was set and theirs is empty or unreadable.
    pub undated: u64,
}

impl SourceFilter {
    /// Whether it keeps every row.
    pub fn is_everything(&self) -> bool {
        self.from.is_none() && self.to.is_none() && self.customers.is_none()
    }

    /// The rows of `src` it keeps, as a new table (`None` when it keeps them all
    /// and no copy is needed), and the account of it.
    pub fn apply(&self, src: &Source<'_>) -> (Option<TextTable>, FilteredSource) {
        let t = src.table;
        let mut report =
            FilteredSource { file: src.file.to_string(), rows: t.len() as u64, ..FilteredSource::default() };
        let dated = self.from.is_some() || self.to.is_some();
        let date_col =
            date_fields(src.mapping.kind).iter().find_map(|&f| src.mapping.column(f)).filter(|&c| c < t.width());
        let id_col = src.mapping.column(Field::UserId).filter(|&c| c < t.width());
        let keep = |r: usize| -> Result<bool, ()> {
            if let (Some(ids), Some(c)) = (&self.customers, id_col) {
                if !ids.contains(trim_text(t.cell(r, c))) {
                    return Ok(false);
                }
            }
            if !dated {
                return Ok(true);
            }
            // A kind without dates (the CRM) is not narrowed by the range.
            let Some(c) = date_col else { return Ok(true) };
            let day = day_of(t.cell(r, c)).ok_or(())?;
            Ok(self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|to| day <= to))
        };
        let mut rows = Vec::with_capacity(t.len());
        for r in 0..t.len() {
            match keep(r) {
                Ok(true) => rows.push(r),
                Ok(false) => {}
                Err(()) => report.undated += 1,
            }
        }
        report.kept = rows.len() as u64;
        if rows.len() == t.len() {
            return (None, report);
        }
        (Some(t.select_rows(&rows)), report)
    }
}

/// The day analyses that end on an as-of date (tags, profiles) end on by
/// default under `filter`: the latest readable day of the rows of `sources`
/// that name a customer, read as they are, so that choosing customers does
/// not move the date back to their own last day; no later than the range's
/// end. `None` without a filter (the analysis's own default applies) or
/// without any dated row.
pub fn default_as_of(filter: &SourceFilter, sources: &[Source<'_>]) -> Option<Day> {
    if filter.is_everything() {
        return None;
    }
    let latest = sources
        .iter()
        .filter_map(|s| {
            let t = s.table;
            let date = date_fields(s.mapping.kind).iter().find_map(|&f| s.mapping.column(f)).filter(|&c| c < t.width());
            let id = s.mapping.column(Field::UserId).filter(|&c| c < t.width());
            let (date, id) = (date?, id?);
            (0..t.len()).filter(|&r| !trim_text(t.cell(r, id)).is_empty()).filter_map(|r| day_of(t.cell(r, date))).max()
        })
        .max();
    match (latest, filter.to) {
        (Some(d), Some(to)) => Some(d.min(to)),
        (d, _) => d,
    }
}

/// The fields that date a row of `kind`, the first mapped one used (none for
/// the CRM; a touchpoint's time, else a channel total's period).
pub fn date_fields(kind: SourceKind) -> &'static [Field] {
    match kind {
        SourceKind::Customers => &[],
        SourceKind::Orders => &[Field::OrderTime],
        SourceKind::Events => &[Field::EventTime],
        SourceKind::Tickets => &[Field::CreatedAt],
        SourceKind::Surveys => &[Field::SurveyDate],
        SourceKind::Channels => &[Field::TouchTime, Field::Period],
    }
}

/// The day a cell names: a date or time, or a month (`2024-03`: its first day).
fn day_of(cell: &str) -> Option<Day> {
    let s = trim_text(cell);
    parse_timestamp(s).ok().map(|t| t.day).or_else(|| Day::parse_iso(&format!("{s}-01")).ok())
}

/// Filters every source: the tables kept (borrowed when untouched) and the account.
pub fn filter_sources<'a>(sources: &[Source<'a>], f: &SourceFilter) -> (Vec<Option<TextTable>>, Vec<FilteredSource>) {
    sources.iter().map(|s| f.apply(s)).unzip()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::auto_map;

    fn orders() -> TextTable {
        TextTable::from_rows(
            &["客户ID", "订单号", "下单时间", "订单金额"],
            &[
                &["C1", "O1", "2024-01-05 10:00:00", "10"],
                &["C2", "O2", "2024-02-10", "20"],
                &["C1", "O3", "", "30"],
                &["C3", "O4", "2024-03-01", "40"],
            ],
        )
    }

    #[test]
    fn the_default_as_of_date_is_everyones_latest_day_within_the_range() {
        let t = orders();
        let m = auto_map(SourceKind::Orders, &t.headers);
        let src = [Source { file: "o.csv", mapping: &m, table: &t }];
        assert_eq!(default_as_of(&SourceFilter::default(), &src), None, "no filter: the analysis's own default");
        let c1 = SourceFilter { customers: Some(HashSet::from(["C1".to_string()])), ..SourceFilter::default() };
        assert_eq!(default_as_of(&c1, &src), Day::from_ymd(2024, 3, 1), "not C1's own last day (2024-01-05)");
        let to = SourceFilter { to: Day::from_ymd(2024, 2, 15), ..c1 };
        assert_eq!(default_as_of(&to, &src), Day::from_ymd(2024, 2, 15));
    }

    #[test]
    fn keeps_rows_in_the_range_and_of_the_customers_and_accounts_for_the_rest() {
        let t = orders();
        let m = auto_map(SourceKind::Orders, &t.headers);
        let src = Source { file: "o.csv", mapping: &m, table: &t };
        let (same, r) = SourceFilter::default().apply(&src);
        assert!(same.is_none());
        assert_eq!((r.rows, r.kept, r.undated), (4, 4, 0));
        let f = SourceFilter { from: Day::from_ymd(2024, 2, 1), to: Day::from_ymd(2024, 3, 1), customers: None };
        let (kept, r) = f.apply(&src);
        let kept = kept.expect("narrowed");
        assert_eq!((0..kept.len()).map(|i| kept.cell(i, 1)).collect::<Vec<_>>(), ["O2", "O4"]);
        assert_eq!(kept.row_numbers, vec![3, 5]);
        assert_eq!((r.rows, r.kept, r.undated), (4, 2, 1), "the row without a date is counted, not lost");
        let f = SourceFilter { customers: Some(HashSet::from(["C1".to_string()])), ..SourceFilter::default() };
        let (kept, r) = f.apply(&src);
        assert_eq!(kept.map(|k| k.len()), Some(2));
        assert_eq!((r.kept, r.undated), (2, 0));
    }

    #[test]
    fn the_crm_is_narrowed_by_customer_only_and_months_are_dates() {
        let t = TextTable::from_rows(&["客户ID", "姓名"], &[&["C1", "张三"], &["C2", "李四"]]);
        let m = auto_map(SourceKind::Customers, &t.headers);
        let src = Source { file: "c.csv", mapping: &m, table: &t };
        let f = SourceFilter { from: Day::from_ymd(2030, 1, 1), to: None, customers: None };
        assert!(f.apply(&src).0.is_none());
        assert_eq!(day_of("2024-03"), Day::from_ymd(2024, 3, 1));
        assert_eq!(day_of(" 2024-03-09 08:00:00 "), Day::from_ymd(2024, 3, 9));
        assert_eq!(day_of("soon"), None);
    }
}
