//! Customer profiles (M6): the dimensions counted, values listed per
//! dimension, histogram bins, age bands and the as-of day for birth dates
//! are editable; one dimension's table (value, customers, share) with a bar
//! chart at a time; the numeric summaries (age, spend, orders, order value,
//! 客单价) with a histogram; the weekday × hour heat map as a chart and a
//! table; downloads as `custlens profiles` writes them.

use super::members::MemberList;
use super::{date_input, error_view, number_input, raw, stat};
use crate::engine::analyze::members::MemberSource;
use crate::engine::analyze::profiles::{
    AgeBands, CustomerProfile, Dimension, DimensionProfile, HeatMap, HeatSource, Measure, MeasureSummary,
    ProfileParams, ProfileRow, RowKind,
};
use crate::engine::date::Day;
use crate::engine::error::EngineError;
use crate::engine::report::chart::{profile_dimension_chart, profile_heatmap_chart, profile_histogram_chart};
use crate::i18n::ProfileTexts;
use crate::protocol::{Analysis, AnalysisFile};
use crate::ui::components::chart::{CanvasChart, Draw};
use crate::ui::format;
use crate::ui::job::{Export, JobError};
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};

/// Parameters, run button and result.
#[component]
pub fn ProfilesPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let p = move || -> &'static ProfileTexts { &t().profiles };
    let d = ProfileParams::default();
    let top = RwSignal::new(d.top);
    let bins = RwSignal::new(d.bins);
    let as_of = RwSignal::new(None::<Day>);
    let bands = RwSignal::new(d.age_bands.to_text());
    let chosen = RwSignal::new(d.dimensions.clone());
    let run = move |_| {
        let target = state.analyses.profiles;
        match AgeBands::parse(&bands.get_untracked()) {
            Ok(age_bands) => {
                // In the order of the selector, whatever order they were ticked in.
                let picked = chosen.get_untracked();
                let dimensions = Dimension::ALL.into_iter().filter(|d| picked.contains(d)).collect();
                let params = ProfileParams {
                    dimensions,
                    top: top.get_untracked(),
                    bins: bins.get_untracked(),
                    as_of: as_of.get_untracked(),
                    age_bands,
                };
                state.run_analysis(Analysis::Profiles, &params, target);
            }
            Err(e) => target.set(Some(Err(JobError::Engine(EngineError::from(e))))),
        }
    };
    let boxes = Dimension::ALL
        .into_iter()
        .map(|dim| {
            let checked = move || chosen.with(|v| v.contains(&dim));
            let toggle = move |ev| {
                let on = event_target::<HtmlInputElement>(&ev).checked();
                chosen.update(|v| {
                    v.retain(|&x| x != dim);
                    if on {
                        v.push(dim);
                    }
                });
            };
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=format!("profiles-dim-{}", dim.key()) prop:checked=checked on:change=toggle/>
                    {move || p().dimension(dim)}
                </label>
            }
        })
        .collect_view();
    view! {
        <p class="hint">{move || p().hint}</p>
        <fieldset class="controls profile-dims">
            <legend>{move || p().dimensions_label}</legend>
            {boxes}
        </fieldset>
        <div class="controls">
            {number_input(|t| t.profiles.top, top, "profiles-top", "1")}
            {number_input(|t| t.profiles.bins, bins, "profiles-bins", "1")}
            <label>
                {move || p().age_bands}
                <input
                    type="text"
                    data-testid="profiles-age-bands"
                    value=bands.get_untracked()
                    on:change=move |ev| bands.set(event_target::<HtmlInputElement>(&ev).value())
                />
            </label>
            {date_input(|t| t.as_of, as_of, "profiles-as-of")}
            <button class="button primary" data-testid="run-profiles" on:click=run>{move || t().run_analysis}</button>
        </div>
        {move || {
            state.analyses.profiles.get().map(|o| match o {
                Ok(r) => view! { <ProfilesResult r=r/> }.into_any(),
                Err(e) => error_view(e, "profiles-error").into_any(),
            })
        }}
    }
}

