//! Customer tags (M10): the tag definitions edited in the page (the default
//! set to start from; tags added and removed; `tags.json` exported and
//! imported; kept in page state only, as they may hold customer values) and
//! an as-of date; each tag's coverage, the pairwise overlap as a heat map,
//! and a tag's customers (ids as they may be shown, the first 100) with
//! downloads of all of them.

use super::tag_editor::{dimension_name, json_key, level_name, new_tag, TagEditor};
use super::{date_input, downloads, error_view, heat, pct, raw};
use crate::engine::analyze::tags::{default_tags, TagDef};
use crate::engine::ingest::fields::Field;
use crate::engine::privacy::roles::Access;
use crate::i18n::TagTexts;
use crate::protocol::{AnalysisFile, TagParams, TagsView};
use crate::ui::browser;
use crate::ui::format;
use crate::ui::job::{Export, JobError};
use crate::ui::state::{AppState, Status, TagDraft};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlInputElement;

/// The definitions being edited.
fn defs(drafts: &[TagDraft]) -> Vec<TagDef> {
    drafts.iter().map(|d| d.def.clone()).collect()
}

/// A key no draft has yet.
fn next_key(drafts: RwSignal<Vec<TagDraft>>) -> u32 {
    drafts.with_untracked(|v| v.iter().map(|d| d.key + 1).max().unwrap_or(0))
}

/// The editor, run button and result.
#[component]
pub fn TagsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let tg = move || -> &'static TagTexts { &t().tagging };
    let drafts = state.analyses.tag_drafts;
    let as_of = state.analyses.tags_as_of;
    let import_error = RwSignal::new(None::<String>);
    let run = move |_| {
        let tags_json = drafts.with_untracked(|v| serde_json::to_string(&defs(v)).unwrap_or_default());
        let params = TagParams { tags_json, as_of: as_of.get_untracked() };
        state.run_tags(params);
    };
    let add = move |_| {
        let key = next_key(drafts);
        let name = format!("{} {}", tg().new_tag, drafts.with_untracked(Vec::len) + 1);
        drafts.update(|v| v.push(TagDraft { key, def: new_tag(name) }));
    };
    let reset = move |_| drafts.set(TagDraft::list(default_tags(), next_key(drafts)));
    let export_json = move |_| {
        // Tags listing customer ids go out only to a role that sees the ids as they are.
        let role = state.role.get_untracked();
        let sees_ids = state.visibility.with_untracked(|v| v.of(role).of(Some(Field::UserId)) == Access::Shown);
        if !sees_ids && drafts.with_untracked(|v| v.iter().any(|d| d.def.lists_ids())) {
            import_error.set(Some(t().drill_text("export_refused").replace("{role}", t().role(role))));
            return;
        }
        import_error.set(None);
        let json = drafts.with_untracked(|v| serde_json::to_string_pretty(&defs(v)).unwrap_or_default());
        let bytes = js_sys::Uint8Array::from(json.as_bytes());
        if let Err(m) = browser::download(&bytes, "tags.json", "application/json") {
            state.status.set(Status::Failed(JobError::Worker(m)));
        }
    };
    let import = move |ev| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            let read = browser::read_text(&file).await;
            // Definitions that read are loaded even when a rule is wrong: its error shows beside it.
            let parsed = read.and_then(|text| {
                serde_json::from_str::<Vec<TagDef>>(&text)
                    .map_err(|e| tg().error(&crate::engine::analyze::tags::TagError::Json { message: e.to_string() }))
            });
            match parsed {
                Ok(list) => {
                    import_error.set(None);
                    drafts.set(TagDraft::list(list, next_key(drafts)));
                }
                Err(m) => import_error.set(Some(m)),
            }
        });
    };
    view! {
        <p class="hint">{move || tg().hint}</p>
        <h3>{move || tg().editor_title}</h3>
        <div class="tag-editors">
            <For each=move || drafts.with(|v| v.iter().map(|d| d.key).collect::<Vec<_>>()) key=|k| *k let:k>
                <TagEditor draft=k/>
            </For>
        </div>
        <p class="downloads">
            <button class="button small" data-testid="tags-add" on:click=add>{move || tg().add_tag}</button>
            <button class="button small" data-testid="tags-reset" on:click=reset>{move || tg().reset}</button>
            <button class="button small" data-testid="tags-export-json" on:click=export_json>{move || tg().export_json}</button>
            <label class="button small">
                {move || tg().import_json}
                <input type="file" class="visually-hidden" accept=".json,application/json" data-testid="tags-import" on:change=import/>
            </label>
        </p>
        {move || import_error.get().map(|m| view! { <p class="error-text" role="alert" data-testid="tags-import-error">{m}</p> })}
        <div class="controls">
            {date_input(|t| t.as_of, as_of, "tags-as-of")}
            <button class="button primary" data-testid="run-tags" on:click=run>{move || t().run_analysis}</button>
        </div>
        {move || {
            state.analyses.tags.get().map(|o| match o {
                Ok(v) => view! { <TagsResult v=v/> }.into_any(),
                Err(e) => error_view(e, "tags-error").into_any(),
            })
        }}
    }
}

