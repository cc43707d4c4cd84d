//! Progress with cancel while a job runs; errors and cancellations after.

use crate::ui::job::{JobError, Phase};
use crate::ui::state::{AppState, Status};
use leptos::prelude::*;

/// The status line.
#[component]
pub fn StatusPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    move || {
        match state.status.get() {
        Status::Probing => Some(
            view! {
                <section class="card status" data-testid="progress" aria-live="polite">
                    <p>{move || t().working}</p>
                    <progress aria-label=move || t().working></progress>
                    <button class="button" data-testid="cancel" on:click=move |_| state.cancel()>{move || t().cancel}</button>
                </section>
            }
            .into_any(),
        ),
        Status::Running { phase, fraction } => {
            let label = move || match phase {
                Phase::Reading => t().reading,
                Phase::Merging => t().merging,
            };
            let pct = (fraction * 100.0).round();
            Some(
                view! {
                    <section class="card status" data-testid="progress" aria-live="polite">
                        <p>{label}" · "{format!("{pct:.0}%")}</p>
                        <progress max="100" value=pct.to_string() aria-label=label></progress>
                        <button class="button" data-testid="cancel" on:click=move |_| state.cancel()>{move || t().cancel}</button>
                    </section>
                }
                .into_any(),
            )
        }
        Status::Cancelled => Some(
            view! { <section class="card status" data-testid="cancelled" role="status"><p>{move || t().cancelled}</p></section> }
                .into_any(),
        ),
        Status::Failed(e) => {
            let message = move || match &e {
                JobError::Engine(e) => t().error(e),
                other => other.to_string(),
            };
            Some(
                view! {
                    <section class="card error" data-testid="error" role="alert">
                        <h2>{move || t().error_title}</h2>
                        <p>{message}</p>
                    </section>
                }
                .into_any(),
            )
        }
        Status::Idle | Status::Mapping | Status::Done => None,
    }
    }
}
