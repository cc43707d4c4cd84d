//! The page, top to bottom: header, import, mapping, cleaning, progress,
//! result, then the sources of the unified customer view.

mod analyses;
mod chart;
mod clean;
mod crosstab;
mod drop;
mod header;
mod import;
mod mapping;
mod pareto;
mod preview;
mod privacy;
mod recipe;
mod rejects;
mod result;
mod rfm_plus;
mod sources;
mod status;

use super::state::AppState;
use crate::i18n::Lang;
use leptos::prelude::*;

/// The language the browser prefers (Chinese unless it asks for English).
fn preferred_lang() -> Lang {
    web_sys::window().and_then(|w| w.navigator().language()).and_then(|l| Lang::from_key(&l)).unwrap_or_default()
}

/// Why something is not shown: the role on screen may not see what it reads.
fn not_for_role() -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = move || {
        let t = state.lang.get().texts();
        t.privacy_text("not_for_role").replace("{role}", t.role(state.role.get()))
    };
    view! { <p class="hint" role="status" data-testid="not-for-role">{text}</p> }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new(preferred_lang());
    provide_context(state);
    Effect::new(move |_| {
        let lang = state.lang.get();
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = doc.document_element() {
                let _ = root.set_attribute("lang", lang.key());
            }
            doc.set_title(lang.texts().app_name);
        }
    });
    view! {
        <header::Header/>
        <main class="main">
            <import::ImportPanel/>
            <mapping::MappingPanel/>
            <clean::CleanPanel/>
            <status::StatusPanel/>
            <result::ResultPanel/>
            <pareto::ParetoCard/>
            <sources::SourcesPanel/>
            <analyses::AnalysesCard/>
            <privacy::PrivacyPanel/>
        </main>
    }
}
