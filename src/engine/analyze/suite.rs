//! The time-based analyses (cohorts, satisfaction, funnels, activity) run on
//! the sources of the customer view: each takes the first source of the kind
//! it needs (orders; surveys and tickets; events) — or says which kind is
//! missing.

use crate::engine::analyze::activity::{activity, Activity, ActivityParams};
use crate::engine::analyze::cohort::{cohorts, CohortParams, Cohorts};
use crate::engine::analyze::distribution::ValueCount;
use crate::engine::analyze::funnel::{event_types, funnel, Funnel, FunnelParams};
use crate::engine::analyze::satisfaction::{survey_scores, ticket_summary, Satisfaction, SatisfactionParams};
use crate::engine::error::AnalysisError;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::unify::Source;

/// The first source of `kind`, if any.
pub fn first_of<'s, 'a>(sources: &'s [Source<'a>], kind: SourceKind) -> Option<&'s Source<'a>> {
    sources.iter().find(|s| s.mapping.kind == kind)
}

fn needed<'s, 'a>(sources: &'s [Source<'a>], kind: SourceKind) -> Result<&'s Source<'a>, AnalysisError> {
    first_of(sources, kind).ok_or(AnalysisError::NoSource { kinds: vec![kind] })
}

/// Cohorts of the first orders source.
pub fn cohorts_of(sources: &[Source<'_>], params: CohortParams) -> Result<Cohorts, AnalysisError> {
    let s = needed(sources, SourceKind::Orders)?;
    cohorts(s.table, s.mapping, params)
}

/// Satisfaction from the first surveys source and the first tickets source
/// (at least one of the two needed).
pub fn satisfaction_of(sources: &[Source<'_>], params: &SatisfactionParams) -> Result<Satisfaction, AnalysisError> {
    let (surveys, tickets) = (first_of(sources, SourceKind::Surveys), first_of(sources, SourceKind::Tickets));
    if surveys.is_none() && tickets.is_none() {
        return Err(AnalysisError::NoSource { kinds: vec![SourceKind::Surveys, SourceKind::Tickets] });
    }
    Ok(Satisfaction {
        surveys: surveys.map(|s| survey_scores(s.table, s.mapping)).transpose()?,
        tickets: tickets.map(|s| ticket_summary(s.table, s.mapping, params)).transpose()?,
    })
}

/// The funnel of the first events source.
pub fn funnel_of(sources: &[Source<'_>], params: &FunnelParams) -> Result<Funnel, AnalysisError> {
    let s = needed(sources, SourceKind::Events)?;
    funnel(s.table, s.mapping, params)
}

/// The activity classes of the first events source.
pub fn activity_of(sources: &[Source<'_>], params: &ActivityParams) -> Result<Activity, AnalysisError> {
    let s = needed(sources, SourceKind::Events)?;
    activity(s.table, s.mapping, params)
}

/// The event types of the first events source, most frequent first.
pub fn event_types_of(sources: &[Source<'_>]) -> Result<Vec<ValueCount>, AnalysisError> {
    let s = needed(sources, SourceKind::Events)?;
    event_types(s.table, s.mapping)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::clean::table::TextTable;
    use crate::engine::ingest::fields::auto_map;

    fn table(headers: &[&str], rows: &[&[&str]]) -> TextTable {
        TextTable::from_rows(headers, rows)
    }

    #[test]
    fn each_analysis_takes_the_first_source_of_its_kind() {
        let orders =
            table(&["客户ID", "下单时间", "订单金额"], &[&["A", "2024-01-05", "10"], &["A", "2024-02-05", "10"]]);
        let events = table(
            &["用户ID", "行为类型", "行为时间"],
            &[
                &["A", "浏览", "2024-01-01 10:00:00"],
                &["A", "加购", "2024-01-01 10:01:00"],
                &["B", "浏览", "2024-01-02"],
            ],
        );
        let (mo, me) = (auto_map(SourceKind::Orders, &orders.headers), auto_map(SourceKind::Events, &events.headers));
        let sources = [
            Source { file: "o.csv", mapping: &mo, table: &orders },
            Source { file: "e.csv", mapping: &me, table: &events },
        ];
        let c = cohorts_of(&sources, CohortParams::default()).expect("cohorts");
        assert_eq!((c.customers, c.repurchase.customers), (1, 1));
        let types = event_types_of(&sources).expect("types");
        let types: Vec<(&str, u64)> = types.iter().map(|v| (v.value.as_str(), v.count)).collect();
        assert_eq!(types, vec![("浏览", 2), ("加购", 1)]);
        let p = FunnelParams { steps: vec!["浏览".into(), "加购".into()], ..FunnelParams::default() };
        assert_eq!(funnel_of(&sources, &p).expect("funnel").steps[1].customers, 1);
        assert_eq!(activity_of(&sources, &ActivityParams::default()).expect("activity").counts.customers, 2);
        assert_eq!(
            satisfaction_of(&sources, &SatisfactionParams::default()),
            Err(AnalysisError::NoSource { kinds: vec![SourceKind::Surveys, SourceKind::Tickets] })
        );
        assert_eq!(
            cohorts_of(&sources[1..], CohortParams::default()),
            Err(AnalysisError::NoSource { kinds: vec![SourceKind::Orders] })
        );
    }
}
