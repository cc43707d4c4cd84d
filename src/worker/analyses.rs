//! Worker 0: the time-based analyses (cohorts, satisfaction, funnels,
//! activity) on the sources kept, the last result of each kept for its
//! exports, and what of them may be shown (dropped customers' ids and ticket
//! types go through the disclosure).

use super::{Answer, State};
use crate::engine::analyze::activity::Activity;
use crate::engine::analyze::cohort::Cohorts;
use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::satisfaction::Satisfaction;
use crate::engine::analyze::suite::{activity_of, cohorts_of, event_types_of, funnel_of, satisfaction_of};
use crate::engine::clean::table::TextTable;
use crate::engine::privacy::share::{self, Disclosure};
use crate::engine::report::export::{write_funnel_dropped_csv, write_table_csv};
use crate::engine::report::tables::{
    activity_table, cohort_table, funnel_table, satisfaction_table, ticket_types_table,
};
use crate::engine::report::xlsx::{write_xlsx, Sheet};
use crate::engine::unify::Source;
use crate::protocol::{Analysis, AnalysisFile, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Write;

/// The last result of each analysis.
#[derive(Default)]
pub(super) struct Kept {
    cohorts: Option<Cohorts>,
    satisfaction: Option<Satisfaction>,
    funnel: Option<Funnel>,
    activity: Option<Activity>,
}

fn params<T: DeserializeOwned + Default>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_default()
}

fn answer<T: Serialize>(x: &T) -> Answer {
    Ok((Response::Analysis { json: serde_json::to_string(x).unwrap_or_default() }, None))
}

/// The funnel as it may be shown or exported: ids masked.
fn shown_funnel(f: &Funnel, d: &Disclosure) -> Funnel {
    let mut f = f.clone();
    for s in &mut f.steps {
        for id in &mut s.dropped.ids {
            *id = share::text(id, d).into_owned();
        }
    }
    f.ids = share::ids(&f.ids, d).into_owned();
    f
}

/// Satisfaction as it may be shown or exported: ticket types scrubbed (free text).
fn shown_satisfaction(s: &Satisfaction, d: &Disclosure) -> Satisfaction {
    let mut s = s.clone();
    for v in s.tickets.iter_mut().flat_map(|t| t.types.iter_mut()) {
        v.value = share::text(&v.value, d).into_owned();
    }
    s
}

/// Runs an analysis on the sources kept and keeps its result.
pub(super) fn run(s: &mut State, which: Analysis, params_json: &str) -> Answer {
    let sources: Vec<Source<'_>> =
        s.sources.iter().map(|k| Source { file: &k.file, mapping: &k.mapping, table: &k.cleaned.clean }).collect();
    let d = &s.disclosure;
    match which {
        Analysis::Cohorts => {
            let c = cohorts_of(&sources, params(params_json))?;
            let out = answer(&c);
            s.analyses.cohorts = Some(c);
            out
        }
        Analysis::Satisfaction => {
            let r = satisfaction_of(&sources, &params(params_json))?;
            let out = answer(&shown_satisfaction(&r, d));
            s.analyses.satisfaction = Some(r);
            out
        }
        Analysis::Funnel => {
            let f = funnel_of(&sources, &params(params_json))?;
            let out = answer(&shown_funnel(&f, d));
            s.analyses.funnel = Some(f);
            out
        }
        Analysis::Activity => {
            let a = activity_of(&sources, &params(params_json))?;
            let out = answer(&a);
            s.analyses.activity = Some(a);
            out
        }
        Analysis::EventTypes => {
            let mut types = event_types_of(&sources)?;
            for v in &mut types {
                v.value = share::text(&v.value, d).into_owned();
            }
            answer(&types)
        }
    }
}

/// Forgets every result (the sources changed).
pub(super) fn forget(s: &mut State) {
    s.analyses = Kept::default();
}

/// Writes an export of the last results; its file name, or `None` when the analysis has not run.
pub(super) fn export(s: &State, what: AnalysisFile, xlsx: bool, w: &mut Vec<u8>) -> std::io::Result<Option<String>> {
    let (k, d) = (&s.analyses, &s.disclosure);
    let table: TextTable = match what {
        AnalysisFile::Cohorts => match &k.cohorts {
            Some(c) => cohort_table(c),
            None => return Ok(None),
        },
        AnalysisFile::Satisfaction => match &k.satisfaction {
            Some(x) => satisfaction_table(x),
            None => return Ok(None),
        },
        AnalysisFile::TicketTypes => match k.satisfaction.as_ref().map(|x| shown_satisfaction(x, d)) {
            Some(Satisfaction { tickets: Some(t), .. }) => ticket_types_table(&t),
            _ => return Ok(None),
        },
        AnalysisFile::Funnel => match &k.funnel {
            Some(f) => funnel_table(f),
            None => return Ok(None),
        },
        AnalysisFile::Activity => match &k.activity {
            Some(a) => activity_table(a),
            None => return Ok(None),
        },
        AnalysisFile::FunnelDropped => {
            let Some(f) = &k.funnel else { return Ok(None) };
            write_funnel_dropped_csv(&mut *w, &shown_funnel(f, d))?;
            return Ok(Some(format!("{}.csv", what.stem())));
        }
    };
    if xlsx {
        let sheet = what.stem().trim_start_matches("custlens_");
        w.write_all(&write_xlsx(&[Sheet { name: sheet, table: &table }]).map_err(std::io::Error::other)?)?;
        return Ok(Some(format!("{}.xlsx", what.stem())));
    }
    write_table_csv(w, &table)?;
    Ok(Some(format!("{}.csv", what.stem())))
}
