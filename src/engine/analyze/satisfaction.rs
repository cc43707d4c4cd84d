//! M19 Satisfaction: CSAT, NPS and CES from survey answers, overall and by
//! month; and from service tickets the counts by ticket (complaint) type,
//! the resolution-time distribution with the share resolved within the SLA,
//! and the ticket satisfaction rating.
//!
//! # Scores
//! A score is a whole number on its scale, written as a plain number (`4`,
//! ` 9 `, `4.0`). Blank cells are no answer (counted as `blank`); anything
//! else that is not a whole number on the scale — `11`, `4.5`, `好` — is
//! counted as `invalid`. Both are left out of the figures.
//! - CSAT (1–5): the share (0–1) of answers that are 4 or 5.
//! - NPS (0–10): `100 × (promoters − detractors) / answers`, promoters
//!   answering 9–10 and detractors 0–6, so −100 … 100.
//! - CES (1–5) and the ticket rating (1–5): the mean.
//!
//! Each score also has its counts per value and its mean, and a monthly trend
//! by the survey date (tickets: the creation time). Rows whose date is blank
//! or unreadable count in the overall figures but in no month (`undated`).
//!
//! # Tickets
//! Ticket types are the trimmed text, ordered by count (descending), then by
//! text; blank types are counted apart. Resolution times are hours, a plain
//! number ≥ 0 (blank cells are `blank`, others `invalid`), summarised by
//! count, mean, median and 90th percentile (numpy's linear percentiles) and a
//! histogram over fixed edges, the last bin open-ended. A ticket is resolved
//! within the SLA when its resolution time is at most `sla_hours`; the share
//! is over the tickets with a valid time.

use crate::engine::analyze::bins::fmt_edge;
use crate::engine::analyze::distribution::ValueCount;
use crate::engine::analyze::period::Period;
use crate::engine::analyze::quantile::quantile_sorted;
use crate::engine::analyze::rows::{ratio, required_column};
use crate::engine::clean::table::TextTable;
use crate::engine::date::parse_timestamp;
use crate::engine::error::AnalysisError;
use crate::engine::ingest::fields::{Field, Mapping};
use crate::engine::money::trim_text;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Options of the ticket analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SatisfactionParams {
    /// A ticket resolved in at most this many hours meets the SLA (default 24).
    pub sla_hours: f64,
    /// Edges of the resolution-time histogram in hours, increasing; the last
    /// bin is open-ended (default 0, 1, 4, 8, 24, 48, 72, 168).
    pub resolution_edges_hours: Vec<f64>,
}

impl Default for SatisfactionParams {
    fn default() -> SatisfactionParams {
        SatisfactionParams {
            sla_hours: 24.0,
            resolution_edges_hours: vec![0.0, 1.0, 4.0, 8.0, 24.0, 48.0, 72.0, 168.0],
        }
    }
}

/// A rating scale and the figure made from it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Customer satisfaction 1–5; the figure is the share of 4–5.
    Csat,
    /// Net promoter 0–10; the figure is % promoters − % detractors.
    Nps,
    /// Customer effort 1–5; the figure is the mean.
    Ces,
    /// A ticket's satisfaction rating 1–5; the figure is the mean.
    Rating,
}

impl Scale {
    /// The lowest and highest score.
    pub fn range(self) -> (u8, u8) {
        match self {
            Scale::Nps => (0, 10),
            Scale::Csat | Scale::Ces | Scale::Rating => (1, 5),
        }
    }

    /// The score in `cell`, or why it is none.
    pub fn read(self, cell: &str) -> Result<u8, ScoreProblem> {
        let text = trim_text(cell);
        if text.is_empty() {
            return Err(ScoreProblem::Blank);
        }
        let (lo, hi) = self.range();
        match text.parse::<f64>() {
            Ok(x) if x.fract() == 0.0 && x >= f64::from(lo) && x <= f64::from(hi) => Ok(x as u8),
            _ => Err(ScoreProblem::Invalid),
        }
    }

    /// The figure from the counts of each score (`counts[i]` for score `lo + i`,
    /// every score of the scale present); `None` without answers.
    pub fn figure(self, counts: &[u64]) -> Option<f64> {
        let n: u64 = counts.iter().sum();
        match self {
            Scale::Csat => ratio(counts[3] + counts[4], n),
            Scale::Nps => {
                let promoters = counts[9] + counts[10];
                let detractors: u64 = counts[..7].iter().sum();
                ratio(promoters, n).zip(ratio(detractors, n)).map(|(p, d)| 100.0 * (p - d))
            }
            Scale::Ces | Scale::Rating => mean_of(counts, self.range().0),
        }
    }
}

