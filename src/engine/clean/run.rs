//! Applies a recipe to a table. Row rules decide which rows leave (each with
//! its reason); value rules rewrite cells (each change logged: row, column,
//! old → new, rule); the quality report counts it all and checks that
//! `rows_in = rows_out + set aside`.

use super::recipe::{Action, ColumnRef, FillMethod, OutlierAction, OutlierMethod, Recipe, Step};
use super::standardise::{self, Outcome, Vocabulary};
use super::table::TextTable;
use super::{RejectReason, RowAccount};
use crate::engine::analyze::quantile::quantile_sorted;
use crate::engine::date::parse_timestamp;
use crate::engine::ingest::fields::{Field, Mapping};
use crate::engine::money::Money;
use crate::engine::money::{parse_amount, trim_text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

use xxhash_rust::xxh3::Xxh3;

/// A row taken out of the clean table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    /// Index of the row in the input table.
    pub index: usize,
    /// Why.
    pub reason: RejectReason,
    /// The field that decided it, if one.
    pub field: Option<Field>,
}

/// One value rewritten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Spreadsheet row number.
    pub row: u64,
    /// Column header.
    pub column: String,
    /// The value before.
    pub old: String,
    /// The value after.
    pub new: String,
    /// The rule (`iso_date`, `phone`, `fill_mean`…).
    pub rule: String,
}

/// What one column went through.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnQuality {
    /// Header.
    pub column: String,
    /// Canonical field, if mapped.
    pub field: Option<Field>,
    /// Empty cells among the rows kept, before filling.
    pub missing_before: u64,
    /// Empty cells after filling.
    pub missing_after: u64,
    /// Values changed, by rule.
    pub changed: BTreeMap<String, u64>,
    /// Values flagged, by flag.
    pub flagged: BTreeMap<String, u64>,
}

/// The data-quality report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Data rows read.
    pub rows_in: u64,
    /// Rows in the clean table.
    pub rows_out: u64,
    /// Rows taken out, by reason.
    pub set_aside: BTreeMap<String, u64>,
    /// Whether `rows_in = rows_out + set aside`.
    pub reconciles: bool,
    /// Values changed, by rule.
    pub changed: BTreeMap<String, u64>,
    /// Rows flagged, by flag.
    pub flagged: BTreeMap<String, u64>,
    /// Per column.
    pub columns: Vec<ColumnQuality>,
}

/// Everything a cleaning run produces.
#[derive(Clone, Debug, PartialEq)]
pub struct Cleaned {
    /// The rows kept, with their values rewritten, plus a `flags` column.
    pub clean: TextTable,
    /// The rows taken out, with reasons (in input order).
    pub set_aside: Vec<SetAside>,
    /// Every value rewritten.
    pub changes: Vec<Change>,
    /// The counts.
    pub quality: Quality,
}

/// The header of the column the clean table gains for flags.
pub const FLAGS_COLUMN: &str = "flags";

/// A flag on a row: its name and, for `<column>:…` flags, the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Flag {
    name: String,
    column: Option<usize>,
}

impl Flag {
    fn row(name: String) -> Flag {
        Flag { name, column: None }
    }
}

/// One value rewritten, before it becomes a [`Change`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Edit {
    row: usize,
    column: usize,
    old: String,
    new: String,
    rule: &'static str,
}

/// The table after the standardise phase: its values, the flags and the edits so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Standardised {
    values: Vec<Vec<String>>,
    flags: Vec<Vec<Flag>>,
    edits: Vec<Edit>,
}

/// Cleans `table` (mapped as `mapping`) with `recipe`.
///
/// Whatever their order in the recipe, the steps run in three phases, so
/// that each sees what it should: values are standardised first (so that
/// `male` and `男` make two rows equal), then row rules decide which rows
/// leave, then empty cells of the rows kept are filled (from those rows
/// only). Within a phase the recipe's order holds. A step whose column the
/// file lacks is skipped (see [`Recipe::check`]).
pub fn clean(table: &TextTable, mapping: &Mapping, recipe: &Recipe) -> Cleaned {
    finish(table, mapping, recipe, standardise(table, mapping, recipe))
}

/// What a standardise step does: its columns, its rule name and how it rewrites a value.
struct Standardiser<'a> {
    columns: Vec<ColumnRef>,
    rule: &'static str,
    apply: Box<dyn Fn(&str) -> Outcome + 'a>,
}

