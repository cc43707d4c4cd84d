//! Worker 0: the customers behind a figure of the last results — an R × F
//! cell, a migration cell (of the RFM file), a cohort cell, a profile row, a
//! funnel step's drop-outs (of the sources) — listed as the role may see
//! them, exported whole as the CLI writes them, and made into a tag of the
//! unified view's customers. One path for every list: [`listed`] finds the
//! ids, [`table`] shows them, [`tag`] ties them to the view.

use super::{analyses, Answer, State, STATE};
use crate::engine::analyze::members::{shown_member_table, MemberError, MemberSource};
use crate::engine::analyze::rfm::rf_members;
use crate::engine::analyze::tags::{list_tag, Dimension, Level, TagSet};
use crate::engine::clean::table::TextTable;
use crate::engine::error::{AnalysisError, EngineError};
use crate::engine::ingest::fields::SourceKind;
use crate::engine::privacy::share;
use crate::engine::report::export::{rfm_rows, write_table_csv};
use crate::engine::unify::unify;
use crate::i18n::Lang;
use crate::protocol::{CustomerListView, MembersTag, Response, CUSTOMER_LIST_SHOWN};

/// Where a list's ids come from, for tying them to the unified view.
pub(super) enum Origin {
    /// Ids of the unified view itself.
    View,
    /// Ids as a source file writes them.
    File(String),
    /// Ids of the RFM file (tied by any file's identity matches).
    Rfm,
}

/// A list's customers: their ids as the analysis read them, where from, and
/// for an R × F cell their rows of the RFM result (shown with its columns).
pub(super) struct Listed {
    pub(super) ids: Vec<String>,
    pub(super) origin: Origin,
    rfm_rows: Option<Vec<usize>>,
}

impl Listed {
    /// Ids of an analysis of the sources.
    pub(super) fn of(ids: Vec<String>, origin: Origin) -> Listed {
        Listed { ids, origin, rfm_rows: None }
    }
}

/// The customers of `of` in the last results; refused when the role may not
/// see what it is made of, or when the group is smaller than the small-cell
/// threshold in force (it is left out of the grouped reports; listing it
/// would name who is in it).
fn listed(s: &State, of: &MemberSource) -> Result<Listed, EngineError> {
    let l = listed_any_size(s, of)?;
    let customers = l.ids.len() as u64;
    match &s.disclosure.scope.small_cells {
        Some(p) if customers > 0 && customers < p.k => Err(MemberError::SmallGroup { customers, k: p.k }.into()),
        _ => Ok(l),
    }
}

/// The customers of `of` in the last results, whatever their number.
fn listed_any_size(s: &State, of: &MemberSource) -> Result<Listed, EngineError> {
    match *of {
        MemberSource::RfCell { r, f } => {
            s.for_role(&[SourceKind::Orders])?;
            let (Some(c), Some(res)) = (&s.customers, &s.result) else { return Err(AnalysisError::NoData.into()) };
            let rows = rf_members(res, r, f);
            let ids = rows.iter().map(|&i| c.ids.get(i as u32).to_string()).collect();
            Ok(Listed { ids, origin: Origin::Rfm, rfm_rows: Some(rows) })
        }
        MemberSource::Migration { from, to } => {
            s.for_role(&[SourceKind::Orders])?;
            let Some((m, who)) = &s.migration else { return Err(AnalysisError::NoData.into()) };
            let k = m.segments.len();
            if from as usize > k || to as usize > k {
                return Err(MemberError::NoCell.into());
            }
            let ids = who.cell(from as usize, to as usize, k).into_iter().map(|i| who.ids.get(i).to_string()).collect();
            Ok(Listed::of(ids, Origin::Rfm))
        }
        MemberSource::Cohort { .. } | MemberSource::Profile { .. } | MemberSource::FunnelDropped { .. } => {
            analyses::members(s, of)
        }
    }
}

/// The list as it may be shown or exported: ids masked, pseudonymised or
/// hidden as the role sees them; an R × F cell with its RFM columns.
fn table(s: &State, l: &Listed, lang: Lang) -> TextTable {
    match (&l.rfm_rows, &s.customers, &s.result) {
        (Some(rows), Some(c), Some(res)) => {
            rfm_rows(&share::ids(&c.ids, &s.disclosure), res, lang.texts(), rows.iter().copied())
        }
        _ => shown_member_table(l.ids.iter().map(String::as_str), &s.disclosure),
    }
}

/// The download's file name.
fn file_name(of: &MemberSource) -> String {
    match of {
        MemberSource::RfCell { r, f } => format!("custlens_rfm_r{r}_f{f}.csv"),
        MemberSource::Migration { from, to } => format!("custlens_migration_members_{from}_{to}.csv"),
        MemberSource::Cohort { cohort, offset } => format!("custlens_cohort_members_{cohort}_{offset}.csv"),
        MemberSource::Profile { dimension, row } => format!("custlens_profile_members_{}_{row}.csv", dimension.key()),
        MemberSource::FunnelDropped { step } => format!("custlens_funnel_dropped_step{step}.csv"),
    }
}

/// The first customers of a list, as the page shows them.
pub(super) fn view(of: MemberSource, lang: Lang) -> Answer {
    STATE.with(|s| {
        let s = s.borrow();
        let l = listed(&s, &of)?;
        let t = table(&s, &l, lang);
        let rows = (0..t.len().min(CUSTOMER_LIST_SHOWN)).map(|i| t.row(i).map(str::to_string).collect()).collect();
        let view = CustomerListView { of, customers: l.ids.len() as u64, headers: t.headers.clone(), rows };
        Ok((Response::Members(Box::new(view)), None))
    })
}

/// Every customer of a list as CSV.
pub(super) fn export(of: MemberSource, lang: Lang) -> Answer {
    STATE.with(|s| {
        let s = s.borrow();
        let l = listed(&s, &of)?;
        let mut out = Vec::new();
        write_table_csv(&mut out, &table(&s, &l, lang)).map_err(|e| super::read_error("export", &e.to_string()))?;
        Ok((Response::File { name: file_name(&of) }, Some(out)))
    })
}

/// A tag of a list's customers, tied to the unified view (joined now if it is not yet).
pub(super) fn tag(of: MemberSource, name: &str, dimension: Dimension, level: Level) -> Answer {
    STATE.with(|s| {
        let s = &mut *s.borrow_mut();
        let l = listed(s, &of)?;
        let sources = super::kept_sources(&s.sources);
        if sources.is_empty() {
            return Err(AnalysisError::NoSource { kinds: vec![SourceKind::Customers, SourceKind::Orders] }.into());
        }
        let u = s.unified.get_or_insert_with(|| unify(&sources, &s.unify_opts));
        let file = match &l.origin {
            // No file's identity matches name the view's own ids: merges and the ids themselves tie them.
            Origin::View => Some(""),
            Origin::File(f) => Some(f.as_str()),
            Origin::Rfm => None,
        };
        let (ids, unmatched) = u.view_ids(file, l.ids.iter().map(String::as_str));
        let customers = ids.len() as u64;
        let def = list_tag(name, dimension, level, ids);
        // A blank name is refused as a tag set refuses it.
        TagSet::new(vec![def.clone()])?;
        let json = serde_json::to_string(&MembersTag { def, customers, unmatched }).unwrap_or_default();
        Ok((Response::MembersTag { json }, None))
    })
}
