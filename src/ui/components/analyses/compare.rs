//! Comparison (M24): a metric month-on-month or year-on-year by month or
//! week — a table of value, base, change and change % with increases and
//! decreases marked, and a chart of value against base — or before and after
//! a strategy date, with both windows' figures and the t-test. The same
//! controls and result sit in the comparison tab (every metric) and beside
//! each over-time analysis (its own metrics), each place with its own result
//! and export.

use super::{date_input, downloads, error_view, number_input, stat};
use crate::engine::analyze::compare::{
    BeforeAfter, CompareParams, CompareReport, Comparison, DayRange, Figure, Metric, Mode, NoTest, Significance, Window,
};
use crate::engine::analyze::period::Period;
use crate::engine::date::Day;
use crate::engine::report::compare_chart::{before_after_chart, comparison_chart};
use crate::i18n::Texts;
use crate::protocol::{Analysis, AnalysisFile, CompareRun, CompareScope};
use crate::ui::components::chart::{CanvasChart, Draw};
use crate::ui::format;
use crate::ui::state::AppState;
use leptos::prelude::*;
use std::rc::Rc;
use web_sys::HtmlSelectElement;

/// What the page compares: periods with their bases, or the windows around a date.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Choice {
    Periods(Mode),
    BeforeAfter,
}

impl Choice {
    const ALL: [Choice; 3] = [Choice::Periods(Mode::Mom), Choice::Periods(Mode::Yoy), Choice::BeforeAfter];

    fn key(self) -> &'static str {
        match self {
            Choice::Periods(m) => m.key(),
            Choice::BeforeAfter => "before_after",
        }
    }

    fn label(self, t: &Texts) -> &'static str {
        match self {
            Choice::Periods(Mode::Mom) => t.compare.mode_mom,
            Choice::Periods(Mode::Yoy) => t.compare.mode_yoy,
            Choice::BeforeAfter => t.compare.mode_before_after,
        }
    }
}

/// A figure as shown: money with separators, counts, shares in percent, scores with one decimal.
fn shown(f: Option<Figure>) -> String {
    match f {
        None => "–".to_string(),
        Some(Figure::Money(m)) => format::money(m),
        Some(Figure::Count(n)) if n < 0 => format!("-{}", format::int(n.unsigned_abs())),
        Some(Figure::Count(n)) => format::int(n.unsigned_abs()),
        Some(Figure::Share(x)) => format::pct(x),
        Some(Figure::Score(x)) => format::float(x, 1),
    }
}

/// A change as shown: signed; share changes in percentage points.
fn shown_change(f: Option<Figure>) -> String {
    let sign = if f.is_some_and(|f| f.to_f64() > 0.0) { "+" } else { "" };
    match f {
        None => "–".to_string(),
        Some(Figure::Share(x)) => format!("{sign}{} pt", format::float(x * 100.0, 1)),
        other => format!("{sign}{}", shown(other)),
    }
}

/// A relative change as a signed percentage.
fn shown_pct(x: Option<f64>) -> String {
    match x {
        None => "–".to_string(),
        Some(x) if x > 0.0 => format!("+{}", format::pct(x)),
        Some(x) => format::pct(x),
    }
}

/// A figure's exact number for a `data-*` attribute (money in units of 0.0001, as in the JSON).
fn raw_figure(f: Option<Figure>) -> String {
    match f {
        None => String::new(),
        Some(Figure::Money(m)) => m.units().to_string(),
        Some(Figure::Count(n)) => n.to_string(),
        Some(Figure::Share(x) | Figure::Score(x)) => x.to_string(),
    }
}

fn raw(x: Option<f64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// `up`, `down`, `flat` or none, by the sign of a change.
fn direction(change: Option<Figure>) -> &'static str {
    match change.map(Figure::to_f64) {
        Some(x) if x > 0.0 => "up",
        Some(x) if x < 0.0 => "down",
        Some(_) => "flat",
        None => "",
    }
}

/// A change with its direction marked (arrow, colour and words for screen readers).
fn marked_change(change: Option<Figure>, pct: Option<f64>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let dir = direction(change);
    let arrow = match dir {
        "up" => "▲ ",
        "down" => "▼ ",
        _ => "",
    };
    let words = move || match dir {
        "up" => state.lang.get().texts().compare.up,
        "down" => state.lang.get().texts().compare.down,
        _ => "",
    };
    view! {
        <td class=format!("num change change-{dir}") data-direction=dir>
            <span aria-hidden="true">{arrow}</span>
            <span class="visually-hidden">{words}</span>
            {shown_change(change)}
        </td>
        <td class=format!("num change change-{dir}")>{shown_pct(pct)}</td>
    }
}

