//! The rule editor of one tag: name, dimension, level, AND/OR of its
//! conditions (metric, window, ticket type, comparison, value), conditions
//! added and removed, nested groups shown and edited as JSON ("advanced"),
//! and the tag's first definition error next to it.

use crate::engine::analyze::tags::{
    is_text_metric, takes_window, Comparison, Condition, Dimension, Group, GroupOp, Level, Rule, RuleValue, TagDef,
    TagError, TagSet, DERIVED_METRICS,
};
use crate::engine::ingest::fields::Field;
use crate::engine::unify::ATTRIBUTES;
use crate::i18n::TagTexts;
use crate::ui::state::{AppState, TagDraft};
use leptos::html::Textarea;
use leptos::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

pub(super) const DIMENSIONS: [Dimension; 4] =
    [Dimension::Attribute, Dimension::Behaviour, Dimension::ServiceNeed, Dimension::Value];
pub(super) const LEVELS: [Level; 2] = [Level::Core, Level::Secondary];
const TEXT_OPS: [Comparison; 3] = [Comparison::Eq, Comparison::Ne, Comparison::Contains];
const NUMBER_OPS: [Comparison; 6] =
    [Comparison::Eq, Comparison::Ne, Comparison::Lt, Comparison::Le, Comparison::Gt, Comparison::Ge];

/// A dimension's name.
pub(super) fn dimension_name(tg: &TagTexts, d: Dimension) -> &'static str {
    DIMENSIONS.iter().position(|&x| x == d).map_or("", |i| tg.dimensions[i])
}

/// A level's name.
pub(super) fn level_name(tg: &TagTexts, l: Level) -> &'static str {
    LEVELS.iter().position(|&x| x == l).map_or("", |i| tg.levels[i])
}

/// The key of a dimension or level as in `tags.json` (`service_need`, `core`…).
pub(super) fn json_key<T: serde::Serialize>(x: T) -> String {
    serde_json::to_value(x).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Every metric a condition can use: the derived ones, then the customers' attributes.
fn metric_keys() -> Vec<&'static str> {
    let attributes = ATTRIBUTES.iter().filter(|&&f| f != Field::Age).map(|f| f.key());
    DERIVED_METRICS.iter().copied().chain(attributes).collect()
}

/// A condition to start from.
fn new_condition() -> Rule {
    Rule::Condition(Condition {
        metric: "order_count".into(),
        window_days: None,
        ticket_type: None,
        op: Comparison::Ge,
        value: RuleValue::Number(1.0),
    })
}

/// A new tag named `name`: one condition.
pub(super) fn new_tag(name: String) -> TagDef {
    TagDef {
        name,
        dimension: Dimension::Behaviour,
        level: Level::Secondary,
        rule: Group { op: GroupOp::All, items: vec![new_condition()] },
    }
}

/// Changes the definition of the draft `key`.
fn edit(drafts: RwSignal<Vec<TagDraft>>, key: u32, f: impl FnOnce(&mut TagDef)) {
    drafts.update(|v| {
        if let Some(d) = v.iter_mut().find(|d| d.key == key) {
            f(&mut d.def);
        }
    });
}

/// Changes condition `j` of the draft `key` (a top-level condition only).
fn edit_condition(drafts: RwSignal<Vec<TagDraft>>, key: u32, j: usize, f: impl FnOnce(&mut Condition)) {
    edit(drafts, key, |d| {
        if let Some(Rule::Condition(c)) = d.rule.items.get_mut(j) {
            f(c);
        }
    });
}

/// The first error of draft `i` of `all`: its own rule, else a name used by an earlier tag.
pub(super) fn draft_error(all: &[TagDraft], i: usize) -> Option<TagError> {
    let d = &all.get(i)?.def;
    match TagSet::new(vec![d.clone()]) {
        Err(TagError::BlankName { .. }) => Some(TagError::BlankName { index: i + 1 }),
        Err(e) => Some(e),
        Ok(_) => {
            let name = d.name.trim();
            all[..i].iter().any(|e| e.def.name.trim() == name).then(|| TagError::DuplicateName { tag: name.into() })
        }
    }
}

