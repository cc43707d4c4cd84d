//! The funnel: steps chosen from the event types present (default 浏览,
//! 加购, 下单, 支付 when present), window and order; customers per step,
//! conversion, drop-off, time between steps, and who dropped where (masked),
//! all of them downloadable.

use super::members::MemberList;
use super::{downloads, error_view, number_input, pct, raw};
use crate::engine::analyze::distribution::ValueCount;
use crate::engine::analyze::funnel::{Funnel, FunnelParams, StepOrder};
use crate::engine::analyze::members::MemberSource;
use crate::engine::report::chart::funnel_chart;
use crate::i18n::Texts;
use crate::protocol::{Analysis, AnalysisFile};
use crate::ui::components::chart::{CanvasChart, Draw};
use crate::ui::format;
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};

/// The default steps that occur in the file, in order; else the most frequent types.
fn default_steps(types: &[ValueCount]) -> Vec<String> {
    let present: Vec<String> =
        FunnelParams::default().steps.into_iter().filter(|s| types.iter().any(|v| &v.value == s)).collect();
    if present.len() >= 2 {
        present
    } else {
        types.iter().take(4).map(|v| v.value.clone()).collect()
    }
}

fn order_key(o: StepOrder) -> &'static str {
    match o {
        StepOrder::Strict => "strict",
        StepOrder::Loose => "loose",
    }
}

/// `secs` as seconds, minutes or hours.
fn duration(secs: Option<f64>, t: &Texts) -> String {
    match secs {
        None => "–".to_string(),
        Some(s) if s.abs() < 60.0 => format!("{} {}", format::float(s, 0), t.seconds_short),
        Some(s) if s.abs() < 3600.0 => format!("{} {}", format::float(s / 60.0, 1), t.minutes_short),
        Some(s) => format!("{} {}", format::float(s / 3600.0, 1), t.hours_short),
    }
}

/// Parameters, run button and result.
#[component]
pub fn FunnelPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let defaults = FunnelParams::default();
    let steps = RwSignal::new(String::new());
    let edited = RwSignal::new(false);
    let window = RwSignal::new(defaults.window_days);
    let order = RwSignal::new(defaults.order);
    Effect::new(move |_| {
        let types = state.analyses.event_types.get();
        if !edited.get_untracked() {
            steps.set(default_steps(&types).join(","));
        }
    });
    let run = move |_| {
        let params = FunnelParams {
            steps: steps.get_untracked().split([',', '，']).map(|s| s.trim().to_string()).collect(),
            window_days: window.get_untracked(),
            order: order.get_untracked(),
            ..FunnelParams::default()
        };
        state.run_analysis(Analysis::Funnel, &params, state.analyses.funnel);
    };
    let chips = move || {
        state
            .analyses
            .event_types
            .get()
            .into_iter()
            .map(|v| {
                let name = v.value.clone();
                view! {
                    <button
                        class="button small chip"
                        data-testid="funnel-type"
                        data-type=name.clone()
                        on:click=move |_| {
                            edited.set(true);
                            steps.update(|s| {
                                if !s.trim().is_empty() {
                                    s.push(',');
                                }
                                s.push_str(&name);
                            });
                        }
                    >
                        {format!("{} ({})", v.value, format::int(v.count))}
                    </button>
                }
            })
            .collect_view()
    };
    let order_option = move |o: StepOrder, label: fn(&Texts) -> &'static str| {
        view! { <option value=order_key(o) selected=move || order.get() == o>{move || label(t())}</option> }
    };
    view! {
        <div class="controls">
            <label class="wide">
                {move || t().funnel_steps}
                <input
                    type="text"
                    data-testid="funnel-steps"
                    prop:value=move || steps.get()
                    on:change=move |ev| {
                        let input: HtmlInputElement = event_target(&ev);
                        edited.set(true);
                        steps.set(input.value());
                    }
                />
            </label>
            {number_input(|t| t.window_days, window, "funnel-window", "1")}
            <label>
                {move || t().order_label}
                <select
                    data-testid="funnel-order"
                    on:change=move |ev| {
                        let sel: HtmlSelectElement = event_target(&ev);
                        order.set(if sel.value() == "loose" { StepOrder::Loose } else { StepOrder::Strict });
                    }
                >
                    {order_option(StepOrder::Strict, |t| t.order_strict)}
                    {order_option(StepOrder::Loose, |t| t.order_loose)}
                </select>
            </label>
            <button class="button primary" data-testid="run-funnel" on:click=run>{move || t().run_analysis}</button>
        </div>
        <p class="chips">
            <span class="hint">{move || t().funnel_types}</span>
            {chips}
        </p>
        {move || {
            state.analyses.funnel.get().map(|o| match o {
                Ok(f) => view! { <FunnelResult f=f/> }.into_any(),
                Err(e) => error_view(e, "funnel-error").into_any(),
            })
        }}
    }
}

