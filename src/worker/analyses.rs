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
//! orders, tickets and events sources; profiles, likewise, with the first
//! orders and events sources. Under a filter both read a view joined from
//! the narrowed sources instead. Comparisons (M24) read the first source of
//! the kind their metric needs; each place a comparison is made (its tab,
//! or beside an over-time analysis) keeps its own result.

use super::members::{Listed, Origin};
use super::{Answer, State};
use crate::engine::analyze::activity::Activity;
use crate::engine::analyze::channels::{channels, ChannelInputs, ChannelParams, ChannelReport};
use crate::engine::analyze::cohort::Cohorts;
use crate::engine::analyze::cohort::{cohort_members, CohortParams};
use crate::engine::analyze::compare::{compare_of, CompareReport};
use crate::engine::analyze::filter::{default_as_of, filter_sources, SourceFilter};
use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::members::{MemberError, MemberSource};
use crate::engine::analyze::profiles::{
    profiles_with_members, CustomerProfile, ProfileInputs, ProfileMembers, ProfileParams, PROFILE_SHEETS,
};
use crate::engine::analyze::satisfaction::Satisfaction;
use crate::engine::analyze::suite::{activity_of, cohorts_of, event_types_of, first_of, funnel_of, satisfaction_of};
use crate::engine::analyze::tags::{evaluate, TagInputs, TagReport, TagSet};
use crate::engine::clean::table::TextTable;
use crate::engine::date::Day;
use crate::engine::error::{AnalysisError, EngineError};
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::privacy::share::{self, Disclosure};
use crate::engine::privacy::small_cell::{protect_table, GroupColumns};
use crate::engine::report::export::{write_funnel_dropped_csv, write_table_csv};
use crate::engine::report::tables::{
    activity_table, cohort_table, funnel_table, satisfaction_table, ticket_types_table,
};
use crate::engine::report::xlsx::{write_xlsx, Sheet};
use crate::engine::unify::{unify, Source, Unified};
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

/// What the exports of a tag run need (copied out: the unified view may be joined again meanwhile),
/// and what choosing one of its tags as the filter needs.
struct KeptTags {
    /// Every tagged customer with their tags (raw ids).
    table: TextTable,
    /// The table's rows carrying each tag.
    rows: Vec<Vec<usize>>,
    /// The tags' names.
    names: Vec<String>,
    /// The definitions evaluated and the as-of date asked for.
    set: TagSet,
    as_of: Option<Day>,
    /// Whether the run read the sources narrowed by a filter (its members are then not every customer of a tag).
    narrowed: bool,
}

