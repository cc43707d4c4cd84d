//! The sources card: several files added at once (picker or drop), each
//! read as the kind its headers suggest (changeable) and cleaned; then the
//! unified customer view — how every source joined, id matches (undoable),
//! conflicts, orphans, duplicate customers to merge on confirmation, a
//! preview of the customer table and its files to download.

use super::drop::DropZone;
use super::mapping::MappingTable;
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::unify::identity::KeyKind;
use crate::i18n::Texts;
use crate::protocol::{SourceView, UnifyFile, UnifyView, VIEW_LIST_MAX};
use crate::ui::format;
use crate::ui::job::{Export, JobError};
use crate::ui::state::AppState;
use leptos::prelude::*;
use web_sys::HtmlSelectElement;

fn via(t: &Texts, k: KeyKind) -> &'static str {
    match k {
        KeyKind::Phone => t.via_phone,
        KeyKind::Email => t.via_email,
        KeyKind::CreditCode => t.via_credit_code,
    }
}

/// The sources card.
#[component]
pub fn SourcesPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let error = move || {
        state.sources_error.get().map(|e| {
            let message = match &e {
                JobError::Engine(e) => t().error(e),
                other => other.to_string(),
            };
            view! { <p class="error-text" role="alert" data-testid="sources-error">{message}</p> }
        })
    };
    let add = move |files| state.add_sources(files);
    view! {
        <section class="card" aria-labelledby="sources-h" data-testid="sources">
            <h2 id="sources-h">{move || t().sources_title}</h2>
            <p class="hint">{move || t().sources_hint}</p>
            <DropZone
                testid="sources-drop"
                input_testid="sources-input"
                multiple=true
                label=Signal::derive(move || t().add_sources)
                on_files=add
            >
                <span class="or">{move || t().add_sources}</span>
                <button class="button" data-testid="load-sample-sources" on:click=move |_| state.load_sample_sources()>
                    {move || t().load_sample_sources}
                </button>
                <span class="hint" data-testid="sources-busy" data-busy=move || (state.sources_busy.get() > 0).to_string()>
                    {move || (state.sources_busy.get() > 0).then(|| t().sources_working)}
                </span>
            </DropZone>
            {error}
            <SourceList/>
            {move || state.unified.get().map(|v| view! { <UnifiedView v=v/> })}
        </section>
        {move || state.unified.get().map(|v| view! { <super::crosstab::CrosstabCard headers=v.headers/> })}
    }
}

/// The sources added, with their kind (changeable) and cleaning counts.
#[component]
fn SourceList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    // The source whose columns are open for adjusting.
    let open = RwSignal::new(None::<String>);
    let row = move |s: SourceView| {
        let file = s.file.clone();
        let is_open = {
            let file = file.clone();
            move || open.get().as_deref() == Some(file.as_str())
        };
        let toggle = {
            let file = file.clone();
            move |_| open.update(|o| *o = if o.as_deref() == Some(file.as_str()) { None } else { Some(file.clone()) })
        };
        let columns = {
            let (file, s) = (file.clone(), s.clone());
            let is_open = is_open.clone();
            move || {
                is_open().then(|| {
                    let file = file.clone();
                    let on_set = Callback::new(move |(field, col): (Field, Option<usize>)| {
                        state.set_source_column(file.clone(), field, col)
                    });
                    let prefix =
                        format!("src{}", s.file.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into())));
                    view! {
                        <tr class="source-columns" data-testid="source-columns" data-for=s.file.clone()>
                            <td colspan="4">
                                <p class="hint">{move || t().source_columns_hint}</p>
                                <MappingTable
                                    headers=s.headers.clone()
                                    sample=s.sample.clone()
                                    mapping=s.mapping.clone()
                                    id_prefix=prefix
                                    on_set=on_set
                                />
                            </td>
                        </tr>
                    }
                })
            }
        };
        let on_kind = {
            let file = file.clone();
            move |ev: leptos::ev::Event| {
                let sel: HtmlSelectElement = event_target(&ev);
                if let Some(k) = SourceKind::from_key(&sel.value()) {
                    state.set_source_kind(file.clone(), k);
                }
            }
        };
        let kind = s.kind;
        let options = move || {
            SourceKind::ALL
                .into_iter()
                .map(|k| view! { <option value=k.key() selected=k == kind>{t().kind(k)}</option> })
                .collect_view()
        };
        let q = s.quality.clone();
        let counts = move || {
            t().source_rows
                .replace("{in}", &format::int(q.rows_in))
                .replace("{out}", &format::int(q.rows_out))
                .replace("{aside}", &format::int(q.rows_in - q.rows_out))
        };
        let remove = file.clone();
        let mapped = s
            .mapping
            .choices
            .iter()
            .filter(|c| c.column.is_some())
            .map(|c| c.field.key())
            .collect::<Vec<_>>()
            .join(",");
        view! {
            <tr
                data-file=file.clone()
                data-kind=kind.key()
                data-fields=mapped
                data-rows-in=s.quality.rows_in.to_string() data-rows-out=s.quality.rows_out.to_string()>
                <th scope="row">{file.clone()}</th>
                <td>
                    <select aria-label=move || t().kind_label on:change=on_kind data-testid="source-kind">{options}</select>
                </td>
                <td data-ok=s.quality.reconciles.to_string()>{counts}</td>
                <td class="actions">
                    <button
                        class="button small"
                        data-testid="source-columns-toggle"
                        aria-expanded=move || is_open().to_string()
                        on:click=toggle
                    >
                        {move || t().source_columns}
                    </button>
                    <button class="button small" on:click=move |_| state.remove_source(remove.clone())>{move || t().remove}</button>
                </td>
            </tr>
            {columns}
        }
    };
    move || {
        let list = state.sources.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="table-wrap">
                    <table class="grid" data-testid="source-list">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().col_file}</th>
                                <th scope="col">{move || t().kind_label}</th>
                                <th scope="col">{move || t().col_rows}</th>
                                <th scope="col"></th>
                            </tr>
                        </thead>
                        <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                    </table>
                </div>
            }
        })
    }
}