/// The comparison tab: every metric, with an optional range of periods.
#[component]
pub fn ComparePanel() -> impl IntoView {
    view! { <Comparer scope=CompareScope::Standalone/> }
}

/// A comparison beside an over-time analysis: that analysis's metrics, its own result and export.
#[component]
pub fn InlineCompare(scope: CompareScope) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    view! {
        <section class="inline-compare" data-testid=scope.key()>
            <h3>{move || t().compare.inline_title}</h3>
            <p class="hint">{move || t().compare.inline_hint}</p>
            <Comparer scope=scope/>
        </section>
    }
}

/// The chart's test id and PNG name of a place's comparison.
fn chart_names(scope: CompareScope) -> (&'static str, &'static str) {
    match scope {
        CompareScope::Standalone => ("compare-chart", "custlens_compare.png"),
        CompareScope::Satisfaction => ("satisfaction-compare-chart", "custlens_satisfaction_compare.png"),
        CompareScope::Activity => ("activity-compare-chart", "custlens_activity_compare.png"),
        CompareScope::Cohorts => ("cohorts-compare-chart", "custlens_cohorts_compare.png"),
        CompareScope::Channels => ("channels-compare-chart", "custlens_channels_compare.png"),
    }
}

/// Parameters, run button and result of the comparison made in `scope`
/// (test ids prefixed with the scope's key; the range of periods in the tab only).
#[component]
fn Comparer(scope: CompareScope) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let id = move |part: &str| format!("{}-{part}", scope.key());
    let metrics = scope.metrics();
    let d = CompareParams::default();
    let metric = RwSignal::new(metrics.first().copied().unwrap_or(d.metric));
    let period = RwSignal::new(d.period);
    let choice = RwSignal::new(Choice::Periods(d.mode));
    let from = RwSignal::new(None::<Day>);
    let to = RwSignal::new(None::<Day>);
    let date = RwSignal::new(None::<Day>);
    let window = RwSignal::new(d.window_days);
    let outcome = state.analyses.compare.of(scope);
    let run = move |_| {
        let c = choice.get_untracked();
        let range = from.get_untracked().zip(to.get_untracked()).map(|(from, to)| DayRange { from, to });
        let before_after = match c {
            Choice::BeforeAfter => match date.get_untracked() {
                Some(d) => Some(d),
                None => return, // the button is disabled without a date
            },
            Choice::Periods(_) => None,
        };
        let params = CompareParams {
            metric: metric.get_untracked(),
            period: period.get_untracked(),
            mode: match c {
                Choice::Periods(m) => m,
                Choice::BeforeAfter => Mode::Mom,
            },
            range,
            before_after,
            window_days: window.get_untracked(),
        };
        state.run_analysis(Analysis::Compare, &CompareRun { scope, params }, outcome);
    };
    let metric_options = metrics
        .iter()
        .map(|&m| {
            view! {
                <option value=m.key() selected=move || metric.get() == m>
                    {move || t().compare.metric_name(m)}
                </option>
            }
        })
        .collect_view();
    let period_option = move |p: Period, label: fn(&Texts) -> &'static str| {
        view! { <option value=p.key() selected=move || period.get() == p>{move || label(t())}</option> }
    };
    let choice_options = Choice::ALL
        .into_iter()
        .map(|c| view! { <option value=c.key() selected=move || choice.get() == c>{move || c.label(t())}</option> })
        .collect_view();
    let is_ba = move || choice.get() == Choice::BeforeAfter;
    let not_ba = move || choice.get() != Choice::BeforeAfter;
    let no_date = move || is_ba() && date.get().is_none();
    // The filter narrows the dates beside an analysis; the tab may list a range of periods too.
    let range = (scope == CompareScope::Standalone).then(|| {
        view! {
            {date_input(|t| t.compare.range_from, from, id("from"))}
            {date_input(|t| t.compare.range_to, to, id("to"))}
        }
    });
    view! {
        <div class="controls">
            <label>
                {move || t().compare.metric}
                <select
                    data-testid=id("metric")
                    on:change=move |ev| {
                        let sel: HtmlSelectElement = event_target(&ev);
                        if let Some(m) = Metric::from_key(&sel.value()) {
                            metric.set(m);
                        }
                    }
                >
                    {metric_options}
                </select>
            </label>
            <label>
                {move || t().compare.mode}
                <select
                    data-testid=id("mode")
                    on:change=move |ev| {
                        let sel: HtmlSelectElement = event_target(&ev);
                        let v = sel.value();
                        if let Some(c) = Choice::ALL.into_iter().find(|c| c.key() == v) {
                            choice.set(c);
                        }
                    }
                >
                    {choice_options}
                </select>
            </label>
            <span class="control-group" hidden=is_ba>
                <label>
                    {move || t().compare.period}
                    <select
                        data-testid=id("period")
                        on:change=move |ev| {
                            let sel: HtmlSelectElement = event_target(&ev);
                            if let Some(p) = Period::from_key(&sel.value()) {
                                period.set(p);
                            }
                        }
                    >
                        {period_option(Period::Month, |t| t.period_month)}
                        {period_option(Period::Week, |t| t.period_week)}
                    </select>
                </label>
                {range}
            </span>
            <span class="control-group" hidden=not_ba>
                {date_input(|t| t.compare.date, date, id("date"))}
                {number_input(|t| t.compare.window_days, window, id("window"), "1")}
            </span>
            <button class="button primary" data-testid=format!("run-{}", scope.key()) disabled=no_date on:click=run>
                {move || t().run_analysis}
            </button>
        </div>
        {move || {
            outcome
                .get()
                .map(|o| match o {
                    Ok(CompareReport::Periods(c)) => view! { <PeriodsResult c=c scope=scope/> }.into_any(),
                    Ok(CompareReport::BeforeAfter(b)) => view! { <BeforeAfterResult b=*b scope=scope/> }.into_any(),
                    Err(e) => error_view(e, id("error")).into_any(),
                })
        }}
    }
}

