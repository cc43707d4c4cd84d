//! Channels and attribution (M18): the lookback window and the model whose
//! revenue the channel table shows are editable; the figures per channel
//! (uv, clicks, orders, rates, cost, revenue, ROI, new customers, CAC) with a
//! revenue/cost chart, and the orders credited to each channel under every
//! attribution model with a chart; both tables downloadable as the CLI
//! writes them.
//! A comparison of its metrics over time (M24) sits beneath it.

use super::compare::InlineCompare;
use super::{downloads, error_view, number_input, raw};
use crate::engine::analyze::channels::{
    AcquisitionSource, Attribution, AttributionModel, ChannelMetrics, ChannelParams, ChannelReport, RevenueSource,
    RowsRead,
};
use crate::engine::money::Money;
use crate::engine::report::chart::{attribution_chart, channel_chart};
use crate::i18n::{ChannelTexts, Texts};
use crate::protocol::{Analysis, AnalysisFile, CompareScope};
use crate::ui::components::chart::{CanvasChart, Draw};
use crate::ui::format;
use crate::ui::job::Export;
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::rc::Rc;
use web_sys::HtmlSelectElement;

/// Shown for a figure the analysis does not have.
const NONE: &str = "—";

fn or_none<T>(x: Option<T>, f: impl Fn(T) -> String) -> String {
    x.map_or_else(|| NONE.to_string(), f)
}

/// Money as exact units (ten-thousandths of a yuan) for a `data-*` attribute; empty when none.
fn units(m: Option<Money>) -> String {
    m.map(|m| m.units().to_string()).unwrap_or_default()
}

/// Parameters, run button and result.
#[component]
pub fn ChannelsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let defaults = ChannelParams::default();
    let lookback = RwSignal::new(defaults.lookback_days);
    let model = RwSignal::new(defaults.revenue_model);
    let run = move |_| {
        let params = ChannelParams { lookback_days: lookback.get_untracked(), revenue_model: model.get_untracked() };
        state.run_analysis(Analysis::Channels, &params, state.analyses.channels);
    };
    let options = AttributionModel::ALL
        .into_iter()
        .map(|m| view! { <option value=m.key() selected=move || model.get() == m>{move || t().channels.model(m)}</option> })
        .collect_view();
    view! {
        <div class="controls">
            {number_input(|t| t.channels.lookback_days, lookback, "channels-lookback", "1")}
            <label>
                {move || t().channels.revenue_model}
                <select
                    data-testid="channels-model"
                    on:change=move |ev| {
                        let sel: HtmlSelectElement = event_target(&ev);
                        if let Some(m) = AttributionModel::from_key(&sel.value()) {
                            model.set(m);
                        }
                    }
                >
                    {options}
                </select>
            </label>
            <button class="button primary" data-testid="run-channels" on:click=run>{move || t().run_analysis}</button>
        </div>
        {move || {
            state.analyses.channels.get().map(|o| match o {
                Ok(r) => view! { <ChannelsResult r=r/> }.into_any(),
                Err(e) => error_view(e, "channels-error").into_any(),
            })
        }}
        <InlineCompare scope=CompareScope::Channels/>
    }
}

/// Where revenue and new customers come from, in words.
fn sources_text(r: &ChannelReport, c: &ChannelTexts) -> (String, &'static str) {
    let lookback = r.attribution.as_ref().map_or(0, |a| a.lookback_days);
    let revenue = match r.revenue_source {
        RevenueSource::Attribution { model } => {
            c.revenue_from_attribution.replace("{model}", c.model(model)).replace("{days}", &lookback.to_string())
        }
        RevenueSource::OrdersChannel => c.revenue_from_orders.to_string(),
        RevenueSource::None => c.revenue_from_none.to_string(),
    };
    let acquisition = match r.acquisition_source {
        AcquisitionSource::FirstTouch => c.new_from_first_touch,
        AcquisitionSource::CustomersChannel => c.new_from_customers,
        AcquisitionSource::None => c.new_from_none,
    };
    (revenue, acquisition)
}

/// The revenue source's key for `data-revenue-source`: the model's key, `orders_channel` or `none`.
fn revenue_source_key(s: RevenueSource) -> &'static str {
    match s {
        RevenueSource::Attribution { model } => model.key(),
        RevenueSource::OrdersChannel => "orders_channel",
        RevenueSource::None => "none",
    }
}

