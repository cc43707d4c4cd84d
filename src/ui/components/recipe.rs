//! The recipe editor of the cleaning card: the kind's steps in order, each
//! with its parameters (actions, thresholds, outlier methods, rules on any
//! column, fill methods per field, vocabularies, column types), moved,
//! removed or added; problems the engine's check finds; reset, load and
//! save. Every change is the user's recipe for the kind: the file on screen
//! and the sources of that kind are cleaned again (see
//! [`AppState::set_recipe`]).

use crate::engine::clean::recipe::{
    default_industry_vocabulary, Action, ColumnRef, FillMethod, Op, OutlierAction, OutlierMethod, Recipe,
    RecipeProblem, RecipeProblemKind, RuleValue, Step,
};
use crate::engine::ingest::fields::{auto_map, Field, Mapping, SourceKind};
use crate::engine::ingest::profile::ColumnType;
use crate::i18n::Texts;
use crate::ui::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// Changes the recipe of `kind` with `f` and makes it the user's.
fn edit(state: AppState, kind: SourceKind, f: impl FnOnce(&mut Recipe)) {
    let mut r = state.recipe(kind);
    f(&mut r);
    state.set_recipe(kind, Some(r));
}

fn select_value(ev: &leptos::ev::Event) -> String {
    event_target::<HtmlSelectElement>(ev).value()
}

fn input_value(ev: &leptos::ev::Event) -> String {
    event_target::<HtmlInputElement>(ev).value()
}

/// The column types a user can choose (not `Empty`).
const TYPES: [ColumnType; 7] = [
    ColumnType::Integer,
    ColumnType::Decimal,
    ColumnType::DateTime,
    ColumnType::Boolean,
    ColumnType::Id,
    ColumnType::Category,
    ColumnType::Text,
];

fn type_key(t: ColumnType) -> String {
    format!("{t:?}")
}

/// How the column of header `c` is named in a recipe: by its field when mapped, else by header.
fn column_ref(headers: &[String], mapping: &Mapping, c: usize) -> Option<ColumnRef> {
    let field = mapping.choices.iter().find(|x| x.column == Some(c)).map(|x| x.field);
    match field {
        Some(f) => Some(ColumnRef::Field(f)),
        None => headers.get(c).map(|h| ColumnRef::Header(h.trim().to_string())),
    }
}

/// The recipe editor for tables of `kind`.
#[component]
pub fn RecipeEditor(
    /// The kind whose recipe is edited.
    kind: SourceKind,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let r = move |k: &'static str| move || t().recipe_text(k).to_string();
    let load_error = RwSignal::new(None::<String>);
    let on_load = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
            match text.map(|s| Recipe::from_json(&s)) {
                Some(Ok(recipe)) => {
                    load_error.set(None);
                    state.set_recipe(kind, Some(recipe));
                }
                Some(Err(m)) => load_error.set(Some(m)),
                None => load_error.set(Some(file.name())),
            }
        });
    };
    let body = move || {
        state.recipes.track();
        let (headers, mapping) = state.probe.with(|p| match p {
            Some(p) if p.mapping.kind == kind => (p.headers.clone(), p.mapping.clone()),
            _ => (Vec::new(), auto_map(kind, &[])),
        });
        let recipe = state.recipe(kind);
        let n = recipe.steps.len();
        let problems = recipe.check(&headers, &mapping);
        let steps = recipe
            .steps
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, step)| {
                let problem = problems.iter().filter(|p| p.step == i).cloned().collect::<Vec<_>>();
                view! { <StepItem kind=kind i=i n=n step=step headers=headers.clone() mapping=mapping.clone() problems=problem/> }
            })
            .collect_view();
        let errors = problems.iter().filter(|p| p.is_error()).count();
        view! {
            <ol class="recipe-steps" data-testid="recipe-steps" data-errors=errors.to_string()>{steps}</ol>
            <AddStep kind=kind headers=headers mapping=mapping/>
        }
    };
    let edited = move || state.recipes.with(|r| r.contains_key(&kind));
    let reused = move || state.cleaned.with(|c| c.as_ref().is_some_and(|c| c.reused));
    view! {
        <details class="recipe" data-testid="recipe" data-edited=move || edited().to_string()>
            <summary>
                {r("recipe_title")}
                <Show when=edited>
                    <span class="tag">{r("recipe_edited")}</span>
                </Show>
            </summary>
            <p class="hint">{r("recipe_hint")}</p>
            {body}
            <p class="controls">
                <button class="button small" data-testid="recipe-reset" disabled=move || !edited() on:click=move |_| state.set_recipe(kind, None)>
                    {r("recipe_reset")}
                </button>
                <label class="button small">
                    {r("recipe_load")}
                    <input type="file" class="visually-hidden" accept=".json,application/json" data-testid="recipe-load" on:change=on_load/>
                </label>
            </p>
            {move || load_error.get().map(|m| view! { <p class="error-text" role="alert" data-testid="recipe-load-error">{move || t().recipe_text("recipe_bad_file").to_string()}" "{m.clone()}</p> })}
            <Show when=reused>
                <p class="hint" data-testid="recipe-reused">{r("recipe_reused")}</p>
            </Show>
        </details>
    }
}

