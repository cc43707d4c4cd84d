//! The analyses card (issue #5): cohorts and retention, satisfaction,
//! funnels, activity, channels and attribution, customer tags, customer
//! profiles and period comparisons (M24), each computed in worker 0 on the
//! first source of the kind it needs, with its parameters, a table, a chart
//! and downloads.

mod activity;
mod channels;
mod cohorts;
mod compare;
mod filter;
mod funnel;
pub(super) mod members;
mod profiles;
mod satisfaction;
mod tag_editor;
mod tags;

use crate::engine::date::Day;
use crate::engine::ingest::fields::SourceKind;
use crate::i18n::Texts;
use crate::protocol::{Analysis, AnalysisFile};
use crate::ui::format;
use crate::ui::job::{Export, JobError};
use crate::ui::state::AppState;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

/// The sections.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Tab {
    Cohorts,
    Satisfaction,
    Funnel,
    Activity,
    Channels,
    Tags,
    Profiles,
    Compare,
}

impl Tab {
    const ALL: [Tab; 8] = [
        Tab::Cohorts,
        Tab::Satisfaction,
        Tab::Funnel,
        Tab::Activity,
        Tab::Channels,
        Tab::Tags,
        Tab::Profiles,
        Tab::Compare,
    ];

    fn key(self) -> &'static str {
        match self {
            Tab::Cohorts => "cohorts",
            Tab::Satisfaction => "satisfaction",
            Tab::Funnel => "funnel",
            Tab::Activity => "activity",
            Tab::Channels => "channels",
            Tab::Tags => "tags",
            Tab::Profiles => "profiles",
            Tab::Compare => "compare",
        }
    }

    fn label(self, t: &Texts) -> &'static str {
        match self {
            Tab::Cohorts => t.tab_cohorts,
            Tab::Satisfaction => t.tab_satisfaction,
            Tab::Funnel => t.tab_funnel,
            Tab::Activity => t.tab_activity,
            Tab::Channels => t.tab_channels,
            Tab::Tags => t.tab_tags,
            Tab::Profiles => t.tab_profiles,
            Tab::Compare => t.compare.tab,
        }
    }

    /// The analysis it shows (what a role must see to be shown it).
    fn analysis(self) -> Analysis {
        match self {
            Tab::Cohorts => Analysis::Cohorts,
            Tab::Satisfaction => Analysis::Satisfaction,
            Tab::Funnel => Analysis::Funnel,
            Tab::Activity => Analysis::Activity,
            Tab::Channels => Analysis::Channels,
            Tab::Tags => Analysis::Tags,
            Tab::Profiles => Analysis::Profiles,
            Tab::Compare => Analysis::Compare,
        }
    }

    /// The kinds of source it reads.
    fn kinds(self) -> &'static [SourceKind] {
        match self {
            Tab::Cohorts => &[SourceKind::Orders],
            Tab::Satisfaction => &[SourceKind::Surveys, SourceKind::Tickets],
            Tab::Funnel | Tab::Activity => &[SourceKind::Events],
            Tab::Channels => &[SourceKind::Channels, SourceKind::Orders, SourceKind::Customers],
            Tab::Tags => &[SourceKind::Customers, SourceKind::Orders, SourceKind::Tickets, SourceKind::Events],
            Tab::Profiles => &[SourceKind::Customers, SourceKind::Orders, SourceKind::Events],
            Tab::Compare => &[SourceKind::Orders, SourceKind::Events, SourceKind::Tickets, SourceKind::Surveys],
        }
    }
}

/// The analyses card (shown once there are sources).
#[component]
pub fn AnalysesCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let tab = RwSignal::new(Tab::Cohorts);
    let tabs = move || {
        Tab::ALL
            .into_iter()
            .map(|x| {
                view! {
                    <button
                        class="button small"
                        role="tab"
                        aria-selected=move || (tab.get() == x).to_string()
                        data-testid=format!("tab-{}", x.key())
                        on:click=move |_| tab.set(x)
                    >
                        {move || x.label(t())}
                    </button>
                }
            })
            .collect_view()
    };
    let panel = move |x: Tab, body: AnyView| {
        let allowed = move || state.may_analyse(x.analysis().needs());
        view! {
            <div role="tabpanel" class="analysis-panel" data-testid=format!("panel-{}", x.key()) hidden=move || tab.get() != x>
                <p class="hint">{move || t().analysis_from} {move || source_files(&state, x.kinds())}</p>
                <div hidden=move || !allowed()>{body}</div>
                {move || (!allowed()).then(super::not_for_role)}
            </div>
        }
    };
    view! {
        <Show when=move || !state.sources.get().is_empty()>
            <section
                class="card analyses"
                aria-labelledby="analyses-h"
                data-testid="analyses"
                data-busy=move || (state.analyses.busy.get() > 0).to_string()
            >
                <h2 id="analyses-h">{move || t().analyses_title}</h2>
                <p class="hint">{move || t().analyses_hint}</p>
                <filter::FilterBar/>
                <div class="tabs" role="tablist">{tabs}</div>
                {panel(Tab::Cohorts, view! { <cohorts::CohortsPanel/> }.into_any())}
                {panel(Tab::Satisfaction, view! { <satisfaction::SatisfactionPanel/> }.into_any())}
                {panel(Tab::Funnel, view! { <funnel::FunnelPanel/> }.into_any())}
                {panel(Tab::Activity, view! { <activity::ActivityPanel/> }.into_any())}
                {panel(Tab::Channels, view! { <channels::ChannelsPanel/> }.into_any())}
                {panel(Tab::Tags, view! { <tags::TagsPanel/> }.into_any())}
                {panel(Tab::Profiles, view! { <profiles::ProfilesPanel/> }.into_any())}
                {panel(Tab::Compare, view! { <compare::ComparePanel/> }.into_any())}
            </section>
        </Show>
    }
}

