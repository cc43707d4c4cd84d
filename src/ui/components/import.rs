//! Step 1: pick or drop a file, or load the sample; what the file is.

use super::drop::DropZone;
use crate::engine::ingest::detect::Format;
use crate::ui::format;
use crate::ui::state::AppState;
use leptos::prelude::*;

/// The import card.
#[component]
pub fn ImportPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let open = move |mut files: Vec<web_sys::Blob>| {
        if let Some(f) = files.pop() {
            state.open_file(f);
        }
    };
    view! {
        <section class="card" aria-labelledby="import-h">
            <h2 id="import-h">{move || t().step_import}</h2>
            <p class="hint">{move || t().import_hint}</p>
            <DropZone
                testid="drop-zone"
                input_testid="file-input"
                multiple=false
                label=Signal::derive(move || t().choose_file)
                on_files=open
            >
                <span class="or">{move || t().drop_here}</span>
                <button class="button" data-testid="load-sample" on:click=move |_| state.load_sample()>
                    {move || t().load_sample}
                </button>
            </DropZone>
            <FileInfo/>
            <Reapplied/>
            <super::preview::Preview/>
        </section>
    }
}

/// A note when a saved column mapping was applied, with a way to forget it.
#[component]
fn Reapplied() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let forget = move |_| {
        if let Some(p) = state.probe.get_untracked() {
            crate::ui::browser::forget_mapping(&p.headers);
        }
        state.mapping_reapplied.set(false);
    };
    move || {
        state.mapping_reapplied.get().then(|| {
            view! {
                <p class="hint" data-testid="mapping-reapplied">
                    {move || t().mapping_reapplied} " "
                    <button class="button small" data-testid="forget-mapping" on:click=forget>
                        {move || t().forget_mapping}
                    </button>
                </p>
            }
        })
    }
}

/// What the probe found out about the file.
#[component]
fn FileInfo() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    move || {
        state.probe.get().map(|p| {
            let format = match p.format {
                Format::Csv => "CSV",
                Format::Xlsx => "Excel (.xlsx)",
                Format::Xls => "Excel (.xls)",
                Format::JsonLines => "JSON Lines",
            };
            let delimiter = p.dialect.map(|d| match d.delimiter {
                b'\t' => "Tab".to_string(),
                c => format!("“{}”", c as char),
            });
            let size = if p.size >= 1 << 20 {
                format::bytes(p.size)
            } else {
                format!("{} KB", format::float(p.size as f64 / 1024.0, 1))
            };
            view! {
                <dl class="file-info" data-testid="file-info">
                    <dt>{t().file_info}</dt>
                    <dd data-testid="file-name">{p.file.clone()}</dd>
                    <dt>{t().size}</dt>
                    <dd>{size}</dd>
                    <dt>{t().format}</dt>
                    <dd data-testid="file-format">{format}</dd>
                    {p.encoding.map(|e| view! {
                        <dt>{t().encoding}</dt>
                        <dd data-testid="file-encoding">{e.label()}</dd>
                    })}
                    {delimiter.map(|d| view! {
                        <dt>{t().delimiter}</dt>
                        <dd data-testid="file-delimiter">{d}</dd>
                    })}
                    {p.sheet.clone().map(|current| {
                        let options = p
                            .sheets
                            .iter()
                            .map(|s| view! { <option value=s.clone() selected=*s == current>{s.clone()}</option> })
                            .collect_view();
                        let on_sheet = move |ev: leptos::ev::Event| {
                            let sel: web_sys::HtmlSelectElement = event_target(&ev);
                            state.choose_sheet(sel.value());
                        };
                        view! {
                            <dt>{t().sheet}</dt>
                            <dd>
                                <select data-testid="sheet" data-sheet=current.clone() aria-label=t().sheet on:change=on_sheet>
                                    {options}
                                </select>
                            </dd>
                        }
                    })}
                </dl>
                {(p.uncalculated.count > 0).then(|| {
                    let u = p.uncalculated.clone();
                    let text = move || {
                        t().uncalculated_formulas
                            .replace("{n}", &format::int(u.count))
                            .replace("{cells}", &u.cells.join(", "))
                    };
                    view! { <p class="warn" role="status" data-testid="uncalculated" data-count=p.uncalculated.count.to_string()>{text}</p> }
                })}
                {(p.merged_cells_filled > 0).then(|| {
                    let n = p.merged_cells_filled;
                    let text = move || t().merged_cells_filled.replace("{n}", &format::int(n));
                    view! { <p class="hint" role="status" data-testid="merged-cells" data-count=n.to_string()>{text}</p> }
                })}
            }
        })
    }
}
