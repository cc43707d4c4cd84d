//! The RFM result's editor and extra views (M8): the user's breakpoints per
//! measure, the 0–100 score and its weights, segment rules as JSON (started
//! from a preset, loaded from and saved to `segments.json`), the R × F heat
//! map whose cells list their customers (masked, first 100, all in the
//! download), and the segment migration between two snapshot dates.

use super::analyses::members::MemberList;
use super::chart::{CanvasChart, Draw};
use crate::engine::analyze::members::MemberSource;
use crate::engine::analyze::migration::Migration;
use crate::engine::analyze::rfm::{Measure, RfGrid, RfmParams, ScaleWeights, UserBreaks};
use crate::engine::analyze::segment::SegmentRules;
use crate::engine::date::Day;
use crate::engine::report::chart::rf_heat_chart;
use crate::i18n::RfmTexts;
use crate::protocol::RfmView;
use crate::ui::browser;
use crate::ui::format;
use crate::ui::job::{Export, JobError};
use crate::ui::state::{AppState, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use web_sys::HtmlInputElement;

/// Breakpoints as the inputs show them: `30,60,90,180`.
fn breaks_text(b: Option<[f64; 4]>) -> String {
    b.map(|b| b.map(|x| x.to_string()).join(",")).unwrap_or_default()
}

/// Four numbers from an input; `Ok(None)` when blank (quintiles).
fn parse_breaks(text: &str, m: Measure) -> Result<Option<[f64; 4]>, crate::engine::analyze::rfm::RfmError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || crate::engine::analyze::rfm::RfmError::Breaks { measure: m, breaks: text.to_string() };
    let v: Vec<f64> = text
        .split([',', '，', ' '])
        .filter(|x| !x.trim().is_empty())
        .map(|x| x.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let arr: [f64; 4] = v.try_into().map_err(|_| bad())?;
    Ok(Some(arr))
}

/// A cell's background by its share of the largest count.
fn shade(share: f64) -> String {
    let a = (share.clamp(0.0, 1.0) * 0.85 + 0.05).min(0.9);
    let ink = if a > 0.5 { "#fff" } else { "inherit" };
    format!("background: rgba(54, 110, 200, {a:.3}); color: {ink}")
}

/// Breakpoints, the 0–100 score and segment rules.
#[component]
pub fn RfmEditor(
    /// The result on screen.
    r: RfmView,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let rt = move || -> &'static RfmTexts { &t().rfm };
    let p = r.params.clone();
    let texts = [p.breaks.recency, p.breaks.frequency, p.breaks.monetary].map(|b| RwSignal::new(breaks_text(b)));
    let scale_on = RwSignal::new(p.scale100.is_some());
    let w = p.scale100.unwrap_or_default();
    let weights = [w.r, w.f, w.m].map(|x| RwSignal::new(format!("{}", (x * 1e6).round() / 1e6)));
    let rules_text = RwSignal::new(p.rules.as_ref().map(SegmentRules::to_json).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    // Checks the parameters in the page and re-scores with them.
    let apply = move |params: RfmParams| match params.check() {
        Ok(()) => {
            error.set(None);
            state.rescore(params);
        }
        Err(e) => error.set(Some(rt().error(&e))),
    };
    // The editor's breakpoints and weights over `base`.
    let edited = move |base: RfmParams| -> Result<RfmParams, String> {
        let mut b = [None; 3];
        for (i, m) in Measure::ALL.into_iter().enumerate() {
            b[i] = parse_breaks(&texts[i].get_untracked(), m).map_err(|e| rt().error(&e))?;
        }
        let scale100 = if scale_on.get_untracked() {
            let num = |i: usize| weights[i].get_untracked().trim().parse::<f64>().unwrap_or(f64::NAN);
            Some(ScaleWeights { r: num(0), f: num(1), m: num(2) })
        } else {
            None
        };
        let breaks = UserBreaks { recency: b[0], frequency: b[1], monetary: b[2] };
        Ok(RfmParams { breaks, scale100, ..base })
    };
    let on_apply = move |_| match edited(state.params.get_untracked()) {
        Ok(p) => apply(p),
        Err(m) => error.set(Some(m)),
    };
    let on_reset = move |_| {
        texts.iter().for_each(|s| s.set(String::new()));
        apply(RfmParams { breaks: UserBreaks::default(), ..state.params.get_untracked() });
    };
    // Rules: from the text area, over the edited breakpoints and weights.
    let apply_rules = move |text: String| {
        let parsed = SegmentRules::from_json(&text).map_err(|e| rt().rule_error(&e));
        match parsed.and_then(|rules| edited(RfmParams { rules: Some(rules), ..state.params.get_untracked() })) {
            Ok(p) => apply(p),
            Err(m) => error.set(Some(m)),
        }
    };
    let on_rules_apply = move |_| apply_rules(rules_text.get_untracked());
    let from_preset = move |_| rules_text.set(state.params.with_untracked(|p| p.segmentation().to_json()));
    let back_to_preset = move |_| {
        rules_text.set(String::new());
        apply(RfmParams { rules: None, ..state.params.get_untracked() });
    };
    let save_rules = move |_| {
        let json = state.params.with_untracked(|p| p.segmentation().to_json());
        let bytes = js_sys::Uint8Array::from(json.as_bytes());
        if let Err(m) = browser::download(&bytes, "segments.json", "application/json") {
            state.status.set(Status::Failed(JobError::Worker(m)));
        }
    };
    let load_rules = move |ev| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            match browser::read_text(&file).await {
                Ok(text) => {
                    rules_text.set(text.clone());
                    apply_rules(text);
                }
                Err(m) => error.set(Some(m)),
            }
        });
    };
    let user_rules = p.rules.is_some();
    let breaks_rows = Measure::ALL
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let text = texts[i];
            let quintiles = breaks_text(Some(r.breaks.get(m)));
            let user = r.breaks_user.get(m);
            let key = m.key();
            view! {
                <tr data-measure=key data-user=user.to_string()>
                    <th scope="row">{move || rt().measure(m)}</th>
                    <td>
                        <input
                            type="text"
                            data-testid=format!("breaks-{key}")
                            placeholder=quintiles
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        />
                    </td>
                    <td class="hint">{move || if user { rt().breaks_user } else { rt().breaks_quintiles }}</td>
                </tr>
            }
        })
        .collect_view();
    let weight_inputs = ["r", "f", "m"]
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let w = weights[i];
            view! {
                <input
                    type="number"
                    step="0.05"
                    min="0"
                    max="1"
                    class="weight"
                    data-testid=format!("weight-{k}")
                    prop:value=move || w.get()
                    on:input=move |ev| w.set(event_target_value(&ev))
                />
            }
        })
        .collect_view();
    view! {
        <div class="rfm-editor" data-testid="rfm-editor" data-user-rules=user_rules.to_string()>
            <p class="hint">{move || rt().breaks_hint}</p>
            <table class="grid breaks-edit">
                <tbody>{breaks_rows}</tbody>
            </table>
            <div class="controls">
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="scale100"
                        prop:checked=move || scale_on.get()
                        on:change=move |ev| scale_on.set(event_target_checked(&ev))
                    />
                    {move || rt().scale100_on}
                </label>
                <label>{move || rt().weights} <span class="weights">{weight_inputs}</span></label>
                <button class="button primary" data-testid="rfm-apply" on:click=on_apply>{move || rt().breaks_apply}</button>
                <button class="button small" data-testid="breaks-reset" on:click=on_reset>{move || rt().breaks_reset}</button>
            </div>
            <p class="hint">{move || rt().scale100_hint}</p>
            <details class="rules-editor" open=user_rules>
                <summary>{move || rt().rules_title}</summary>
                <p class="hint">{move || rt().rules_hint}</p>
                <textarea
                    rows="12"
                    data-testid="rules-json"
                    prop:value=move || rules_text.get()
                    on:input=move |ev| rules_text.set(event_target_value(&ev))
                ></textarea>
                <p class="downloads">
                    <button class="button small" data-testid="rules-from-preset" on:click=from_preset>{move || rt().rules_from_preset}</button>
                    <button class="button primary" data-testid="rules-apply" on:click=on_rules_apply>{move || rt().rules_apply}</button>
                    <button class="button small" data-testid="rules-preset" on:click=back_to_preset>{move || t().preset}</button>
                    <label class="button small">
                        {move || rt().rules_load}
                        <input type="file" class="visually-hidden" accept=".json,application/json" data-testid="rules-file" on:change=load_rules/>
                    </label>
                    <button class="button small" data-testid="rules-save" on:click=save_rules>{move || rt().rules_save}</button>
                </p>
            </details>
            {move || error.get().map(|m| view! { <p class="error-text" role="alert" data-testid="rfm-params-error">{m}</p> })}
        </div>
    }
}