/// One line per table read: rows read, used and left out.
fn rows_notes(r: &ChannelReport) -> impl IntoView {
    let state = expect_context::<AppState>();
    let reads: Vec<RowsRead> = r
        .metrics_rows
        .iter()
        .chain(r.attribution.iter().flat_map(|a| [&a.touch_rows, &a.order_rows]))
        .cloned()
        .collect();
    reads
        .into_iter()
        .map(|x| {
            let text = move || {
                state
                    .lang
                    .get()
                    .texts()
                    .channels
                    .rows_note
                    .replace("{file}", &x.file)
                    .replace("{in}", &format::int(x.rows_in))
                    .replace("{used}", &format::int(x.rows_used))
                    .replace("{out}", &format::int(x.rows_in - x.rows_used))
            };
            view! { <li>{text}</li> }
        })
        .collect_view()
}

#[component]
fn ChannelsResult(r: ChannelReport) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let texts = {
        let r = r.clone();
        move || sources_text(&r, &t().channels)
    };
    let revenue_text = {
        let texts = texts.clone();
        move || texts().0
    };
    let chart = r.clone();
    let draw: Draw = Rc::new(move |root, t| channel_chart(root, &chart, t).is_ok());
    let has_channels = !r.channels.is_empty();
    let has_periods = !r.by_period.is_empty();
    let col = move |label: fn(&ChannelTexts) -> &'static str| {
        view! { <th scope="col" class="num">{move || label(&t().channels)}</th> }
    };
    let head = move || {
        view! {
            <tr>
                <th scope="col">{move || t().channels.col_channel}</th>
                {col(|c| c.col_uv)}
                {col(|c| c.col_clicks)}
                {col(|c| c.col_orders)}
                {col(|c| c.col_ctr)}
                {col(|c| c.col_cvr)}
                {col(|c| c.col_cost)}
                {col(|c| c.col_revenue)}
                {col(|c| c.col_roi)}
                {col(|c| c.col_new)}
                {col(|c| c.col_cac)}
            </tr>
        }
    };
    let rows = r.channels.iter().map(metrics_row).collect_view();
    let period_rows = r.by_period.iter().map(metrics_row).collect_view();
    view! {
        <div
            class="analysis-result"
            data-testid="channels-result"
            data-lookback=r.attribution.as_ref().map(|a| a.lookback_days.to_string()).unwrap_or_default()
            data-revenue-source=revenue_source_key(r.revenue_source)
            data-channels=r.channels.len().to_string()
        >
            <p class="hint" data-testid="channels-revenue-source">{revenue_text}</p>
            <p class="hint">{move || texts().1}</p>
            <ul class="hint">{rows_notes(&r)}</ul>
            {has_channels
                .then(|| {
                    view! {
                        <h3>{move || t().channels.table_title}</h3>
                        <div class="table-wrap">
                            <table class="grid channels" data-testid="channels-table">
                                <thead>{head}</thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        <CanvasChart draw=draw width=760 height=380 testid="channels-chart" png="custlens_channels.png" title=|t| t.channels.chart_title/>
                    }
                })}
            {has_periods
                .then(|| {
                    view! {
                        <details data-testid="channels-by-period">
                            <summary>{move || t().channels.by_period_title}</summary>
                            <div class="table-wrap short">
                                <table class="grid">
                                    <thead>{head}</thead>
                                    <tbody>{period_rows}</tbody>
                                </table>
                            </div>
                        </details>
                    }
                })}
            <p class="downloads">{has_channels.then(|| downloads(AnalysisFile::Channels, true))}</p>
            <h3>{move || t().channels.attribution_title}</h3>
            {match r.attribution.clone() {
                Some(a) => view! { <AttributionResult a=a/> }.into_any(),
                None => view! { <p class="hint" data-testid="attribution-none">{move || t().channels.attribution_none}</p> }.into_any(),
            }}
        </div>
    }
}

/// A row of the channel table (a channel's total, or one period of it), raw figures in `data-*`.
fn metrics_row(m: &ChannelMetrics) -> impl IntoView {
    let period = m.period.clone().map(|p| format!(" · {p}")).unwrap_or_default();
    view! {
        <tr
            data-channel=m.channel.clone()
            data-period=m.period.clone().unwrap_or_default()
            data-uv=m.uv.map(|x| x.to_string()).unwrap_or_default()
            data-clicks=m.clicks.map(|x| x.to_string()).unwrap_or_default()
            data-orders=m.orders.map(|x| x.to_string()).unwrap_or_default()
            data-cost=units(m.cost)
            data-click-rate=raw(m.click_rate)
            data-conversion=raw(m.conversion)
            data-uv-conversion=raw(m.uv_conversion)
            data-revenue=units(m.revenue)
            data-roi=raw(m.roi)
            data-new-customers=m.new_customers.map(|x| x.to_string()).unwrap_or_default()
            data-cac=raw(m.cac)
        >
            <th scope="row">{format!("{}{period}", m.channel)}</th>
            <td class="num">{or_none(m.uv, format::int)}</td>
            <td class="num">{or_none(m.clicks, format::int)}</td>
            <td class="num">{or_none(m.orders, format::int)}</td>
            <td class="num">{or_none(m.click_rate, format::pct)}</td>
            <td class="num">{or_none(m.conversion, format::pct)}</td>
            <td class="num">{or_none(m.cost, format::money)}</td>
            <td class="num">{or_none(m.revenue, format::money)}</td>
            <td class="num">{or_none(m.roi, |x| format::float(x, 2))}</td>
            <td class="num">{or_none(m.new_customers, format::int)}</td>
            <td class="num">{or_none(m.cac, |x| format::float(x, 2))}</td>
        </tr>
    }
}