/// A row's value as shown: "other" and "unknown" named, city tiers translated.
fn row_label(p: &ProfileTexts, d: &DimensionProfile, r: &ProfileRow) -> String {
    match r.kind {
        RowKind::Value => p.value(d.dimension, &r.value),
        RowKind::Other => p.other.replace("{n}", &format::int(d.other_values)),
        RowKind::Unknown => p.unknown.to_string(),
    }
}

fn kind_key(k: RowKind) -> &'static str {
    match k {
        RowKind::Value => "value",
        RowKind::Other => "other",
        RowKind::Unknown => "unknown",
    }
}

/// One dimension: its table and bar chart.
fn dimension_view(d: DimensionProfile) -> impl IntoView {
    let state = expect_context::<AppState>();
    let p = move || -> &'static ProfileTexts { &state.lang.get().texts().profiles };
    let dim = d.dimension;
    let rows = d
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let label = {
                let (d, r) = (d.clone(), r.clone());
                move || row_label(p(), &d, &r)
            };
            let click = {
                let label = label.clone();
                move |_| {
                    let t = state.lang.get_untracked().texts();
                    let title = t
                        .drill_text("what_profile")
                        .replace("{dimension}", t.profiles.dimension(dim))
                        .replace("{value}", &label());
                    state.show_members(MemberSource::Profile { dimension: dim, row: i as u32 }, title);
                }
            };
            view! {
                <tr data-kind=kind_key(r.kind) data-value=r.value.clone() data-customers=r.customers.to_string() data-share=r.share.to_string()>
                    <th scope="row" class="value">{label}</th>
                    <td class="num">
                        <button class="cell-button" data-testid="profile-row" on:click=click>{format::int(r.customers)}</button>
                    </td>
                    <td class="num">{format::pct(r.share)}</td>
                </tr>
            }
        })
        .collect_view();
    let height = 110 + 30 * d.rows.len() as u32;
    let chart = d.clone();
    let draw: Draw = Rc::new(move |root, t| profile_dimension_chart(root, &chart, t).is_ok());
    view! {
        <div class="table-wrap short">
            <table class="grid" data-testid="profiles-dimension-table" data-dimension=dim.key()>
                <caption>{move || p().dimension(dim)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || p().col_value}</th>
                        <th scope="col" class="num">{move || p().col_customers}</th>
                        <th scope="col" class="num">{move || p().col_share}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint">{move || state.lang.get().texts().drill_text("list_hint")}</p>
        <MemberList here=|of| matches!(of, MemberSource::Profile { .. })/>
        <CanvasChart draw=draw width=760 height=height testid="profiles-dimension-chart" png="custlens_profile.png" title=|t| t.profiles.dimension_title/>
    }
}

