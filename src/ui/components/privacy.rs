//! The privacy card: the role the page is viewed as, how personal data is
//! masked (raw values only for the admin, recorded), the encrypted workspace
//! (save and open), and a network check that lists what the page loaded and
//! shows a request to another origin being blocked.

use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::roles::{Access, Role};
use crate::engine::privacy::small_cell::{SmallCellAction, SmallCellParams};
use crate::engine::privacy::PersonalKind;
use crate::protocol::{ColumnMark, MarkChoice};
use crate::ui::browser;
use crate::ui::format;
use crate::ui::job::JobError;
use crate::ui::state::{AppState, AuditAction, WorkspaceDone};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};

/// A site the network check tries to reach (it must be blocked).
const OTHER_ORIGIN: &str = "https://example.com/";

/// The privacy card.
#[component]
pub fn PrivacyPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let on_role = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        if let Some(r) = Role::from_key(&sel.value()) {
            state.set_role(r);
        }
    };
    let on_preset = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        if let Some(p) = MaskPreset::from_key(&sel.value()) {
            state.set_masking(p, state.raw.get_untracked());
        }
    };
    let on_raw = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        state.set_masking(state.mask_preset.get_untracked(), input.checked());
    };
    let roles = move || {
        Role::ALL
            .into_iter()
            .map(|r| view! { <option value=r.key() selected=move || state.role.get() == r>{move || t().role(r)}</option> })
            .collect_view()
    };
    let presets = move || {
        MaskPreset::ALL
            .into_iter()
            .map(|p| {
                let name = move || t().privacy_text(&format!("mask_preset_{}", p.key())).to_string();
                view! { <option value=p.key() selected=move || state.mask_preset.get() == p>{name}</option> }
            })
            .collect_view()
    };
    let audit = move || {
        state
            .audit
            .get()
            .into_iter()
            .map(|e| {
                let template = match e.action {
                    AuditAction::ShowRaw => t().audit_show_raw,
                    AuditAction::Mask => t().audit_mask,
                };
                view! { <li>{template.replace("{at}", &e.at).replace("{role}", t().role(e.role))}</li> }
            })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="privacy-h" data-testid="privacy">
            <h2 id="privacy-h">{move || t().privacy_title}</h2>
            <p class="hint">{move || t().privacy_hint}</p>
            <div class="controls">
                <label>
                    {move || t().role_label}
                    <select data-testid="role" on:change=on_role>{roles}</select>
                </label>
                <label>
                    {move || t().mask_label}
                    <select data-testid="mask-preset" on:change=on_preset>{presets}</select>
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="show-raw"
                        prop:checked=move || state.raw.get()
                        disabled=move || !state.role.get().may_show_raw()
                        on:change=on_raw
                    />
                    {move || t().show_raw}
                </label>
            </div>
            <ul class="audit" data-testid="audit" aria-label=move || t().audit_title>{audit}</ul>
            <VisibilityEditor/>
            <SmallCells/>
            <SchemaView/>
            <WorkspaceBox/>
            <NetworkCheck/>
        </section>
    }
}