impl<'a> Standardiser<'a> {
    /// The standardiser of a phase-1 step; `None` for other steps.
    fn of(step: &'a Step) -> Option<Standardiser<'a>> {
        let plain = |rule, f: fn(&str) -> Outcome| Standardiser { columns: step.columns(), rule, apply: Box::new(f) };
        Some(match step {
            Step::IsoDates { .. } => plain("iso_date", standardise::date),
            Step::Phones { .. } => plain("phone", standardise::phone),
            Step::Gender { .. } => plain("gender", standardise::gender),
            Step::PlainAmounts { .. } => plain("plain_amount", standardise::amount),
            Step::IdNumbers { .. } => plain("id_number", standardise::id_number),
            Step::Emails { .. } => plain("email", standardise::email),
            Step::Provinces { .. } => plain("province", standardise::province),
            Step::CreditCodes { .. } => plain("credit_code", standardise::credit_code),
            Step::Cities { .. } => plain("city", standardise::city),
            Step::ColumnType { kind, .. } => plain("column_type", standardise::for_type(*kind)),
            Step::Vocabulary { entries, .. } => {
                let vocabulary = Vocabulary::new(entries);
                Standardiser {
                    columns: step.columns(),
                    rule: "vocabulary",
                    apply: Box::new(move |v: &str| vocabulary.standardise(v)),
                }
            }
            _ => return None,
        })
    }
}

/// Phase 1: values rewritten to standard forms; values that cannot be read
/// are flagged `<column>:待验证`.
pub(super) fn standardise(table: &TextTable, mapping: &Mapping, recipe: &Recipe) -> Standardised {
    let n = table.len();
    let mut values: Vec<Vec<String>> = (0..n).map(|r| table.row(r).map(str::to_string).collect()).collect();
    let mut flags: Vec<Vec<Flag>> = vec![Vec::new(); n];
    let mut edits: Vec<Edit> = Vec::new();
    for s in recipe.steps.iter().filter_map(Standardiser::of) {
        for column in &s.columns {
            let Some(c) = column.resolve(&table.headers, mapping) else { continue };
            let invalid = format!("{}:待验证", column.label());
            for r in 0..n {
                if trim_text(&values[r][c]).is_empty() {
                    continue;
                }
                match (s.apply)(&values[r][c]) {
                    Outcome::Same => {}
                    Outcome::Changed(new) => {
                        let old = std::mem::replace(&mut values[r][c], new.clone());
                        edits.push(Edit { row: r, column: c, old, new, rule: s.rule });
                    }
                    Outcome::Invalid => flags[r].push(Flag { name: invalid.clone(), column: Some(c) }),
                }
            }
        }
    }
    Standardised { values, flags, edits }
}

/// Phases 2 and 3 and the report: row rules, filling, the counts.
pub(super) fn finish(table: &TextTable, mapping: &Mapping, recipe: &Recipe, standardised: Standardised) -> Cleaned {
    let col = |f: Field| mapping.column(f).filter(|&c| c < table.width());
    let resolve = |column: &ColumnRef| column.resolve(&table.headers, mapping);
    let n = table.len();
    let Standardised { mut values, mut flags, mut edits } = standardised;

    // 2. Row rules: a row leaves at the first rule that takes it.
    let mut leave: Vec<Option<(RejectReason, Option<Field>)>> = vec![None; n];
    // Rows in another encoding cannot be read reliably: they leave first, whatever the recipe.
    for &r in table.invalid_text_rows.iter().filter(|&&r| r < n) {
        leave[r] = Some((RejectReason::InvalidText, None));
    }
    for step in &recipe.steps {
        match step {
            Step::ExactDuplicates => {
                let mut seen: HashSet<u128> = HashSet::with_capacity(n);
                for r in 0..n {
                    if leave[r].is_none() && !seen.insert(row_hash(&values[r])) {
                        leave[r] = Some((RejectReason::DuplicateRow, None));
                    }
                }
            }
            Step::DuplicateKeys { fields } => {
                let cols: Option<Vec<usize>> = fields.iter().map(|&f| col(f)).collect();
                let Some(cols) = cols else { continue };
                let mut seen: HashSet<u128> = HashSet::with_capacity(n);
                for r in 0..n {
                    let key: Vec<&str> = cols.iter().map(|&c| trim_text(&values[r][c])).collect();
                    // A key with an empty part identifies nothing (RequireFields decides those rows).
                    if leave[r].is_some() || key.iter().any(|k| k.is_empty()) {
                        continue;
                    }
                    if !seen.insert(cells_hash(key.iter().copied())) {
                        leave[r] = Some((RejectReason::DuplicateKey, fields.first().copied()));
                    }
                }
            }
            Step::VisitsPerDay { max, action } => {
                let (Some(cu), Some(ct)) = (col(Field::UserId), col(Field::EventTime)) else { continue };
                let day = |r: usize| parse_timestamp(&values[r][ct]).ok().map(|t| t.day.days());
                let mut per_day: HashMap<(&str, i32), u32> = HashMap::new();
                for r in (0..n).filter(|&r| leave[r].is_none()) {
                    if let Some(d) = day(r) {
                        *per_day.entry((trim_text(&values[r][cu]), d)).or_insert(0) += 1;
                    }
                }
                let over: Vec<usize> = (0..n)
                    .filter(|&r| leave[r].is_none())
                    .filter(|&r| day(r).is_some_and(|d| per_day.get(&(trim_text(&values[r][cu]), d)) > Some(max)))
                    .collect();
                for r in over {
                    match action {
                        Action::SetAside => leave[r] = Some((RejectReason::BusinessRule, Some(Field::EventTime))),
                        Action::Flag => flags[r].push(Flag::row(format!("over_{max}_visits_a_day"))),
                        Action::Keep => {}
                    }
                }
            }
            Step::TooManyFields => {
                for (l, &w) in leave.iter_mut().zip(&table.widths) {
                    if l.is_none() && w as usize > table.width() {
                        *l = Some((RejectReason::TooManyFields, None));
                    }
                }
            }
            Step::RequireFields { fields } => {
                for r in 0..n {
                    if leave[r].is_some() {
                        continue;
                    }
                    if values[r].iter().all(|c| trim_text(c).is_empty()) {
                        leave[r] = Some((RejectReason::BlankRow, None));
                    } else if let Some(&f) =
                        fields.iter().find(|&&f| col(f).is_none_or(|c| trim_text(&values[r][c]).is_empty()))
                    {
                        leave[r] = Some((RejectReason::MissingValue, Some(f)));
                    } else if let Some((f, reason)) = fields
                        .iter()
                        .find_map(|&f| col(f).and_then(|c| unreadable_key(f, &values[r][c])).map(|x| (f, x)))
                    {
                        leave[r] = Some((reason, Some(f)));
                    }
                }
            }
            Step::TestAmounts { field, values: amounts, action } => {
                let Some(c) = col(*field) else { continue };
                let tests: Vec<_> = amounts.iter().filter_map(|v| parse_amount(v).ok()).collect();
                for r in 0..n {
                    if leave[r].is_some() || !parse_amount(&values[r][c]).is_ok_and(|m| tests.contains(&m)) {
                        continue;
                    }
                    match action {
                        Action::SetAside => leave[r] = Some((RejectReason::TestOrder, Some(*field))),
                        Action::Flag => flags[r].push(Flag::row("test_order".into())),
                        Action::Keep => {}
                    }
                }
            }
            Step::Rule { column, op, value, name, action } => {
                let Some(c) = resolve(column) else { continue };
                for r in 0..n {
                    if leave[r].is_some() || !value.catches(*op, &values[r][c]) {
                        continue;
                    }
                    match action {
                        Action::SetAside => leave[r] = Some((RejectReason::BusinessRule, column.field())),
                        Action::Flag => flags[r].push(Flag::row(name.clone())),
                        Action::Keep => {}
                    }
                }
            }
            Step::Outliers { column, method, action } => {
                let Some(c) = resolve(column) else { continue };
                let numbers: Vec<(usize, f64)> = (0..n)
                    .filter(|&r| leave[r].is_none())
                    .filter_map(|r| parse_amount(&values[r][c]).ok().map(|m| (r, m.to_f64())))
                    .collect();
                let Some((lo, hi)) = bounds(&numbers.iter().map(|x| x.1).collect::<Vec<_>>(), *method) else {
                    continue;
                };
                let rule = method_name(*method);
                for (r, x) in numbers {
                    if x >= lo && x <= hi {
                        continue;
                    }
                    match action {
                        OutlierAction::SetAside => leave[r] = Some((RejectReason::Outlier, column.field())),
                        OutlierAction::Flag => {
                            flags[r].push(Flag { name: format!("{}:outlier", column.label()), column: Some(c) })
                        }
                        OutlierAction::Cap => {
                            let capped =
                                Money::from_units((x.clamp(lo, hi) * Money::SCALE as f64).round() as i64).to_string();
                            let old = std::mem::replace(&mut values[r][c], capped.clone());
                            edits.push(Edit { row: r, column: c, old, new: capped, rule });
                        }
                        OutlierAction::Keep => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut account = RowAccount::default();
    let mut set_aside = Vec::new();
    let mut kept: Vec<usize> = Vec::with_capacity(n);
    for (r, l) in leave.iter().enumerate() {
        match l {
            Some((reason, field)) => {
                account.set_aside(*reason);
                set_aside.push(SetAside { index: r, reason: *reason, field: *field });
            }
            None => {
                account.used();
                kept.push(r);
            }
        }
    }
    let is_kept = |r: usize| leave[r].is_none();
    let mut columns: Vec<ColumnQuality> = table
        .headers
        .iter()
        .enumerate()
        .map(|(c, h)| ColumnQuality {
            column: h.clone(),
            field: mapping.choices.iter().find(|x| x.column == Some(c)).map(|x| x.field),
            missing_before: kept.iter().filter(|&&r| trim_text(&values[r][c]).is_empty()).count() as u64,
            ..ColumnQuality::default()
        })
        .collect();

    // 3. Fill empty cells of the rows kept.
    for step in &recipe.steps {
        let Step::FillMissing { threshold, .. } = step else { continue };
        for (field, method) in step.fill_methods() {
            let Some(c) = col(field) else { continue };
            let Some(Fill { value, rule }) =
                fill_value(kept.iter().map(|&r| values[r][c].as_str()), &method, *threshold)
            else {
                continue;
            };
            for &r in &kept {
                if trim_text(&values[r][c]).is_empty() {
                    let old = std::mem::replace(&mut values[r][c], value.clone());
                    edits.push(Edit { row: r, column: c, old, new: value.clone(), rule });
                }
            }
        }
    }

    // What the rows kept went through.
    edits.retain(|e| is_kept(e.row));
    edits.sort_by_key(|e| e.row);
    let mut changed: BTreeMap<String, u64> = BTreeMap::new();
    let changes: Vec<Change> = edits
        .into_iter()
        .map(|Edit { row, column, old, new, rule }| {
            *columns[column].changed.entry(rule.to_string()).or_insert(0) += 1;
            *changed.entry(rule.to_string()).or_insert(0) += 1;
            Change {
                row: table.row_numbers[row],
                column: table.headers[column].clone(),
                old,
                new,
                rule: rule.to_string(),
            }
        })
        .collect();
    let mut flagged: BTreeMap<String, u64> = BTreeMap::new();
    for &r in &kept {
        for flag in &flags[r] {
            *flagged.entry(flag.name.clone()).or_insert(0) += 1;
            if let Some(c) = flag.column {
                *columns[c].flagged.entry(flag.name.clone()).or_insert(0) += 1;
            }
        }
    }
    for (c, q) in columns.iter_mut().enumerate() {
        q.missing_after = kept.iter().filter(|&&r| trim_text(&values[r][c]).is_empty()).count() as u64;
    }
    let mut headers = table.headers.clone();
    headers.push(FLAGS_COLUMN.to_string());
    let mut out = TextTable::new(headers);
    for &r in &kept {
        let f = flags[r].iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(";");
        out.push(table.row_numbers[r], values[r].iter().map(String::as_str).chain(std::iter::once(f.as_str())));
    }
    let quality = Quality {
        rows_in: account.rows_in,
        rows_out: account.rows_used,
        set_aside: account.set_aside.iter().map(|(r, n)| (r.key().to_string(), *n)).collect(),
        reconciles: account.reconciles() && account.rows_in == n as u64,
        changed,
        flagged,
        columns,
    };
    Cleaned { clean: out, set_aside, changes, quality }
}

/// Why a key value (a date or an amount the analyses need) cannot be used.
fn unreadable_key(field: Field, v: &str) -> Option<RejectReason> {
    use crate::engine::date::DateError;
    if field == Field::Amount {
        return parse_amount(v).is_err().then_some(RejectReason::InvalidAmount);
    }
    if !super::recipe::is_date(field) {
        return None;
    }
    match parse_timestamp(v) {
        Ok(_) => None,
        Err(DateError::Ambiguous) => Some(RejectReason::AmbiguousDate),
        Err(_) => Some(RejectReason::InvalidDate),
    }
}

/// The inclusive range of values that are not outliers.
fn bounds(values: &[f64], method: OutlierMethod) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let q = |p: f64| quantile_sorted(&sorted, p).unwrap_or(0.0);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    Some(match method {
        OutlierMethod::Iqr { k } => {
            let (q1, q3) = (q(0.25), q(0.75));
            (q1 - k * (q3 - q1), q3 + k * (q3 - q1))
        }
        OutlierMethod::Sigma { k } => {
            let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            (mean - k * sd, mean + k * sd)
        }
        OutlierMethod::Percentile { p } => (f64::NEG_INFINITY, q(p)),
        OutlierMethod::MeanMultiple { k } => (f64::NEG_INFINITY, k * mean),
    })
}

fn method_name(m: OutlierMethod) -> &'static str {
    match m {
        OutlierMethod::Iqr { .. } => "cap_iqr",
        OutlierMethod::Sigma { .. } => "cap_sigma",
        OutlierMethod::Percentile { .. } => "cap_percentile",
        OutlierMethod::MeanMultiple { .. } => "cap_mean_multiple",
    }
}

/// A 128-bit hash of a row's cells (cells separated, so `a|b` ≠ `ab|`).
fn row_hash(row: &[String]) -> u128 {
    cells_hash(row.iter().map(String::as_str))
}

/// A 128-bit hash of cells, each followed by a byte no UTF-8 text has.
fn cells_hash<'a>(cells: impl Iterator<Item = &'a str>) -> u128 {
    let mut h = Xxh3::new();
    for c in cells {
        h.update(c.as_bytes());
        h.update(&[0xFF]);
    }
    h.digest128()
}

/// What fills a column's empty cells, and the rule name in the change log.
struct Fill {
    value: String,
    rule: &'static str,
}

const UNKNOWN: &str = "未知";

/// What fills a column's empty cells by `method` (see [`FillMethod`]);
/// `None` when nothing does (`Leave`, or no value to take a mean, median or
/// mode of). `Auto` with `threshold` or more missing gives 未知.
fn fill_value<'a>(column: impl Iterator<Item = &'a str>, method: &FillMethod, threshold: f64) -> Option<Fill> {
    let fill = |value: String, rule| Some(Fill { value, rule }).filter(|f| !trim_text(&f.value).is_empty());
    let mut total = 0usize;
    let filled: Vec<&str> = column.inspect(|_| total += 1).map(trim_text).filter(|v| !v.is_empty()).collect();
    match method {
        FillMethod::Auto => {
            let missing = total - filled.len();
            if filled.is_empty() || missing as f64 >= threshold * total as f64 {
                return fill(UNKNOWN.to_string(), "fill_unknown");
            }
            let numbers = numbers(&filled);
            if numbers.len() == filled.len() {
                return fill(average(&numbers, mean), "fill_mean");
            }
            fill(mode(&filled)?.to_string(), "fill_mode")
        }
        FillMethod::Mean => fill(average(&numbers(&filled), mean), "fill_mean"),
        FillMethod::Median => fill(average(&numbers(&filled), median), "fill_median"),
        FillMethod::Mode => fill(mode(&filled)?.to_string(), "fill_mode"),
        FillMethod::Unknown => fill(UNKNOWN.to_string(), "fill_unknown"),
        FillMethod::Constant { value } => fill(value.clone(), "fill_constant"),
        FillMethod::Leave => None,
    }
}

/// The values that are numbers, with whether each was written as a whole number.
fn numbers<'a>(values: &[&'a str]) -> Vec<(&'a str, f64)> {
    values.iter().filter_map(|v| parse_amount(v).ok().map(|m| (*v, m.to_f64()))).collect()
}