/// The numeric summaries as a table.
fn numbers_view(numbers: &[MeasureSummary]) -> impl IntoView {
    let state = expect_context::<AppState>();
    let p = move || -> &'static ProfileTexts { &state.lang.get().texts().profiles };
    let rows = numbers
        .iter()
        .map(|m| {
            let measure = m.measure;
            let s = m.summary.as_ref();
            let f = |x: Option<f64>| x.map_or_else(|| "—".to_string(), |x| format::float(x, 2));
            let get = |g: fn(&crate::engine::analyze::distribution::NumericSummary) -> f64| s.map(g);
            view! {
                <tr
                    data-measure=measure.key()
                    data-count=s.map_or(0, |s| s.count).to_string()
                    data-mean=raw(get(|s| s.mean))
                    data-std=raw(s.and_then(|s| s.std))
                    data-min=raw(get(|s| s.min))
                    data-q1=raw(get(|s| s.q1))
                    data-median=raw(get(|s| s.median))
                    data-q3=raw(get(|s| s.q3))
                    data-max=raw(get(|s| s.max))
                >
                    <th scope="row">{move || p().measure(measure)}</th>
                    <td class="num">{format::int(s.map_or(0, |s| s.count))}</td>
                    <td class="num">{f(get(|s| s.mean))}</td>
                    <td class="num">{f(s.and_then(|s| s.std))}</td>
                    <td class="num">{f(get(|s| s.min))}</td>
                    <td class="num">{f(get(|s| s.q1))}</td>
                    <td class="num">{f(get(|s| s.median))}</td>
                    <td class="num">{f(get(|s| s.q3))}</td>
                    <td class="num">{f(get(|s| s.max))}</td>
                </tr>
            }
        })
        .collect_view();
    let col = move |label: fn(&ProfileTexts) -> &'static str| {
        view! { <th scope="col" class="num">{move || label(p())}</th> }
    };
    view! {
        <div class="table-wrap short">
            <table class="grid" data-testid="profiles-numbers">
                <thead>
                    <tr>
                        <th scope="col">{move || p().col_measure}</th>
                        {col(|p| p.col_count)}
                        {col(|p| p.col_mean)}
                        {col(|p| p.col_std)}
                        {col(|p| p.col_min)}
                        {col(|p| p.col_q1)}
                        {col(|p| p.col_median)}
                        {col(|p| p.col_q3)}
                        {col(|p| p.col_max)}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The heat map: where its times come from, the chart, and the counts as a table.
fn heat_view(h: HeatMap) -> impl IntoView {
    let state = expect_context::<AppState>();
    let p = move || -> &'static ProfileTexts { &state.lang.get().texts().profiles };
    let note = {
        let (file, source, n, out) = (h.file.clone(), h.source, h.counted, h.without_time);
        move || {
            let s = if source == HeatSource::Events { p().heat_from_events } else { p().heat_from_orders };
            s.replace("{file}", &file).replace("{n}", &format::int(n)).replace("{out}", &format::int(out))
        }
    };
    let max = h.max().max(1) as f64;
    let head = (0..24).map(|hour| view! { <th scope="col" class="num">{hour}</th> }).collect_view();
    let rows = (0..7)
        .map(|d| {
            let cells = (0..24)
                .map(|hour| {
                    let (k, people) = (h.counts[d][hour], h.customers[d][hour]);
                    view! {
                        <td
                            class="num heat"
                            style=super::heat(Some(k as f64 / max))
                            data-weekday=d.to_string()
                            data-hour=hour.to_string()
                            data-count=k.to_string()
                            data-customers=people.to_string()
                        >
                            {k}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-weekday=d.to_string()>
                    <th scope="row">{move || p().weekdays[d]}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let source = if h.source == HeatSource::Events { "events" } else { "orders" };
    let chart = h.clone();
    let draw: Draw = Rc::new(move |root, t| profile_heatmap_chart(root, &chart, t).is_ok());
    let what = move || if h.source == HeatSource::Events { p().heat_events } else { p().heat_orders };
    view! {
        <div data-testid="profiles-heat-source" data-source=source>
            <p class="hint">{note}</p>
            <CanvasChart draw=draw width=820 height=340 testid="profiles-heatmap" png="custlens_profile_heatmap.png" title=|t| t.profiles.heat_title/>
            <div class="table-wrap">
                <table class="grid retention compact" data-testid="profiles-heat">
                    <caption>{what}</caption>
                    <thead>
                        <tr>
                            <th scope="col"></th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}

/// A CSV download button of one of the profile tables.
fn csv_button(what: AnalysisFile, label: fn(&ProfileTexts) -> &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <button
            class="button small"
            data-testid=format!("export-{}-csv", what.stem())
            on:click=move |_| state.export(Export::Analysis(what, false))
        >
            {move || label(&state.lang.get().texts().profiles)}
            " CSV"
        </button>
    }
}

#[component]
fn ProfilesResult(r: CustomerProfile) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let p = move || -> &'static ProfileTexts { &t().profiles };
    let summary = {
        let (customers, in_crm, buyers) = (r.customers, r.in_crm, r.buyers);
        move || {
            p().summary
                .replace("{customers}", &format::int(customers))
                .replace("{in_crm}", &format::int(in_crm))
                .replace("{buyers}", &format::int(buyers))
        }
    };
    let as_of =
        r.as_of.clone().map(|day| view! { <p class="hint">{move || p().ages_as_of.replace("{as_of}", &day)}</p> });
    let left_out = (r.rows_without_customer > 0).then(|| {
        let n = r.rows_without_customer;
        view! { <p class="hint">{move || p().rows_without_customer.replace("{n}", &format::int(n))}</p> }
    });
    // The dimension shown, chosen among those counted.
    let shown = RwSignal::new(r.dimensions.first().map(|d| d.dimension));
    let dims = r.dimensions.clone();
    let options = dims
        .iter()
        .map(|d| {
            let dim = d.dimension;
            view! { <option value=dim.key() selected=move || shown.get() == Some(dim)>{move || p().dimension(dim)}</option> }
        })
        .collect_view();
    let dimension = move || {
        let d = shown.get().and_then(|k| dims.iter().find(|d| d.dimension == k).cloned())?;
        Some(dimension_view(d))
    };
    // The measure whose histogram is shown.
    let measure = RwSignal::new(Measure::OrderValue);
    let numbers = r.numbers.clone();
    let measure_options = Measure::ALL
        .into_iter()
        .map(|m| view! { <option value=m.key() selected=move || measure.get() == m>{move || p().measure(m)}</option> })
        .collect_view();
    let histogram = move || {
        let m = numbers.iter().find(|x| x.measure == measure.get())?.clone();
        m.summary.as_ref()?;
        let draw: Draw = Rc::new(move |root, t| profile_histogram_chart(root, &m, t).is_ok());
        Some(
            view! { <CanvasChart draw=draw width=760 height=380 testid="profiles-histogram" png="custlens_profile_histogram.png" title=|t| t.profiles.histogram_chart_title/> },
        )
    };
    let aov = r.number(Measure::OrderValue).map(|s| s.mean);
    let heat = r.heat.clone();
    view! {
        <div
            class="analysis-result"
            data-testid="profiles-result"
            data-customers=r.customers.to_string()
            data-in-crm=r.in_crm.to_string()
            data-buyers=r.buyers.to_string()
            data-as-of=r.as_of.clone().unwrap_or_default()
            data-dimensions=r.dimensions.len().to_string()
        >
            <p class="hint">{summary}</p>
            {as_of}
            {left_out}
            <div class="cards">
                {stat(move || p().aov.to_string(), aov.map_or_else(|| "—".to_string(), |x| format::float(x, 2)), raw(aov), "profiles-aov".into())}
            </div>
            <h3>{move || p().dimension_title}</h3>
            <div class="controls">
                <label>
                    {move || p().show_dimension}
                    <select
                        data-testid="profiles-dimension"
                        on:change=move |ev| shown.set(Dimension::from_key(&event_target::<HtmlSelectElement>(&ev).value()))
                    >
                        {options}
                    </select>
                </label>
            </div>
            {dimension}
            <h3>{move || p().numbers_title}</h3>
            {numbers_view(&r.numbers)}
            <div class="controls">
                <label>
                    {move || p().show_measure}
                    <select
                        data-testid="profiles-measure"
                        on:change=move |ev| {
                            let key = event_target::<HtmlSelectElement>(&ev).value();
                            if let Some(m) = Measure::ALL.into_iter().find(|m| m.key() == key) {
                                measure.set(m);
                            }
                        }
                    >
                        {measure_options}
                    </select>
                </label>
            </div>
            {histogram}
            <h3>{move || p().heat_title}</h3>
            {match heat {
                Some(h) => heat_view(h).into_any(),
                None => view! { <p class="hint" data-testid="profiles-heat-none">{move || p().heat_none}</p> }.into_any(),
            }}
            <p class="downloads">
                {super::downloads(AnalysisFile::Profiles, true)}
                {csv_button(AnalysisFile::ProfileNumbers, |p| p.download_numbers)}
                {csv_button(AnalysisFile::ProfileHistograms, |p| p.download_histograms)}
                {csv_button(AnalysisFile::ProfileHeatmap, |p| p.download_heatmap)}
            </p>
        </div>
    }
}
