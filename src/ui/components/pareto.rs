//! The Pareto card (M7): how concentrated revenue is among the customers of
//! the orders file — top-20 % share, the customers making 80 % of revenue,
//! the Gini coefficient and the curve — with the ranking to download.

use super::chart::ParetoChart;
use crate::ui::format;
use crate::ui::job::Export;
use crate::ui::state::AppState;
use leptos::prelude::*;

/// The Pareto card (shown once an orders file has been analysed).
#[component]
pub fn ParetoCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    move || {
        state.pareto.get().map(|p| {
            let stat = |label: fn(&crate::i18n::Texts) -> &'static str, value: String, id: &'static str| {
                view! {
                    <div class="stat">
                        <div class="stat-label">{move || label(t())}</div>
                        <div class="stat-value" data-testid=id>{value}</div>
                    </div>
                }
            };
            view! {
                <section
                    class="card"
                    aria-labelledby="pareto-h"
                    data-testid="pareto"
                    data-top20=p.top20_revenue_share.to_string()
                    data-c80=p.customers_for_80pct_share.to_string()
                    data-gini=p.gini.to_string()
                    data-customers=p.customers.to_string()
                >
                    <h2 id="pareto-h">{move || t().pareto_title}</h2>
                    <p class="hint">{move || t().pareto_hint}</p>
                    <div class="cards">
                        {stat(|t| t.pareto_top20, format::pct(p.top20_revenue_share), "pareto-top20")}
                        {stat(|t| t.pareto_c80, format::pct(p.customers_for_80pct_share), "pareto-c80")}
                        {stat(|t| t.gini, format::float(p.gini, 3), "pareto-gini")}
                        {stat(|t| t.customers, format::int(p.customers), "pareto-customers")}
                    </div>
                    <ParetoChart pareto=p.clone()/>
                    <p class="downloads">
                        <button class="button small" data-testid="export-pareto" on:click=move |_| state.export(Export::Pareto)>
                            {move || t().pareto_ranking}
                        </button>
                    </p>
                </section>
            }
        })
    }
}
