//! The file preview: the first rows, and each column's inferred type with
//! its evidence (share that parses, missing share, distinct values, samples).

use super::recipe;
use crate::ui::format;
use crate::ui::state::AppState;
use leptos::prelude::*;

/// The preview of the probed file.
#[component]
pub fn Preview() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    move || {
        state.probe.get().map(|p| {
            let head = p.headers.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view();
            let rows = p
                .sample
                .iter()
                .map(|r| {
                    let cells = (0..p.headers.len())
                        .map(|i| view! { <td>{r.get(i).cloned().unwrap_or_default()}</td> })
                        .collect_view();
                    view! { <tr>{cells}</tr> }
                })
                .collect_view();
            let kind = state.kind.get();
            let (headers, mapping) = (p.headers.clone(), p.mapping.clone());
            let profile = p
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let ty = c.ty;
                    let chosen = state.recipes.with(|_| recipe::column_type_override(state, kind, &headers, &mapping, i));
                    let options = recipe::column_types()
                        .map(|(x, key)| view! { <option value=key selected=chosen == Some(x)>{move || t().column_type(x)}</option> })
                        .collect_view();
                    let (h, m) = (headers.clone(), mapping.clone());
                    let on_type = move |ev: leptos::ev::Event| {
                        let v = event_target::<web_sys::HtmlSelectElement>(&ev).value();
                        let ty = recipe::column_types().find(|(_, k)| *k == v).map(|(x, _)| x);
                        recipe::set_column_type(state, kind, &h, &m, i, ty);
                    };
                    view! {
                        <tr data-col=c.header.clone() data-type=format!("{:?}", c.ty)>
                            <th scope="row">{c.header.clone()}</th>
                            <td>{move || t().column_type(ty)}</td>
                            <td>
                                <select data-testid="type-override" aria-label=move || t().recipe_text("type_label").to_string() on:change=on_type>
                                    <option value="" selected=chosen.is_none()>{move || t().recipe_text("type_auto").to_string()}</option>
                                    {options}
                                </select>
                            </td>
                            <td class="num">{format::pct(c.parses)}</td>
                            <td class="num">{format::pct(c.missing)}</td>
                            <td class="num">{format::int(c.distinct)}</td>
                            <td class="samples">{c.samples.join(" · ")}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <details class="preview" data-testid="preview">
                    <summary>{move || t().preview_title}</summary>
                    <p class="hint">{move || t().preview_hint}</p>
                    <div class="table-wrap">
                        <table class="grid" data-testid="preview-rows">
                            <thead><tr>{head}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <div class="table-wrap">
                        <table class="grid" data-testid="column-profile">
                            <thead>
                                <tr>
                                    <th scope="col">{move || t().col_header}</th>
                                    <th scope="col">{move || t().col_type}</th>
                                    <th scope="col">{move || t().recipe_text("type_label").to_string()}</th>
                                    <th scope="col" class="num">{move || t().col_parses}</th>
                                    <th scope="col" class="num">{move || t().col_missing}</th>
                                    <th scope="col" class="num">{move || t().col_distinct}</th>
                                    <th scope="col">{move || t().sample_values}</th>
                                </tr>
                            </thead>
                            <tbody>{profile}</tbody>
                        </table>
                    </div>
                </details>
            }
        })
    }
}
