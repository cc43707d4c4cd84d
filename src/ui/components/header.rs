//! The top bar: name, privacy promise, language switch.

use crate::i18n::Lang;
use crate::ui::state::AppState;
use leptos::prelude::*;

/// The top bar.
#[component]
pub fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let toggle = move |_| state.lang.update(|l| *l = if *l == Lang::ZhCn { Lang::En } else { Lang::ZhCn });
    view! {
        <header class="top">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◎"</span>
                <h1>{move || t().app_name}</h1>
                <span class="tagline">{move || t().tagline}</span>
            </div>
            <span class="privacy" data-testid="privacy-badge">{move || t().privacy_badge}</span>
            <button class="button lang" data-testid="lang-toggle" on:click=toggle>{move || t().switch_lang}</button>
        </header>
    }
}