#[component]
fn TagsResult(v: TagsView) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let tg = move || -> &'static TagTexts { &t().tagging };
    let r = v.report;
    let selected = RwSignal::new(None::<usize>);
    let summary = {
        let (customers, tagged) = (r.customers, v.tagged);
        let as_of = r.as_of.map_or_else(|| "—".to_string(), |d| d.to_string());
        move || {
            tg().summary
                .replace("{customers}", &format::int(customers))
                .replace("{as_of}", &as_of)
                .replace("{tagged}", &format::int(tagged))
        }
    };
    let coverage = r
        .tags
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (dimension, level, missing) = (c.dimension, c.level, c.missing_source);
            let note = move || missing.map(|k| tg().missing_source.replace("{kind}", t().kind(k))).unwrap_or_default();
            let is_selected = move || (selected.get() == Some(i)).to_string();
            view! {
                <tr
                    data-tag=c.name.clone()
                    data-count=c.count.to_string()
                    data-share=raw(c.share)
                    data-dimension=json_key(dimension)
                    data-level=json_key(level)
                    data-missing=missing.map(|k| k.key()).unwrap_or_default()
                >
                    <th scope="row">
                        <button class="button small" data-testid="tag-show" aria-pressed=is_selected on:click=move |_| selected.set(Some(i))>
                            {c.name.clone()}
                        </button>
                    </th>
                    <td>{move || dimension_name(tg(), dimension)}</td>
                    <td>{move || level_name(tg(), level)}</td>
                    <td class="num">{format::int(c.count)}</td>
                    <td class="num">{pct(c.share)}</td>
                    <td class="hint">{note}</td>
                </tr>
            }
        })
        .collect_view();
    let overlap_head =
        r.tags.iter().map(|c| view! { <th scope="col" class="num">{c.name.clone()}</th> }).collect_view();
    let overlap_rows = r
        .tags
        .iter()
        .zip(&r.overlap)
        .map(|(a, row)| {
            let cells = r
                .tags
                .iter()
                .zip(row)
                .map(|(b, o)| {
                    let shown = format!("{} ({})", format::int(o.both), o.jaccard.map_or("—".into(), |j| format::float(j, 2)));
                    view! {
                        <td class="num heat" style=heat(o.jaccard) data-tag-col=b.name.clone() data-both=o.both.to_string() data-jaccard=raw(o.jaccard)>
                            {shown}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-tag=a.name.clone()>
                    <th scope="row">{a.name.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let members = {
        let (names, counts, shown) = (
            r.tags.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
            r.tags.iter().map(|c| c.count).collect::<Vec<_>>(),
            v.shown,
        );
        move || {
            let i = selected.get()?;
            let (name, n, ids) = (names.get(i)?.clone(), *counts.get(i)?, shown.get(i)?.clone());
            let title = {
                let name = name.clone();
                let listed = ids.len() as u64;
                move || {
                    tg().members_title
                        .replace("{tag}", &name)
                        .replace("{n}", &format::int(n))
                        .replace("{shown}", &format::int(listed))
                }
            };
            let items = ids.into_iter().map(|id| view! { <li class="value">{id}</li> }).collect_view();
            Some(view! {
                <div data-testid="tag-members" data-tag=name data-count=n.to_string()>
                    <h4>{title}</h4>
                    <ul class="id-list">{items}</ul>
                    <button
                        class="button small"
                        data-testid="export-tag-members"
                        on:click=move |_| state.export(Export::Analysis(AnalysisFile::TagCustomers(i as u32), false))
                    >
                        {move || tg().download_members}
                    </button>
                </div>
            })
        }
    };
    view! {
        <div
            class="analysis-result"
            data-testid="tags-result"
            data-customers=r.customers.to_string()
            data-as-of=r.as_of.map(|d| d.to_string()).unwrap_or_default()
            data-tagged=v.tagged.to_string()
            data-tags=r.tags.len().to_string()
        >
            <p class="hint">{summary}</p>
            <h3>{move || tg().coverage_title}</h3>
            <div class="table-wrap">
                <table class="grid" data-testid="tag-coverage">
                    <thead>
                        <tr>
                            <th scope="col">{move || tg().col_tag}</th>
                            <th scope="col">{move || tg().dimension}</th>
                            <th scope="col">{move || tg().level}</th>
                            <th scope="col" class="num">{move || t().customers}</th>
                            <th scope="col" class="num">{move || t().col_share}</th>
                            <th scope="col"></th>
                        </tr>
                    </thead>
                    <tbody>{coverage}</tbody>
                </table>
            </div>
            <p class="hint">{move || tg().members_hint}</p>
            {members}
            <h3>{move || tg().overlap_title}</h3>
            <div class="table-wrap">
                <table class="grid retention" data-testid="tag-overlap">
                    <thead>
                        <tr>
                            <th scope="col"></th>
                            {overlap_head}
                        </tr>
                    </thead>
                    <tbody>{overlap_rows}</tbody>
                </table>
            </div>
            <p class="downloads">
                <span class="hint">{move || tg().download_all}</span>
                {downloads(AnalysisFile::Tags, true)}
            </p>
        </div>
    }
}
