//! The filter bar over every analysis of the sources: a date range, a tag's
//! customers (of the last tag run) and an RFM segment's (of the RFM result),
//! and what the filter keeps of each source.

use crate::engine::analyze::segment::SegmentLabel;
use crate::engine::date::Day;
use crate::protocol::FilterChoice;
use crate::ui::state::AppState;
use leptos::prelude::*;
use web_sys::HtmlSelectElement;

/// Date range, tag and segment, applied together.
#[component]
pub fn FilterBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let p = move |k: &'static str| move || t().analysis_text(k).to_string();
    let draft = RwSignal::new(FilterChoice::default());
    let (from, to) = (RwSignal::new(None::<Day>), RwSignal::new(None::<Day>));
    let tags = move || state.analyses.tag_names.get();
    let segments =
        move || state.result.get().map(|r| r.segments.iter().map(|s| s.segment.clone()).collect::<Vec<SegmentLabel>>());
    let on_tag = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        draft.update(|d| d.tag = sel.value().parse().ok());
    };
    let on_segment = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        draft.update(|d| d.segment = sel.value().parse().ok());
    };
    let tag_options = move || {
        tags()
            .into_iter()
            .enumerate()
            .map(|(i, name)| view! { <option value=i.to_string()>{name}</option> })
            .collect_view()
    };
    let segment_options = move || {
        segments()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let name = move || t().segment_name(&s).to_string();
                view! { <option value=i.to_string()>{name}</option> }
            })
            .collect_view()
    };
    let apply = move |_| {
        let choice = FilterChoice { from: from.get_untracked(), to: to.get_untracked(), ..draft.get_untracked() };
        state.set_filter(choice);
    };
    let report = move || match state.analyses.filtered.get() {
        Some(Ok(v)) => {
            let c = state.analyses.filter.get();
            let active = c.from.is_some() || c.to.is_some() || c.tag.is_some() || c.segment.is_some();
            let rows = v
                .sources
                .iter()
                .map(|s| {
                    let text = t()
                        .analysis_text("filter_kept")
                        .replace("{file}", &s.file)
                        .replace("{kept}", &s.kept.to_string())
                        .replace("{rows}", &s.rows.to_string())
                        .replace("{undated}", &s.undated.to_string());
                    view! {
                        <li data-file=s.file.clone() data-kept=s.kept.to_string() data-rows=s.rows.to_string() data-undated=s.undated.to_string()>
                            {text}
                        </li>
                    }
                })
                .collect_view();
            let customers = v.customers.map(|n| t().analysis_text("filter_customers").replace("{n}", &n.to_string()));
            Some(
                view! {
                    <div class="filter-report" data-testid="filter-report" data-active=active.to_string() data-customers=v.customers.map(|n| n.to_string())>
                        <p class="hint">{customers}</p>
                        <ul class="hint">{rows}</ul>
                    </div>
                }
                .into_any(),
            )
        }
        Some(Err(e)) => Some(super::error_view(e, "filter-error").into_any()),
        None => None,
    };
    view! {
        <fieldset class="controls filter-bar" data-testid="filter-bar">
            <legend>{p("filter_title")}</legend>
            {super::date_input(|t| t.analysis_text("filter_from"), from, "filter-from")}
            {super::date_input(|t| t.analysis_text("filter_to"), to, "filter-to")}
            <label>
                {p("filter_tag")}
                <select data-testid="filter-tag" on:change=on_tag>
                    <option value="">{p("filter_everyone")}</option>
                    {tag_options}
                </select>
            </label>
            <label>
                {p("filter_segment")}
                <select data-testid="filter-segment" on:change=on_segment disabled=move || segments().is_none()>
                    <option value="">{p("filter_everyone")}</option>
                    {segment_options}
                </select>
            </label>
            <button class="button small" data-testid="filter-apply" on:click=apply>{p("filter_apply")}</button>
        </fieldset>
        <p class="hint">{p("filter_hint")}</p>
        {report}
    }
}
