//! Step 2: which column feeds each field of the table's kind; the user
//! confirms or changes it. [`MappingTable`] is the same table for a source
//! of the customer view.

use crate::engine::ingest::fields::{Field, Mapping, SourceKind};
use crate::ui::state::{AppState, Status};
use leptos::prelude::*;
use web_sys::HtmlSelectElement;

/// The mapping card (shown once a file is probed), for whatever kind the
/// file is read as; only an orders table is scored (RFM) from here.
#[component]
pub fn MappingPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let missing = move || state.probe.with(|p| p.as_ref().map(|p| p.mapping.missing_required()).unwrap_or_default());
    let busy = move || matches!(state.status.get(), Status::Running { .. } | Status::Probing);
    let is_orders = move || state.kind.get() == SourceKind::Orders;
    move || {
        state.probe.get().map(|p| {
            let kind = p.mapping.kind;
            let on_set = Callback::new(move |(field, col): (Field, Option<usize>)| state.set_column(field, col));
            view! {
                <section class="card" aria-labelledby="mapping-h" data-testid="mapping" data-kind=kind.key()>
                    <h2 id="mapping-h">{move || format!("{} · {}", t().step_mapping, t().kind(kind))}</h2>
                    <p class="hint">{move || if is_orders() { t().mapping_hint } else { t().mapping_hint_clean }}</p>
                    <MappingTable headers=p.headers sample=p.sample mapping=p.mapping id_prefix="map" on_set=on_set/>
                    <Show when=move || !missing().is_empty()>
                        <p class="warn" data-testid="missing-fields">
                            {move || t().missing_fields}" "
                            {move || missing().iter().map(|f| t().field(*f)).collect::<Vec<_>>().join("、")}
                        </p>
                    </Show>
                    <Show when=is_orders>
                        <button
                            class="button primary"
                            data-testid="run"
                            disabled=move || !missing().is_empty() || busy()
                            on:click=move |_| state.run()
                        >
                            {move || t().run}
                        </button>
                    </Show>
                </section>
            }
        })
    }
}

/// One row per field of `mapping.kind`: the column chosen (changeable), a
/// few sample values from it and how sure the guess was.
#[component]
pub fn MappingTable(
    /// The file's headers.
    headers: Vec<String>,
    /// Its first rows (masked), for the sample values.
    sample: Vec<Vec<String>>,
    /// The mapping shown.
    mapping: Mapping,
    /// Prefix of the selects' element ids (unique in the page).
    #[prop(into)]
    id_prefix: String,
    /// Called with a field and the column the user chose for it (`None`: not used).
    on_set: Callback<(Field, Option<usize>)>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let rows = mapping
        .kind
        .fields()
        .iter()
        .map(|spec| {
            let field = spec.field;
            let key = field.key();
            let choice = mapping.choices.iter().find(|c| c.field == field).cloned();
            let column = choice.as_ref().and_then(|c| c.column);
            let confidence = choice.as_ref().filter(|c| c.column.is_some()).map(|c| format!("{}%", c.confidence.0));
            let samples: Vec<String> =
                column.map(|c| sample.iter().filter_map(|r| r.get(c).cloned()).take(3).collect()).unwrap_or_default();
            let options = headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let label = if h.is_empty() { format!("#{}", i + 1) } else { h.clone() };
                    view! { <option value=i.to_string() selected=column == Some(i)>{label}</option> }
                })
                .collect_view();
            let on_change = move |ev: leptos::ev::Event| {
                let sel: HtmlSelectElement = event_target(&ev);
                on_set.run((field, sel.value().parse::<usize>().ok()));
            };
            let required = spec.required;
            let id = format!("{id_prefix}-{key}");
            view! {
                <tr data-field=key>
                    <th scope="row">
                        {move || t().field(field)}
                        <span class="tag">{move || if required { t().required } else { t().optional }}</span>
                    </th>
                    <td>
                        <label class="visually-hidden" for=id.clone()>{move || t().field(field)}</label>
                        <select id=id data-testid=format!("map-{key}") on:change=on_change>
                            <option value="" selected=column.is_none()>{move || t().not_mapped}</option>
                            {options}
                        </select>
                    </td>
                    <td class="samples">{samples.join(" · ")}</td>
                    <td class="num">{confidence}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="grid mapping">
            <thead>
                <tr>
                    <th scope="col">{move || t().field}</th>
                    <th scope="col">{move || t().column}</th>
                    <th scope="col">{move || t().sample_values}</th>
                    <th scope="col" class="num">{move || t().confidence}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
