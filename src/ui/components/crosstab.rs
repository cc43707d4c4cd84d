//! The cross-tab card (M11) on the unified customer table: any two columns
//! (numeric ones binned), counts / row % / column % / expected counts, the
//! chi-square test of independence, Cramér's V, and the warnings that say
//! when the test cannot be trusted.

use crate::engine::analyze::crosstab::{AxisSpec, Binning, Crosstab, CrosstabParams, ExclusionReason};
use crate::i18n::Texts;
use crate::ui::format;
use crate::ui::job::JobError;
use crate::ui::state::AppState;
use leptos::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

/// Which numbers the table shows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Show {
    Counts,
    RowPct,
    ColPct,
    Expected,
}

impl Show {
    const ALL: [Show; 4] = [Show::Counts, Show::RowPct, Show::ColPct, Show::Expected];

    fn key(self) -> &'static str {
        match self {
            Show::Counts => "counts",
            Show::RowPct => "row_pct",
            Show::ColPct => "col_pct",
            Show::Expected => "expected",
        }
    }

    fn label(self, t: &Texts) -> &'static str {
        match self {
            Show::Counts => t.show_counts,
            Show::RowPct => t.show_row_pct,
            Show::ColPct => t.show_col_pct,
            Show::Expected => t.show_expected,
        }
    }
}

/// The columns a first cross-tab uses when the table has them.
const DEFAULT_ROWS: &str = "gender";
const DEFAULT_COLS: &str = "member_level";

/// The cross-tab card.
#[component]
pub fn CrosstabCard(
    /// Headers of the unified customer table.
    headers: Vec<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let pick = |name: &str, fallback: usize| headers.iter().position(|h| h == name).unwrap_or(fallback);
    let rows = RwSignal::new(pick(DEFAULT_ROWS, 1));
    let cols = RwSignal::new(pick(DEFAULT_COLS, 2));
    let row_bins = RwSignal::new(0usize);
    let col_bins = RwSignal::new(0usize);
    let show = RwSignal::new(Show::Counts);
    let select = move |target: RwSignal<usize>, testid: &'static str, label: fn(&Texts) -> &'static str| {
        let options = headers
            .iter()
            .enumerate()
            .map(|(i, h)| view! { <option value=i.to_string() selected=move || target.get() == i>{h.clone()}</option> })
            .collect_view();
        view! {
            <label>
                {move || label(t())}
                <select
                    data-testid=testid
                    on:change=move |ev| {
                        let sel: HtmlSelectElement = event_target(&ev);
                        if let Ok(i) = sel.value().parse() {
                            target.set(i);
                        }
                    }
                >
                    {options}
                </select>
            </label>
        }
    };
    let bins = move |target: RwSignal<usize>, testid: &'static str| {
        view! {
            <label>
                {move || t().crosstab_bins}
                <input
                    type="number"
                    min="0"
                    max="50"
                    value="0"
                    data-testid=testid
                    on:change=move |ev| {
                        let input: HtmlInputElement = event_target(&ev);
                        target.set(input.value().parse().unwrap_or(0));
                    }
                />
            </label>
        }
    };
    let axis = |column: usize, bins: usize| AxisSpec {
        column,
        binning: if bins == 0 { Binning::Categories } else { Binning::EqualWidth(bins) },
    };
    let run = move |_| {
        let params = CrosstabParams {
            rows: axis(rows.get_untracked(), row_bins.get_untracked()),
            cols: axis(cols.get_untracked(), col_bins.get_untracked()),
        };
        state.run_crosstab(params);
    };
    let show_select = move || {
        Show::ALL
            .into_iter()
            .map(|s| view! { <option value=s.key() selected=move || show.get() == s>{move || s.label(t())}</option> })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="crosstab-h" data-testid="crosstab">
            <h2 id="crosstab-h">{move || t().crosstab_title}</h2>
            <p class="hint">{move || t().crosstab_hint}</p>
            <div class="controls">
                {select(rows, "crosstab-rows", |t| t.crosstab_rows)}
                {bins(row_bins, "crosstab-row-bins")}
                {select(cols, "crosstab-cols", |t| t.crosstab_cols)}
                {bins(col_bins, "crosstab-col-bins")}
                <button class="button primary" data-testid="run-crosstab" on:click=run>{move || t().run_crosstab}</button>
            </div>
            {move || {
                state.crosstab.get().map(|outcome| match outcome {
                    Ok(x) => {
                        view! {
                            <label>
                                {move || t().crosstab_show}
                                <select
                                    data-testid="crosstab-show"
                                    on:change=move |ev| {
                                        let sel: HtmlSelectElement = event_target(&ev);
                                        if let Some(s) = Show::ALL.into_iter().find(|s| s.key() == sel.value()) {
                                            show.set(s);
                                        }
                                    }
                                >
                                    {show_select}
                                </select>
                            </label>
                            <CrosstabResult x=x show=show/>
                        }
                            .into_any()
                    }
                    Err(e) => {
                        let message = move || match &e {
                            JobError::Engine(e) => t().error(e),
                            other => other.to_string(),
                        };
                        view! { <p class="error-text" role="alert" data-testid="crosstab-error">{message}</p> }.into_any()
                    }
                })
            }}
        </section>
    }
}