/// Rows read and the span of the data, as a hint.
fn rows_hint(rows: &crate::engine::analyze::compare::RowsRead, scope: CompareScope) -> impl IntoView {
    let state = expect_context::<AppState>();
    let r = rows.clone();
    let text = move || {
        let t = state.lang.get().texts();
        let counts = t
            .analysis_rows
            .replace("{in}", &format::int(r.rows_in))
            .replace("{used}", &format::int(r.rows_used))
            .replace("{out}", &format::int(r.rows_in - r.rows_used));
        let span = t
            .compare
            .data_span
            .replace("{file}", &r.file)
            .replace("{first}", &r.first_day)
            .replace("{last}", &r.last_day);
        format!("{span} · {counts}")
    };
    view! { <p class="hint" data-testid=format!("{}-rows", scope.key())>{text}</p> }
}

#[component]
fn PeriodsResult(c: Comparison, scope: CompareScope) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let rows = c
        .points
        .iter()
        .map(|p| {
            view! {
                <tr
                    data-period=p.period.clone()
                    data-value=raw_figure(p.value)
                    data-base-period=p.base_period.clone()
                    data-base=raw_figure(p.base)
                    data-change=raw_figure(p.change)
                    data-change-pct=raw(p.change_pct)
                >
                    <th scope="row">{p.period.clone()}</th>
                    <td class="num">{shown(p.value)}</td>
                    <td>{p.base_period.clone()}</td>
                    <td class="num">{shown(p.base)}</td>
                    {marked_change(p.change, p.change_pct)}
                </tr>
            }
        })
        .collect_view();
    let chart = c.clone();
    let draw: Draw = Rc::new(move |root, t| comparison_chart(root, &chart, t).is_ok());
    let metric = c.metric;
    let (chart_id, png) = chart_names(scope);
    let id = move |part: &str| format!("{}-{part}", scope.key());
    view! {
        <div
            class="analysis-result"
            data-testid=id("result")
            data-kind="periods"
            data-metric=c.metric.key()
            data-period=c.period.key()
            data-mode=c.mode.key()
            data-points=c.points.len().to_string()
        >
            {rows_hint(&c.rows, scope)}
            <CanvasChart draw=draw width=760 height=380 testid=chart_id png=png title=|t| t.compare.chart_title/>
            <div class="table-wrap short">
                <table class="grid" data-testid=id("table")>
                    <caption class="visually-hidden">{move || t().compare.metric_name(metric)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || t().compare.col_period}</th>
                            <th scope="col" class="num">{move || t().compare.col_value}</th>
                            <th scope="col">{move || t().compare.col_base_period}</th>
                            <th scope="col" class="num">{move || t().compare.col_base}</th>
                            <th scope="col" class="num">{move || t().compare.col_change}</th>
                            <th scope="col" class="num">{move || t().compare.col_change_pct}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="downloads">{downloads(AnalysisFile::Compare(scope), true)}</p>
        </div>
    }
}