/// What each role sees of each field (of the kinds among the sources, or of
/// every kind before there are any): shown, pseudonyms or hidden; edited by
/// the admin only.
#[component]
fn VisibilityEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let p = move |k: &'static str| move || t().privacy_text(k).to_string();
    let admin = move || state.role.get().may_edit_visibility();
    // One select per role for a field (`None`: the other columns).
    let cell = move |role: Role, field: Option<Field>| {
        let on_change = move |ev: leptos::ev::Event| {
            let sel: HtmlSelectElement = event_target(&ev);
            if let Some(a) = Access::from_key(&sel.value()) {
                state.set_visibility(role, field, a);
            }
        };
        let current = move || state.visibility.with(|v| v.of(role).of(field));
        let options = Access::ALL
            .into_iter()
            .map(|a| {
                let name = move || t().privacy_text(&format!("access_{}", a.key())).to_string();
                view! { <option value=a.key() selected=move || current() == a>{name}</option> }
            })
            .collect_view();
        let label = move || {
            let what =
                field.map_or_else(|| t().privacy_text("other_columns").to_string(), |f| t().field(f).to_string());
            format!("{} · {}", t().role(role), what)
        };
        view! {
            <td data-role=role.key() data-access=move || current().key()>
                <select data-testid="access" data-role=role.key() aria-label=label disabled=move || !admin() on:change=on_change>
                    {options}
                </select>
            </td>
        }
    };
    let row = move |field: Option<Field>| {
        let name =
            move || field.map_or_else(|| t().privacy_text("other_columns").to_string(), |f| t().field(f).to_string());
        let key = field.map_or("other", |f| f.key());
        let cells = Role::ALL.into_iter().map(|r| cell(r, field)).collect_view();
        view! { <tr data-field=key><th scope="row">{name}</th>{cells}</tr> }
    };
    let body = move || {
        let present: Vec<SourceKind> = state.sources.with(|s| {
            let mut kinds: Vec<SourceKind> = s.iter().map(|v| v.kind).collect();
            kinds.dedup();
            kinds
        });
        let kinds: Vec<SourceKind> =
            SourceKind::ALL.into_iter().filter(|k| present.is_empty() || present.contains(k)).collect();
        let mut seen: Vec<Field> = Vec::new();
        let groups = kinds
            .into_iter()
            .map(|k| {
                let fields: Vec<Field> = k.fields().iter().map(|f| f.field).filter(|f| !seen.contains(f)).collect();
                seen.extend(&fields);
                let head = view! { <tr class="group"><th colspan="5" scope="rowgroup">{move || t().kind(k)}</th></tr> };
                let rows = fields.into_iter().map(|f| row(Some(f))).collect_view();
                view! { {head} {rows} }
            })
            .collect_view();
        view! { {groups} {row(None)} }
    };
    let heads =
        move || Role::ALL.into_iter().map(|r| view! { <th scope="col">{move || t().role(r)}</th> }).collect_view();
    view! {
        <details class="schema" data-testid="visibility">
            <summary>{p("visibility_title")}</summary>
            <p class="hint">{p("visibility_hint")}</p>
            <p class="hint" hidden=admin>{p("visibility_admin_only")}</p>
            <div class="table-wrap">
                <table class="grid">
                    <thead>
                        <tr><th scope="col">{p("visibility_field")}</th>{heads}</tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            <button class="button small" data-testid="visibility-reset" disabled=move || !admin() on:click=move |_| state.reset_visibility()>
                {p("visibility_reset")}
            </button>
        </details>
    }
}

/// Small-cell protection of exported reports: off, or groups of fewer than
/// k customers suppressed or merged into one "other" group.
#[component]
fn SmallCells() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let p = move |k: &'static str| move || t().privacy_text(k).to_string();
    let mode = move || match state.small_cells.get() {
        None => "off",
        Some(SmallCellParams { action: SmallCellAction::Suppress, .. }) => "suppress",
        Some(SmallCellParams { action: SmallCellAction::MergeIntoOther, .. }) => "merge",
    };
    let on_mode = move |ev: leptos::ev::Event| {
        let sel: HtmlSelectElement = event_target(&ev);
        let k = state.small_cells.get_untracked().map_or(SmallCellParams::default().k, |p| p.k);
        let params = match sel.value().as_str() {
            "suppress" => Some(SmallCellParams { k, action: SmallCellAction::Suppress }),
            "merge" => Some(SmallCellParams { k, action: SmallCellAction::MergeIntoOther }),
            _ => None,
        };
        state.set_small_cells(params);
    };
    let on_k = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Ok(k) = input.value().trim().parse::<u64>() else { return };
        if let Some(params) = state.small_cells.get_untracked() {
            state.set_small_cells(Some(SmallCellParams { k: k.max(1), ..params }));
        }
    };
    let k = move || state.small_cells.get().map_or(SmallCellParams::default().k, |p| p.k).to_string();
    let option = move |key: &'static str, text: &'static str| {
        view! { <option value=key selected=move || mode() == key>{p(text)}</option> }
    };
    view! {
        <div class="controls" data-testid="small-cells">
            <label>
                {p("small_cells_label")}
                <select data-testid="small-cells-mode" on:change=on_mode>
                    {option("off", "small_cells_off")}
                    {option("suppress", "small_cells_suppress")}
                    {option("merge", "small_cells_merge")}
                </select>
            </label>
            <label>
                {p("small_cells_k")}
                <input type="number" min="1" step="1" data-testid="small-cells-k" prop:value=k disabled=move || mode() == "off" on:change=on_k/>
            </label>
        </div>
        <p class="hint">{p("small_cells_hint")}</p>
    }
}

