//! Cohorts and retention: the period and periods followed; the retention
//! matrix as a heat map, repurchase figures and the monthly churn trend.
//! A comparison of its metrics over time (M24) sits beneath it.

use super::compare::InlineCompare;
use super::members::MemberList;
use super::{downloads, error_view, float, heat, number_input, pct, raw, stat};
use crate::engine::analyze::cohort::{CohortParams, Cohorts};
use crate::engine::analyze::members::MemberSource;
use crate::engine::analyze::period::Period;
use crate::engine::report::chart::churn_chart;
use crate::protocol::{Analysis, AnalysisFile, CompareScope};
use crate::ui::components::chart::{CanvasChart, Draw};
use crate::ui::format;
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::rc::Rc;
use web_sys::HtmlSelectElement;

/// Parameters, run button and result.
#[component]
pub fn CohortsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let defaults = CohortParams::default();
    let period = RwSignal::new(defaults.period);
    let max_periods = RwSignal::new(defaults.max_periods);
    let run = move |_| {
        let params = CohortParams { period: period.get_untracked(), max_periods: max_periods.get_untracked() };
        state.run_analysis(Analysis::Cohorts, &params, state.analyses.cohorts);
    };
    let option = move |p: Period, label: fn(&crate::i18n::Texts) -> &'static str| {
        view! { <option value=p.key() selected=move || period.get() == p>{move || label(t())}</option> }
    };
    view! {
        <div class="controls">
            <label>
                {move || t().cohort_period}
                <select
                    data-testid="cohort-period"
                    on:change=move |ev| {
                        let sel: HtmlSelectElement = event_target(&ev);
                        if let Some(p) = Period::from_key(&sel.value()) {
                            period.set(p);
                        }
                    }
                >
                    {option(Period::Month, |t| t.period_month)}
                    {option(Period::Week, |t| t.period_week)}
                </select>
            </label>
            {number_input(|t| t.cohort_max_periods, max_periods, "cohort-max-periods", "1")}
            <button class="button primary" data-testid="run-cohorts" on:click=run>{move || t().run_analysis}</button>
        </div>
        {move || {
            state.analyses.cohorts.get().map(|o| match o {
                Ok(c) => view! { <CohortsResult c=c/> }.into_any(),
                Err(e) => error_view(e, "cohorts-error").into_any(),
            })
        }}
        <InlineCompare scope=CompareScope::Cohorts/>
    }
}