impl KeptTags {
    fn new(r: &TagReport, table: TextTable, set: TagSet, as_of: Option<Day>, narrowed: bool) -> KeptTags {
        let tagged = r.tagged();
        let rows =
            r.tags.iter().map(|t| t.members.iter().filter_map(|m| tagged.binary_search(m).ok()).collect()).collect();
        KeptTags { table, rows, names: r.tags.iter().map(|t| t.name.clone()).collect(), set, as_of, narrowed }
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

/// `kept` as the analyses read them under `filter`: the tables a filter
/// narrows (`None`: a source read as it is).
fn narrow(kept: &[Source<'_>], filter: &SourceFilter) -> Vec<Option<TextTable>> {
    if filter.is_everything() {
        return vec![None; kept.len()];
    }
    filter_sources(kept, filter).0
}

/// `kept`, each source reading its narrowed table where there is one.
fn read_through<'a>(kept: &[Source<'a>], narrowed: &'a [Option<TextTable>]) -> Vec<Source<'a>> {
    kept.iter().zip(narrowed).map(|(k, n)| Source { table: n.as_ref().unwrap_or(k.table), ..*k }).collect()
}

/// Calls `f` with a unified customer view and the sources it was joined
/// from: the view of everyone (joined once and kept) when `everyone` is set
/// or no filter is chosen, else one joined now from the sources the filter
/// narrows (its customers and the rows dated in its range), so tags and
/// profiles describe the customers chosen.
fn on_view<R>(s: &mut State, everyone: bool, f: impl FnOnce(&Unified, &[Source<'_>]) -> R) -> R {
    let kept = super::kept_sources(&s.sources);
    if everyone || s.filter.is_everything() {
        let u = s.unified.get_or_insert_with(|| unify(&kept, &s.unify_opts));
        return f(u, &kept);
    }
    let narrowed = narrow(&kept, &s.filter);
    let sources = read_through(&kept, &narrowed);
    f(&unify(&sources, &s.unify_opts), &sources)
}

/// The as-of date by default under the filter chosen (see [`default_as_of`]), from the first source of each of `kinds`.
fn as_of_under_filter(s: &State, kinds: &[SourceKind]) -> Option<Day> {
    let kept = super::kept_sources(&s.sources);
    let firsts: Vec<Source<'_>> = kinds.iter().filter_map(|&k| first_of(&kept, k).copied()).collect();
    default_as_of(&s.filter, &firsts)
}

/// The tags of `set` on a view and the sources it was joined from.
fn tag_report(set: &TagSet, as_of: Option<Day>, u: &Unified, sources: &[Source<'_>]) -> TagReport {
    let inputs = TagInputs {
        unified: u,
        orders: first_of(sources, SourceKind::Orders).copied(),
        tickets: first_of(sources, SourceKind::Tickets).copied(),
        events: first_of(sources, SourceKind::Events).copied(),
        as_of,
    };
    evaluate(set, &inputs)
}

/// Evaluates the tags on the unified view (of the customers the filter chooses); the view and what the exports need.
fn run_tags(s: &mut State, params_json: &str) -> Result<(TagsView, KeptTags), EngineError> {
    let p: TagParams = params(params_json);
    let set = TagSet::from_json(&p.tags_json)?;
    let kept = super::kept_sources(&s.sources);
    if first_of(&kept, SourceKind::Customers).or(first_of(&kept, SourceKind::Orders)).is_none() {
        return Err(AnalysisError::NoSource { kinds: vec![SourceKind::Customers, SourceKind::Orders] }.into());
    }
    let narrowed = !s.filter.is_everything();
    let as_of =
        p.as_of.or_else(|| as_of_under_filter(s, &[SourceKind::Orders, SourceKind::Tickets, SourceKind::Events]));
    let (mut report, table) = on_view(s, false, |u, sources| {
        let r = tag_report(&set, as_of, u, sources);
        let table = r.customer_table(u);
        (r, table)
    });
    let kept = KeptTags::new(&report, table, set, p.as_of, narrowed);
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

/// The customer profiles on the unified view (of the customers the filter chooses), and who is in each row.
fn run_profiles(s: &mut State, params_json: &str) -> Result<(CustomerProfile, ProfileMembers), EngineError> {
    let mut p: ProfileParams = params(params_json);
    p.as_of = p.as_of.or_else(|| as_of_under_filter(s, &[SourceKind::Orders, SourceKind::Events]));
    let kept = super::kept_sources(&s.sources);
    let kinds = [SourceKind::Customers, SourceKind::Orders, SourceKind::Events];
    if kinds.iter().all(|&k| first_of(&kept, k).is_none()) {
        return Err(AnalysisError::NoSource { kinds: kinds.to_vec() }.into());
    }
    let profiles = on_view(s, false, |u, sources| {
        let inputs = ProfileInputs {
            unified: u,
            orders: first_of(sources, SourceKind::Orders).copied(),
            events: first_of(sources, SourceKind::Events).copied(),
        };
        profiles_with_members(&inputs, &p)
    });
    Ok(profiles?)
}

/// Every customer carrying tag `i` of the last tag run (their ids in every
/// source): taken from the run itself, or — when it read narrowed sources —
/// from its definitions evaluated again on everyone.
fn tag_customers(s: &mut State, i: usize) -> Result<HashSet<String>, EngineError> {
    let tags = s.analyses.tags.as_ref().ok_or(AnalysisError::NoData)?;
    if !tags.narrowed {
        let u = s.unified.as_ref().ok_or(AnalysisError::NoData)?;
        let rows = tags.rows.get(i).ok_or(AnalysisError::NoData)?;
        return Ok(u.source_ids(rows.iter().map(|&r| tags.table.cell(r, 0))));
    }
    let (set, as_of) = (tags.set.clone(), tags.as_of);
    on_view(s, true, |u, sources| {
        let r = tag_report(&set, as_of, u, sources);
        let t = r.tags.get(i).ok_or(AnalysisError::NoData)?;
        Ok(u.source_ids(t.members.iter().filter_map(|&c| u.customers.get(c as usize)).map(|c| c.id.as_str())))
    })
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
            let kept = super::kept_sources(&s.sources);
            let narrowed = narrow(&kept, &s.filter);
            let sources = read_through(&kept, &narrowed);
            let orders = first_of(&sources, SourceKind::Orders)
                .ok_or(AnalysisError::NoSource { kinds: vec![SourceKind::Orders] })?;
            let params = CohortParams { period: c.period, max_periods: c.max_periods };
            let ids = cohort_members(orders.table, orders.mapping, params, &label, offset)?;
            Ok(Listed::of(ids, Origin::File(orders.file.to_string())))
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
    let kept = super::kept_sources(&s.sources);
    // The filter chosen narrows every source first.
    let narrowed = narrow(&kept, &s.filter);
    let sources = read_through(&kept, &narrowed);
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
    let mut narrow_to = |ids: HashSet<String>| {
        customers = Some(match customers.take() {
            Some(have) => have.intersection(&ids).cloned().collect(),
            None => ids,
        })
    };
    if let Some(i) = choice.tag {
        narrow_to(tag_customers(s, i as usize)?);
    }
    if let Some(seg) = choice.segment {
        let (Some(c), Some(r)) = (&s.customers, &s.result) else { return Err(AnalysisError::NoData.into()) };
        narrow_to(
            c.ids.iter().zip(&r.customers).filter(|(_, x)| x.segment == seg).map(|(id, _)| id.to_string()).collect(),
        );
    }
    let count = customers.as_ref().map(|c| c.len() as u64);
    s.filter = SourceFilter { from: choice.from, to: choice.to, customers };
    // The results shown are stale; the last tag run stays (its definitions
    // give the customers of a tag chosen next, its exports are of that run).
    s.analyses = Kept { tags: s.analyses.tags.take(), ..Kept::default() };
    let (_, report) = filter_sources(&super::kept_sources(&s.sources), &s.filter);
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
