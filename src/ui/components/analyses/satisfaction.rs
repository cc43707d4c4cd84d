//! Satisfaction: CSAT, NPS and CES (and the ticket rating) with their
//! monthly trend; ticket types; the resolution-time histogram and the share
//! resolved within the SLA (editable).
//! A comparison of its metrics over time (M24) sits beneath it.

use super::compare::InlineCompare;
use super::{downloads, error_view, float, number_input, pct, raw, stat};
use crate::engine::analyze::satisfaction::{Resolution, Satisfaction, SatisfactionParams, Scale, ScoreSummary};
use crate::engine::report::chart::{resolution_chart, satisfaction_chart};
use crate::i18n::Texts;
use crate::protocol::{Analysis, AnalysisFile, CompareScope};
use crate::ui::components::chart::{CanvasChart, Draw};
use crate::ui::format;
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::collections::BTreeSet;
use std::rc::Rc;

/// Parameters, run button and result.
#[component]
pub fn SatisfactionPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let sla = RwSignal::new(SatisfactionParams::default().sla_hours);
    let run = move |_| {
        let params = SatisfactionParams { sla_hours: sla.get_untracked(), ..SatisfactionParams::default() };
        state.run_analysis(Analysis::Satisfaction, &params, state.analyses.satisfaction);
    };
    view! {
        <div class="controls">
            {number_input(|t| t.sla_hours, sla, "sla-hours", "any")}
            <button class="button primary" data-testid="run-satisfaction" on:click=run>{move || t().run_analysis}</button>
        </div>
        {move || {
            state.analyses.satisfaction.get().map(|o| match o {
                Ok(s) => view! { <SatisfactionResult s=s/> }.into_any(),
                Err(e) => error_view(e, "satisfaction-error").into_any(),
            })
        }}
        <InlineCompare scope=CompareScope::Satisfaction/>
    }
}

/// A score's figure as shown: CSAT in percent, NPS signed, means with two decimals.
fn figure(scale: Scale, v: Option<f64>) -> String {
    match scale {
        Scale::Csat => pct(v),
        Scale::Nps => {
            v.map_or_else(|| "–".to_string(), |x| format!("{}{}", if x > 0.0 { "+" } else { "" }, format::float(x, 1)))
        }
        Scale::Ces | Scale::Rating => float(v, 2),
    }
}

fn scale_name(t: &Texts, s: Scale) -> &'static str {
    match s {
        Scale::Csat => t.csat,
        Scale::Nps => t.nps,
        Scale::Ces => t.ces,
        Scale::Rating => t.ticket_rating,
    }
}

fn scale_key(s: Scale) -> &'static str {
    match s {
        Scale::Csat => "csat",
        Scale::Nps => "nps",
        Scale::Ces => "ces",
        Scale::Rating => "rating",
    }
}