/// One problem of a step, in words.
fn problem_text(t: &Texts, p: &RecipeProblem) -> String {
    let label = |k: &str| t.recipe_text(k).to_string();
    match &p.kind {
        RecipeProblemKind::UnknownColumn { header } => label("problem_unknown_column").replace("{column}", header),
        RecipeProblemKind::FieldNotMapped { field } => {
            label("problem_field_not_mapped").replace("{column}", t.field(*field))
        }
        RecipeProblemKind::TextOrdering { value, .. } => label("problem_text_ordering").replace("{value}", value),
        RecipeProblemKind::OutOfRange { parameter, value, .. } => {
            label("problem_out_of_range").replace("{parameter}", parameter).replace("{value}", &value.to_string())
        }
    }
}

/// A select of the file's columns; `on` gets the column chosen.
fn column_select(
    headers: &[String],
    mapping: &Mapping,
    current: &ColumnRef,
    on: impl Fn(ColumnRef) + 'static,
) -> impl IntoView {
    let chosen = current.resolve(headers, mapping);
    let options = headers
        .iter()
        .enumerate()
        .map(|(c, h)| view! { <option value=c.to_string() selected=chosen == Some(c)>{h.clone()}</option> })
        .collect_view();
    let missing = chosen.is_none().then(|| {
        let label = current.label();
        view! { <option value="" selected=true>{label}</option> }
    });
    let (headers, mapping) = (headers.to_vec(), mapping.clone());
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(col) = select_value(&ev).parse::<usize>().ok().and_then(|c| column_ref(&headers, &mapping, c)) {
            on(col);
        }
    };
    view! { <select data-testid="step-column" on:change=on_change>{missing}{options}</select> }
}

fn action_select(current: Action, on: impl Fn(Action) + 'static) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let options = [(Action::SetAside, "set_aside"), (Action::Flag, "flag"), (Action::Keep, "keep")]
        .into_iter()
        .map(|(a, k)| {
            let label = move || t().recipe_text(&format!("action_{k}")).to_string();
            view! { <option value=k selected=a == current>{label}</option> }
        })
        .collect_view();
    let on_change = move |ev: leptos::ev::Event| {
        let a = match select_value(&ev).as_str() {
            "set_aside" => Action::SetAside,
            "flag" => Action::Flag,
            _ => Action::Keep,
        };
        on(a);
    };
    view! { <select data-testid="step-action" on:change=on_change>{options}</select> }
}

/// The parameter of an outlier method (k or p) and the method with another value of it.
fn method_param(m: OutlierMethod) -> (&'static str, f64) {
    match m {
        OutlierMethod::Iqr { k } => ("iqr", k),
        OutlierMethod::Sigma { k } => ("sigma", k),
        OutlierMethod::Percentile { p } => ("percentile", p),
        OutlierMethod::MeanMultiple { k } => ("mean_multiple", k),
    }
}

fn method_with(name: &str, x: f64) -> OutlierMethod {
    match name {
        "sigma" => OutlierMethod::Sigma { k: x },
        "percentile" => OutlierMethod::Percentile { p: x },
        "mean_multiple" => OutlierMethod::MeanMultiple { k: x },
        _ => OutlierMethod::Iqr { k: x },
    }
}

/// The usual parameter of a method, when the user switches to it.
fn method_default(name: &str) -> f64 {
    match name {
        "sigma" => 3.0,
        "percentile" => 0.99,
        "mean_multiple" => 10.0,
        _ => 1.5,
    }
}

