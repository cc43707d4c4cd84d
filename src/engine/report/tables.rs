//! The main table of each time-based analysis (cohorts, satisfaction,
//! funnels, activity) as a [`TextTable`], ready for the CSV and XLSX
//! writers. Numbers are written in full (shares 0–1, shortest exact text);
//! a figure that does not exist is an empty cell.

use crate::engine::analyze::activity::Activity;
use crate::engine::analyze::cohort::Cohorts;
use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::satisfaction::{Satisfaction, ScoreSummary, TicketSummary};
use crate::engine::clean::table::TextTable;
use std::collections::BTreeSet;

fn num(x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| x.to_string())
}

fn count(x: Option<u64>) -> String {
    x.map_or_else(String::new, |x| x.to_string())
}

fn new_table(headers: impl IntoIterator<Item = String>) -> TextTable {
    TextTable::new(headers.into_iter().collect())
}

fn push(t: &mut TextTable, cells: Vec<String>) {
    let row = t.len() as u64 + 2;
    t.push(row, cells.iter().map(String::as_str));
}

/// The retention matrix: one row per cohort (then the customer-weighted
/// average), retention at `k = 0 … max_periods` (0–1; empty when not observed).
pub fn cohort_table(c: &Cohorts) -> TextTable {
    let ks = (0..=c.max_periods).map(|k| format!("retention_{k}"));
    let mut t = new_table(["cohort", "start", "customers"].map(String::from).into_iter().chain(ks));
    for row in &c.cohorts {
        let mut cells = vec![row.period.clone(), row.start.clone(), row.customers.to_string()];
        cells.extend(row.retention.iter().map(|&x| num(x)));
        push(&mut t, cells);
    }
    let mut cells = vec!["average".to_string(), String::new(), c.customers.to_string()];
    cells.extend(c.average_retention.iter().map(|&x| num(x)));
    push(&mut t, cells);
    t
}

/// The monthly satisfaction trend: per month, each score's answers and figure
/// (CSAT 0–1, NPS −100 … 100, CES and ticket rating means).
pub fn satisfaction_table(s: &Satisfaction) -> TextTable {
    let surveys = s.surveys.as_ref();
    let scores: [(&str, Option<&ScoreSummary>); 4] = [
        ("csat", surveys.and_then(|x| x.csat.as_ref())),
        ("nps", surveys.and_then(|x| x.nps.as_ref())),
        ("ces", surveys.and_then(|x| x.ces.as_ref())),
        ("ticket_rating", s.tickets.as_ref().and_then(|x| x.satisfaction.as_ref())),
    ];
    let months: BTreeSet<&str> =
        scores.iter().flat_map(|(_, s)| s.iter().flat_map(|s| s.trend.iter().map(|m| m.month.as_str()))).collect();
    let present: Vec<(&str, &ScoreSummary)> = scores.iter().filter_map(|(n, s)| s.map(|s| (*n, s))).collect();
    let headers = present.iter().flat_map(|(n, _)| [format!("{n}_answers"), n.to_string()]);
    let mut t = new_table(std::iter::once("month".to_string()).chain(headers));
    for month in months {
        let mut cells = vec![month.to_string()];
        for (_, s) in &present {
            let m = s.trend.iter().find(|m| m.month == month);
            cells.push(count(m.map(|m| m.answers)));
            cells.push(num(m.and_then(|m| m.value)));
        }
        push(&mut t, cells);
    }
    t
}

/// Tickets per type: type, count, share of the tickets with a type.
pub fn ticket_types_table(s: &TicketSummary) -> TextTable {
    let mut t = new_table(["ticket_type", "tickets", "share"].map(String::from));
    for v in &s.types {
        push(&mut t, vec![v.value.clone(), v.count.to_string(), v.share.to_string()]);
    }
    t
}

/// The funnel's steps: customers, conversion, drop-off and median time from the previous step.
pub fn funnel_table(f: &Funnel) -> TextTable {
    let headers = [
        "step_no",
        "step",
        "customers",
        "conversion_from_previous",
        "conversion_from_start",
        "drop_off",
        "drop_off_rate",
        "median_seconds_from_previous",
    ];
    let mut t = new_table(headers.map(String::from));
    for (k, s) in f.steps.iter().enumerate() {
        push(
            &mut t,
            vec![
                (k + 1).to_string(),
                s.step.clone(),
                s.customers.to_string(),
                num(s.conversion_from_previous),
                num(s.conversion_from_start),
                s.drop_off.to_string(),
                num(s.drop_off_rate),
                num(s.median_seconds_from_previous),
            ],
        );
    }
    t
}