#[component]
fn SatisfactionResult(s: Satisfaction) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let surveys = s.surveys.clone();
    let scores: Vec<ScoreSummary> = [
        surveys.as_ref().and_then(|x| x.csat.clone()),
        surveys.as_ref().and_then(|x| x.nps.clone()),
        surveys.as_ref().and_then(|x| x.ces.clone()),
        s.tickets.as_ref().and_then(|x| x.satisfaction.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let headline = scores
        .iter()
        .map(|sc| {
            let (scale, answers) = (sc.scale, sc.answers);
            let label =
                move || format!("{} · {}", scale_name(t(), scale), t().answers.replace("{n}", &format::int(answers)));
            let testid = format!("sat-{}", scale_key(scale));
            view! {
                <div data-answers=answers.to_string() data-scale=scale_key(scale)>
                    {stat(label, figure(scale, sc.value), raw(sc.value), testid)}
                </div>
            }
        })
        .collect_view();
    let months: BTreeSet<String> = scores.iter().flat_map(|s| s.trend.iter().map(|m| m.month.clone())).collect();
    let trend_head = scores
        .iter()
        .map(|sc| {
            let scale = sc.scale;
            view! { <th scope="col" class="num">{move || scale_name(t(), scale)}</th> }
        })
        .collect_view();
    let trend_rows = months
        .iter()
        .map(|m| {
            let cells = scores
                .iter()
                .map(|sc| {
                    let point = sc.trend.iter().find(|x| &x.month == m);
                    let v = point.and_then(|x| x.value);
                    view! {
                        <td
                            class="num"
                            data-scale=scale_key(sc.scale)
                            data-value=raw(v)
                            data-answers=point.map(|x| x.answers.to_string()).unwrap_or_default()
                        >
                            {figure(sc.scale, v)}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-month=m.clone()>
                    <th scope="row">{m.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let chart = s.clone();
    let draw: Draw = Rc::new(move |root, t| satisfaction_chart(root, &chart, t).is_ok());
    let has_trend = !months.is_empty();
    let tickets = s.tickets.clone();
    let sla_attr =
        tickets.as_ref().and_then(|t| t.resolution.as_ref()).map(|r| r.sla_hours.to_string()).unwrap_or_default();
    view! {
        <div
            class="analysis-result"
            data-testid="satisfaction-result"
            data-sla=sla_attr
        >
            <div class="cards">{headline}</div>
            {has_trend
                .then(|| {
                    view! {
                        <h3>{move || t().sat_trend_title}</h3>
                        <CanvasChart draw=draw width=760 height=360 testid="satisfaction-chart" png="custlens_satisfaction.png" title=|t| t.sat_trend_title/>
                        <div class="table-wrap short">
                            <table class="grid" data-testid="satisfaction-trend">
                                <thead>
                                    <tr>
                                        <th scope="col">{move || t().col_month}</th>
                                        {trend_head}
                                    </tr>
                                </thead>
                                <tbody>{trend_rows}</tbody>
                            </table>
                        </div>
                        <p class="downloads">{downloads(AnalysisFile::Satisfaction, true)}</p>
                    }
                })}
            {tickets.map(|k| {
                let types = k
                    .types
                    .iter()
                    .map(|v| {
                        view! {
                            <tr data-type=v.value.clone() data-count=v.count.to_string() data-share=v.share.to_string()>
                                <th scope="row">{v.value.clone()}</th>
                                <td class="num">{format::int(v.count)}</td>
                                <td class="num">{format::pct(v.share)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <h3>{move || t().ticket_types_title}</h3>
                    <div class="table-wrap short">
                        <table class="grid" data-testid="ticket-types" data-blank=k.blank_type.to_string()>
                            <thead>
                                <tr>
                                    <th scope="col">{move || t().col_ticket_type}</th>
                                    <th scope="col" class="num">{move || t().col_tickets}</th>
                                    <th scope="col" class="num">{move || t().col_share}</th>
                                </tr>
                            </thead>
                            <tbody>{types}</tbody>
                        </table>
                    </div>
                    <p class="downloads">{downloads(AnalysisFile::TicketTypes, true)}</p>
                    {k.resolution.map(|r| view! { <ResolutionView r=r/> })}
                }
            })}
        </div>
    }
}

#[component]
fn ResolutionView(r: Resolution) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let stats = {
        let r = r.clone();
        move || {
            t().resolution_stats
                .replace("{n}", &format::int(r.count))
                .replace("{mean}", &float(r.mean, 1))
                .replace("{median}", &float(r.median, 1))
                .replace("{p90}", &float(r.p90, 1))
        }
    };
    let bins = r
        .histogram
        .iter()
        .map(|b| {
            view! {
                <tr data-bin=b.label.clone() data-count=b.count.to_string()>
                    <th scope="row">{b.label.clone()}</th>
                    <td class="num">{format::int(b.count)}</td>
                </tr>
            }
        })
        .collect_view();
    let sla = r.sla_hours;
    let chart = r.clone();
    let draw: Draw = Rc::new(move |root, t| resolution_chart(root, &chart, t).is_ok());
    view! {
        <h3>{move || t().resolution_title}</h3>
        <div
            data-testid="resolution"
            data-count=r.count.to_string()
            data-mean=raw(r.mean)
            data-median=raw(r.median)
            data-p90=raw(r.p90)
            data-within-sla=r.within_sla.to_string()
            data-within-sla-share=raw(r.within_sla_share)
        >
            <p class="hint" data-testid="resolution-stats">{stats}</p>
            <div class="cards">
                {stat(
                    move || format!("{} (≤ {} {})", t().within_sla, format::float(sla, 1), t().hours_short),
                    pct(r.within_sla_share),
                    raw(r.within_sla_share),
                    "sat-within-sla".into(),
                )}
            </div>
            <CanvasChart draw=draw width=760 height=360 testid="resolution-chart" png="custlens_resolution.png" title=|t| t.resolution_title/>
            <table class="grid narrow" data-testid="resolution-bins">
                <thead>
                    <tr>
                        <th scope="col">{move || t().resolution_chart_x}</th>
                        <th scope="col" class="num">{move || t().col_tickets}</th>
                    </tr>
                </thead>
                <tbody>{bins}</tbody>
            </table>
        </div>
    }
}