/// The sources' columns: which hold personal data, why, and the user's marks.
#[component]
fn SchemaView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let p = move |k: &'static str| move || t().privacy_text(k).to_string();
    let column = move |file: String, c: ColumnMark| {
        let header = c.header.clone();
        let on_mark = move |ev: leptos::ev::Event| {
            let sel: HtmlSelectElement = event_target(&ev);
            let mark = match sel.value().as_str() {
                "detected" => MarkChoice::Detected,
                "none" => MarkChoice::NotPersonal,
                k => match PersonalKind::from_key(k) {
                    Some(k) => MarkChoice::Personal(k),
                    None => return,
                },
            };
            state.set_mark(header.clone(), mark);
        };
        let current = match c.mark {
            MarkChoice::Detected => "detected",
            MarkChoice::NotPersonal => "none",
            MarkChoice::Personal(k) => k.key(),
        };
        let kinds = PersonalKind::ALL
            .into_iter()
            .map(
                |k| view! { <option value=k.key() selected=current == k.key()>{move || t().personal_kind(k)}</option> },
            )
            .collect_view();
        let kind = c.kind;
        let by = c.by.map(|b| b.key());
        let aria_header = c.header.clone();
        let share = (c.sampled > 0).then(|| format::pct(c.share));
        let admin = move || state.role.get().may_show_raw();
        view! {
            <tr data-file=file data-col=c.header.clone() data-kind=kind.map_or("", |k| k.key()) data-mark=current>
                <th scope="row">{c.header.clone()}</th>
                <td>{move || kind.map_or_else(|| t().privacy_text("not_personal").to_string(), |k| t().personal_kind(k).to_string())}</td>
                <td>{move || by.map(|b| t().privacy_text(b).to_string())}</td>
                <td class="num">{share}</td>
                <td>
                    <select data-testid="mark" aria-label=move || format!("{} {}", t().privacy_text("schema_mark"), aria_header) on:change=on_mark>
                        <option value="detected" selected=current == "detected">{p("mark_detected")}</option>
                        <option value="none" selected=current == "none" disabled=move || !admin()>{p("mark_not_personal")}</option>
                        {kinds}
                    </select>
                </td>
            </tr>
        }
    };
    move || {
        let schema = state.schema.get();
        (!schema.is_empty()).then(|| {
            let rows = schema
                .into_iter()
                .flat_map(|s| {
                    let file = s.file.clone();
                    let head = view! { <tr class="group"><th colspan="5" scope="rowgroup">{s.file.clone()}</th></tr> }
                        .into_any();
                    std::iter::once(head).chain(s.columns.into_iter().map(move |c| column(file.clone(), c).into_any()))
                })
                .collect_view();
            view! {
                <details class="schema" data-testid="schema">
                    <summary>{p("schema_title")}</summary>
                    <p class="hint">{p("schema_hint")}</p>
                    <div class="table-wrap">
                        <table class="grid">
                            <thead>
                                <tr>
                                    <th scope="col">{p("schema_column")}</th>
                                    <th scope="col">{p("schema_kind")}</th>
                                    <th scope="col">{p("schema_by")}</th>
                                    <th scope="col" class="num">{p("schema_share")}</th>
                                    <th scope="col">{p("schema_mark")}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </details>
            }
        })
    }
}