/// Why a cell holds no score.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ScoreProblem {
    /// The cell is blank.
    Blank,
    /// The cell is not a whole number on the scale.
    Invalid,
}

fn mean_of(counts: &[u64], lo: u8) -> Option<f64> {
    let n: u64 = counts.iter().sum();
    let sum: u64 = counts.iter().enumerate().map(|(i, &c)| (i as u64 + u64::from(lo)) * c).sum();
    ratio(sum, n)
}

/// How many answers gave one score.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreCount {
    /// The score.
    pub score: u8,
    /// Answers giving it.
    pub count: u64,
}

/// One month of a score's trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthScore {
    /// The month (`2024-03`).
    pub month: String,
    /// Valid answers dated in the month.
    pub answers: u64,
    /// The scale's figure over them.
    pub value: Option<f64>,
}

/// One score column summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreSummary {
    /// The column's header.
    pub column: String,
    /// The scale.
    pub scale: Scale,
    /// Valid answers.
    pub answers: u64,
    /// Blank cells.
    pub blank: u64,
    /// Cells that are not a whole number on the scale.
    pub invalid: u64,
    /// The figure: CSAT share (0–1), NPS (−100 … 100) or the mean (CES, rating).
    pub value: Option<f64>,
    /// The mean score.
    pub mean: Option<f64>,
    /// Answers per score, every score of the scale listed.
    pub counts: Vec<ScoreCount>,
    /// Valid answers without a readable date (in no month of the trend).
    pub undated: u64,
    /// The figure per month, for months with answers.
    pub trend: Vec<MonthScore>,
}

fn score_summary(table: &TextTable, column: usize, scale: Scale, months: &[Option<i32>]) -> ScoreSummary {
    let (lo, hi) = scale.range();
    let width = usize::from(hi - lo) + 1;
    let mut counts = vec![0u64; width];
    let mut by_month: BTreeMap<i32, Vec<u64>> = BTreeMap::new();
    let (mut blank, mut invalid, mut undated) = (0u64, 0u64, 0u64);
    for (r, month) in months.iter().enumerate().take(table.len()) {
        match scale.read(table.cell(r, column)) {
            Ok(s) => {
                let i = usize::from(s - lo);
                counts[i] += 1;
                match month {
                    Some(m) => by_month.entry(*m).or_insert_with(|| vec![0; width])[i] += 1,
                    None => undated += 1,
                }
            }
            Err(ScoreProblem::Blank) => blank += 1,
            Err(ScoreProblem::Invalid) => invalid += 1,
        }
    }
    ScoreSummary {
        column: table.headers[column].clone(),
        scale,
        answers: counts.iter().sum(),
        blank,
        invalid,
        value: scale.figure(&counts),
        mean: mean_of(&counts, lo),
        counts: counts.iter().enumerate().map(|(i, &count)| ScoreCount { score: lo + i as u8, count }).collect(),
        undated,
        trend: by_month
            .into_iter()
            .map(|(m, c)| MonthScore {
                month: Period::Month.label(m),
                answers: c.iter().sum(),
                value: scale.figure(&c),
            })
            .collect(),
    }
}

/// Each row's month (index of [`Period::Month`]) by the date in `column`; all `None` without one.
fn row_months(table: &TextTable, column: Option<usize>) -> Vec<Option<i32>> {
    (0..table.len())
        .map(|r| column.and_then(|c| parse_timestamp(table.cell(r, c)).ok()).map(|ts| Period::Month.index(ts.day)))
        .collect()
}

/// CSAT, NPS and CES from a survey table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyScores {
    /// Rows in the table.
    pub rows_in: u64,
    /// The header of the date column used for the trend, if any.
    pub date_column: Option<String>,
    /// CSAT, when a column is mapped to `csat`.
    pub csat: Option<ScoreSummary>,
    /// NPS, when a column is mapped to `nps`.
    pub nps: Option<ScoreSummary>,
    /// CES, when a column is mapped to `ces`.
    pub ces: Option<ScoreSummary>,
}