/// The R × F heat map (chart and table); a cell lists its customers.
#[component]
pub fn RfHeat(
    /// The grid.
    rf: RfGrid,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let rt = move || -> &'static RfmTexts { &t().rfm };
    let max = rf.cells.iter().map(|c| c.customers).max().unwrap_or(0).max(1) as f64;
    let rows = (1..=5u8)
        .rev()
        .map(|r| {
            let cells = rf
                .cells
                .iter()
                .filter(|c| c.r == r)
                .map(|c| {
                    let (f, n) = (c.f, c.customers);
                    let mean = c.mean_monetary.map_or_else(|| "—".to_string(), |m| format::float(m, 0));
                    let raw_mean = c.mean_monetary.map(|m| m.to_string()).unwrap_or_default();
                    view! {
                        <td class="num heat" style=shade(n as f64 / max) data-r=r.to_string() data-f=f.to_string() data-customers=n.to_string() data-mean=raw_mean>
                            <button class="cell-button" data-testid="rf-cell" on:click=move |_| {
                                let title = t().drill_text("what_rf").replace("{r}", &r.to_string()).replace("{f}", &f.to_string());
                                state.show_members(MemberSource::RfCell { r, f }, title)
                            }>
                                <strong>{format::int(n)}</strong>
                                <br/>
                                <small>{mean}</small>
                            </button>
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{format!("R {r}")}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let head = (1..=5u8).map(|f| view! { <th scope="col" class="num">{format!("F {f}")}</th> }).collect_view();
    let grid = Rc::new(rf);
    let draw: Draw = Rc::new(move |root, t| rf_heat_chart(root, &grid, t).is_ok());
    view! {
        <h3>{move || rt().heat_title}</h3>
        <p class="hint">{move || rt().heat_hint}</p>
        <div class="heat-wrap">
            <div class="table-wrap">
                <table class="grid retention rf-grid" data-testid="rf-grid">
                    <thead>
                        <tr>
                            <th scope="col">{move || rt().axis_r}</th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <CanvasChart draw=draw width=520 height=480 testid="rf-heat-chart" png="custlens_rf_heat.png" title=|t| t.rfm.heat_chart_title/>
        </div>
        <MemberList here=|of| matches!(of, MemberSource::RfCell { .. })/>
    }
}

/// Segment migration between two snapshot dates.
#[component]
pub fn MigrationPanel(
    /// The result's snapshot (the default snapshot B).
    snapshot: Day,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let rt = move || -> &'static RfmTexts { &t().rfm };
    let from = RwSignal::new(Day::from_days(snapshot.days() - 182).to_string());
    let to = RwSignal::new(snapshot.to_string());
    let error = RwSignal::new(None::<String>);
    let run = move |_| match (Day::parse_iso(from.get_untracked().trim()), Day::parse_iso(to.get_untracked().trim())) {
        (Ok(a), Ok(b)) => {
            error.set(None);
            state.migrate(a, b);
        }
        _ => error.set(Some(rt().mig_bad_date.to_string())),
    };
    let date_input = move |sig: RwSignal<String>, id: &'static str| {
        view! {
            <input type="date" data-testid=id prop:value=move || sig.get() on:change=move |ev| sig.set(event_target_value(&ev))/>
        }
    };
    view! {
        <h3>{move || rt().mig_title}</h3>
        <p class="hint">{move || rt().mig_hint}</p>
        <div class="controls">
            <label>{move || rt().mig_from} {date_input(from, "mig-from")}</label>
            <label>{move || rt().mig_to} {date_input(to, "mig-to")}</label>
            <button class="button primary" data-testid="run-migration" disabled=move || state.rfm.migrating.get() on:click=run>
                {move || rt().mig_run}
            </button>
        </div>
        {move || error.get().map(|m| view! { <p class="error-text" role="alert">{m}</p> })}
        {move || {
            state.rfm.migration.get().map(|o| match o {
                Ok(m) => view! { <MigrationTable m=m/> }.into_any(),
                Err(e) => {
                    let m = match &e {
                        JobError::Engine(e) => t().error(e),
                        other => other.to_string(),
                    };
                    view! { <p class="error-text" role="alert" data-testid="migration-error">{m}</p> }.into_any()
                }
            })
        }}
    }
}

/// The migration matrix: counts and row shares.
#[component]
fn MigrationTable(m: Migration) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let rt = move || -> &'static RfmTexts { &t().rfm };
    let k = m.segments.len();
    let labels = std::sync::Arc::new(m.segments.clone());
    let name = {
        let labels = labels.clone();
        move |i: usize, extra: fn(&RfmTexts) -> &'static str| -> String {
            let t = state.lang.get().texts();
            labels.get(i).map_or_else(|| extra(&t.rfm).to_string(), |l| t.segment_name(l).to_string())
        }
    };
    let key = |i: usize| labels.get(i).map_or_else(|| "*".to_string(), |l| l.key().to_string());
    let head = {
        let name = name.clone();
        (0..=k)
            .map(|j| {
                let name = name.clone();
                view! { <th scope="col" class="num">{move || name(j, |r| r.mig_none)}</th> }
            })
            .collect_view()
    };
    let rows = m
        .counts
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(j, &n)| {
                    let share = m.row_shares[i][j];
                    let name = name.clone();
                    let click = move |_| {
                        let title = t()
                            .drill_text("what_migration")
                            .replace("{from}", &name(i, |r| r.mig_new))
                            .replace("{to}", &name(j, |r| r.mig_none));
                        state.show_members(MemberSource::Migration { from: i as u32, to: j as u32 }, title);
                    };
                    view! {
                        <td class="num heat" style=shade(share) data-from=key(i) data-to=key(j) data-count=n.to_string() data-share=share.to_string()>
                            <button class="cell-button" data-testid="migration-cell" on:click=click>
                                {format::int(n)}
                                <small>{format!(" ({})", format::pct(share))}</small>
                            </button>
                        </td>
                    }
                })
                .collect_view();
            let name = name.clone();
            let total = m.row_totals[i];
            view! {
                <tr data-from=key(i)>
                    <th scope="row">{move || name(i, |r| r.mig_new)}</th>
                    {cells}
                    <td class="num" data-total=total.to_string()>{format::int(total)}</td>
                </tr>
            }
        })
        .collect_view();
    let [a, b] = m.customers_at;
    let (fd, td, n) = (m.from.to_string(), m.to.to_string(), m.customers);
    let summary = {
        let (fd, td) = (fd.clone(), td.clone());
        move || {
            rt().mig_summary
                .replace("{from}", &fd)
                .replace("{to}", &td)
                .replace("{a}", &format::int(a))
                .replace("{b}", &format::int(b))
                .replace("{n}", &format::int(n))
        }
    };
    view! {
        <div class="analysis-result" data-testid="migration" data-from=fd data-to=td data-customers=n.to_string()>
            <p class="hint">{summary}</p>
            <div class="table-wrap">
                <table class="grid retention" data-testid="migration-matrix">
                    <thead>
                        <tr>
                            <th scope="col">{move || rt().mig_corner}</th>
                            {head}
                            <th scope="col" class="num">{move || rt().mig_total}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <button class="button small" data-testid="export-migration" on:click=move |_| state.export(Export::Migration)>
                {move || rt().mig_download}
            </button>
            <p class="hint">{move || t().drill_text("list_hint")}</p>
            <MemberList here=|of| matches!(of, MemberSource::Migration { .. })/>
        </div>
    }
}
