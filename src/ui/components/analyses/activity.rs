//! Activity: thresholds editable; customers active, regular, silent and
//! churned (counts and shares) and the same at each month's end.
//! A comparison of its metrics over time (M24) sits beneath it.

use super::compare::InlineCompare;
use super::{date_input, downloads, error_view, number_input, stat};
use crate::engine::analyze::activity::{Activity, ActivityParams, ClassCounts};
use crate::engine::date::Day;
use crate::engine::report::chart::activity_chart;
use crate::i18n::Texts;
use crate::protocol::{Analysis, AnalysisFile, CompareScope};
use crate::ui::components::chart::{CanvasChart, Draw};
use crate::ui::format;
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::rc::Rc;

type Class = (&'static str, fn(&Texts) -> &'static str, fn(&ClassCounts) -> u64);

/// The classes: key, name, count.
const CLASSES: [Class; 4] = [
    ("active", |t| t.class_active, |c| c.active),
    ("regular", |t| t.class_regular, |c| c.regular),
    ("silent", |t| t.class_silent, |c| c.silent),
    ("churned", |t| t.class_churned, |c| c.churned),
];

/// Parameters, run button and result.
#[component]
pub fn ActivityPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let d = ActivityParams::default();
    let per_week = RwSignal::new(d.active_visits_per_week);
    let per_month = RwSignal::new(d.silent_visits_per_month);
    let churn_days = RwSignal::new(d.churn_days);
    let as_of = RwSignal::new(None::<Day>);
    let run = move |_| {
        let params = ActivityParams {
            as_of: as_of.get_untracked(),
            active_visits_per_week: per_week.get_untracked(),
            silent_visits_per_month: per_month.get_untracked(),
            churn_days: churn_days.get_untracked(),
            ..ActivityParams::default()
        };
        state.run_analysis(Analysis::Activity, &params, state.analyses.activity);
    };
    view! {
        <div class="controls">
            {number_input(|t| t.active_per_week, per_week, "active-per-week", "any")}
            {number_input(|t| t.silent_per_month, per_month, "silent-per-month", "any")}
            {number_input(|t| t.churn_days, churn_days, "churn-days", "1")}
            {date_input(|t| t.as_of, as_of, "activity-as-of")}
            <button class="button primary" data-testid="run-activity" on:click=run>{move || t().run_analysis}</button>
        </div>
        {move || {
            state.analyses.activity.get().map(|o| match o {
                Ok(a) => view! { <ActivityResult a=a/> }.into_any(),
                Err(e) => error_view(e, "activity-error").into_any(),
            })
        }}
        <InlineCompare scope=CompareScope::Activity/>
    }
}

#[component]
fn ActivityResult(a: Activity) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let c = a.counts;
    let shares = [a.shares.active, a.shares.regular, a.shares.silent, a.shares.churned];
    let cards = CLASSES
        .iter()
        .zip(shares)
        .map(|(&(key, name, count), share)| {
            let n = count(&c);
            view! {
                <div data-class=key data-count=n.to_string() data-share=share.to_string()>
                    {stat(
                        move || name(t()).to_string(),
                        format!("{} · {}", format::int(n), format::pct(share)),
                        n.to_string(),
                        format!("activity-{key}"),
                    )}
                </div>
            }
        })
        .collect_view();
    let head = CLASSES
        .iter()
        .map(|&(_, name, _)| view! { <th scope="col" class="num">{move || name(t())}</th> })
        .collect_view();
    let rows = a
        .trend
        .iter()
        .map(|p| {
            let cells = CLASSES
                .iter()
                .map(|&(key, _, count)| view! { <td class="num" data-class=key>{format::int(count(&p.counts))}</td> })
                .collect_view();
            view! {
                <tr
                    data-month=p.month.clone()
                    data-customers=p.counts.customers.to_string()
                    data-active=p.counts.active.to_string()
                    data-regular=p.counts.regular.to_string()
                    data-silent=p.counts.silent.to_string()
                    data-churned=p.counts.churned.to_string()
                >
                    <th scope="row">{p.month.clone()}</th>
                    <td class="num">{format::int(p.counts.customers)}</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let chart = a.clone();
    let as_of = a.as_of.clone();
    let draw: Draw = Rc::new(move |root, t| activity_chart(root, &chart, t).is_ok());
    view! {
        <div
            class="analysis-result"
            data-testid="activity-result"
            data-as-of=a.as_of.clone()
            data-customers=c.customers.to_string()
            data-active=c.active.to_string()
            data-regular=c.regular.to_string()
            data-silent=c.silent.to_string()
            data-churned=c.churned.to_string()
        >
            <p class="hint">{move || format!("{} {}", t().as_of, as_of)} " · " {move || t().customers} " " {format::int(c.customers)}</p>
            <div class="cards">{cards}</div>
            <CanvasChart draw=draw width=760 height=380 testid="activity-chart" png="custlens_activity.png" title=|t| t.activity_chart_title/>
            <div class="table-wrap short">
                <table class="grid" data-testid="activity-trend">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_month}</th>
                            <th scope="col" class="num">{move || t().customers}</th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="downloads">{downloads(AnalysisFile::Activity, true)}</p>
        </div>
    }
}