/// Summarises a survey table (at least one of `nps`, `csat`, `ces` mapped;
/// `survey_date` used for the trend when mapped).
pub fn survey_scores(table: &TextTable, mapping: &Mapping) -> Result<SurveyScores, AnalysisError> {
    let col = |f: Field| mapping.column(f).filter(|&c| c < table.width());
    if [Field::Csat, Field::Nps, Field::Ces].iter().all(|&f| col(f).is_none()) {
        return Err(AnalysisError::NoScoreColumns { columns: table.headers.join(", ") });
    }
    let date = col(Field::SurveyDate);
    let months = row_months(table, date);
    let summary = |f: Field, scale: Scale| col(f).map(|c| score_summary(table, c, scale, &months));
    Ok(SurveyScores {
        rows_in: table.len() as u64,
        date_column: date.map(|c| table.headers[c].clone()),
        csat: summary(Field::Csat, Scale::Csat),
        nps: summary(Field::Nps, Scale::Nps),
        ces: summary(Field::Ces, Scale::Ces),
    })
}

/// One bin of the resolution-time histogram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoursBin {
    /// `[lo, hi)`, or `≥lo` for the last, open bin.
    pub label: String,
    /// Lower edge (hours).
    pub lo: f64,
    /// Upper edge (hours); `None` for the last bin.
    pub hi: Option<f64>,
    /// Tickets in the bin.
    pub count: u64,
}

/// Resolution times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    /// The column's header.
    pub column: String,
    /// Tickets with a valid time.
    pub count: u64,
    /// Blank cells.
    pub blank: u64,
    /// Cells that are not a number ≥ 0.
    pub invalid: u64,
    /// Mean hours.
    pub mean: Option<f64>,
    /// Median hours.
    pub median: Option<f64>,
    /// 90th percentile (hours).
    pub p90: Option<f64>,
    /// Longest time (hours).
    pub max: Option<f64>,
    /// Counts over the histogram edges (values below the first edge are in no bin).
    pub histogram: Vec<HoursBin>,
    /// The SLA in hours.
    pub sla_hours: f64,
    /// Tickets resolved within the SLA (time ≤ `sla_hours`).
    pub within_sla: u64,
    /// Their share of the tickets with a valid time (0–1).
    pub within_sla_share: Option<f64>,
}

fn resolution(table: &TextTable, column: usize, params: &SatisfactionParams) -> Resolution {
    let (mut blank, mut invalid) = (0u64, 0u64);
    let mut hours: Vec<f64> = Vec::new();
    for r in 0..table.len() {
        let text = trim_text(table.cell(r, column));
        match text.parse::<f64>() {
            _ if text.is_empty() => blank += 1,
            Ok(x) if x.is_finite() && x >= 0.0 => hours.push(x),
            _ => invalid += 1,
        }
    }
    let edges = &params.resolution_edges_hours;
    let mut histogram: Vec<HoursBin> = edges
        .iter()
        .enumerate()
        .map(|(i, &lo)| {
            let hi = edges.get(i + 1).copied();
            let label =
                hi.map_or_else(|| format!("≥{}", fmt_edge(lo)), |hi| format!("[{}, {})", fmt_edge(lo), fmt_edge(hi)));
            HoursBin { label, lo, hi, count: 0 }
        })
        .collect();
    for &x in &hours {
        let above = edges.partition_point(|&e| e <= x);
        if above > 0 {
            histogram[above - 1].count += 1;
        }
    }
    let within = hours.iter().filter(|&&x| x <= params.sla_hours).count() as u64;
    let n = hours.len() as u64;
    let mean = (n > 0).then(|| hours.iter().sum::<f64>() / n as f64);
    hours.sort_unstable_by(f64::total_cmp);
    Resolution {
        column: table.headers[column].clone(),
        count: n,
        blank,
        invalid,
        mean,
        median: quantile_sorted(&hours, 0.5),
        p90: quantile_sorted(&hours, 0.9),
        max: hours.last().copied(),
        histogram,
        sla_hours: params.sla_hours,
        within_sla: within,
        within_sla_share: ratio(within, n),
    }
}

/// What a ticket table says about service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    /// Rows (tickets) in the table.
    pub rows_in: u64,
    /// Tickets per type, most frequent first (shares of the tickets with a type), when a type column is mapped.
    pub types: Vec<ValueCount>,
    /// Tickets whose type is blank.
    pub blank_type: u64,
    /// Resolution times, when a column is mapped to `resolution_hours`.
    pub resolution: Option<Resolution>,
    /// The satisfaction rating (1–5), when a column is mapped to `satisfaction`; trend by creation month.
    pub satisfaction: Option<ScoreSummary>,
}

