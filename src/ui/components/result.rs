//! Step 3: the RFM result — totals, parameters, the segment table, the chart,
//! the score breakpoints, exports and the rows set aside.

use super::chart::SegmentChart;
use super::rejects::RejectsPanel;
use super::rfm_plus::{MigrationPanel, RfHeat, RfmEditor};
use crate::engine::analyze::rfm::RfmParams;
use crate::engine::analyze::segment::{SegmentLabel, SegmentPreset};
use crate::engine::date::Day;
use crate::engine::ingest::fields::SourceKind;
use crate::protocol::RfmView;
use crate::ui::format;
use crate::ui::job::Export;
use crate::ui::state::AppState;
use leptos::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

/// The result card (shown once a result exists).
#[component]
pub fn ResultPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let r = state.result.get()?;
        if !state.may_analyse(&[SourceKind::Orders]) {
            return Some(
                view! { <section class="card" data-testid="rfm-hidden">{super::not_for_role()}</section> }.into_any(),
            );
        }
        Some(view! { <ResultView r=r/> }.into_any())
    }
}

/// One result, rendered.
#[component]
fn ResultView(
    /// The result to show.
    r: RfmView,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let totals = r.totals;
    let cents = totals.revenue.units() / 100;
    let preset = r.params.preset;
    let on_preset = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        if let Some(p) = SegmentPreset::from_key(&sel.value()) {
            state.rescore(RfmParams { preset: p, rules: None, ..state.params.get_untracked() });
        }
    };
    let on_snapshot = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Ok(day) = Day::parse_iso(&input.value()) {
            state.rescore(RfmParams { snapshot: Some(day), ..state.params.get_untracked() });
        }
    };
    let segments = r.segments.clone();
    let scaled = r.params.scale100.is_some();
    let user_rules = r.params.rules.is_some();
    let actions = state.rfm.actions;
    let rows = move || {
        let t = t();
        segments
            .iter()
            .map(|s| {
                let (name, rule) = match &s.segment {
                    SegmentLabel::Builtin(b) => (t.segment(*b).name.to_string(), t.segment(*b).rule),
                    SegmentLabel::Named(n) => (n.clone(), ""),
                };
                let default_action = t.segment_action(s).to_string();
                let key = s.segment.key().to_string();
                let action = {
                    let (key, default_action) = (key.clone(), default_action.clone());
                    move || actions.with(|a| a.get(&key).cloned()).unwrap_or_else(|| default_action.clone())
                };
                let on_action = {
                    let key = key.clone();
                    move |ev: leptos::ev::Event| {
                        let text = event_target_value(&ev);
                        actions.update(|a| {
                            a.insert(key.clone(), text);
                        });
                    }
                };
                let score100 = s.mean_score100.map(|x| format::float(x, 1)).unwrap_or_else(|| "—".into());
                let raw100 = s.mean_score100.map(|x| x.to_string()).unwrap_or_default();
                view! {
                    <tr data-segment=s.segment.key().to_string()>
                        <th scope="row">{name}<div class="rule">{rule}</div></th>
                        <td class="num" data-col="customers">{format::int(s.customers)}</td>
                        <td class="num" data-col="customer_share">{format::pct(s.customer_share)}</td>
                        <td class="num" data-col="revenue">{format::money(s.revenue)}</td>
                        <td class="num" data-col="revenue_share">{format::pct(s.revenue_share)}</td>
                        <td class="num">{format::float(s.mean_recency, 0)}</td>
                        <td class="num">{format::float(s.mean_frequency, 1)}</td>
                        <td class="num">{format::float(s.mean_monetary, 0)}</td>
                        <td class="num" data-col="score100" data-value=raw100 hidden=!scaled>{score100}</td>
                        <td class="action">
                            <textarea rows="2" data-testid="segment-action" aria-label=t.action prop:value=action on:change=on_action></textarea>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let b = r.breaks;
    let bp = |v: [f64; 4], d: usize| v.map(|x| format::float(x, d)).join(" · ");
    let (br, bf, bm) = (bp(b.recency, 1), bp(b.frequency, 1), bp(b.monetary, 2));
    let segs_for_chart = r.segments.clone();
    let account = r.account.clone();
    let view_r = r.clone();
    let editor_r = r.clone();
    let rf = r.rf.clone();
    view! {
        <section
            class="card result"
            aria-labelledby="result-h"
            data-testid="rfm-result"
            data-done=""
            data-customers=totals.customers.to_string()
            data-orders=totals.orders.to_string()
            data-rows=totals.rows.to_string()
            data-cents=cents.to_string()
            data-maxdate=totals.last_day.to_string()
            data-snapshot=r.snapshot.to_string()
            data-read-ms=ms_list(&r.timings.read_ms)
            data-encode-ms=ms_list(&r.timings.encode_ms)
            data-io-ms=ms_list(&r.timings.io_ms)
            data-decode-ms=format!("{:.0}", r.timings.decode_ms)
            data-merge-ms=format!("{:.0}", r.timings.merge_ms)
            data-score-ms=format!("{:.0}", r.timings.score_ms)
            data-wall-ms=ms_list(&r.timings.wall_ms)
        >
            <h2 id="result-h">{move || t().step_result}</h2>
            <div class="cards">
                <Stat label=Signal::derive(move || t().customers) value=format::int(totals.customers) id="total-customers"/>
                <Stat label=Signal::derive(move || t().orders) value=format::int(totals.orders) id="total-orders"/>
                <Stat label=Signal::derive(move || t().revenue) value=format::money(totals.revenue) id="total-revenue"/>
                <Stat label=Signal::derive(move || t().period) value=format!("{} – {}", totals.first_day, totals.last_day) id="period"/>
                <Stat label=Signal::derive(move || t().rows_used) value=format::int(account.rows_used) id="rows-used"/>
                <Stat label=Signal::derive(move || t().rows_set_aside) value=format::int(account.set_aside_total()) id="rows-set-aside"/>
            </div>
            <div class="controls">
                <label>
                    {move || t().preset}
                    <select data-testid="preset" on:change=on_preset>
                        {SegmentPreset::ALL
                            .into_iter()
                            .map(|p| {
                                let name = move || match p {
                                    SegmentPreset::Classic8 => t().preset_classic8,
                                    SegmentPreset::Tiers5 => t().preset_tiers5,
                                };
                                let selected = p == preset && !user_rules;
                                view! { <option value=p.key() selected=selected>{name}</option> }
                            })
                            .collect_view()}
                        <option value="custom" disabled=true selected=user_rules>{move || t().rfm.rules_custom}</option>
                    </select>
                </label>
                <label>
                    {move || t().snapshot}
                    <input type="date" data-testid="snapshot" value=r.snapshot.to_string() on:change=on_snapshot/>
                </label>
                <button class="button primary" data-testid="export-csv" on:click=move |_| state.export(Export::Customers)>
                    {move || t().export_csv}
                </button>
            </div>
            <div class="table-wrap">
                <table class="grid segments" data-testid="segment-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().segment}</th>
                            <th scope="col" class="num">{move || t().customers}</th>
                            <th scope="col" class="num">{move || t().customer_share}</th>
                            <th scope="col" class="num">{move || t().revenue}</th>
                            <th scope="col" class="num">{move || t().revenue_share}</th>
                            <th scope="col" class="num">{move || t().avg_recency}</th>
                            <th scope="col" class="num">{move || t().avg_frequency}</th>
                            <th scope="col" class="num">{move || t().avg_monetary}</th>
                            <th scope="col" class="num" hidden=!scaled>{move || t().rfm.mean_score100}</th>
                            <th scope="col">{move || t().action}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="downloads">
                <span class="hint">{move || t().rfm.actions_hint}</span>
                <button class="button small" data-testid="actions-reset" on:click=move |_| actions.set(Default::default())>
                    {move || t().rfm.actions_reset}
                </button>
                <button class="button small" data-testid="export-segments" on:click=move |_| state.export_segments()>
                    {move || t().rfm.export_segments}
                </button>
            </p>
            <SegmentChart segments=segs_for_chart/>
            <h3>{move || t().breakpoints}</h3>
            <p class="hint">{move || t().breakpoints_hint}</p>
            <table class="grid breaks" data-testid="breakpoints">
                <tbody>
                    <tr><th scope="row">{move || t().recency}</th><td>{br}</td></tr>
                    <tr><th scope="row">{move || t().frequency}</th><td>{bf}</td></tr>
                    <tr><th scope="row">{move || t().monetary}</th><td>{bm}</td></tr>
                </tbody>
            </table>
            <RfmEditor r=editor_r/>
            <RfHeat rf=rf/>
            <MigrationPanel snapshot=r.snapshot/>
            <RejectsPanel r=view_r/>
        </section>
    }
}

/// Milliseconds as `12,40` for a data attribute.
fn ms_list(ms: &[f64]) -> String {
    ms.iter().map(|m| format!("{m:.0}")).collect::<Vec<String>>().join(",")
}

/// A headline number.
#[component]
fn Stat(
    /// What the number is.
    label: Signal<&'static str>,
    /// The formatted number.
    value: String,
    /// Test id.
    id: &'static str,
) -> impl IntoView {
    view! {
        <div class="stat">
            <div class="stat-label">{move || label.get()}</div>
            <div class="stat-value" data-testid=id>{value}</div>
        </div>
    }
}