/// One cross-tab: the table (in the chosen numbers), the test and its warnings.
#[component]
fn CrosstabResult(
    /// The result.
    x: Crosstab,
    /// Which numbers to show.
    show: RwSignal<Show>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let test = x.test;
    let check = x.expected_check;
    let summary = move || {
        t().chi2_result
            .replace("{chi2}", &format::float(test.chi2, 4))
            .replace("{dof}", &test.dof.to_string())
            .replace("{p}", &format_p(test.p_value))
            .replace("{v}", &format::float(test.cramers_v, 4))
    };
    let verdict = move || if test.p_value < 0.05 { t().significant } else { t().not_significant };
    let warning = move || {
        (check.cells_below_5 > 0).then(|| {
            let text = t()
                .expected_warning
                .replace("{cells}", &check.cells_below_5.to_string())
                .replace("{share}", &format::pct(check.share_below_5))
                .replace("{min}", &format::float(check.min_expected, 2));
            view! { <p class="warn" data-testid="crosstab-warning" data-rule-broken=check.rule_broken.to_string()>{text}</p> }
        })
    };
    let excluded = x.excluded.clone();
    let excluded_view = move || {
        excluded
            .iter()
            .map(|e| {
                let reason = match e.reason {
                    ExclusionReason::Blank => t().reason_blank,
                    ExclusionReason::NotANumber => t().reason_not_a_number,
                    ExclusionReason::OutOfRange => t().reason_out_of_range,
                };
                let text = t()
                    .excluded_rows
                    .replace("{rows}", &format::int(e.rows))
                    .replace("{column}", &e.column)
                    .replace("{reason}", reason);
                view! { <p class="hint" data-testid="crosstab-excluded">{text}</p> }
            })
            .collect_view()
    };
    let table = x.table.clone();
    let (rs, cs, ex) = (x.row_shares.clone(), x.col_shares.clone(), x.expected.clone());
    let body = move || {
        let mode = show.get();
        let cell = |i: usize, j: usize| match mode {
            Show::Counts => format::int(table.counts[i][j]),
            Show::RowPct => format::pct(rs[i][j]),
            Show::ColPct => format::pct(cs[i][j]),
            Show::Expected => format::float(ex[i][j], 2),
        };
        let rows = table
            .row_labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let cells =
                    (0..table.col_labels.len()).map(|j| view! { <td class="num">{cell(i, j)}</td> }).collect_view();
                view! {
                    <tr data-row=label.clone()>
                        <th scope="row">{label.clone()}</th>
                        {cells}
                        <td class="num total">{format::int(table.row_totals[i])}</td>
                    </tr>
                }
            })
            .collect_view();
        let totals =
            table.col_totals.iter().map(|n| view! { <td class="num total">{format::int(*n)}</td> }).collect_view();
        view! {
            {rows}
            <tr class="total-row">
                <th scope="row">{move || t().total}</th>
                {totals}
                <td class="num total">{format::int(table.total)}</td>
            </tr>
        }
    };
    let head = x.table.col_labels.iter().map(|c| view! { <th scope="col" class="num">{c.clone()}</th> }).collect_view();
    view! {
        <div
            class="crosstab-result"
            data-testid="crosstab-result"
            data-chi2=test.chi2.to_string()
            data-dof=test.dof.to_string()
            data-p=test.p_value.to_string()
            data-v=test.cramers_v.to_string()
            data-rows-used=x.rows_used.to_string()
        >
            <p class="reconcile" data-testid="crosstab-test">{summary}</p>
            <p class="hint">{verdict}</p>
            {warning}
            {excluded_view}
            <div class="table-wrap">
                <table class="grid" data-testid="crosstab-table">
                    <thead>
                        <tr>
                            <th scope="col">{format!("{} \\ {}", x.row_column, x.col_column)}</th>
                            {head}
                            <th scope="col" class="num">{move || t().total}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </div>
    }
}

/// A p-value readable at any size: `0.1848`, `3.2e-12`.
fn format_p(p: f64) -> String {
    if p >= 0.0001 {
        format!("{p:.4}")
    } else {
        format!("{p:.1e}")
    }
}
