//! The customers behind a figure, one component for every card: what the
//! list is of and how many, its first rows as the role may see them, the
//! CSV of all of them (as the CLI writes it), and "save as tag" — a name
//! (the list's title to start from), a dimension and a level — which adds a
//! tag of these customers to the tag set and evaluates the tags again.

use super::error_view;
use super::tag_editor::{dimension_name, json_key, level_name, DIMENSIONS, LEVELS};
use crate::engine::analyze::members::MemberSource;
use crate::engine::analyze::tags::{Dimension, Level};
use crate::protocol::CustomerListView;
use crate::ui::format;
use crate::ui::job::Export;
use crate::ui::state::AppState;
use leptos::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

/// The list asked for last, when it belongs to the card `here` says.
#[component]
pub fn MemberList(
    /// Whether a list is of this card.
    here: fn(&MemberSource) -> bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let m = state.members;
    move || {
        let of = m.asked.get().filter(here)?;
        Some(match m.list.get() {
            None => view! { <p class="hint" data-testid="member-list-busy">"…"</p> }.into_any(),
            Some(Err(e)) => error_view(e, "member-list-error").into_any(),
            Some(Ok(v)) if v.of == of => view! { <ListView v=v/> }.into_any(),
            Some(Ok(_)) => ().into_any(),
        })
    }
}

/// The dimension a tag of such a list starts with: who they are for a profile row, else what they do.
fn default_dimension(of: &MemberSource) -> Dimension {
    match of {
        MemberSource::Profile { .. } => Dimension::Attribute,
        _ => Dimension::Behaviour,
    }
}

#[component]
fn ListView(v: CustomerListView) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let d = move |k: &'static str| t().drill_text(k);
    let m = state.members;
    let (of, n, shown) = (v.of, v.customers, v.rows.len());
    let title = move || d("list_count").replace("{what}", &m.title.get()).replace("{n}", &format::int(n));
    let head = v.headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view();
    let rows = v
        .rows
        .into_iter()
        .map(|row| {
            let cells = row.into_iter().map(|c| view! { <td>{c}</td> }).collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let name = RwSignal::new(m.title.get_untracked());
    let dimension = RwSignal::new(default_dimension(&of));
    let level = RwSignal::new(Level::Secondary);
    let dimension_options = move || {
        DIMENSIONS
            .iter()
            .map(|&x| {
                let selected = x == dimension.get();
                view! { <option value=json_key(x) selected=selected>{dimension_name(&t().tagging, x)}</option> }
            })
            .collect_view()
    };
    let level_options = move || {
        LEVELS
            .iter()
            .map(|&x| {
                let selected = x == level.get();
                view! { <option value=json_key(x) selected=selected>{level_name(&t().tagging, x)}</option> }
            })
            .collect_view()
    };
    let save = move |_| {
        state.save_members_tag(of, name.get_untracked(), dimension.get_untracked(), level.get_untracked());
    };
    let saved = move || {
        m.saved.get().map(|o| match o {
            Ok(x) => {
                let mut text = d("save_done").replace("{name}", &x.def.name).replace("{n}", &format::int(x.customers));
                if x.unmatched > 0 {
                    text = format!("{text} {}", d("save_unmatched").replace("{k}", &format::int(x.unmatched)));
                }
                view! {
                    <p class="hint" role="status" data-testid="save-tag-done" data-name=x.def.name.clone() data-customers=x.customers.to_string() data-unmatched=x.unmatched.to_string()>
                        {text}
                    </p>
                }
                .into_any()
            }
            Err(e) => error_view(e, "save-tag-error").into_any(),
        })
    };
    view! {
        <div class="rf-members member-list" data-testid="member-list" data-of=serde_json::to_string(&of).unwrap_or_default() data-count=n.to_string() data-shown=shown.to_string()>
            <h4 data-testid="member-list-title">{title}</h4>
            <p class="hint">{move || d("list_shown").replace("{shown}", &format::int(shown as u64))}</p>
            <div class="table-wrap">
                <table class="grid">
                    <thead><tr>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="downloads">
                <button class="button small" data-testid="export-members" on:click=move |_| state.export(Export::Members(of))>
                    {move || d("list_download")}
                </button>
            </p>
            <fieldset class="controls save-tag" data-testid="save-tag-form">
                <legend>{move || d("save_tag")}</legend>
                <label>
                    {move || d("save_name")}
                    <input
                        type="text"
                        data-testid="save-tag-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target::<HtmlInputElement>(&ev).value())
                    />
                </label>
                <label>
                    {move || d("save_dimension")}
                    <select
                        data-testid="save-tag-dimension"
                        on:change=move |ev| {
                            let v = event_target::<HtmlSelectElement>(&ev).value();
                            if let Some(&x) = DIMENSIONS.iter().find(|&&x| json_key(x) == v) {
                                dimension.set(x);
                            }
                        }
                    >
                        {dimension_options}
                    </select>
                </label>
                <label>
                    {move || d("save_level")}
                    <select
                        data-testid="save-tag-level"
                        on:change=move |ev| {
                            let v = event_target::<HtmlSelectElement>(&ev).value();
                            if let Some(&x) = LEVELS.iter().find(|&&x| json_key(x) == v) {
                                level.set(x);
                            }
                        }
                    >
                        {level_options}
                    </select>
                </label>
                <button class="button small primary" data-testid="save-tag" on:click=save>{move || d("save_button")}</button>
            </fieldset>
            {saved}
        </div>
    }
}