/// Fields a vocabulary can standardise (names of things, not of people).
const VOCABULARY_FIELDS: [Field; 7] = [
    Field::Industry,
    Field::Province,
    Field::City,
    Field::Channel,
    Field::MemberLevel,
    Field::CompanySize,
    Field::Category,
];

const OPS: [Op; 7] = [Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Eq, Op::Ne, Op::Contains];

fn op_symbol(op: Op) -> &'static str {
    match op {
        Op::Lt => "<",
        Op::Le => "≤",
        Op::Gt => ">",
        Op::Ge => "≥",
        Op::Eq => "=",
        Op::Ne => "≠",
        Op::Contains => "",
    }
}

/// A rule's value from what the user typed: a number when it reads as one.
fn rule_value(s: &str) -> RuleValue {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => RuleValue::Number(x),
        _ => RuleValue::Text(s.trim().to_string()),
    }
}

fn rule_value_text(v: &RuleValue) -> String {
    match v {
        RuleValue::Number(x) => x.to_string(),
        RuleValue::Text(s) => s.clone(),
    }
}

const FILL_METHODS: [&str; 7] = ["auto", "mean", "median", "mode", "unknown", "constant", "leave"];

fn fill_key(m: &FillMethod) -> &'static str {
    match m {
        FillMethod::Auto => "auto",
        FillMethod::Mean => "mean",
        FillMethod::Median => "median",
        FillMethod::Mode => "mode",
        FillMethod::Unknown => "unknown",
        FillMethod::Constant { .. } => "constant",
        FillMethod::Leave => "leave",
    }
}