/// The attribution: a summary, channel × model credits and their chart.
#[component]
fn AttributionResult(a: Attribution) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let summary = {
        let (orders, revenue, touched, direct, days) =
            (a.orders, a.revenue, a.orders_touched, a.orders_direct, a.lookback_days);
        move || {
            t().channels
                .attribution_summary
                .replace("{orders}", &format::int(orders))
                .replace("{revenue}", &format::money(revenue))
                .replace("{touched}", &format::int(touched))
                .replace("{direct}", &format::int(direct))
                .replace("{days}", &days.to_string())
        }
    };
    // Channels in the order of the first model's credits (most revenue first, the direct bucket last).
    let channels: Vec<(String, bool)> =
        a.models.first().map(|m| m.credits.iter().map(|c| (c.channel.clone(), c.direct)).collect()).unwrap_or_default();
    let model_heads = a
        .models
        .iter()
        .map(|m| {
            let model = m.model;
            view! { <th scope="colgroup" colspan="3" class="num">{move || t().channels.model(model)}</th> }
        })
        .collect_view();
    let sub = move |label: fn(&ChannelTexts) -> &'static str| {
        view! { <th scope="col" class="num">{move || label(&t().channels)}</th> }
    };
    let sub_heads = a
        .models
        .iter()
        .map(|_| view! { {sub(|c| c.col_orders_credited)} {sub(|c| c.col_revenue_credited)} {sub(|c| c.col_share)} })
        .collect_view();
    let rows = channels
        .iter()
        .map(|(name, direct)| {
            let cells = a
                .models
                .iter()
                .map(|m| {
                    let credit = m.credits.iter().find(|c| &c.channel == name);
                    let (orders, revenue, share) =
                        (credit.map(|c| c.orders), credit.map(|c| c.revenue), credit.and_then(|c| c.revenue_share));
                    let cell = |col: &'static str, shown: String| {
                        view! {
                            <td
                                class="num"
                                data-model=m.model.key()
                                data-col=col
                                data-orders=raw(orders)
                                data-revenue=units(revenue)
                                data-share=raw(share)
                            >
                                {shown}
                            </td>
                        }
                    };
                    view! {
                        {cell("orders", or_none(orders, |x| format::float(x, 2)))}
                        {cell("revenue", or_none(revenue, format::money))}
                        {cell("share", or_none(share, format::pct))}
                    }
                })
                .collect_view();
            let direct = *direct;
            let label = {
                let name = name.clone();
                move || if direct { t().channels.direct.to_string() } else { name.clone() }
            };
            view! {
                <tr data-channel=name.clone() data-direct=direct.to_string()>
                    <th scope="row">{label}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let chart = a.clone();
    let draw: Draw = Rc::new(move |root, t: &Texts| attribution_chart(root, &chart, t).is_ok());
    view! {
        <div
            data-testid="attribution"
            data-orders=a.orders.to_string()
            data-revenue=a.revenue.units().to_string()
            data-touched=a.orders_touched.to_string()
            data-direct=a.orders_direct.to_string()
        >
            <p class="hint">{summary}</p>
            <div class="table-wrap">
                <table class="grid channels" data-testid="attribution-table">
                    <thead>
                        <tr>
                            <th scope="col" rowspan="2">{move || t().channels.col_channel}</th>
                            {model_heads}
                        </tr>
                        <tr>{sub_heads}</tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <CanvasChart
                draw=draw
                width=760
                height=380
                testid="attribution-chart"
                png="custlens_attribution.png"
                title=|t| t.channels.attribution_chart_title
            />
            <p class="downloads">
                <button
                    class="button small"
                    data-testid="export-custlens_attribution-csv"
                    on:click=move |_| state.export(Export::Analysis(AnalysisFile::Attribution, false))
                >
                    {move || t().channels.download_attribution}
                </button>
            </p>
        </div>
    }
}