/// The files an analysis reads: the first source of each kind (or "–").
fn source_files(state: &AppState, kinds: &[SourceKind]) -> String {
    let sources = state.sources.get();
    let t = state.lang.get().texts();
    // The first source of each kind; of channels, every one (totals and touchpoints).
    let names: Vec<String> = kinds
        .iter()
        .flat_map(|&k| {
            let of_kind = sources.iter().filter(move |s| s.kind == k);
            let take = if k == SourceKind::Channels { usize::MAX } else { 1 };
            of_kind.take(take).map(move |s| format!("{} ({})", s.file, t.kind(k)))
        })
        .collect();
    if names.is_empty() {
        "–".to_string()
    } else {
        names.join(", ")
    }
}

/// Why an analysis could not be made.
fn error_view(e: JobError, testid: impl Into<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let testid = testid.into();
    let message = move || match &e {
        JobError::Engine(e) => state.lang.get().texts().error(e),
        other => other.to_string(),
    };
    view! { <p class="error-text" role="alert" data-testid=testid>{message}</p> }
}

/// A headline number: label, value as shown, and the raw value in `data-value`.
fn stat(
    label: impl Fn() -> String + Send + Sync + 'static,
    shown: String,
    raw: String,
    testid: String,
) -> impl IntoView {
    view! {
        <div class="stat">
            <div class="stat-label">{label}</div>
            <div class="stat-value" data-testid=testid data-value=raw>{shown}</div>
        </div>
    }
}

/// An optional share as `12.3%` (or `–`).
fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), format::pct)
}

/// An optional number with `d` decimals (or `–`).
fn float(x: Option<f64>, d: usize) -> String {
    x.map_or_else(|| "–".to_string(), |x| format::float(x, d))
}

/// An optional number as exact text for a `data-*` attribute (empty when none).
fn raw(x: Option<f64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// A date input bound to `target` (none while it is empty or not a date).
fn date_input(
    label: fn(&Texts) -> &'static str,
    target: RwSignal<Option<Day>>,
    testid: impl Into<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let testid = testid.into();
    view! {
        <label>
            {move || label(state.lang.get().texts())}
            <input
                type="date"
                data-testid=testid
                on:change=move |ev| {
                    let input: HtmlInputElement = event_target(&ev);
                    target.set(Day::parse_iso(input.value().trim()).ok());
                }
            />
        </label>
    }
}

/// A number input bound to `target` (kept when the text is not a number ≥ 0).
fn number_input<T>(
    label: fn(&Texts) -> &'static str,
    target: RwSignal<T>,
    testid: impl Into<String>,
    step: &'static str,
) -> impl IntoView
where
    T: std::str::FromStr + ToString + Copy + Send + Sync + 'static,
{
    let state = expect_context::<AppState>();
    let testid = testid.into();
    let initial = target.get_untracked().to_string();
    view! {
        <label>
            {move || label(state.lang.get().texts())}
            <input
                type="number"
                min="0"
                step=step
                value=initial
                data-testid=testid
                on:change=move |ev| {
                    let input: HtmlInputElement = event_target(&ev);
                    if let Ok(v) = input.value().trim().parse::<T>() {
                        target.set(v);
                    }
                }
            />
        </label>
    }
}

/// CSV and XLSX downloads of a table of the last run.
fn downloads(what: AnalysisFile, xlsx: bool) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    view! {
        <span class="download-pair">
            <span class="hint">{move || t().download_table}</span>
            <button
                class="button small"
                data-testid=format!("export-{}-csv", what.stem())
                on:click=move |_| state.export(Export::Analysis(what, false))
            >
                "CSV"
            </button>
            {xlsx
                .then(|| {
                    view! {
                        <button
                            class="button small"
                            data-testid=format!("export-{}-xlsx", what.stem())
                            on:click=move |_| state.export(Export::Analysis(what, true))
                        >
                            "XLSX"
                        </button>
                    }
                })}
        </span>
    }
}

/// A heat-map cell's background (retention, Jaccard index): the brand blue, stronger for higher values (0–1).
fn heat(x: Option<f64>) -> String {
    match x {
        Some(x) => {
            let a = (x.clamp(0.0, 1.0) * 0.85 + 0.05).min(0.9);
            let ink = if a > 0.5 { "#fff" } else { "inherit" };
            format!("background: rgba(54, 110, 200, {a:.3}); color: {ink}")
        }
        None => String::new(),
    }
}