/// An average of numbers, written as they are: a whole number when every
/// value is one (`-`, digits), else two decimals; empty when there are none.
fn average(numbers: &[(&str, f64)], f: fn(&mut [f64]) -> f64) -> String {
    if numbers.is_empty() {
        return String::new();
    }
    let x = f(&mut numbers.iter().map(|n| n.1).collect::<Vec<f64>>());
    let all_int = numbers.iter().all(|(v, _)| v.bytes().all(|b| b.is_ascii_digit() || b == b'-'));
    if all_int {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.2}")
    }
}

fn mean(xs: &mut [f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_unstable_by(f64::total_cmp);
    quantile_sorted(xs, 0.5).unwrap_or(0.0)
}

/// The most frequent value; ties go to the value seen first.
fn mode<'a>(values: &[&'a str]) -> Option<&'a str> {
    let mut counts: HashMap<&'a str, (usize, usize)> = HashMap::new();
    for (i, v) in values.iter().enumerate() {
        counts.entry(*v).or_insert((0, i)).0 += 1;
    }
    counts.into_iter().max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1))).map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::{auto_map, SourceKind};
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    fn table(csv: &str) -> TextTable {
        TextTable::read(&mut CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t"), "t").expect("table")
    }

    fn run(kind: SourceKind, csv: &str) -> Cleaned {
        let t = table(csv);
        let m = auto_map(kind, &t.headers);
        clean(&t, &m, &Recipe::default_for(kind, &m))
    }

    #[test]
    fn orders_defaults_account_for_every_row() {
        let c = run(
            SourceKind::Orders,
            "订单号,客户ID,下单时间,订单金额\nO1,C1,2024/3/5,\"¥1,280.00\"\nO1,C1,2024/3/5,\"¥1,280.00\"\nO2,,2024-03-06,5\nO3,C2,2024-03-07,0\nO4,C3,2024-03-08,999999\nO5,C3,2024-03-09,12.5,extra\n,,,\nO6,C4,2024-03-10 09:00:00,7\n",
        );
        let reasons: Vec<(u64, RejectReason)> = c.set_aside.iter().map(|s| (s.index as u64 + 2, s.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (3, RejectReason::DuplicateRow),
                (4, RejectReason::MissingValue),
                (5, RejectReason::TestOrder),
                (6, RejectReason::TestOrder),
                (7, RejectReason::TooManyFields),
                (8, RejectReason::BlankRow),
            ]
        );
        let q = &c.quality;
        assert_eq!((q.rows_in, q.rows_out), (8, 2));
        assert!(q.reconciles);
        assert_eq!(q.set_aside.values().sum::<u64>(), q.rows_in - q.rows_out);
        assert_eq!(c.clean.row(0).collect::<Vec<_>>(), vec!["O1", "C1", "2024-03-05", "1280.00", ""]);
        assert_eq!(c.changes.len(), 3);
        assert_eq!((c.changes[2].old.as_str(), c.changes[2].new.as_str(), c.changes[2].row), ("7", "7.00", 9));
        assert_eq!(c.changes[0].rule, "iso_date");
        assert_eq!((c.changes[1].old.as_str(), c.changes[1].new.as_str()), ("¥1,280.00", "1280.00"));
    }

    #[test]
    fn customers_phones_gender_and_filling() {
        let mut csv = String::from("客户ID,手机号,性别,省份,年龄\n");
        for i in 0..30 {
            csv.push_str(&format!("C{i},1380000{i:04},{},广东省,{}\n", if i % 2 == 0 { "M" } else { "女" }, 20 + i));
        }
        csv.push_str("C30,12345,女,,\n"); // bad phone; province and age missing (1 of 31 < 5 %)
        let c = run(SourceKind::Customers, &csv);
        let last: Vec<&str> = c.clean.row(30).collect();
        assert_eq!(last, vec!["C30", "12345", "女", "广东省", "35", "phone:待验证"]);
        assert_eq!(c.clean.cell(0, 2), "男");
        assert_eq!(c.quality.flagged.get("phone:待验证"), Some(&1));
        assert_eq!(c.quality.changed.get("gender"), Some(&15));
        assert_eq!(c.quality.changed.get("fill_mode"), Some(&1));
        assert_eq!(c.quality.changed.get("fill_mean"), Some(&1));
        let province = c.quality.columns.iter().find(|q| q.field == Some(Field::Province)).expect("province");
        assert_eq!((province.missing_before, province.missing_after), (1, 0));
    }

    #[test]
    fn outliers_and_rules() {
        use crate::engine::clean::recipe::{Op, OutlierAction as A, OutlierMethod as M};
        let t = table("客户ID,下单时间,订单金额\nA,2024-01-01,10\nB,2024-01-01,12\nC,2024-01-01,11\nD,2024-01-01,13\nE,2024-01-01,500\nF,2024-01-01,-3\n");
        let m = auto_map(SourceKind::Orders, &t.headers);
        let recipe = |action| Recipe {
            steps: vec![
                Step::Rule {
                    column: Field::Amount.into(),
                    op: Op::Lt,
                    value: 0.0.into(),
                    name: "negative_amount".into(),
                    action: Action::Flag,
                },
                Step::Outliers { column: Field::Amount.into(), method: M::Iqr { k: 1.5 }, action },
            ],
        };
        // numpy: q1 = 10.25, q3 = 12.75 → fences 6.5 and 16.5
        let capped = clean(&t, &m, &recipe(A::Cap));
        assert_eq!(capped.clean.cell(4, 2), "16.50");
        assert_eq!(capped.clean.cell(5, 2), "6.50");
        assert_eq!(capped.clean.cell(5, 3), "negative_amount");
        assert_eq!(capped.quality.changed.get("cap_iqr"), Some(&2));
        let aside = clean(&t, &m, &recipe(A::SetAside));
        assert_eq!(aside.quality.set_aside.get("outlier"), Some(&2));
        assert!(aside.quality.reconciles);
        let flagged = clean(&t, &m, &recipe(A::Flag));
        assert_eq!(flagged.clean.cell(4, 3), "amount:outlier");
    }

    #[test]
    fn same_key_rows_and_busy_days() {
        // Customers: C1 twice with different details → the second is a duplicate record.
        let c = run(SourceKind::Customers, "客户ID,姓名\nC1,张三\nC2,李四\nC1,张叁\n,王五\n");
        let reasons: Vec<RejectReason> = c.set_aside.iter().map(|s| s.reason).collect();
        assert_eq!(reasons, vec![RejectReason::DuplicateKey, RejectReason::MissingValue]);
        assert_eq!(c.set_aside[0].index, 2);
        assert!(c.quality.reconciles);
        // Events: same customer, time and type → duplicate; 101 events of U1 on one day → flagged.
        let mut csv = String::from(
            "用户ID,行为类型,行为时间,渠道\nU2,浏览,2024-01-01 10:00:00,APP\nU2,浏览,2024/1/1 10:00,官网\n",
        );
        for i in 0..101 {
            csv.push_str(&format!("U1,浏览,2024-01-02 10:{:02}:{:02},APP\n", i / 60, i % 60));
        }
        csv.push_str("U1,浏览,2024-01-03 10:00:00,APP\n");
        let e = run(SourceKind::Events, &csv);
        assert_eq!(e.quality.set_aside.get("duplicate_key"), Some(&1));
        assert_eq!(e.quality.flagged.get("over_100_visits_a_day"), Some(&101));
        assert_eq!(e.clean.cell(e.clean.len() - 1, 4), "", "a quiet day is not flagged");
    }

    #[test]
    fn many_missing_becomes_unknown() {
        let c = run(SourceKind::Customers, "客户ID,省份\nA,\nB,\nC,广东省\n");
        assert_eq!(c.clean.cell(0, 1), "未知");
        assert_eq!(c.quality.changed.get("fill_unknown"), Some(&2));
    }

    #[test]
    fn rules_on_header_columns_and_text() {
        use crate::engine::clean::recipe::{ColumnRef, Op, RuleValue};
        let t = TextTable::from_rows(
            &["客户ID", "下单时间", "订单金额", "备注", "区域"],
            &[
                &["A", "2024-01-01", "10", "测试单", "华东"],
                &["B", "2024-01-01", "12", "正常", " 华南 "],
                &["C", "2024-01-01", "x", "", "华北"],
            ],
        );
        let m = auto_map(SourceKind::Orders, &t.headers);
        let rule = |column: &str, op, value: RuleValue, action| Step::Rule {
            column: ColumnRef::Header(column.into()),
            op,
            value,
            name: format!("{}_rule", trim_text(column)),
            action,
        };
        let r = Recipe {
            steps: vec![
                rule("备注", Op::Contains, RuleValue::Text("测试".into()), Action::SetAside),
                rule("区域", Op::Eq, RuleValue::Text("华南".into()), Action::Flag),
                rule(" 订单金额 ", Op::Ge, RuleValue::Number(12.0), Action::Flag),
                rule("备注", Op::Ne, RuleValue::Text("正常".into()), Action::Flag),
            ],
        };
        let c = clean(&t, &m, &r);
        assert_eq!(c.set_aside, vec![SetAside { index: 0, reason: RejectReason::BusinessRule, field: None }]);
        assert_eq!(c.quality.set_aside.get("business_rule"), Some(&1));
        assert_eq!(c.clean.cell(0, 5), "区域_rule;订单金额_rule", "trimmed cell equals; 12 ≥ 12");
        assert_eq!(c.clean.cell(1, 5), "", "non-numbers and empty cells are not caught");
        assert!(c.quality.reconciles);
        // By field, an old recipe's `field` key and a bare number still read.
        let old =
            r#"{"steps":[{"step":"rule","field":"amount","op":"lt","value":11,"name":"small","action":"set_aside"}]}"#;
        let old = Recipe::from_json(old).expect("old recipe");
        assert!(
            matches!(&old.steps[0], Step::Rule { column: ColumnRef::Field(Field::Amount), value: RuleValue::Number(x), .. } if *x == 11.0)
        );
        let c = clean(&t, &m, &old);
        assert_eq!(
            c.set_aside,
            vec![SetAside { index: 0, reason: RejectReason::BusinessRule, field: Some(Field::Amount) }]
        );
    }

    #[test]
    fn outliers_of_a_header_column_are_counted_on_it() {
        use crate::engine::clean::recipe::{ColumnRef, OutlierAction as A, OutlierMethod as M};
        let t = TextTable::from_rows(&["客户ID", "积分"], &[&["A", "1"], &["B", "2"], &["C", "3"], &["D", "100"]]);
        let m = auto_map(SourceKind::Customers, &t.headers);
        let step = Step::Outliers {
            column: ColumnRef::Header("积分".into()),
            method: M::MeanMultiple { k: 2.0 },
            action: A::Flag,
        };
        let c = clean(&t, &m, &Recipe { steps: vec![step] });
        // mean 26.5 → above 53 is an outlier
        assert_eq!(c.clean.cell(3, 2), "积分:outlier");
        assert_eq!(c.quality.columns[1].flagged.get("积分:outlier"), Some(&1));
        assert_eq!(c.quality.flagged.get("积分:outlier"), Some(&1));
    }

    #[test]
    fn fill_methods_per_field() {
        use crate::engine::clean::recipe::FillMethod;
        let t = TextTable::from_rows(
            &["客户ID", "年龄", "城市", "渠道", "会员等级", "性别"],
            &[
                &["A", "20", "深圳", "APP", "金卡", ""],
                &["B", "", "", "", "", ""],
                &["C", "30", "深圳", "官网", "", "男"],
                &["D", "70", "广州", "", "银卡", ""],
            ],
        );
        let m = auto_map(SourceKind::Customers, &t.headers);
        let methods: BTreeMap<Field, FillMethod> = [
            (Field::Age, FillMethod::Median),
            (Field::City, FillMethod::Mode),
            (Field::Channel, FillMethod::Constant { value: "其他".into() }),
            (Field::MemberLevel, FillMethod::Leave),
            (Field::Gender, FillMethod::Unknown),
        ]
        .into();
        // Age is only in `methods`; Province is not in the table.
        let step = Step::FillMissing {
            fields: vec![Field::City, Field::Channel, Field::MemberLevel, Field::Gender, Field::Province],
            threshold: 0.05,
            methods,
        };
        let c = clean(&t, &m, &Recipe { steps: vec![step] });
        assert_eq!(c.clean.row(1).collect::<Vec<_>>(), vec!["B", "30", "深圳", "其他", "", "未知", ""]);
        assert_eq!(c.clean.cell(3, 3), "其他");
        let rules: BTreeMap<&str, u64> = c.quality.changed.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(rules, [("fill_constant", 2), ("fill_median", 1), ("fill_mode", 1), ("fill_unknown", 3)].into());
        let level = &c.quality.columns[4];
        assert_eq!((level.missing_before, level.missing_after), (2, 2));
        // Mean of 20, 30, 70 = 40; the median of 20 and 30 with decimals is 25.00.
        let mean = Step::FillMissing {
            fields: vec![Field::Age],
            threshold: 0.0,
            methods: [(Field::Age, FillMethod::Mean)].into(),
        };
        assert_eq!(clean(&t, &m, &Recipe { steps: vec![mean] }).clean.cell(1, 1), "40");
        let t2 = TextTable::from_rows(&["客户ID", "年龄"], &[&["A", "20.0"], &["B", ""], &["C", "30"]]);
        let median =
            Step::FillMissing { fields: vec![], threshold: 0.05, methods: [(Field::Age, FillMethod::Median)].into() };
        assert_eq!(clean(&t2, &m, &Recipe { steps: vec![median] }).clean.cell(1, 1), "25.00");
    }

    #[test]
    fn vocabulary_cities_and_column_types() {
        use crate::engine::clean::recipe::{default_industry_vocabulary, ColumnRef};
        use crate::engine::ingest::profile::ColumnType;
        let t = TextTable::from_rows(
            &["客户ID", "所属行业", "城市", "是否会员", "积分"],
            &[
                &["A", "ＩＴ", "深圳市", "是", "1,200"],
                &["B", "retail", "沙市", "n", "3.5"],
                &["C", "农业", " 广州 ", "也许", ""],
            ],
        );
        let m = auto_map(SourceKind::Customers, &t.headers);
        let recipe = Recipe::default_for(SourceKind::Customers, &m);
        assert!(recipe.steps.contains(&Step::Cities { field: Field::City }));
        assert!(recipe
            .steps
            .contains(&Step::Vocabulary { field: Field::Industry, entries: default_industry_vocabulary() }));
        let mut steps: Vec<Step> =
            recipe.steps.into_iter().filter(|s| !matches!(s, Step::FillMissing { .. })).collect();
        steps.push(Step::ColumnType { column: ColumnRef::Header("是否会员".into()), kind: ColumnType::Boolean });
        steps.push(Step::ColumnType { column: ColumnRef::Header("积分".into()), kind: ColumnType::Integer });
        let c = clean(&t, &m, &Recipe { steps });
        assert_eq!(c.clean.row(0).collect::<Vec<_>>(), vec!["A", "信息技术", "深圳", "true", "1200", ""]);
        assert_eq!(c.clean.row(1).collect::<Vec<_>>(), vec!["B", "零售", "沙市", "false", "3.5", "积分:待验证"]);
        assert_eq!(c.clean.row(2).collect::<Vec<_>>(), vec!["C", "农业", "广州", "也许", "", "是否会员:待验证"]);
        let rules: BTreeMap<&str, u64> = c.quality.changed.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(rules, [("city", 2), ("column_type", 3), ("vocabulary", 2)].into());
        assert_eq!(c.quality.columns[3].flagged.get("是否会员:待验证"), Some(&1));
        assert_eq!(c.quality.columns[4].flagged.get("积分:待验证"), Some(&1));
    }
}