/// Summarises a ticket table (`ticket_type`, `resolution_hours`,
/// `satisfaction` and `created_at` each used when mapped).
pub fn ticket_summary(
    table: &TextTable,
    mapping: &Mapping,
    params: &SatisfactionParams,
) -> Result<TicketSummary, AnalysisError> {
    let col = |f: Field| mapping.column(f).filter(|&c| c < table.width());
    let edges = &params.resolution_edges_hours;
    if edges.is_empty() || !edges.iter().all(|e| e.is_finite()) || !edges.windows(2).all(|w| w[0] < w[1]) {
        let column = col(Field::ResolutionHours).map_or_else(String::new, |c| table.headers[c].clone());
        return Err(AnalysisError::InvalidBins { column });
    }
    if [Field::TicketType, Field::ResolutionHours, Field::Satisfaction].iter().all(|&f| col(f).is_none()) {
        // Nothing to summarise: name the field most analyses want.
        required_column(mapping, Field::TicketType, table)?;
    }
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let mut blank_type = 0u64;
    if let Some(c) = col(Field::TicketType) {
        for r in 0..table.len() {
            match trim_text(table.cell(r, c)) {
                "" => blank_type += 1,
                t => *counts.entry(t).or_insert(0) += 1,
            }
        }
    }
    let typed: u64 = counts.values().sum();
    let mut types: Vec<ValueCount> = counts
        .into_iter()
        .map(|(value, count)| ValueCount { value: value.to_string(), count, share: ratio(count, typed).unwrap_or(0.0) })
        .collect();
    types.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    let months = row_months(table, col(Field::CreatedAt));
    Ok(TicketSummary {
        rows_in: table.len() as u64,
        types,
        blank_type,
        resolution: col(Field::ResolutionHours).map(|c| resolution(table, c, params)),
        satisfaction: col(Field::Satisfaction).map(|c| score_summary(table, c, Scale::Rating, &months)),
    })
}

