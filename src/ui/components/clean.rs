//! The cleaning card: the table's kind, a run of its default recipe, and
//! the data-quality report — where every row went, what changed, what is
//! flagged, column by column — with its files to download.

use crate::engine::clean::RejectReason;
use crate::engine::ingest::fields::SourceKind;
use crate::protocol::{CleanFile, CleanView};
use crate::ui::format;
use crate::ui::job::Export;
use crate::ui::state::AppState;
use leptos::prelude::*;
use web_sys::HtmlSelectElement;

/// The cleaning card (shown once a file is probed).
#[component]
pub fn CleanPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let on_kind = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        if let Some(k) = SourceKind::from_key(&sel.value()) {
            state.set_kind(k);
        }
    };
    move || {
        state.probe.get().map(|p| {
            let detected = p.detected;
            let options = move || {
                let current = state.kind.get();
                SourceKind::ALL
                    .into_iter()
                    .map(|k| view! { <option value=k.key() selected=k == current>{t().kind(k)}</option> })
                    .collect_view()
            };
            view! {
                <section class="card" aria-labelledby="clean-h" data-testid="clean">
                    <h2 id="clean-h">{move || t().clean_title}</h2>
                    <p class="hint">{move || t().clean_hint}</p>
                    <div class="controls">
                        <label>
                            {move || t().kind_label}
                            <select data-testid="kind" on:change=on_kind>{options}</select>
                        </label>
                        <span class="hint" data-testid="detected-kind" data-kind=detected.key()>
                            {move || format!("{} {}", t().detected_as, t().kind(detected))}
                        </span>
                        <button
                            class="button primary"
                            data-testid="run-clean"
                            disabled=move || state.cleaning.get()
                            on:click=move |_| state.run_clean()
                        >
                            {move || t().run_clean}
                        </button>
                    </div>
                    {move || { let kind = state.kind.get(); view! { <super::recipe::RecipeEditor kind=kind/> } }}
                    {move || state.cleaned.get().map(|v| view! { <QualityReport v=v/> })}
                </section>
            }
        })
    }
}

/// The data-quality report of one cleaning run.
#[component]
fn QualityReport(
    /// The run's summary.
    v: CleanView,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let q = v.quality;
    let (rows_in, rows_out) = (q.rows_in, q.rows_out);
    let aside = rows_in - rows_out;
    let reconcile = move || {
        t().clean_reconcile
            .replace("{in}", &format::int(rows_in))
            .replace("{out}", &format::int(rows_out))
            .replace("{aside}", &format::int(aside))
    };
    let count_rows = |items: Vec<(String, u64)>, testid: &'static str, reason: bool| {
        move || {
            let t = t();
            if items.is_empty() {
                return view! { <p class="hint" data-testid=testid>{t.none}</p> }.into_any();
            }
            let rows = items
                .iter()
                .map(|(k, n)| {
                    let label = if reason {
                        RejectReason::from_key(k).map_or(k.as_str(), |r| t.reject_reason(r)).to_string()
                    } else {
                        let (field, flag) = k.split_once(':').unwrap_or(("", k.as_str()));
                        let rule = t.rule(flag).to_string();
                        crate::engine::ingest::fields::Field::from_key(field)
                            .map_or(rule.clone(), |f| format!("{} · {rule}", t.field(f)))
                    };
                    view! { <tr data-key=k.clone()><th scope="row">{label}</th><td class="num">{format::int(*n)}</td></tr> }
                })
                .collect_view();
            view! { <table class="grid" data-testid=testid><tbody>{rows}</tbody></table> }.into_any()
        }
    };
    let set_aside = count_rows(q.set_aside.clone().into_iter().collect(), "quality-set-aside", true);
    let changed = count_rows(q.changed.clone().into_iter().collect(), "quality-changes", false);
    let flagged = count_rows(q.flagged.clone().into_iter().collect(), "quality-flags", false);
    let columns = q.columns.clone();
    let column_rows = move || {
        let t = t();
        columns
            .iter()
            .map(|c| {
                let changes: u64 = c.changed.values().sum();
                let flags: u64 = c.flagged.values().sum();
                view! {
                    <tr data-col=c.column.clone()>
                        <th scope="row">{c.column.clone()}</th>
                        <td>{c.field.map_or("", |f| t.field(f))}</td>
                        <td class="num">{format::int(c.missing_before)}</td>
                        <td class="num">{format::int(c.missing_after)}</td>
                        <td class="num">{format::int(changes)}</td>
                        <td class="num">{format::int(flags)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let downloads = CleanFile::ALL
        .into_iter()
        .map(|f| {
            view! {
                <button class="button small" data-testid=format!("export-{}", f.name()) on:click=move |_| state.export(Export::Clean(f))>
                    {f.name()}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="quality" data-testid="quality" data-rows-in=rows_in.to_string() data-rows-out=rows_out.to_string() data-kind=v.kind.key()>
            <p class="reconcile" data-testid="clean-reconcile" data-ok=q.reconciles.to_string()>{reconcile}</p>
            <div class="quality-grid">
                <div><h3>{move || t().set_aside_by_reason}</h3>{set_aside}</div>
                <div><h3>{move || t().changes_by_rule}</h3>{changed}</div>
                <div><h3>{move || t().flags_title}</h3>{flagged}</div>
            </div>
            <h3>{move || t().columns_title}</h3>
            <div class="table-wrap">
                <table class="grid" data-testid="quality-columns">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_header}</th>
                            <th scope="col">{move || t().field}</th>
                            <th scope="col" class="num">{move || t().missing_before}</th>
                            <th scope="col" class="num">{move || t().missing_after}</th>
                            <th scope="col" class="num">{move || t().changes_count}</th>
                            <th scope="col" class="num">{move || t().flags_title}</th>
                        </tr>
                    </thead>
                    <tbody>{column_rows}</tbody>
                </table>
            </div>
            <p class="downloads">{move || t().downloads}": " {downloads}</p>
        </div>
    }
}