/// The activity classes at each month's end, then as of the analysis date.
pub fn activity_table(a: &Activity) -> TextTable {
    let headers = ["month", "as_of", "customers", "active", "regular", "silent", "churned"];
    let mut t = new_table(headers.map(String::from));
    let rows = a.trend.iter().map(|p| (p.month.as_str(), p.as_of.as_str(), &p.counts));
    for (month, as_of, c) in rows.chain(std::iter::once(("as_of", a.as_of.as_str(), &a.counts))) {
        push(
            &mut t,
            vec![
                month.to_string(),
                as_of.to_string(),
                c.customers.to_string(),
                c.active.to_string(),
                c.regular.to_string(),
                c.silent.to_string(),
                c.churned.to_string(),
            ],
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::activity::{activity, ActivityParams};
    use crate::engine::analyze::cohort::{cohorts, CohortParams};
    use crate::engine::analyze::funnel::{funnel, FunnelParams};
    use crate::engine::analyze::satisfaction::{survey_scores, ticket_summary, SatisfactionParams};
    use crate::engine::ingest::fields::{auto_map, SourceKind};

    fn table(headers: &[&str], rows: &[&[&str]]) -> TextTable {
        TextTable::from_rows(headers, rows)
    }

    fn rows(t: &TextTable) -> Vec<Vec<String>> {
        (0..t.len()).map(|r| t.row(r).map(str::to_string).collect()).collect()
    }

    #[test]
    fn cohort_matrix_with_unobserved_cells_empty() {
        // A: Jan, Feb; B: Feb. Cohort Feb + 1 (March) is after the last purchase.
        let o = table(&["客户ID", "下单时间"], &[&["A", "2024-01-05"], &["A", "2024-02-05"], &["B", "2024-02-07"]]);
        let c = cohorts(
            &o,
            &auto_map(SourceKind::Orders, &o.headers),
            CohortParams { max_periods: 1, ..Default::default() },
        )
        .expect("cohorts");
        let t = cohort_table(&c);
        assert_eq!(t.headers, ["cohort", "start", "customers", "retention_0", "retention_1"]);
        assert_eq!(
            rows(&t),
            [
                ["2024-01", "2024-01-01", "1", "1", "1"],
                ["2024-02", "2024-02-01", "1", "1", ""],
                ["average", "", "2", "1", "1"]
            ]
        );
    }

    #[test]
    fn satisfaction_by_month_and_ticket_types() {
        let s = table(
            &["客户ID", "调查日期", "NPS评分", "满意度CSAT"],
            &[&["a", "2024-01-03", "10", "5"], &["b", "2024-02-09", "0", "3"], &["c", "2024-02-10", "9", ""]],
        );
        let k = table(
            &["工单号", "问题类型", "满意度"],
            &[&["T1", "咨询", "4"], &["T2", "咨询", ""], &["T3", "退换货", "2"]],
        );
        let sat = Satisfaction {
            surveys: Some(survey_scores(&s, &auto_map(SourceKind::Surveys, &s.headers)).expect("surveys")),
            tickets: Some(
                ticket_summary(&k, &auto_map(SourceKind::Tickets, &k.headers), &SatisfactionParams::default())
                    .expect("tickets"),
            ),
        };
        let t = satisfaction_table(&sat);
        assert_eq!(
            t.headers,
            ["month", "csat_answers", "csat", "nps_answers", "nps", "ticket_rating_answers", "ticket_rating"]
        );
        // Tickets have no creation date: the rating has no month.
        assert_eq!(rows(&t), [["2024-01", "1", "1", "1", "100", "", ""], ["2024-02", "1", "0", "2", "0", "", ""]]);
        let types = ticket_types_table(sat.tickets.as_ref().expect("tickets"));
        assert_eq!(rows(&types)[0], ["咨询", "2", (2.0f64 / 3.0).to_string().as_str()]);
    }

    #[test]
    fn funnel_steps_and_activity_months() {
        let e = table(
            &["用户ID", "行为类型", "行为时间"],
            &[
                &["A", "浏览", "2024-01-01 10:00:00"],
                &["A", "加购", "2024-01-01 10:01:00"],
                &["B", "浏览", "2024-02-02"],
            ],
        );
        let m = auto_map(SourceKind::Events, &e.headers);
        let p = FunnelParams { steps: vec!["浏览".into(), "加购".into()], ..FunnelParams::default() };
        let t = funnel_table(&funnel(&e, &m, &p).expect("funnel"));
        assert_eq!(
            rows(&t),
            [["1", "浏览", "2", "", "1", "0", "", ""], ["2", "加购", "1", "0.5", "0.5", "1", "0.5", "60"]]
        );
        let a = activity_table(&activity(&e, &m, &ActivityParams::default()).expect("activity"));
        // At January's end (as of 02-01) A's one visit (01-01) is 31 days back: silent. As of 02-03
        // (the day after the last event), A is still silent and B, who came on 02-02, regular.
        assert_eq!(
            rows(&a),
            [["2024-01", "2024-02-01", "1", "0", "0", "1", "0"], ["as_of", "2024-02-03", "2", "0", "1", "1", "0"]]
        );
    }
}
