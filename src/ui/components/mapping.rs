//! Step 2: which column feeds each field; the user confirms or changes it.

use crate::ui::state::{AppState, Status};
use leptos::prelude::*;
use web_sys::HtmlSelectElement;

/// The mapping card (shown once a file is probed).
#[component]
pub fn MappingPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let missing = move || state.probe.with(|p| p.as_ref().map(|p| p.mapping.missing_required()).unwrap_or_default());
    let busy = move || matches!(state.status.get(), Status::Running { .. } | Status::Probing);
    move || {
        // RFM reads orders: the panel is for an orders table only.
        if state.kind.get() != crate::engine::ingest::fields::SourceKind::Orders {
            return None;
        }
        state.probe.get().map(|p| {
            let rows = p
                .mapping
                .kind
                .fields()
                .iter()
                .map(|spec| {
                    let field = spec.field;
                    let key = field.key();
                    let choice = p.mapping.choices.iter().find(|c| c.field == field).cloned();
                    let column = choice.as_ref().and_then(|c| c.column);
                    let confidence = choice.as_ref().filter(|c| c.column.is_some()).map(|c| format!("{}%", c.confidence.0));
                    let samples: Vec<String> = column
                        .map(|c| p.sample.iter().filter_map(|r| r.get(c).cloned()).take(3).collect())
                        .unwrap_or_default();
                    let options = p
                        .headers
                        .iter()
                        .enumerate()
                        .map(|(i, h)| {
                            let label = if h.is_empty() { format!("#{}", i + 1) } else { h.clone() };
                            view! { <option value=i.to_string() selected=column == Some(i)>{label}</option> }
                        })
                        .collect_view();
                    let on_change = move |ev: leptos::ev::Event| {
                        let sel: HtmlSelectElement = event_target(&ev);
                        let col = sel.value().parse::<usize>().ok();
                        state.probe.update(|p| {
                            if let Some(p) = p {
                                p.mapping.set(field, col);
                            }
                        });
                    };
                    let required = spec.required;
                    view! {
                        <tr>
                            <th scope="row">
                                {move || t().field(field)}
                                <span class="tag">{move || if required { t().required } else { t().optional }}</span>
                            </th>
                            <td>
                                <label class="visually-hidden" for=format!("map-{key}")>{move || t().field(field)}</label>
                                <select id=format!("map-{key}") data-testid=format!("map-{key}") on:change=on_change>
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
                <section class="card" aria-labelledby="mapping-h" data-testid="mapping">
                    <h2 id="mapping-h">{move || t().step_mapping}</h2>
                    <p class="hint">{move || t().mapping_hint}</p>
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
                    <Show when=move || !missing().is_empty()>
                        <p class="warn" data-testid="missing-fields">
                            {move || t().missing_fields}" "
                            {move || missing().iter().map(|f| t().field(*f)).collect::<Vec<_>>().join("、")}
                        </p>
                    </Show>
                    <button
                        class="button primary"
                        data-testid="run"
                        disabled=move || !missing().is_empty() || busy()
                        on:click=move |_| state.run()
                    >
                        {move || t().run}
                    </button>
                </section>
            }
        })
    }
}