/// The unified customer view and how it came about.
#[component]
fn UnifiedView(
    /// The view from the worker.
    v: UnifyView,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let s = v.summary.clone();
    let summary = {
        let s = s.clone();
        move || {
            t().unify_summary
                .replace("{customers}", &format::int(s.customers))
                .replace("{crm}", &format::int(s.in_crm))
                .replace("{orphans}", &format::int(s.orphans))
                .replace("{matched}", &format::int(s.matched_ids))
                .replace("{conflicts}", &format::int(s.conflicts))
                .replace("{merges}", &format::int(s.merges_proposed))
                .replace("{applied}", &format::int(s.merges_applied))
        }
    };
    let links = v
        .sources
        .clone()
        .into_iter()
        .map(|l| {
            let kind = l.kind;
            view! {
                <tr data-file=l.file.clone() data-ok=l.reconciles().to_string()>
                    <th scope="row">{l.file.clone()}</th>
                    <td>{move || t().kind(kind)}</td>
                    <td class="num">{format::int(l.rows)}</td>
                    <td class="num">{format::int(l.direct)}</td>
                    <td class="num">{format::int(l.matched)}</td>
                    <td class="num">{format::int(l.orphan + l.no_id)}</td>
                </tr>
            }
        })
        .collect_view();
    let truncated = move |n: usize| {
        (n >= VIEW_LIST_MAX).then(
            || view! { <p class="hint">{move || t().list_truncated.replace("{n}", &VIEW_LIST_MAX.to_string())}</p> },
        )
    };
    let merges = v.merges.clone();
    let merge_rows = merges
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let keep = m.keep.clone();
            let applied = m.applied;
            let label = move || if applied { t().merge_undo } else { t().merge_apply };
            let attr = keep.clone();
            view! {
                <tr data-keep=attr data-applied=applied.to_string()>
                    <td>{keep}</td>
                    <td>{m.merge.join(", ")}</td>
                    <td>{m.name.clone()}</td>
                    <td>{m.phone.clone()}</td>
                    <td>
                        <button class="button small" data-testid="merge-toggle" aria-pressed=applied.to_string() on:click=move |_| state.toggle_merge(i)>
                            {label}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let match_rows = v
        .matches
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let id = m.id.clone();
            let attr = id.clone();
            let kind = m.via;
            view! {
                <tr data-id=attr>
                    <td>{m.file.clone()}</td>
                    <td>{id}</td>
                    <td>{m.customer.clone()}</td>
                    <td>{move || via(t(), kind)}</td>
                    <td class="num">{format::int(m.rows)}</td>
                    <td>
                        <button class="button small" data-testid="match-undo" on:click=move |_| state.undo_match(i)>
                            {move || t().match_undo}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let undone_ids = v.undone.clone();
    let undone = (!undone_ids.is_empty()).then(|| {
        let items = undone_ids
            .into_iter()
            .enumerate()
            .map(|(i, id)| {
                let attr = id.clone();
                view! {
                    <li data-id=attr>
                        {id} " "
                        <button class="button small" data-testid="match-restore" on:click=move |_| state.restore_match(i)>
                            {move || t().match_restore}
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! { <h3>{move || t().undone_title}</h3><ul data-testid="undone">{items}</ul> }
    });
    let conflict_rows = v
        .conflicts
        .iter()
        .map(|c| {
            let kind = c.via;
            view! {
                <tr>
                    <td>{c.file.clone()}</td>
                    <td>{c.id.clone()}</td>
                    <td>{c.candidates.join(", ")}</td>
                    <td>{move || via(t(), kind)}</td>
                    <td class="num">{format::int(c.rows)}</td>
                </tr>
            }
        })
        .collect_view();
    let orphan_rows = v
        .orphans
        .iter()
        .map(|o| view! { <tr><td>{o.file.clone()}</td><td>{o.id.clone()}</td><td class="num">{format::int(o.rows)}</td></tr> })
        .collect_view();
    let head = v.headers.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view();
    let preview = v
        .preview
        .iter()
        .map(|r| view! { <tr>{r.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr> })
        .collect_view();
    let downloads = UnifyFile::ALL
        .into_iter()
        .map(|f| {
            view! {
                <button class="button small" data-testid=format!("export-unify-{}", f.name()) on:click=move |_| state.export(Export::Unify(f))>
                    {f.name()}
                </button>
            }
        })
        .collect_view();
    let (n_merges, n_matches, n_conflicts, n_orphans) =
        (v.merges.len(), v.matches.len(), v.conflicts.len(), v.orphans.len());
    let merges_open = n_merges > 0;
    view! {
        <div
            class="unified"
            data-testid="unified"
            data-customers=s.customers.to_string()
            data-in-crm=s.in_crm.to_string()
            data-orphans=s.orphans.to_string()
            data-matched=s.matched_ids.to_string()
            data-merges=s.merges_proposed.to_string()
            data-merged=s.merges_applied.to_string()
            data-reconciles=s.reconciles.to_string()
        >
            <p class="reconcile" data-testid="unify-summary">{summary}</p>
            <h3>{move || t().links_title}</h3>
            <div class="table-wrap">
                <table class="grid" data-testid="unify-links">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().col_file}</th>
                            <th scope="col">{move || t().kind_label}</th>
                            <th scope="col" class="num">{move || t().col_rows}</th>
                            <th scope="col" class="num">{move || t().link_direct}</th>
                            <th scope="col" class="num">{move || t().link_matched}</th>
                            <th scope="col" class="num">{move || t().link_orphan}</th>
                        </tr>
                    </thead>
                    <tbody>{links}</tbody>
                </table>
            </div>
            <details open=merges_open data-testid="merges">
                <summary>{move || t().merges_title} " (" {n_merges} ")"</summary>
                <div class="table-wrap">
                    <table class="grid">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().col_keep}</th>
                                <th scope="col">{move || t().col_merge}</th>
                                <th scope="col">{move || t().col_name}</th>
                                <th scope="col">{move || t().col_phone}</th>
                                <th scope="col"></th>
                            </tr>
                        </thead>
                        <tbody>{merge_rows}</tbody>
                    </table>
                </div>
                {truncated(n_merges)}
            </details>
            <details data-testid="matches">
                <summary>{move || t().matches_title} " (" {n_matches} ")"</summary>
                <div class="table-wrap">
                    <table class="grid">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().col_file}</th>
                                <th scope="col">{move || t().col_id}</th>
                                <th scope="col">{move || t().col_customer}</th>
                                <th scope="col">{move || t().col_via}</th>
                                <th scope="col" class="num">{move || t().col_rows}</th>
                                <th scope="col"></th>
                            </tr>
                        </thead>
                        <tbody>{match_rows}</tbody>
                    </table>
                </div>
                {truncated(n_matches)}
            </details>
            {undone}
            <details data-testid="conflicts">
                <summary>{move || t().conflicts_title} " (" {n_conflicts} ")"</summary>
                <table class="grid">
                    <tbody>{conflict_rows}</tbody>
                </table>
            </details>
            <details data-testid="orphans">
                <summary>{move || t().orphans_title} " (" {v.orphan_entries} ")"</summary>
                <table class="grid">
                    <tbody>{orphan_rows}</tbody>
                </table>
                {truncated(n_orphans)}
            </details>
            <h3>{move || t().unified_preview_title}</h3>
            <div class="table-wrap">
                <table class="grid" data-testid="unify-preview">
                    <thead>
                        <tr>{head}</tr>
                    </thead>
                    <tbody>{preview}</tbody>
                </table>
            </div>
            <p class="downloads">{move || t().downloads}": " {downloads}</p>
        </div>
    }
}