/// The editor of the draft `key`.
#[component]
pub(super) fn TagEditor(draft: u32) -> impl IntoView {
    let state = expect_context::<AppState>();
    let tg = move || &state.lang.get().texts().tagging;
    let drafts = state.analyses.tag_drafts;
    let key = draft;
    let def = Memo::new(move |_| drafts.with(|v| v.iter().find(|d| d.key == key).map(|d| d.def.clone())));
    let index = Memo::new(move |_| drafts.with(|v| v.iter().position(|d| d.key == key).unwrap_or(0)));
    let error = move || {
        let e = drafts.with(|v| draft_error(v, index.get()))?;
        let message = tg().error(&e);
        Some(view! { <p class="error-text" role="alert" data-testid="tag-error">{message}</p> })
    };
    let name = move || def.get().map(|d| d.name).unwrap_or_default();
    let select_of = move |value: String, options: Vec<(String, String)>| {
        options
            .into_iter()
            .map(|(k, label)| {
                let selected = k == value;
                view! { <option value=k selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let dimension_options = move || {
        let d = def.get().map(|d| json_key(d.dimension)).unwrap_or_default();
        let options = DIMENSIONS.iter().zip(tg().dimensions).map(|(&x, l)| (json_key(x), l.to_string())).collect();
        select_of(d, options)
    };
    let level_options = move || {
        let l = def.get().map(|d| json_key(d.level)).unwrap_or_default();
        let options = LEVELS.iter().zip(tg().levels).map(|(&x, l)| (json_key(x), l.to_string())).collect();
        select_of(l, options)
    };
    let op_options = move || {
        let op = def.get().map(|d| json_key(d.rule.op)).unwrap_or_default();
        let options = vec![
            (json_key(GroupOp::All), tg().group_all.to_string()),
            (json_key(GroupOp::Any), tg().group_any.to_string()),
        ];
        select_of(op, options)
    };
    let conditions = move || {
        let Some(d) = def.get() else { return Vec::new() };
        d.rule
            .items
            .into_iter()
            .enumerate()
            .map(|(j, item)| match item {
                Rule::Condition(c) => view! { <ConditionRow draft=key j=j c=c/> }.into_any(),
                Rule::Group(g) => {
                    // A list of customer ids is never written out in the page.
                    let json = if g.lists_ids() {
                        let n = g.listed_ids();
                        state.lang.get().texts().drill_text("save_hidden_ids").replace("{n}", &n.to_string())
                    } else {
                        serde_json::to_string(&g).unwrap_or_default()
                    };
                    view! {
                        <li class="tag-condition nested" data-testid="tag-nested">
                            <span class="hint">{move || tg().nested_group}</span>
                            <code class="value">{json}</code>
                            <button
                                class="button small"
                                data-testid="cond-remove"
                                on:click=move |_| edit(drafts, key, |d| {
                                    d.rule.items.remove(j);
                                })
                            >
                                {move || tg().remove_condition}
                            </button>
                        </li>
                    }
                    .into_any()
                }
            })
            .collect::<Vec<_>>()
    };
    let json_area = NodeRef::<Textarea>::new();
    let json_error = RwSignal::new(None::<String>);
    let json_text = move || def.get().and_then(|d| serde_json::to_string_pretty(&d).ok()).unwrap_or_default();
    let apply_json = move |_| {
        let Some(area) = json_area.get() else { return };
        match serde_json::from_str::<TagDef>(&area.value()) {
            Ok(d) => {
                json_error.set(None);
                edit(drafts, key, |x| *x = d);
            }
            Err(e) => json_error.set(Some(tg().error(&TagError::Json { message: e.to_string() }))),
        }
    };
    view! {
        <fieldset class="tag-editor" data-testid="tag-editor" data-tag=name data-index=move || index.get().to_string()>
            <div class="controls">
                <label>
                    {move || tg().name}
                    <input
                        type="text"
                        data-testid="tag-name"
                        prop:value=name
                        on:change=move |ev| {
                            let v = event_target::<HtmlInputElement>(&ev).value();
                            edit(drafts, key, |d| d.name = v);
                        }
                    />
                </label>
                <label>
                    {move || tg().dimension}
                    <select
                        data-testid="tag-dimension"
                        on:change=move |ev| {
                            let v = event_target::<HtmlSelectElement>(&ev).value();
                            if let Some(&x) = DIMENSIONS.iter().find(|&&x| json_key(x) == v) {
                                edit(drafts, key, |d| d.dimension = x);
                            }
                        }
                    >
                        {dimension_options}
                    </select>
                </label>
                <label>
                    {move || tg().level}
                    <select
                        data-testid="tag-level"
                        on:change=move |ev| {
                            let v = event_target::<HtmlSelectElement>(&ev).value();
                            if let Some(&x) = LEVELS.iter().find(|&&x| json_key(x) == v) {
                                edit(drafts, key, |d| d.level = x);
                            }
                        }
                    >
                        {level_options}
                    </select>
                </label>
                <label>
                    <span class="visually-hidden">{move || tg().group_all}</span>
                    <select
                        data-testid="tag-op"
                        on:change=move |ev| {
                            let v = event_target::<HtmlSelectElement>(&ev).value();
                            let op = if v == json_key(GroupOp::Any) { GroupOp::Any } else { GroupOp::All };
                            edit(drafts, key, |d| d.rule.op = op);
                        }
                    >
                        {op_options}
                    </select>
                </label>
                <button
                    class="button small"
                    data-testid="tag-remove"
                    on:click=move |_| drafts.update(|v| v.retain(|d| d.key != key))
                >
                    {move || tg().remove_tag}
                </button>
            </div>
            <ul class="tag-conditions">{conditions}</ul>
            <button
                class="button small"
                data-testid="tag-add-condition"
                on:click=move |_| edit(drafts, key, |d| d.rule.items.push(new_condition()))
            >
                {move || tg().add_condition}
            </button>
            {error}
            <details class="tag-json" hidden=move || def.get().is_some_and(|d| d.lists_ids())>
                <summary>{move || tg().advanced}</summary>
                <textarea node_ref=json_area rows="8" data-testid="tag-json" prop:value=json_text></textarea>
                <button class="button small" data-testid="tag-json-apply" on:click=apply_json>
                    {move || tg().apply_json}
                </button>
                {move || json_error.get().map(|m| view! { <p class="error-text" role="alert">{m}</p> })}
            </details>
        </fieldset>
    }
}

/// One condition: metric, window, ticket type, comparison, value.
#[component]
fn ConditionRow(draft: u32, j: usize, c: Condition) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let tg = move || -> &'static TagTexts { &t().tagging };
    let drafts = state.analyses.tag_drafts;
    let key = draft;
    let metric = c.metric.clone();
    let windowed = takes_window(&metric) || c.window_days.is_some();
    let text_metric = is_text_metric(&metric);
    let metric_options = {
        let metric = metric.clone();
        move || {
            let mut keys: Vec<String> = metric_keys().into_iter().map(str::to_string).collect();
            if !keys.contains(&metric) {
                keys.insert(0, metric.clone());
            }
            keys.into_iter()
                .map(|k| {
                    let label = t().tagging.metric(t(), &k).to_string();
                    let selected = k == metric;
                    view! { <option value=k selected=selected>{label}</option> }
                })
                .collect_view()
        }
    };
    let mut ops: Vec<Comparison> = if text_metric { TEXT_OPS.to_vec() } else { NUMBER_OPS.to_vec() };
    if !ops.contains(&c.op) {
        ops.push(c.op);
    }
    let current_op = c.op;
    let op_options = move || {
        ops.iter()
            .map(|&op| {
                let label = if op == Comparison::Contains { tg().contains } else { op.symbol() };
                let selected = op == current_op;
                view! { <option value=op.symbol() selected=selected>{label}</option> }
            })
            .collect_view()
    };
    if let RuleValue::List(values) = &c.value {
        return listed_condition(draft, j, &metric, values).into_any();
    }
    let value_text = match &c.value {
        RuleValue::Number(x) => x.to_string(),
        RuleValue::Text(s) => s.clone(),
        RuleValue::List(v) => v.join(","),
    };
    let ticket_type = (metric == "tickets_of_type").then(|| {
        let value = c.ticket_type.clone().unwrap_or_default();
        view! {
            <label>
                {move || tg().ticket_type}
                <input
                    type="text"
                    data-testid="cond-ticket-type"
                    value=value
                    on:change=move |ev| {
                        let v = event_target::<HtmlInputElement>(&ev).value();
                        edit_condition(drafts, key, j, |c| c.ticket_type = Some(v));
                    }
                />
            </label>
        }
    });
    view! {
        <li class="tag-condition" data-testid="tag-condition" data-metric=metric.clone() data-j=j.to_string()>
            <label>
                {move || tg().metric}
                <select
                    data-testid="cond-metric"
                    on:change=move |ev| {
                        let v = event_target::<HtmlSelectElement>(&ev).value();
                        edit_condition(drafts, key, j, |c| set_metric(c, v));
                    }
                >
                    {metric_options}
                </select>
            </label>
            <label>
                {move || tg().window}
                <input
                    type="number"
                    min="0"
                    step="1"
                    data-testid="cond-window"
                    disabled=!windowed
                    value=c.window_days.map(|d| d.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target::<HtmlInputElement>(&ev).value();
                        let days = v.trim().parse::<i64>().ok();
                        edit_condition(drafts, key, j, |c| c.window_days = days);
                    }
                />
            </label>
            {ticket_type}
            <label>
                {move || tg().operator}
                <select
                    data-testid="cond-op"
                    on:change=move |ev| {
                        let v = event_target::<HtmlSelectElement>(&ev).value();
                        let all = TEXT_OPS.iter().chain(NUMBER_OPS.iter());
                        if let Some(&op) = all.clone().find(|op| op.symbol() == v) {
                            edit_condition(drafts, key, j, |c| c.op = op);
                        }
                    }
                >
                    {op_options}
                </select>
            </label>
            <label>
                {move || tg().value}
                <input
                    type="text"
                    data-testid="cond-value"
                    value=value_text
                    on:change=move |ev| {
                        let v = event_target::<HtmlInputElement>(&ev).value();
                        edit_condition(drafts, key, j, |c| c.value = value_of(&c.metric, &v));
                    }
                />
            </label>
            <button
                class="button small"
                data-testid="cond-remove"
                on:click=move |_| edit(drafts, key, |d| {
                    d.rule.items.remove(j);
                })
            >
                {move || tg().remove_condition}
            </button>
        </li>
    }
    .into_any()
}

/// A condition on a list of values (`in`), shown, not edited: a list of
/// customer ids by its size only (ids are never written out in the page),
/// another list by its values.
fn listed_condition(draft: u32, j: usize, metric: &str, values: &[String]) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let drafts = state.analyses.tag_drafts;
    let (n, ids) = (values.len(), metric.trim() == "user_id");
    let joined = values.join(", ");
    let metric_key = metric.to_string();
    let what = move || {
        if ids {
            t().drill_text("save_hidden_ids").replace("{n}", &n.to_string())
        } else {
            format!("{} in {}", t().tagging.metric(t(), &metric_key), joined)
        }
    };
    view! {
        <li class="tag-condition" data-testid="tag-condition" data-metric=metric.to_string() data-listed=n.to_string()>
            <span class="hint" data-testid="cond-listed">{what}</span>
            <button
                class="button small"
                data-testid="cond-remove"
                on:click=move |_| edit(drafts, draft, |d| {
                    d.rule.items.remove(j);
                })
            >
                {move || t().tagging.remove_condition}
            </button>
        </li>
    }
}

/// A value as typed: text for a text metric, else a number when it reads as one (else the text, which the
/// checks then name).
fn value_of(metric: &str, typed: &str) -> RuleValue {
    match typed.trim().parse::<f64>() {
        Ok(x) if !is_text_metric(metric) && x.is_finite() => RuleValue::Number(x),
        _ => RuleValue::Text(typed.trim().to_string()),
    }
}

/// Another metric for a condition: the window, comparison and value are kept where they still fit.
fn set_metric(c: &mut Condition, metric: String) {
    if !takes_window(&metric) {
        c.window_days = None;
    }
    if metric == "tickets_of_type" {
        c.ticket_type.get_or_insert_with(String::new);
    } else {
        c.ticket_type = None;
    }
    let text = is_text_metric(&metric);
    if text && !TEXT_OPS.contains(&c.op) {
        c.op = Comparison::Eq;
    }
    if !text && !NUMBER_OPS.contains(&c.op) {
        c.op = Comparison::Ge;
    }
    let typed = match &c.value {
        RuleValue::Number(x) => x.to_string(),
        RuleValue::Text(s) => s.clone(),
        RuleValue::List(v) => v.join(","),
    };
    c.value = value_of(&metric, &typed);
    c.metric = metric;
}