/// One window's figures as headline numbers.
fn window_cards(w: &Window, key: &'static str, name: fn(&Texts) -> &'static str, scope: CompareScope) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let span = format!("{} – {}", w.from, w.to);
    let span2 = span.clone();
    let mean = w.daily_mean;
    view! {
        <div class="stat-group" data-window=key data-from=w.from.clone() data-to=w.to.clone() data-covered=w.covered.to_string()>
            {stat(
                move || format!("{} · {} ({})", name(t()), t().compare.window_value, span),
                shown(w.value),
                raw_figure(w.value),
                format!("{}-{key}-value", scope.key()),
            )}
            {mean
                .map(|m| {
                    stat(
                        move || format!("{} · {} ({})", name(t()), t().compare.daily_mean, span2),
                        format::float(m, 2),
                        m.to_string(),
                        format!("{}-{key}-mean", scope.key()),
                    )
                })}
        </div>
    }
}

#[component]
fn BeforeAfterResult(b: BeforeAfter, scope: CompareScope) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = move || state.lang.get().texts();
    let id = move |part: &str| format!("{}-{part}", scope.key());
    let (test_kind, t_stat, df, p) = match b.test {
        Significance::Welch(w) => ("welch", Some(w.t), Some(w.df), Some(w.p_value)),
        Significance::NotApplicable(NoTest::RatioMetric) => ("ratio_metric", None, None, None),
        Significance::NotApplicable(NoTest::TooFewDays) => ("too_few_days", None, None, None),
        Significance::NotApplicable(NoTest::NoVariance) => ("no_variance", None, None, None),
    };
    let test = b.test;
    let test_text = move || {
        let c = &t().compare;
        match test {
            Significance::Welch(w) => {
                let verdict = if w.p_value < 0.05 { c.significant } else { c.not_significant };
                let text = c
                    .test_welch
                    .replace("{t}", &format::float(w.t, 4))
                    .replace("{df}", &format::float(w.df, 2))
                    .replace("{p}", &format::float(w.p_value, 4));
                format!("{text} · {verdict}")
            }
            Significance::NotApplicable(NoTest::RatioMetric) => c.no_test_ratio.to_string(),
            Significance::NotApplicable(NoTest::TooFewDays) => c.no_test_days.to_string(),
            Significance::NotApplicable(NoTest::NoVariance) => c.no_test_variance.to_string(),
        }
    };
    let (first, last) = (b.rows.first_day.clone(), b.rows.last_day.clone());
    let coverage = (!b.before.covered || !b.after.covered).then(|| {
        let which = (!b.before.covered, !b.after.covered);
        let text = move || {
            let c = &t().compare;
            let name = match which {
                (true, true) => format!("{} / {}", c.before, c.after),
                (true, false) => c.before.to_string(),
                _ => c.after.to_string(),
            };
            c.not_covered.replace("{window}", &name).replace("{first}", &first).replace("{last}", &last)
        };
        view! { <p class="hint warning" data-testid=id("not-covered")>{text}</p> }
    });
    let dir = direction(b.change);
    let arrow = match dir {
        "up" => "▲ ",
        "down" => "▼ ",
        _ => "",
    };
    let chart = b.clone();
    let draw: Draw = Rc::new(move |root, t| before_after_chart(root, &chart, t).is_ok());
    let (chart_id, png) = chart_names(scope);
    view! {
        <div
            class="analysis-result"
            data-testid=id("result")
            data-kind="before_after"
            data-metric=b.metric.key()
            data-date=b.date.clone()
            data-window=b.window_days.to_string()
            data-change=raw_figure(b.change)
            data-change-pct=raw(b.change_pct)
            data-direction=dir
            data-daily-mean-change=raw(b.daily_mean_change)
            data-test=test_kind
            data-t=raw(t_stat)
            data-df=raw(df)
            data-p=raw(p)
        >
            {rows_hint(&b.rows, scope)}
            <div class="cards">
                {window_cards(&b.before, "before", |t| t.compare.before, scope)}
                {window_cards(&b.after, "after", |t| t.compare.after, scope)}
                <div class=format!("stat change-{dir}")>
                    <div class="stat-label">{move || t().compare.change}</div>
                    <div class="stat-value" data-testid=id("change")>
                        <span aria-hidden="true">{arrow}</span>
                        {shown_change(b.change)} " (" {shown_pct(b.change_pct)} ")"
                    </div>
                </div>
            </div>
            {coverage}
            <p data-testid=id("test")>{test_text}</p>
            <CanvasChart draw=draw width=760 height=380 testid=chart_id png=png title=|t| t.compare.daily_chart_title/>
            <p class="downloads">{downloads(AnalysisFile::Compare(scope), true)}</p>
        </div>
    }
}
