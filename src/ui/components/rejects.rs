//! The rows set aside: the reconciliation, counts by reason, the first rows
//! and an export of all of them.

use crate::engine::clean::RejectReason;
use crate::protocol::RfmView;
use crate::ui::format;
use crate::ui::job::Export;
use crate::ui::state::AppState;
use leptos::prelude::*;

/// The rejects section of a result.
#[component]
pub fn RejectsPanel(
    /// The result whose rejects to show.
    r: RfmView,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let acc = r.account.clone();
    let reconcile = {
        let acc = acc.clone();
        move || {
            t().reconcile
                .replace("{in}", &format::int(acc.rows_in))
                .replace("{used}", &format::int(acc.rows_used))
                .replace("{aside}", &format::int(acc.set_aside_total()))
        }
    };
    let by_reason = {
        let acc = acc.clone();
        move || {
            RejectReason::ALL
                .into_iter()
                .filter_map(|reason| acc.set_aside.get(&reason).map(|n| (reason, *n)))
                .map(|(reason, n)| {
                    view! {
                        <tr data-reason=reason.key()>
                            <th scope="row">{t().reject_reason(reason)}</th>
                            <td class="num">{format::int(n)}</td>
                        </tr>
                    }
                })
                .collect_view()
        }
    };
    let rejects = r.rejects.clone();
    let listed = r.rejects_listed;
    let rows = move || {
        let t = t();
        rejects
            .iter()
            .map(|x| {
                let field = x.field.map(|f| format!(" · {}", t.field(f))).unwrap_or_default();
                view! {
                    <tr>
                        <td class="num">{x.row}</td>
                        <td>{t.reject_reason(x.reason)}{field}</td>
                        <td class="value">{x.value.clone()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let shown = r.rejects.len() as u64;
    let any = acc.set_aside_total() > 0;
    let truncated = r.rejects_truncated;
    view! {
        <div class="rejects" data-testid="rejects">
            <h3>{move || t().rejects_title}</h3>
            <p class="reconcile" data-testid="reconcile" data-ok=acc.reconciles().to_string()>{reconcile}</p>
            <Show when=move || any fallback=move || view! { <p>{move || t().rejects_none}</p> }>
                <table class="grid" data-testid="reject-counts">
                    <thead><tr><th scope="col">{move || t().reason}</th><th scope="col" class="num">{move || t().count}</th></tr></thead>
                    <tbody>{by_reason.clone()}</tbody>
                </table>
                <Show when=move || truncated>
                    <p class="warn">{move || t().rejects_truncated}</p>
                </Show>
                <div class="table-wrap short">
                    <table class="grid" data-testid="reject-rows">
                        <thead>
                            <tr>
                                <th scope="col" class="num">{move || t().row}</th>
                                <th scope="col">{move || t().reason}</th>
                                <th scope="col">{move || t().value}</th>
                            </tr>
                        </thead>
                        <tbody>{rows.clone()}</tbody>
                    </table>
                </div>
                <Show when=move || { listed > shown }>
                    <p class="hint">{move || t().showing_first.replace("{n}", &shown.to_string())}</p>
                </Show>
                <button class="button" data-testid="export-rejects" on:click=move |_| state.export(Export::Rejects)>
                    {move || t().export_rejects}
                </button>
            </Show>
        </div>
    }
}