#[component]
fn FunnelResult(f: Funnel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let rows = f
        .steps
        .iter()
        .map(|s| {
            let secs = s.median_seconds_from_previous;
            view! {
                <tr
                    data-step=s.step.clone()
                    data-customers=s.customers.to_string()
                    data-conv-prev=raw(s.conversion_from_previous)
                    data-conv-start=raw(s.conversion_from_start)
                    data-drop=s.drop_off.to_string()
                    data-drop-rate=raw(s.drop_off_rate)
                    data-median-seconds=raw(secs)
                    data-dropped=s.dropped.count.to_string()
                >
                    <th scope="row">{s.step.clone()}</th>
                    <td class="num">{format::int(s.customers)}</td>
                    <td class="num">{pct(s.conversion_from_previous)}</td>
                    <td class="num">{pct(s.conversion_from_start)}</td>
                    <td class="num">{format::int(s.drop_off)}</td>
                    <td class="num">{pct(s.drop_off_rate)}</td>
                    <td class="num">{move || duration(secs, t())}</td>
                </tr>
            }
        })
        .collect_view();
    let dropped = f
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.dropped.count > 0)
        .map(|(k, s)| {
            let step = s.step.clone();
            let open = move |_| {
                let title = t().drill_text("what_funnel").replace("{step}", &step);
                state.show_members(MemberSource::FunnelDropped { step: k as u32 }, title);
            };
            let (n, shown) = (s.dropped.count, s.dropped.ids.len() as u64);
            let summary =
                move || t().dropped_shown.replace("{n}", &format::int(n)).replace("{shown}", &format::int(shown));
            let ids = s.dropped.ids.iter().map(|id| view! { <li class="value">{id.clone()}</li> }).collect_view();
            view! {
                <details data-testid="dropped" data-step=s.step.clone() data-count=n.to_string()>
                    <summary>{format!("{} · ", s.step)} {summary}</summary>
                    <ul class="id-list">{ids}</ul>
                    <button class="button small" data-testid="dropped-list" on:click=open>
                        {move || t().drill_text("list_open")}
                    </button>
                </details>
            }
        })
        .collect_view();
    let chart = f.clone();
    let draw: Draw = Rc::new(move |root, t| funnel_chart(root, &chart, t).is_ok());
    let col = |label: fn(&Texts) -> &'static str| view! { <th scope="col" class="num">{move || label(t())}</th> };
    view! {
        <div
            class="analysis-result"
            data-testid="funnel-result"
            data-window=f.window_days.to_string()
            data-order=order_key(f.order)
            data-step-events=f.step_events.to_string()
            data-entered=f.steps.first().map(|s| s.customers).unwrap_or(0).to_string()
        >
            <CanvasChart draw=draw width=760 height=360 testid="funnel-chart" png="custlens_funnel.png" title=|t| t.funnel_chart_title/>
            <div class="table-wrap">
                <table class="grid" data-testid="funnel-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_step}</th>
                            {col(|t| t.customers)}
                            {col(|t| t.col_conv_prev)}
                            {col(|t| t.col_conv_start)}
                            {col(|t| t.col_drop)}
                            {col(|t| t.col_drop_rate)}
                            {col(|t| t.col_median_time)}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="downloads">{downloads(AnalysisFile::Funnel, true)}</p>
            <h3>{move || t().dropped_title}</h3>
            {dropped}
            <MemberList here=|of| matches!(of, MemberSource::FunnelDropped { .. })/>
            <p class="downloads">
                <button
                    class="button small"
                    data-testid="export-funnel-dropped"
                    on:click=move |_| state.export(crate::ui::job::Export::Analysis(AnalysisFile::FunnelDropped, false))
                >
                    {move || t().export_dropped}
                </button>
            </p>
        </div>
    }
}