/// Surveys and tickets together (either may be absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// From the survey table.
    pub surveys: Option<SurveyScores>,
    /// From the ticket table.
    pub tickets: Option<TicketSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::{auto_map, SourceKind};

    fn table(headers: &[&str], rows: &[&[&str]]) -> TextTable {
        TextTable::from_rows(headers, rows)
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("a value");
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn scores_are_whole_numbers_on_the_scale() {
        assert_eq!(Scale::Nps.read(" 9 "), Ok(9));
        assert_eq!(Scale::Nps.read("0"), Ok(0));
        assert_eq!(Scale::Csat.read("4.0"), Ok(4));
        assert_eq!(Scale::Csat.read(""), Err(ScoreProblem::Blank));
        for bad in ["11", "4.5", "好", "0", "-1", "NaN", "inf"] {
            assert_eq!(Scale::Csat.read(bad), Err(ScoreProblem::Invalid), "{bad}");
        }
        assert_eq!(Scale::Nps.read("11"), Err(ScoreProblem::Invalid));
    }

    #[test]
    fn survey_figures_by_hand() {
        // NPS answers 10, 9, 8, 6, 0 (+ 11 invalid, 好 invalid, blank): 2 promoters, 2 detractors of 5 → 0.
        // January: 10, 9, 8 → (2 − 0)/3 = 66.67; February: 6 → −100; 0 undated.
        // CSAT 5, 4, 3, 2, 4 → 3 of 5 = 0.6; CES 1, 2, 3, blank, 5 → mean 2.75.
        let t = table(
            &["客户ID", "调查日期", "NPS评分", "满意度CSAT", "费力度CES"],
            &[
                &["a", "2024-01-03", "10", "5", "1"],
                &["b", "2024-01-09", "9", "4", "2"],
                &["c", "2024-01-30", "8", "3", "3"],
                &["d", "2024-02-01", "6", "2", ""],
                &["e", "", "0", "4", "5"],
                &["f", "2024-02-02", "11", "", "6"],
                &["g", "2024-02-03", "好", "4.5", " "],
                &["h", "2024-02-04", "", "", ""],
            ],
        );
        let m = auto_map(SourceKind::Surveys, &t.headers);
        let s = survey_scores(&t, &m).expect("surveys");
        let nps = s.nps.expect("nps");
        assert_eq!((nps.answers, nps.blank, nps.invalid, nps.undated), (5, 1, 2, 1));
        close(nps.value, 0.0);
        close(nps.mean, 33.0 / 5.0);
        assert_eq!(nps.counts.len(), 11);
        assert_eq!(nps.counts[10], ScoreCount { score: 10, count: 1 });
        assert_eq!(nps.trend.len(), 2);
        assert_eq!((nps.trend[0].month.as_str(), nps.trend[0].answers), ("2024-01", 3));
        close(nps.trend[0].value, 200.0 / 3.0);
        close(nps.trend[1].value, -100.0);
        let csat = s.csat.expect("csat");
        assert_eq!((csat.answers, csat.blank, csat.invalid), (5, 2, 1));
        close(csat.value, 0.6);
        let ces = s.ces.expect("ces");
        assert_eq!((ces.answers, ces.blank, ces.invalid), (4, 3, 1));
        close(ces.value, 2.75);
        assert_eq!(s.date_column.as_deref(), Some("调查日期"));
    }

    #[test]
    fn tickets_by_hand() {
        // Times 0.5, 2, 24, 30, 200 (+ blank, −1, "x"): mean 51.3, median 24,
        // p90 = 30 + 0.6·170 = 132; within 24 h: 3 of 5.
        let t = table(
            &["工单号", "客户ID", "创建时间", "问题类型", "解决时长(小时)", "满意度"],
            &[
                &["T1", "a", "2024-01-02 10:00:00", "咨询", "0.5", "5"],
                &["T2", "b", "2024-01-05 10:00:00", "投诉-产品质量", "2", "1"],
                &["T3", "c", "2024-02-02 10:00:00", "咨询", "24", ""],
                &["T4", "d", "2024-02-03 10:00:00", " ", "30", "4"],
                &["T5", "e", "2024-02-04 10:00:00", "退换货", "200", "好"],
                &["T6", "f", "2024-02-05 10:00:00", "咨询", "", "3"],
                &["T7", "g", "2024-02-06 10:00:00", "退换货", "-1", ""],
                &["T8", "h", "2024-02-07 10:00:00", "投诉-产品质量", "x", ""],
            ],
        );
        let m = auto_map(SourceKind::Tickets, &t.headers);
        let s = ticket_summary(&t, &m, &SatisfactionParams::default()).expect("tickets");
        let types: Vec<(&str, u64)> = s.types.iter().map(|v| (v.value.as_str(), v.count)).collect();
        assert_eq!(types, vec![("咨询", 3), ("投诉-产品质量", 2), ("退换货", 2)]);
        assert_eq!(s.blank_type, 1);
        assert_eq!(s.types[0].share, 3.0 / 7.0);
        let r = s.resolution.expect("resolution");
        assert_eq!((r.count, r.blank, r.invalid, r.within_sla), (5, 1, 2, 3));
        close(r.mean, 256.5 / 5.0);
        close(r.median, 24.0);
        close(r.p90, 132.0);
        close(r.within_sla_share, 0.6);
        let hist: Vec<(&str, u64)> = r.histogram.iter().map(|b| (b.label.as_str(), b.count)).collect();
        assert_eq!(
            hist,
            vec![
                ("[0, 1)", 1),
                ("[1, 4)", 1),
                ("[4, 8)", 0),
                ("[8, 24)", 0),
                ("[24, 48)", 2),
                ("[48, 72)", 0),
                ("[72, 168)", 0),
                ("≥168", 1)
            ]
        );
        let sat = s.satisfaction.expect("rating");
        assert_eq!((sat.answers, sat.blank, sat.invalid), (4, 3, 1));
        close(sat.value, 13.0 / 4.0);
        // January: 5 and 1 → 3; February: 4 and 3 → 3.5.
        let trend: Vec<(&str, u64)> = sat.trend.iter().map(|m| (m.month.as_str(), m.answers)).collect();
        assert_eq!(trend, vec![("2024-01", 2), ("2024-02", 2)]);
        close(sat.trend[1].value, 3.5);
    }

    #[test]
    fn missing_columns_are_errors() {
        let t = table(&["客户ID", "备注"], &[&["a", "x"]]);
        let m = auto_map(SourceKind::Surveys, &t.headers);
        assert!(matches!(survey_scores(&t, &m), Err(AnalysisError::NoScoreColumns { .. })));
        let p = SatisfactionParams { resolution_edges_hours: vec![4.0, 1.0], ..SatisfactionParams::default() };
        let m = auto_map(SourceKind::Tickets, &t.headers);
        assert!(matches!(ticket_summary(&t, &m, &p), Err(AnalysisError::InvalidBins { .. })));
        assert!(matches!(
            ticket_summary(&t, &m, &SatisfactionParams::default()),
            Err(AnalysisError::UnmappedField { .. })
        ));
    }
}