/// One step: its name, parameters and problems, with up, down and remove.
#[component]
fn StepItem(
    kind: SourceKind,
    i: usize,
    n: usize,
    step: Step,
    headers: Vec<String>,
    mapping: Mapping,
    problems: Vec<RecipeProblem>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let r = move |k: &'static str| move || t().recipe_text(k).to_string();
    let name = step.name();
    let title = move || t().recipe_text(&format!("step_{name}")).to_string();
    let set = move |s: Step| edit(state, kind, move |rc| rc.steps[i] = s);
    let columns_text = |columns: Vec<ColumnRef>| {
        move || {
            let t = t();
            columns
                .iter()
                .map(|c| c.field().map_or_else(|| c.label(), |f| t.field(f).to_string()))
                .collect::<Vec<_>>()
                .join("、")
        }
    };
    let params = match step.clone() {
        Step::TestAmounts { field, values, action } => {
            let v2 = values.clone();
            let on_values = move |ev: leptos::ev::Event| {
                let values: Vec<String> = input_value(&ev)
                    .split([',', '，', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                set(Step::TestAmounts { field, values, action })
            };
            view! {
                <label>{r("values_label")}<input data-testid="step-values" value=values.join(", ") on:change=on_values/></label>
                {action_select(action, move |a| set(Step::TestAmounts { field, values: v2.clone(), action: a }))}
            }
            .into_any()
        }
        Step::Rule { column, op, value, name: rule_name, action } => {
            let (c1, c2, c3, c4) = (column.clone(), column.clone(), column.clone(), column.clone());
            let (v1, v2, v3) = (value.clone(), value.clone(), value.clone());
            let (n1, n2, n3) = (rule_name.clone(), rule_name.clone(), rule_name.clone());
            let ops = OPS
                .into_iter()
                .map(|o| {
                    let label = move || match o {
                        Op::Contains => t().recipe_text("op_contains").to_string(),
                        o => op_symbol(o).to_string(),
                    };
                    view! { <option value=o.key() selected=o == op>{label}</option> }
                })
                .collect_view();
            let on_op = move |ev: leptos::ev::Event| {
                let op = OPS.into_iter().find(|o| o.key() == select_value(&ev)).unwrap_or(Op::Lt);
                set(Step::Rule { column: c2.clone(), op, value: v1.clone(), name: n1.clone(), action })
            };
            let on_value = move |ev: leptos::ev::Event| {
                let value = rule_value(&input_value(&ev));
                set(Step::Rule { column: c3.clone(), op, value, name: n2.clone(), action })
            };
            let on_name = move |ev: leptos::ev::Event| {
                let name = input_value(&ev).trim().to_string();
                if !name.is_empty() {
                    set(Step::Rule { column: c4.clone(), op, value: v2.clone(), name, action })
                }
            };
            let (v4, n4) = (value.clone(), rule_name.clone());
            view! {
                <label>{r("column_label")}{column_select(&headers, &mapping, &column, move |c| set(Step::Rule { column: c, op, value: v3.clone(), name: n3.clone(), action }))}</label>
                <label>{r("op_label")}<select data-testid="step-op" on:change=on_op>{ops}</select></label>
                <label>{r("value_label")}<input data-testid="step-value" value=rule_value_text(&value) on:change=on_value/></label>
                <label>{r("name_label")}<input data-testid="step-name" value=rule_name on:change=on_name/></label>
                {action_select(action, move |a| set(Step::Rule { column: c1.clone(), op, value: v4.clone(), name: n4.clone(), action: a }))}
            }
            .into_any()
        }
        Step::Outliers { column, method, action } => {
            let (mname, x) = method_param(method);
            let (c1, c2, c3) = (column.clone(), column.clone(), column.clone());
            let methods = ["iqr", "sigma", "percentile", "mean_multiple"]
                .into_iter()
                .map(|m| {
                    let label = move || t().recipe_text(&format!("method_{m}")).to_string();
                    view! { <option value=m selected=m == mname>{label}</option> }
                })
                .collect_view();
            let on_method = move |ev: leptos::ev::Event| {
                let m = select_value(&ev);
                set(Step::Outliers { column: c1.clone(), method: method_with(&m, method_default(&m)), action })
            };
            let on_param = move |ev: leptos::ev::Event| {
                if let Ok(x) = input_value(&ev).trim().parse::<f64>() {
                    set(Step::Outliers { column: c2.clone(), method: method_with(mname, x), action })
                }
            };
            let actions = [
                (OutlierAction::SetAside, "set_aside"),
                (OutlierAction::Cap, "cap"),
                (OutlierAction::Flag, "flag"),
                (OutlierAction::Keep, "keep"),
            ]
            .into_iter()
            .map(|(a, k)| {
                let label = move || t().recipe_text(&format!("action_{k}")).to_string();
                view! { <option value=k selected=a == action>{label}</option> }
            })
            .collect_view();
            let on_action = move |ev: leptos::ev::Event| {
                let action = match select_value(&ev).as_str() {
                    "set_aside" => OutlierAction::SetAside,
                    "cap" => OutlierAction::Cap,
                    "flag" => OutlierAction::Flag,
                    _ => OutlierAction::Keep,
                };
                set(Step::Outliers { column: c3.clone(), method, action })
            };
            view! {
                <label>{r("column_label")}{column_select(&headers, &mapping, &column, move |c| set(Step::Outliers { column: c, method, action }))}</label>
                <label>{r("method_label")}<select data-testid="step-method" on:change=on_method>{methods}</select></label>
                <label>{r("threshold_label")}<input data-testid="step-param" type="number" step="any" value=x.to_string() on:change=on_param/></label>
                <label>{r("action_label")}<select data-testid="step-action" on:change=on_action>{actions}</select></label>
            }
            .into_any()
        }
        Step::VisitsPerDay { max, action } => {
            let on_max = move |ev: leptos::ev::Event| {
                if let Ok(max) = input_value(&ev).trim().parse::<u32>() {
                    set(Step::VisitsPerDay { max, action })
                }
            };
            view! {
                <label>{r("max_label")}<input data-testid="step-max" type="number" min="1" value=max.to_string() on:change=on_max/></label>
                {action_select(action, move |a| set(Step::VisitsPerDay { max, action: a }))}
            }
            .into_any()
        }
        Step::FillMissing { fields, threshold, methods } => {
            let (f1, m1) = (fields.clone(), methods.clone());
            let on_threshold = move |ev: leptos::ev::Event| {
                if let Ok(x) = input_value(&ev).trim().parse::<f64>() {
                    set(Step::FillMissing { fields: f1.clone(), threshold: x, methods: m1.clone() })
                }
            };
            let per_field = fields
                .iter()
                .map(|&field| {
                    let current = methods.get(&field).cloned().unwrap_or_default();
                    let key = fill_key(&current);
                    let (fs, ms) = (fields.clone(), methods.clone());
                    let with = move |m: FillMethod| {
                        let mut ms = ms.clone();
                        match m {
                            FillMethod::Auto => ms.remove(&field),
                            m => ms.insert(field, m),
                        };
                        set(Step::FillMissing { fields: fs.clone(), threshold, methods: ms })
                    };
                    let with2 = with.clone();
                    let options = FILL_METHODS
                        .into_iter()
                        .map(|m| {
                            let label = move || t().recipe_text(&format!("fill_{m}")).to_string();
                            view! { <option value=m selected=m == key>{label}</option> }
                        })
                        .collect_view();
                    let on_method = move |ev: leptos::ev::Event| {
                        with(match select_value(&ev).as_str() {
                            "mean" => FillMethod::Mean,
                            "median" => FillMethod::Median,
                            "mode" => FillMethod::Mode,
                            "unknown" => FillMethod::Unknown,
                            "constant" => FillMethod::Constant { value: "未知".into() },
                            "leave" => FillMethod::Leave,
                            _ => FillMethod::Auto,
                        })
                    };
                    let constant = match &current {
                        FillMethod::Constant { value } => {
                            let on_value =
                                move |ev: leptos::ev::Event| with2(FillMethod::Constant { value: input_value(&ev) });
                            Some(view! { <input data-testid="fill-constant" value=value.clone() on:change=on_value/> })
                        }
                        _ => None,
                    };
                    view! {
                        <li data-field=field.key()>
                            <span>{move || t().field(field)}</span>
                            <select data-testid="fill-method" on:change=on_method>{options}</select>
                            {constant}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <label>{r("threshold_label")}<input data-testid="step-threshold" type="number" step="any" min="0" max="1" value=threshold.to_string() on:change=on_threshold/></label>
                <ul class="fill-methods">{per_field}</ul>
            }
            .into_any()
        }
        Step::Vocabulary { field, entries } => {
            let text = entries.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n");
            let on_entries = move |ev: leptos::ev::Event| {
                let area: HtmlTextAreaElement = event_target(&ev);
                let entries: BTreeMap<String, String> = area
                    .value()
                    .lines()
                    .filter_map(|l| l.split_once(['=', '＝']))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                    .collect();
                set(Step::Vocabulary { field, entries })
            };
            let e1 = entries.clone();
            let fields = VOCABULARY_FIELDS
                .into_iter()
                .map(|f| view! { <option value=f.key() selected=f == field>{move || t().field(f)}</option> })
                .collect_view();
            let on_field = move |ev: leptos::ev::Event| {
                if let Some(field) = Field::from_key(&select_value(&ev)) {
                    set(Step::Vocabulary { field, entries: e1.clone() })
                }
            };
            view! {
                <label>{r("fields_label")}<select data-testid="step-field" on:change=on_field>{fields}</select></label>
                <label class="wide">{r("entries_label")}<textarea data-testid="step-entries" rows="4" on:change=on_entries>{text}</textarea></label>
            }
            .into_any()
        }
        Step::ColumnType { column, kind: ty } => {
            let c1 = column.clone();
            let options = TYPES
                .into_iter()
                .map(|x| view! { <option value=type_key(x) selected=x == ty>{move || t().column_type(x)}</option> })
                .collect_view();
            let on_type = move |ev: leptos::ev::Event| {
                let v = select_value(&ev);
                if let Some(kind) = TYPES.into_iter().find(|x| type_key(*x) == v) {
                    set(Step::ColumnType { column: c1.clone(), kind })
                }
            };
            view! {
                <label>{r("column_label")}{column_select(&headers, &mapping, &column, move |c| set(Step::ColumnType { column: c, kind: ty }))}</label>
                <label>{r("type_label")}<select data-testid="step-type" on:change=on_type>{options}</select></label>
            }
            .into_any()
        }
        // The other steps have no parameters but the columns they work on.
        other => {
            let columns = other.columns();
            (!columns.is_empty())
                .then(|| view! { <span class="hint">{r("fields_label")}": "{columns_text(columns)}</span> })
                .into_any()
        }
    };
    let problem_list = problems
        .iter()
        .map(|p| {
            let p = p.clone();
            let error = p.is_error();
            let class = if error { "error-text" } else { "warn" };
            view! { <p class=class data-testid="step-problem" data-error=error.to_string()>{move || problem_text(t(), &p)}</p> }
        })
        .collect_view();
    let up = move |_| edit(state, kind, move |rc| rc.steps.swap(i - 1, i));
    let down = move |_| edit(state, kind, move |rc| rc.steps.swap(i, i + 1));
    let remove = move |_| {
        edit(state, kind, move |rc| {
            rc.steps.remove(i);
        })
    };
    let first = i == 0;
    let last = i + 1 == n;
    view! {
        <li class="recipe-step" data-step=name data-index=i.to_string()>
            <span class="step-title">{title}</span>
            <span class="step-params">{params}</span>
            <span class="step-moves">
                <button class="button small" aria-label=r("up") title=r("up") disabled=first on:click=up>"↑"</button>
                <button class="button small" aria-label=r("down") title=r("down") disabled=last on:click=down>"↓"</button>
                <button class="button small" data-testid="step-remove" aria-label=r("remove_step") title=r("remove_step") on:click=remove>"✕"</button>
            </span>
            {problem_list}
        </li>
    }
}

/// "Add a step": a business rule, an outlier check, a column type, test amounts or a vocabulary.
#[component]
fn AddStep(kind: SourceKind, headers: Vec<String>, mapping: Mapping) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let first_column = move |preferred: Field| {
        if mapping.column(preferred).is_some() {
            ColumnRef::Field(preferred)
        } else {
            headers.first().map_or(ColumnRef::Field(preferred), |h| ColumnRef::Header(h.trim().to_string()))
        }
    };
    let on_add = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        let choice = sel.value();
        sel.set_value("");
        let step = match choice.as_str() {
            "rule" => Step::Rule {
                column: first_column(Field::Amount),
                op: Op::Lt,
                value: RuleValue::Number(0.0),
                name: "rule".into(),
                action: Action::Flag,
            },
            "outliers" => Step::Outliers {
                column: first_column(Field::Amount),
                method: OutlierMethod::Iqr { k: 1.5 },
                action: OutlierAction::Flag,
            },
            "column_type" => Step::ColumnType { column: first_column(Field::Amount), kind: ColumnType::Text },
            "test_amounts" => Step::TestAmounts {
                field: Field::Amount,
                values: vec!["0".into(), "999999".into()],
                action: Action::SetAside,
            },
            "vocabulary" => Step::Vocabulary { field: Field::Industry, entries: default_industry_vocabulary() },
            _ => return,
        };
        edit(state, kind, move |rc| rc.steps.push(step));
    };
    let options = ["rule", "outliers", "column_type", "test_amounts", "vocabulary"]
        .into_iter()
        .map(|k| view! { <option value=k>{move || t().recipe_text(&format!("step_{k}")).to_string()}</option> })
        .collect_view();
    view! {
        <select class="add-step" data-testid="add-step" on:change=on_add>
            <option value="" selected=true>{move || t().recipe_text("add_step").to_string()}</option>
            {options}
        </select>
    }
}

/// The type override of each column of the file on screen, for the preview:
/// a [`Step::ColumnType`] in the recipe of `kind`, or none.
pub fn column_type_override(
    state: AppState,
    kind: SourceKind,
    headers: &[String],
    mapping: &Mapping,
    c: usize,
) -> Option<ColumnType> {
    state.recipe(kind).steps.iter().rev().find_map(|s| match s {
        Step::ColumnType { column, kind } if column.resolve(headers, mapping) == Some(c) => Some(*kind),
        _ => None,
    })
}

/// Sets (or, with `None`, removes) the type override of column `c`.
pub fn set_column_type(
    state: AppState,
    kind: SourceKind,
    headers: &[String],
    mapping: &Mapping,
    c: usize,
    ty: Option<ColumnType>,
) {
    let Some(column) = column_ref(headers, mapping, c) else { return };
    let (headers, mapping) = (headers.to_vec(), mapping.clone());
    edit(state, kind, move |rc| {
        rc.steps
            .retain(|s| !matches!(s, Step::ColumnType { column, .. } if column.resolve(&headers, &mapping) == Some(c)));
        if let Some(kind) = ty {
            rc.steps.push(Step::ColumnType { column, kind });
        }
    });
}

/// The column types offered for an override, with their keys.
pub fn column_types() -> impl Iterator<Item = (ColumnType, String)> {
    TYPES.into_iter().map(|t| (t, type_key(t)))
}