/// Save and open an encrypted workspace.
#[component]
fn WorkspaceBox() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let passphrase = RwSignal::new(String::new());
    let on_open = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(f) = input.files().and_then(|l| l.get(0)) {
            state.open_workspace(f.into(), passphrase.get_untracked());
        }
        input.set_value("");
    };
    let message = move || {
        state.workspace.get().map(|outcome| {
            let (text, ok) = match outcome {
                Ok(WorkspaceDone::Saved { files, bytes }) => (
                    t().ws_saved.replace("{files}", &files.to_string()).replace("{bytes}", &format::bytes(bytes)),
                    true,
                ),
                Ok(WorkspaceDone::Opened { files }) => (t().ws_opened.replace("{files}", &files.to_string()), true),
                Ok(WorkspaceDone::TooShort) => (t().ws_short.to_string(), false),
                Ok(WorkspaceDone::Nothing) => (t().ws_nothing.to_string(), false),
                Err(JobError::Engine(e)) => (t().error(&e), false),
                Err(e) => (e.to_string(), false),
            };
            let class = if ok { "hint" } else { "error-text" };
            view! { <p class=class data-testid="ws-message" data-ok=ok.to_string()>{text}</p> }
        })
    };
    view! {
        <h3>{move || t().ws_title}</h3>
        <p class="hint">{move || t().ws_hint}</p>
        <div class="controls">
            <label>
                {move || t().ws_passphrase}
                <input
                    type="password"
                    autocomplete="new-password"
                    data-testid="ws-passphrase"
                    on:input=move |ev| passphrase.set(event_target_value(&ev))
                />
            </label>
            <button class="button primary" data-testid="ws-save" on:click=move |_| state.save_workspace(passphrase.get_untracked())>
                {move || t().ws_save}
            </button>
            <label class="button">
                {move || t().ws_open}
                <input type="file" class="visually-hidden" accept=".custlens" data-testid="ws-open" on:change=on_open/>
            </label>
        </div>
        {message}
    }
}

/// What the page loaded, and a request to another origin that must be blocked.
#[component]
fn NetworkCheck() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let loaded = RwSignal::new(Vec::<String>::new());
    let blocked = RwSignal::new(None::<bool>);
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let same = origin.clone();
    let try_other = move |_| {
        spawn_local(async move {
            blocked.set(Some(browser::probe_other_origin(OTHER_ORIGIN).await.is_ok()));
        });
    };
    let list = move || {
        let items = loaded.get();
        let all_same = !items.is_empty() && items.iter().all(|u| u.starts_with(&same));
        let summary = (!items.is_empty()).then(|| {
            let text = if all_same { t().check_same_origin.replace("{origin}", &same) } else { String::new() };
            view! { <p class="hint" data-testid="check-summary" data-same-origin=all_same.to_string()>{text}</p> }
        });
        view! {
            {summary}
            <ul class="loaded" data-testid="check-loaded">
                {items.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}
            </ul>
        }
    };
    let result = move || {
        blocked.get().map(|b| {
            let text = if b { t().check_blocked } else { t().check_open }.replace("{url}", OTHER_ORIGIN);
            view! { <p class=if b { "hint" } else { "error-text" } data-testid="check-result" data-blocked=b.to_string()>{text}</p> }
        })
    };
    view! {
        <h3>{move || t().check_title}</h3>
        <p class="hint">{move || t().check_hint}</p>
        <div class="controls">
            <button class="button" data-testid="check-list" on:click=move |_| loaded.set(browser::loaded_resources())>
                {move || t().check_list}
            </button>
            <button class="button" data-testid="check-try" on:click=try_other>{move || t().check_try}</button>
        </div>
        {result}
        {list}
        <span hidden>{origin}</span>
    }
}
