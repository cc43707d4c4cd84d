//! What each column of a file looks like, from the rows the probe read: its
//! inferred type with the evidence (the share of values that parse as it,
//! sample values), the share of empty cells and the number of distinct
//! values — shown to the user before anything runs.

use crate::engine::clean::standardise::yes_no;
use crate::engine::date::parse_timestamp;
use crate::engine::money::{parse_amount, trim_text};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The type a column's values suggest.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnType {
    /// Whole numbers.
    Integer,
    /// Numbers with decimals, currency signs, thousands separators.
    Decimal,
    /// Dates or date-times.
    DateTime,
    /// Yes/no values.
    Boolean,
    /// Identifiers: nearly every value different, no spaces.
    Id,
    /// A small set of repeated values.
    Category,
    /// Free text.
    Text,
    /// No values at all.
    Empty,
}

/// One column's profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// The header.
    pub header: String,
    /// The inferred type.
    pub ty: ColumnType,
    /// Share of non-empty values that parse as `ty` (0–1).
    pub parses: f64,
    /// Share of empty cells (0–1).
    pub missing: f64,
    /// Distinct non-empty values.
    pub distinct: u64,
    /// Up to three distinct sample values.
    pub samples: Vec<String>,
    /// Rows looked at.
    pub rows: u64,
}

/// A value type (number, date, yes/no) is inferred when at least this share
/// of the values parse as it; the share is shown, so the rest stands out.
pub const TYPE_SHARE: f64 = 0.8;

fn is_integer(v: &str) -> bool {
    let d = v.strip_prefix(['-', '+']).unwrap_or(v);
    !d.is_empty() && d.len() <= 18 && d.bytes().all(|c| c.is_ascii_digit()) && (d == "0" || !d.starts_with('0'))
}

fn is_date(v: &str) -> bool {
    // Plain numbers parse as Excel serials or Unix time; a date column needs separators or 8 digits.
    let shaped = v.contains(['-', '/', '.', '年', ':']) || (v.len() == 8 && v.bytes().all(|c| c.is_ascii_digit()));
    shaped && parse_timestamp(v).is_ok()
}

/// Profiles every column of `rows` (cells as text; short rows have empty cells).
pub fn profile(headers: &[String], rows: &[Vec<String>]) -> Vec<ColumnProfile> {
    headers
        .iter()
        .enumerate()
        .map(|(c, h)| profile_column(h, rows.iter().map(|r| r.get(c).map_or("", |v| v.as_str()))))
        .collect()
}

/// Profiles one column from its cells (as text).
pub fn profile_column<'a>(header: &str, values: impl Iterator<Item = &'a str>) -> ColumnProfile {
    let mut rows = 0u64;
    let mut filled = 0u64;
    let (mut ints, mut decs, mut dates, mut bools, mut spaced) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut distinct: HashSet<&str> = HashSet::new();
    let mut samples: Vec<String> = Vec::new();
    for raw in values {
        rows += 1;
        let v = trim_text(raw);
        if v.is_empty() {
            continue;
        }
        filled += 1;
        if distinct.insert(v) && samples.len() < 3 {
            samples.push(v.to_string());
        }
        ints += u64::from(is_integer(v));
        decs += u64::from(parse_amount(v).is_ok());
        dates += u64::from(is_date(v));
        bools += u64::from(yes_no(v).is_some());
        spaced += u64::from(v.contains(char::is_whitespace));
    }
    let share = |n: u64| if filled == 0 { 0.0 } else { n as f64 / filled as f64 };
    let n_distinct = distinct.len() as u64;
    let all_different = filled >= 3 && n_distinct * 10 >= filled * 9;
    // The value type most values parse as, if one clearly leads.
    let mut typed = vec![(ColumnType::DateTime, share(dates))];
    if n_distinct <= 2 {
        typed.push((ColumnType::Boolean, share(bools)));
    }
    if !all_different {
        typed.push((ColumnType::Integer, share(ints)));
    }
    if share(ints) < share(decs) || !all_different {
        typed.push((ColumnType::Decimal, share(decs)));
    }
    // On a tie the more specific type (listed first) wins.
    let best =
        typed.into_iter().filter(|t| t.1 >= TYPE_SHARE).fold(None, |best: Option<(ColumnType, f64)>, t| match best {
            Some(b) if b.1 >= t.1 => Some(b),
            _ => Some(t),
        });
    let (ty, parses) = if filled == 0 {
        (ColumnType::Empty, 0.0)
    } else if let Some(best) = best {
        best
    } else if all_different && spaced == 0 {
        // nearly all different, no spaces: ids (numeric ids included)
        (ColumnType::Id, share(filled - spaced))
    } else if n_distinct <= 50 || n_distinct * 5 <= filled {
        (ColumnType::Category, 1.0)
    } else {
        (ColumnType::Text, 1.0)
    };
    ColumnProfile {
        header: header.to_string(),
        ty,
        parses,
        missing: if rows == 0 { 0.0 } else { (rows - filled) as f64 / rows as f64 },
        distinct: n_distinct,
        samples,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(values: &[&str]) -> ColumnProfile {
        let rows: Vec<Vec<String>> = values.iter().map(|v| vec![v.to_string()]).collect();
        profile(&["h".to_string()], &rows).remove(0)
    }

    #[test]
    fn types_with_evidence() {
        assert_eq!(col(&["2024-01-01", "2024/2/3", "2024年3月5日", "2024-03-05 10:00:00"]).ty, ColumnType::DateTime);
        let amounts = col(&["12.50", "¥8", "1,280.00", "3.1"]);
        assert_eq!((amounts.ty, amounts.parses), (ColumnType::Decimal, 1.0));
        assert_eq!(col(&["1", "2", "2", "3", "1", "2"]).ty, ColumnType::Integer);
        assert_eq!(col(&["C001", "C002", "C003", "C004"]).ty, ColumnType::Id);
        assert_eq!(col(&["1001", "1002", "1003", "1004"]).ty, ColumnType::Id);
        assert_eq!(col(&["是", "否", "是", "是"]).ty, ColumnType::Boolean);
        assert_eq!(col(&["APP", "官网", "APP", "小程序", "APP", "官网"]).ty, ColumnType::Category);
        assert_eq!(col(&["", " ", ""]).ty, ColumnType::Empty);
    }

    #[test]
    fn missing_share_distinct_and_samples() {
        let p = col(&["a", "", "b", "a", "  "]);
        assert_eq!(p.missing, 0.4);
        assert_eq!(p.distinct, 2);
        assert_eq!(p.samples, vec!["a", "b"]);
        assert_eq!(p.rows, 5);
    }

    #[test]
    fn leading_zeros_are_not_integers() {
        assert!(!is_integer("007"));
        assert!(is_integer("0"));
        assert!(is_integer("-12"));
    }

    #[test]
    fn the_share_that_does_not_parse_is_shown() {
        let mut v = vec!["2024-01-01"; 9];
        v.push("soon");
        let p = col(&v);
        assert_eq!((p.ty, p.parses), (ColumnType::DateTime, 0.9));
        let mut v = vec!["2024-01-01"; 5];
        v.extend(["a", "b", "c", "d", "e"]);
        assert_ne!(col(&v).ty, ColumnType::DateTime);
    }
}