#[component]
fn CohortsResult(c: Cohorts) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let r = c.repurchase.clone();
    let rows_note = {
        let (rows_in, used) = (c.rows_in, c.rows_used);
        move || {
            t().analysis_rows
                .replace("{in}", &format::int(rows_in))
                .replace("{used}", &format::int(used))
                .replace("{out}", &format::int(rows_in - used))
        }
    };
    let head = (0..=c.max_periods).map(|k| view! { <th scope="col" class="num">{format!("+{k}")}</th> }).collect_view();
    // A cell of a cohort lists its customers when clicked (`at`: the cohort's position and period).
    let cells = move |values: &[Option<f64>], counts: Option<&[Option<u64>]>, at: Option<(u32, String)>| {
        values
            .iter()
            .enumerate()
            .map(|(k, x)| {
                let n = counts.and_then(|c| c[k]).map(|n| n.to_string()).unwrap_or_default();
                let text = x.map(format::pct).unwrap_or_default();
                let shown = match (&at, x) {
                    (Some((i, label)), Some(_)) => {
                        let (i, label, offset) = (*i, label.clone(), k as u32);
                        let click = move |_| {
                            let title = t()
                                .drill_text("what_cohort")
                                .replace("{cohort}", &label)
                                .replace("{offset}", &offset.to_string());
                            state.show_members(MemberSource::Cohort { cohort: i, offset }, title);
                        };
                        view! { <button class="cell-button" data-testid="cohort-cell" on:click=click>{text}</button> }
                            .into_any()
                    }
                    _ => text.into_any(),
                };
                view! {
                    <td class="num heat" style=heat(*x) data-k=k.to_string() data-retention=raw(*x) data-retained=n>
                        {shown}
                    </td>
                }
            })
            .collect_view()
    };
    let rows = c
        .cohorts
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (i, label) = (i as u32, row.period.clone());
            let size_click = {
                let label = label.clone();
                move |_| {
                    let title = t().drill_text("what_cohort").replace("{cohort}", &label).replace("{offset}", "0");
                    state.show_members(MemberSource::Cohort { cohort: i, offset: 0 }, title);
                }
            };
            view! {
                <tr data-cohort=row.period.clone() data-customers=row.customers.to_string()>
                    <th scope="row">{row.period.clone()}</th>
                    <td class="num">
                        <button class="cell-button" data-testid="cohort-size" on:click=size_click>{format::int(row.customers)}</button>
                    </td>
                    {cells(&row.retention, Some(&row.retained), Some((i, label)))}
                </tr>
            }
        })
        .collect_view();
    let churn = c
        .churn_trend
        .iter()
        .map(|m| {
            view! {
                <tr
                    data-month=m.month.clone()
                    data-active-before=m.active_before.to_string()
                    data-churned=m.churned.to_string()
                    data-rate=raw(m.rate)
                >
                    <th scope="row">{m.month.clone()}</th>
                    <td class="num">{format::int(m.active_before)}</td>
                    <td class="num">{format::int(m.churned)}</td>
                    <td class="num">{pct(m.rate)}</td>
                </tr>
            }
        })
        .collect_view();
    let chart = c.clone();
    let draw: Draw = Rc::new(move |root, t| churn_chart(root, &chart, t).is_ok());
    view! {
        <div
            class="analysis-result"
            data-testid="cohorts-result"
            data-period=c.period.key()
            data-max-periods=c.max_periods.to_string()
            data-customers=c.customers.to_string()
            data-rows-used=c.rows_used.to_string()
            data-cohorts=c.cohorts.len().to_string()
        >
            <p class="hint">{rows_note}</p>
            <div class="cards">
                {stat(move || t().customers.to_string(), format::int(c.customers), c.customers.to_string(), "cohorts-customers".into())}
                {stat(move || t().repurchase_rate.to_string(), format::pct(r.rate), r.rate.to_string(), "cohorts-repurchase-rate".into())}
                {stat(
                    move || t().median_interval.to_string(),
                    float(r.median_interval_days, 1),
                    raw(r.median_interval_days),
                    "cohorts-median-interval".into(),
                )}
                {stat(
                    move || t().mean_interval.to_string(),
                    float(r.mean_interval_days, 1),
                    raw(r.mean_interval_days),
                    "cohorts-mean-interval".into(),
                )}
            </div>
            <h3>{move || t().retention_title}</h3>
            <div class="table-wrap short">
                <table class="grid retention" data-testid="retention-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().cohort_col}</th>
                            <th scope="col" class="num">{move || t().customers}</th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>
                        {rows}
                        <tr class="total-row" data-cohort="average" data-customers=c.customers.to_string()>
                            <th scope="row">{move || t().average}</th>
                            <td class="num">{format::int(c.customers)}</td>
                            {cells(&c.average_retention, None, None)}
                        </tr>
                    </tbody>
                </table>
            </div>
            <p class="hint">{move || t().drill_text("list_hint")}</p>
            <MemberList here=|of| matches!(of, MemberSource::Cohort { .. })/>
            <p class="downloads">{downloads(AnalysisFile::Cohorts, true)}</p>
            <h3>{move || t().churn_title}</h3>
            <CanvasChart draw=draw width=760 height=360 testid="churn-chart" png="custlens_churn.png" title=|t| t.churn_title/>
            <div class="table-wrap short">
                <table class="grid" data-testid="churn-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_month}</th>
                            <th scope="col" class="num">{move || t().col_active_before}</th>
                            <th scope="col" class="num">{move || t().col_churned}</th>
                            <th scope="col" class="num">{move || t().col_rate}</th>
                        </tr>
                    </thead>
                    <tbody>{churn}</tbody>
                </table>
            </div>
        </div>
    }
}
