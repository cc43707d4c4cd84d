//! Worker 0: the analyses of the sources kept (cohorts, satisfaction,
//! funnels, activity, channels and attribution, tags), the last result of
//! each kept for its exports, and what of them may be shown (dropped and
//! tagged customers' ids, ticket types and channel names go through the
//! disclosure).
//!
//! Channels: every channels source whose `touch_time` is mapped is a table
//! of touchpoints (user_id, channel, touch_time), any other one a table of
//! channel totals (channel, period, uv, clicks, orders, cost); the first of
//! each is used, with the first orders and customers sources. Tags run on
//! the unified customer view (joined first if it is not yet) with the first
//! orders, tickets and events sources. Profiles, likewise, on the unified
//! view with the first orders and events sources. Comparisons (M24) read the
//! first source of the kind their metric needs; each place a comparison is made
//! (its tab, or beside an over-time analysis) keeps its own result.

use super::members::{Listed, Origin};
use super::{Answer, State};
use crate::engine::analyze::activity::Activity;
use crate::engine::analyze::channels::{channels, ChannelInputs, ChannelParams, ChannelReport};
use crate::engine::analyze::cohort::Cohorts;
use crate::engine::analyze::cohort::{cohort_members, CohortParams};
use crate::engine::analyze::compare::{compare_of, CompareReport};
use crate::engine::analyze::filter::{filter_sources, SourceFilter};
use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::members::{MemberError, MemberSource};
use crate::engine::analyze::profiles::{
    profiles_with_members, CustomerProfile, ProfileInputs, ProfileMembers, ProfileParams, PROFILE_SHEETS,
};
use crate::engine::analyze::satisfaction::Satisfaction;
use crate::engine::analyze::suite::{activity_of, cohorts_of, event_types_of, first_of, funnel_of, satisfaction_of};
use crate::engine::analyze::tags::{evaluate, TagInputs, TagReport, TagSet};
use crate::engine::clean::table::TextTable;
use crate::engine::error::{AnalysisError, EngineError};
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::privacy::share::{self, Disclosure};
use crate::engine::privacy::small_cell::{protect_table, GroupColumns};
use crate::engine::report::export::{write_funnel_dropped_csv, write_table_csv};
use crate::engine::report::tables::{
    activity_table, cohort_table, funnel_table, satisfaction_table, ticket_types_table,
};
use crate::engine::report::xlsx::{write_xlsx, Sheet};
use crate::engine::unify::{unify, Source};
use crate::i18n::Lang;
use crate::protocol::{
    Analysis, AnalysisFile, ByScope, CompareRun, FilterChoice, FilterView, Response, TagParams, TagsView,
    TAG_MEMBERS_SHOWN,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;

/// The last result of each analysis.
#[derive(Default)]
pub(super) struct Kept {
    cohorts: Option<Cohorts>,
    satisfaction: Option<Satisfaction>,
    funnel: Option<Funnel>,
    activity: Option<Activity>,
    channels: Option<ChannelReport>,
    tags: Option<KeptTags>,
    profiles: Option<(CustomerProfile, ProfileMembers)>,
    /// The last comparison made in each place (its tab, or beside an analysis).
    compare: ByScope<CompareReport>,
}

/// What the exports of a tag run need (copied out: the unified view may be joined again meanwhile).
struct KeptTags {
    /// Every tagged customer with their tags (raw ids).
    table: TextTable,
    /// The table's rows carrying each tag.
    rows: Vec<Vec<usize>>,
    /// The tags' names.
    names: Vec<String>,
}

impl KeptTags {
    fn new(r: &TagReport, table: TextTable) -> KeptTags {
        let tagged = r.tagged();
        let rows =
            r.tags.iter().map(|t| t.members.iter().filter_map(|m| tagged.binary_search(m).ok()).collect()).collect();
        KeptTags { table, rows, names: r.tags.iter().map(|t| t.name.clone()).collect() }
    }

    /// The rows of tag `i` (all tagged customers when `None`) of `shown`, a masked copy of `self.table`.
    fn of(&self, shown: &TextTable, i: Option<usize>) -> TextTable {
        let Some(rows) = i.map(|i| self.rows.get(i).map_or(&[][..], Vec::as_slice)) else { return shown.clone() };
        shown.select_rows(rows)
    }
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

/// The channel analysis as it may be shown or exported: channel names scrubbed (free text).
fn shown_channels(r: &ChannelReport, d: &Disclosure) -> ChannelReport {
    let mut r = r.clone();
    let scrub = |c: &mut String| *c = share::text(c, d).into_owned();
    r.channels.iter_mut().chain(r.by_period.iter_mut()).for_each(|m| scrub(&mut m.channel));
    if let Some(a) = &mut r.attribution {
        a.models.iter_mut().flat_map(|m| m.credits.iter_mut()).for_each(|c| scrub(&mut c.channel));
        a.new_customers.iter_mut().for_each(|c| scrub(&mut c.channel));
    }
    r
}

/// Whether a channels source holds touchpoints (its `touch_time` is mapped) rather than channel totals.
fn is_touchpoints(s: &Source<'_>) -> bool {
    s.mapping.column(Field::TouchTime).is_some()
}

/// The channel analysis of the sources (see the module notes).
fn run_channels(sources: &[Source<'_>], params: &ChannelParams) -> Result<ChannelReport, EngineError> {
    let of_kind: Vec<&Source<'_>> = sources.iter().filter(|s| s.mapping.kind == SourceKind::Channels).collect();
    if of_kind.is_empty() {
        return Err(AnalysisError::NoSource { kinds: vec![SourceKind::Channels] }.into());
    }
    let inputs = ChannelInputs {
        metrics: of_kind.iter().find(|s| !is_touchpoints(s)).map(|s| **s),
        touchpoints: of_kind.iter().find(|s| is_touchpoints(s)).map(|s| **s),
        orders: first_of(sources, SourceKind::Orders).copied(),
        customers: first_of(sources, SourceKind::Customers).copied(),
    };
    Ok(channels(&inputs, params)?)
}

/// Evaluates the tags on the unified view (joined now if it is not yet); the view and what the exports need.
fn run_tags(s: &mut State, params_json: &str) -> Result<(TagsView, KeptTags), EngineError> {
    let p: TagParams = params(params_json);
    let set = TagSet::from_json(&p.tags_json)?;
    let sources: Vec<Source<'_>> =
        s.sources.iter().map(|k| Source { file: &k.file, mapping: &k.mapping, table: &k.cleaned.clean }).collect();
    if first_of(&sources, SourceKind::Customers).or(first_of(&sources, SourceKind::Orders)).is_none() {
        return Err(AnalysisError::NoSource { kinds: vec![SourceKind::Customers, SourceKind::Orders] }.into());
    }
    let u = s.unified.get_or_insert_with(|| unify(&sources, &s.unify_opts));
    let inputs = TagInputs {
        unified: u,
        orders: first_of(&sources, SourceKind::Orders).copied(),
        tickets: first_of(&sources, SourceKind::Tickets).copied(),
        events: first_of(&sources, SourceKind::Events).copied(),
        as_of: p.as_of,
    };
    let mut report = evaluate(&set, &inputs);
    let kept = KeptTags::new(&report, report.customer_table(u));
    let shown = share::table(&kept.table, &s.disclosure);
    let ids = |i: usize| {
        let t = kept.of(&shown, Some(i));
        (0..t.len().min(TAG_MEMBERS_SHOWN)).map(|r| t.cell(r, 0).to_string()).collect()
    };
    let shown_ids = (0..report.tags.len()).map(ids).collect();
    report.tags.iter_mut().for_each(|t| t.members = Vec::new());
    let view = TagsView { report, shown: shown_ids, tagged: kept.table.len() as u64 };
    Ok((view, kept))
}

/// The customer profiles on the unified view (joined now if it is not yet), and who is in each row.
fn run_profiles(s: &mut State, params_json: &str) -> Result<(CustomerProfile, ProfileMembers), EngineError> {
    let p: ProfileParams = params(params_json);
    let sources: Vec<Source<'_>> =
        s.sources.iter().map(|k| Source { file: &k.file, mapping: &k.mapping, table: &k.cleaned.clean }).collect();
    let kinds = [SourceKind::Customers, SourceKind::Orders, SourceKind::Events];
    if kinds.iter().all(|&k| first_of(&sources, k).is_none()) {
        return Err(AnalysisError::NoSource { kinds: kinds.to_vec() }.into());
    }
    let u = s.unified.get_or_insert_with(|| unify(&sources, &s.unify_opts));
    let inputs = ProfileInputs {
        unified: u,
        orders: first_of(&sources, SourceKind::Orders).copied(),
        events: first_of(&sources, SourceKind::Events).copied(),
    };
    Ok(profiles_with_members(&inputs, &p)?)
}

/// The sources kept, narrowed by the filter chosen (as every analysis of them reads them).
fn narrowed(s: &State) -> Vec<(String, crate::engine::ingest::fields::Mapping, TextTable)> {
    let kept: Vec<Source<'_>> =
        s.sources.iter().map(|k| Source { file: &k.file, mapping: &k.mapping, table: &k.cleaned.clean }).collect();
    let (narrowed, _) = filter_sources(&kept, &s.filter);
    kept.iter()
        .zip(narrowed)
        .map(|(k, n)| (k.file.to_string(), k.mapping.clone(), n.unwrap_or_else(|| k.table.clone())))
        .collect()
}

/// The customers of a cohort cell, a profile row or a funnel step's drop-outs
/// of the last results; refused when the role may not see what they are made of.
pub(super) fn members(s: &State, of: &MemberSource) -> Result<Listed, EngineError> {
    let k = &s.analyses;
    match *of {
        MemberSource::Cohort { cohort, offset } => {
            s.for_role(Analysis::Cohorts.needs())?;
            let c = k.cohorts.as_ref().ok_or(AnalysisError::NoData)?;
            let label = c.cohorts.get(cohort as usize).ok_or(MemberError::NoCell)?.period.clone();
            let sources = narrowed(s);
            let (file, mapping, table) = sources
                .iter()
                .find(|(_, m, _)| m.kind == SourceKind::Orders)
                .ok_or(AnalysisError::NoSource { kinds: vec![SourceKind::Orders] })?;
            let params = CohortParams { period: c.period, max_periods: c.max_periods };
            let ids = cohort_members(table, mapping, params, &label, offset)?;
            Ok(Listed::of(ids, Origin::File(file.clone())))
        }
        MemberSource::Profile { dimension, row } => {
            s.for_role(Analysis::Profiles.needs())?;
            let (p, who) = k.profiles.as_ref().ok_or(AnalysisError::NoData)?;
            // A dimension the role is not shown has no customers to list either.
            let shown = p.shown(&s.disclosure);
            let at = p.dimensions.iter().position(|d| d.dimension == dimension);
            let at =
                at.filter(|_| shown.dimensions.iter().any(|d| d.dimension == dimension)).ok_or(MemberError::NoCell)?;
            if row as usize >= p.dimensions[at].rows.len() {
                return Err(MemberError::NoCell.into());
            }
            let ids = who.of(at, row as usize).into_iter().map(str::to_string).collect();
            Ok(Listed::of(ids, Origin::View))
        }
        MemberSource::FunnelDropped { step } => {
            s.for_role(Analysis::Funnel.needs())?;
            let f = k.funnel.as_ref().ok_or(AnalysisError::NoData)?;
            let dropped = f.dropped_customers.get(step as usize).ok_or(MemberError::NoCell)?;
            let ids = dropped.iter().map(|&i| f.ids.get(i).to_string()).collect();
            let file = s.sources.iter().find(|k| k.mapping.kind == SourceKind::Events).map(|k| k.file.clone());
            Ok(Listed::of(ids, file.map_or(Origin::Rfm, Origin::File)))
        }
        MemberSource::RfCell { .. } | MemberSource::Migration { .. } => Err(MemberError::NoCell.into()),
    }
}

/// Runs an analysis on the sources kept and keeps its result.
pub(super) fn run(s: &mut State, which: Analysis, params_json: &str) -> Answer {
    if which == Analysis::Profiles {
        let p = run_profiles(s, params_json)?;
        let out = answer(&p.0.shown(&s.disclosure));
        s.analyses.profiles = Some(p);
        return out;
    }
    if which == Analysis::Tags {
        let (view, kept) = run_tags(s, params_json)?;
        s.analyses.tags = Some(kept);
        return answer(&view);
    }
    let kept: Vec<Source<'_>> =
        s.sources.iter().map(|k| Source { file: &k.file, mapping: &k.mapping, table: &k.cleaned.clean }).collect();
    // The filter chosen narrows every source first.
    let (narrowed, _) = filter_sources(&kept, &s.filter);
    let sources: Vec<Source<'_>> =
        kept.iter().zip(&narrowed).map(|(k, n)| Source { table: n.as_ref().unwrap_or(k.table), ..*k }).collect();
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
        Analysis::Channels => {
            let r = run_channels(&sources, &params(params_json))?;
            let out = answer(&shown_channels(&r, d));
            s.analyses.channels = Some(r);
            out
        }
        Analysis::Tags | Analysis::Profiles => Err(AnalysisError::NoData.into()), // answered above
        Analysis::Compare => {
            // Aggregates over periods and days: nothing to mask; the role must see the metric's table.
            let CompareRun { scope, params: p } = params(params_json);
            s.for_role(&[p.metric.kind()])?;
            let r = compare_of(&sources, &p)?;
            let out = answer(&r);
            s.analyses.compare.set(scope, r);
            out
        }
    }
}

/// Sets the filter from the user's choice: the tag's customers from the last
/// tag run, the segment's from the RFM result; answers what it keeps.
pub(super) fn set_filter(s: &mut State, choice: &FilterChoice) -> Answer {
    let mut customers: Option<HashSet<String>> = None;
    let mut narrow = |ids: HashSet<String>| {
        customers = Some(match customers.take() {
            Some(have) => have.intersection(&ids).cloned().collect(),
            None => ids,
        })
    };
    if let Some(i) = choice.tag {
        let (Some(tags), Some(u)) = (&s.analyses.tags, &s.unified) else { return Err(AnalysisError::NoData.into()) };
        let rows = tags.rows.get(i as usize).ok_or(AnalysisError::NoData)?;
        narrow(u.source_ids(rows.iter().map(|&r| tags.table.cell(r, 0))));
    }
    if let Some(seg) = choice.segment {
        let (Some(c), Some(r)) = (&s.customers, &s.result) else { return Err(AnalysisError::NoData.into()) };
        narrow(
            c.ids.iter().zip(&r.customers).filter(|(_, x)| x.segment == seg).map(|(id, _)| id.to_string()).collect(),
        );
    }
    let count = customers.as_ref().map(|c| c.len() as u64);
    s.filter = SourceFilter { from: choice.from, to: choice.to, customers };
    // The results shown are stale; tags and profiles (not narrowed) stay.
    s.analyses = Kept { tags: s.analyses.tags.take(), profiles: s.analyses.profiles.take(), ..Kept::default() };
    let kept: Vec<Source<'_>> =
        s.sources.iter().map(|k| Source { file: &k.file, mapping: &k.mapping, table: &k.cleaned.clean }).collect();
    let (_, report) = filter_sources(&kept, &s.filter);
    answer(&FilterView { sources: report, customers: count })
}

/// Forgets every result (the sources changed).
pub(super) fn forget(s: &mut State) {
    s.analyses = Kept::default();
}

/// Writes an export of the last results; its file name, or `None` when the analysis has not run.
pub(super) fn export(
    s: &State,
    what: AnalysisFile,
    xlsx: bool,
    lang: Lang,
    w: &mut Vec<u8>,
) -> std::io::Result<Option<String>> {
    let (k, d) = (&s.analyses, &s.disclosure);
    // Grouped tables lose (or merge) their small groups when small-cell protection is on.
    let other = lang.texts().privacy_text("small_cell_other");
    let small = |t: TextTable, cols: GroupColumns| match &d.scope.small_cells {
        Some(p) => protect_table(&t, &cols, p, other),
        None => t,
    };
    let table: TextTable = match what {
        AnalysisFile::Cohorts => match &k.cohorts {
            Some(c) => small(cohort_table(c), GroupColumns { label: 0, customers: 2, sums: vec![], within: None }),
            None => return Ok(None),
        },
        AnalysisFile::Satisfaction => match &k.satisfaction {
            Some(x) => satisfaction_table(x),
            None => return Ok(None),
        },
        AnalysisFile::TicketTypes => match k.satisfaction.as_ref().map(|x| shown_satisfaction(x, d)) {
            Some(Satisfaction { tickets: Some(t), .. }) => {
                small(ticket_types_table(&t), GroupColumns { label: 0, customers: 1, sums: vec![], within: None })
            }
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
        AnalysisFile::Channels => match &k.channels {
            Some(r) => {
                let r = shown_channels(r, d);
                if xlsx {
                    // As `custlens channels --out channels.xlsx`: the attribution on a second sheet.
                    let (table, credits) = (r.metrics_table(), r.attribution.as_ref().map(|a| a.table()));
                    let mut sheets = vec![Sheet { name: "channels", table: &table }];
                    sheets.extend(credits.as_ref().map(|c| Sheet { name: "attribution", table: c }));
                    w.write_all(&write_xlsx(&sheets).map_err(std::io::Error::other)?)?;
                    return Ok(Some(format!("{}.xlsx", what.stem())));
                }
                r.metrics_table()
            }
            None => return Ok(None),
        },
        AnalysisFile::Attribution => match k.channels.as_ref().map(|r| shown_channels(r, d)) {
            Some(ChannelReport { attribution: Some(a), .. }) => a.table(),
            _ => return Ok(None),
        },
        AnalysisFile::Tags | AnalysisFile::TagCustomers(_) => {
            let Some(tags) = &k.tags else { return Ok(None) };
            let i = match what {
                AnalysisFile::TagCustomers(i) => Some(i as usize),
                _ => None,
            };
            let table = tags.of(&share::table(&tags.table, d), i);
            if let Some(name) = i.and_then(|i| tags.names.get(i)) {
                write_table_csv(w, &table)?;
                return Ok(Some(format!("{}_{}.csv", what.stem(), file_safe(name))));
            }
            table
        }
        AnalysisFile::Profiles
        | AnalysisFile::ProfileNumbers
        | AnalysisFile::ProfileHistograms
        | AnalysisFile::ProfileHeatmap => {
            let Some((p, _)) = &k.profiles else { return Ok(None) };
            let [dimensions, numbers, histograms, heatmap] = p.shown(d).tables();
            let dimensions = small(dimensions, GroupColumns { label: 1, customers: 2, sums: vec![], within: Some(0) });
            if xlsx && what == AnalysisFile::Profiles {
                // As `custlens profiles --format xlsx`: every table, one sheet each.
                let tables = [&dimensions, &numbers, &histograms, &heatmap];
                let sheets: Vec<Sheet<'_>> =
                    PROFILE_SHEETS.iter().zip(tables).map(|(name, table)| Sheet { name, table }).collect();
                w.write_all(&write_xlsx(&sheets).map_err(std::io::Error::other)?)?;
                return Ok(Some(format!("{}.xlsx", what.stem())));
            }
            match what {
                AnalysisFile::ProfileNumbers => numbers,
                AnalysisFile::ProfileHistograms => histograms,
                AnalysisFile::ProfileHeatmap => heatmap,
                _ => dimensions,
            }
        }
        AnalysisFile::Compare(scope) => {
            let Some(r) = k.compare.get(scope) else { return Ok(None) };
            let sheets = r.sheets();
            if xlsx {
                // As `custlens compare --out compare.xlsx`: before/after with the daily values on a second sheet.
                let list: Vec<Sheet<'_>> = sheets.iter().map(|(name, table)| Sheet { name, table }).collect();
                w.write_all(&write_xlsx(&list).map_err(std::io::Error::other)?)?;
                return Ok(Some(format!("{}.xlsx", what.stem())));
            }
            match sheets.into_iter().next() {
                Some((_, table)) => table,
                None => return Ok(None),
            }
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

/// A name fit for a file name: characters file systems refuse become `_`.
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_control() || r#"/\:*?"<>|"#.contains(c) { '_' } else { c }).collect()
}
