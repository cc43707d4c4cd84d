//! Charts, drawn on any plotters backend: a canvas in the browser, SVG in
//! tests and exports. Text uses the generic `sans-serif` family, which the
//! browser resolves to a local font with Chinese glyphs.

use crate::engine::analyze::activity::{Activity, ClassCounts};
use crate::engine::analyze::channels::{Attribution, AttributionModel, ChannelReport};
use crate::engine::analyze::cohort::Cohorts;
use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::profiles::{DimensionProfile, HeatMap, Measure, MeasureSummary, ProfileRow, RowKind};
use crate::engine::analyze::rfm::{RfGrid, SegmentSummary};
use crate::engine::analyze::satisfaction::{Resolution, Satisfaction, ScoreSummary};
use crate::i18n::Texts;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeSet;

/// Blue for customers, orange for revenue: distinguishable with colour-blindness.
const CUSTOMERS: RGBColor = RGBColor(54, 110, 200);
const REVENUE: RGBColor = RGBColor(230, 126, 34);
const INK: RGBColor = RGBColor(40, 44, 52);

/// Rough width in pixels of `s` at a 13 px font (CJK characters are square).
fn text_width(s: &str) -> u32 {
    s.chars().map(|c| if c.is_ascii() { 7 } else { 14 }).sum()
}

/// Horizontal grouped bars: each segment's share of customers next to its
/// share of revenue, in percent — where value concentrates, at a glance.
pub fn segment_share_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    segs: &[SegmentSummary],
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = segs.len().max(1) as f64;
    let shares = segs.iter().flat_map(|s| [s.customer_share * 100.0, s.revenue_share * 100.0]);
    let (lo, hi) = shares.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let x_max = (hi * 1.18).max(5.0).ceil();
    let x_min = if lo < 0.0 { (lo * 1.18).floor() } else { 0.0 };
    let label_w = segs.iter().map(|s| text_width(t.segment_name(&s.segment))).max().unwrap_or(60) + 16;

    let mut chart = ChartBuilder::on(root)
        .caption(t.chart_title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(label_w)
        .build_cartesian_2d(x_min..x_max, 0f64..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(t.chart_x)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 13).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(235, 237, 240))
        .draw()?;

    let label_style = ("sans-serif", 13).into_font().color(&INK).pos(Pos::new(HPos::Right, VPos::Center));
    let value_style = ("sans-serif", 11).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, s) in segs.iter().enumerate() {
        let y = n - i as f64 - 0.5;
        let (px, py) = chart.backend_coord(&(x_min, y));
        root.draw(&Text::new(t.segment_name(&s.segment), (px - 8, py), label_style.clone()))?;
    }

    let band = |i: usize, upper: bool| {
        let top = n - i as f64;
        if upper {
            (top - 0.47, top - 0.12)
        } else {
            (top - 0.86, top - 0.51)
        }
    };
    for (series, color, upper, name) in
        [(0usize, CUSTOMERS, true, t.customer_share), (1usize, REVENUE, false, t.revenue_share)]
    {
        let value = move |s: &SegmentSummary| if series == 0 { s.customer_share } else { s.revenue_share } * 100.0;
        chart
            .draw_series(segs.iter().enumerate().map(|(i, s)| {
                let (y0, y1) = band(i, upper);
                Rectangle::new([(0.0, y0), (value(s), y1)], color.filled())
            }))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], color.filled()));
        for (i, s) in segs.iter().enumerate() {
            let (y0, y1) = band(i, upper);
            let v = value(s);
            let (px, py) = chart.backend_coord(&(v.max(0.0), (y0 + y1) / 2.0));
            root.draw(&Text::new(format!("{v:.1}%"), (px + 4, py), value_style.clone()))?;
        }
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present()
}

/// The Pareto curve: share of revenue (y) made by the best share of
/// customers (x), against the line of equal spend, with the two headline
/// points marked (top 20 % of customers; customers making 80 % of revenue).
pub fn pareto_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Pareto,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(t.pareto_chart_title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..100f64, 0f64..100f64)?;
    chart
        .configure_mesh()
        .x_desc(t.pareto_chart_x)
        .y_desc(t.pareto_chart_y)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 13).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(235, 237, 240))
        .draw()?;
    chart.draw_series(LineSeries::new([(0.0, 0.0), (100.0, 100.0)], RGBColor(170, 176, 186).stroke_width(1)))?;
    chart
        .draw_series(LineSeries::new(
            p.curve.iter().map(|c| (c.customer_share * 100.0, c.revenue_share * 100.0)),
            REVENUE.stroke_width(3),
        ))?
        .label(t.pareto_chart_title)
        .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], REVENUE.stroke_width(3)));
    let marks = [(20.0, p.top20_revenue_share * 100.0), (p.customers_for_80pct_share * 100.0, 80.0)];
    let style = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Top));
    for (x, y) in marks {
        chart.draw_series(std::iter::once(Circle::new((x, y), 5, CUSTOMERS.filled())))?;
        chart.draw_series(LineSeries::new([(x, 0.0), (x, y), (0.0, y)], CUSTOMERS.mix(0.5).stroke_width(1)))?;
        let (px, py) = chart.backend_coord(&(x, y));
        root.draw(&Text::new(format!("({x:.1}%, {y:.1}%)"), (px + 8, py + 6), style.clone()))?;
    }
    root.present()
}

/// One line of a line chart: its name, colour and a value per x label (`None`: a gap).
pub(super) struct Line<'a> {
    pub(super) name: &'a str,
    pub(super) color: RGBColor,
    pub(super) values: Vec<Option<f64>>,
}

/// A line chart over categorical x labels (months), with a legend and the
/// value written at each point when there are few.
pub(super) fn line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    labels: &[String],
    lines: &[Line<'_>],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let values = lines.iter().flat_map(|l| l.values.iter().flatten().copied());
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.12).max(1.0);
    let (y0, y1) = (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad);
    let n = labels.len().max(1);
    let step = n.div_ceil(12);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y0..y1)?;
    let label_of = |v: &f64| {
        let i = v.round();
        let ok = (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() && (i as usize).is_multiple_of(step);
        if ok {
            labels[i as usize].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&label_of)
        .y_desc(y_desc)
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(235, 237, 240))
        .draw()?;
    let value_style = ("sans-serif", 11).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom));
    for line in lines {
        let color = line.color;
        let points: Vec<(f64, f64)> =
            line.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))?
            .label(line.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        if n <= 14 {
            for &(x, y) in &points {
                let (px, py) = chart.backend_coord(&(x, y));
                root.draw(&Text::new(format!("{y:.1}"), (px, py - 5), value_style.clone()))?;
            }
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

/// Vertical bars, one per label, each with its count written above it.
fn bar_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    bars: &[(String, u64)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = bars.len().max(1);
    let top = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64 * 1.15;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..n as f64, 0f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .y_label_formatter(&|v| if v.fract() == 0.0 { format!("{v:.0}") } else { String::new() })
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(235, 237, 240))
        .draw()?;
    chart.draw_series(
        bars.iter()
            .enumerate()
            .map(|(i, b)| Rectangle::new([(i as f64 + 0.15, 0.0), (i as f64 + 0.85, b.1 as f64)], CUSTOMERS.filled())),
    )?;
    let value_style = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom));
    let label_style = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, (label, count)) in bars.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, *count as f64));
        root.draw(&Text::new(count.to_string(), (px, py - 4), value_style.clone()))?;
        let (lx, ly) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw(&Text::new(label.clone(), (lx, ly + 6), label_style.clone()))?;
    }
    root.present()
}

/// One series of a grouped bar chart: its name, colour and a value per label.
struct Bars<'a> {
    name: &'a str,
    color: RGBColor,
    values: Vec<f64>,
}

/// Vertical bars grouped by label (one bar per series in each group), with
/// a legend, the labels under the groups and the values above the bars when
/// there are few.
fn grouped_bar_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    labels: &[String],
    series: &[Bars<'_>],
    value_text: &dyn Fn(f64) -> String,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = labels.len().max(1);
    let values = series.iter().flat_map(|b| b.values.iter().copied()).filter(|v| v.is_finite());
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.15).max(1.0);
    let (y0, y1) = (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(0f64..n as f64, y0..y1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(y_desc)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(235, 237, 240))
        .draw()?;
    let k = series.len().max(1) as f64;
    let width = 0.8 / k;
    let value_style = ("sans-serif", 11).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom));
    let write_values = labels.len() * series.len() <= 16;
    for (j, b) in series.iter().enumerate() {
        let x0 = |i: usize| i as f64 + 0.1 + j as f64 * width;
        let color = b.color;
        let bars = b.values.iter().enumerate().filter(|(_, v)| v.is_finite());
        chart
            .draw_series(bars.map(|(i, &v)| Rectangle::new([(x0(i), 0.0), (x0(i) + width * 0.92, v)], color.filled())))?
            .label(b.name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], color.filled()));
        if write_values {
            for (i, &v) in b.values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
                let (px, py) = chart.backend_coord(&(x0(i) + width * 0.46, v.max(0.0)));
                root.draw(&Text::new(value_text(v), (px, py - 3), value_style.clone()))?;
            }
        }
    }
    let label_style = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, label) in labels.iter().enumerate() {
        let (lx, ly) = chart.backend_coord(&(i as f64 + 0.5, y0));
        root.draw(&Text::new(label.clone(), (lx, ly + 6), label_style.clone()))?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()
}

/// Revenue and cost per channel, in yuan (a figure the analysis has not: no bar).
pub fn channel_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &ChannelReport,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let c = &t.channels;
    let labels: Vec<String> = r.channels.iter().map(|m| m.channel.clone()).collect();
    let yuan = |m: Option<crate::engine::money::Money>| m.map_or(f64::NAN, |m| m.to_f64());
    let series = [
        Bars { name: c.col_revenue, color: REVENUE, values: r.channels.iter().map(|m| yuan(m.revenue)).collect() },
        Bars { name: c.col_cost, color: CUSTOMERS, values: r.channels.iter().map(|m| yuan(m.cost)).collect() },
    ];
    grouped_bar_chart(root, c.chart_title, c.chart_y, &labels, &series, &|v| format!("{v:.0}"))
}

/// Each channel's share of revenue (in percent) under every attribution model.
pub fn attribution_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: &Attribution,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let c = &t.channels;
    // Channels in the order of the first model's credits (the direct bucket last).
    let channels: Vec<(&str, bool)> = a
        .models
        .first()
        .map(|m| m.credits.iter().map(|x| (x.channel.as_str(), x.direct)).collect())
        .unwrap_or_default();
    let labels: Vec<String> =
        channels.iter().map(|&(name, direct)| if direct { c.direct.to_string() } else { name.to_string() }).collect();
    const COLORS: [RGBColor; 4] = [CUSTOMERS, REVENUE, RGBColor(46, 139, 87), RGBColor(142, 68, 173)];
    let series: Vec<Bars<'_>> = a
        .models
        .iter()
        .map(|m| {
            let i = AttributionModel::ALL.iter().position(|x| *x == m.model).unwrap_or(0);
            let name = c.model(m.model);
            let share = |name: &str| {
                m.credits
                    .iter()
                    .find(|x| x.channel == name)
                    .and_then(|x| x.revenue_share)
                    .map_or(f64::NAN, |s| s * 100.0)
            };
            Bars {
                name,
                color: COLORS[i % COLORS.len()],
                values: channels.iter().map(|(name, _)| share(name)).collect(),
            }
        })
        .collect();
    grouped_bar_chart(root, c.attribution_chart_title, c.attribution_chart_y, &labels, &series, &|v| format!("{v:.1}"))
}

/// The monthly churn rate of a cohort analysis, in percent.
pub fn churn_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &Cohorts,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let labels: Vec<String> = c.churn_trend.iter().map(|m| m.month.clone()).collect();
    let values = c.churn_trend.iter().map(|m| m.rate.map(|r| r * 100.0)).collect();
    line_chart(root, t.churn_title, t.churn_chart_y, &labels, &[Line { name: t.churn_chart_y, color: REVENUE, values }])
}

/// CSAT (in percent) and NPS by month, for the scores the surveys have.
pub fn satisfaction_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Satisfaction,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let surveys = s.surveys.as_ref();
    let scores: Vec<(&str, RGBColor, f64, &ScoreSummary)> = [
        (t.csat, CUSTOMERS, 100.0, surveys.and_then(|x| x.csat.as_ref())),
        (t.nps, REVENUE, 1.0, surveys.and_then(|x| x.nps.as_ref())),
    ]
    .into_iter()
    .filter_map(|(name, color, scale, s)| s.map(|s| (name, color, scale, s)))
    .collect();
    let months: BTreeSet<&str> = scores.iter().flat_map(|s| s.3.trend.iter().map(|m| m.month.as_str())).collect();
    let labels: Vec<String> = months.iter().map(|m| m.to_string()).collect();
    let lines: Vec<Line<'_>> = scores
        .iter()
        .map(|&(name, color, scale, s)| Line {
            name,
            color,
            values: months
                .iter()
                .map(|m| s.trend.iter().find(|x| x.month == *m).and_then(|x| x.value).map(|v| v * scale))
                .collect(),
        })
        .collect();
    line_chart(root, t.sat_trend_title, t.sat_chart_y, &labels, &lines)
}

/// The resolution-time histogram.
pub fn resolution_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Resolution,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let bars: Vec<(String, u64)> = r.histogram.iter().map(|b| (b.label.clone(), b.count)).collect();
    bar_chart(root, t.resolution_title, t.resolution_chart_x, t.col_tickets, &bars)
}

/// Customers reaching each step of a funnel.
pub fn funnel_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Funnel,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let bars: Vec<(String, u64)> = f.steps.iter().map(|s| (s.step.clone(), s.customers)).collect();
    bar_chart(root, t.funnel_chart_title, t.col_step, t.customers, &bars)
}

/// Customers per activity class at each month's end.
pub fn activity_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: &Activity,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let labels: Vec<String> = a.trend.iter().map(|p| p.month.clone()).collect();
    let series = |f: fn(&ClassCounts) -> u64| a.trend.iter().map(|p| Some(f(&p.counts) as f64)).collect();
    let lines = [
        Line { name: t.class_active, color: RGBColor(46, 139, 87), values: series(|c| c.active) },
        Line { name: t.class_regular, color: CUSTOMERS, values: series(|c| c.regular) },
        Line { name: t.class_silent, color: REVENUE, values: series(|c| c.silent) },
        Line { name: t.class_churned, color: RGBColor(180, 35, 24), values: series(|c| c.churned) },
    ];
    line_chart(root, t.activity_chart_title, t.customers, &labels, &lines)
}

/// A dimension's row label as shown: "other" and "unknown" named, city tiers translated.
fn profile_row_label(d: &DimensionProfile, r: &ProfileRow, t: &Texts) -> String {
    match r.kind {
        RowKind::Value => t.profiles.value(d.dimension, &r.value),
        RowKind::Other => t.profiles.other.replace("{n}", &d.other_values.to_string()),
        RowKind::Unknown => t.profiles.unknown.to_string(),
    }
}

/// One dimension of the customer profiles: each value's share of the
/// customers as a horizontal bar, with the share and count written beside it.
pub fn profile_dimension_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &DimensionProfile,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let p = &t.profiles;
    let labels: Vec<String> = d.rows.iter().map(|r| profile_row_label(d, r, t)).collect();
    let n = d.rows.len().max(1) as f64;
    let hi = d.rows.iter().map(|r| r.share * 100.0).fold(0.0f64, f64::max);
    let x_max = (hi * 1.25).max(5.0).ceil();
    let label_w = labels.iter().map(|l| text_width(l)).max().unwrap_or(60) + 16;
    let title = format!("{} — {}", p.dimension_title, p.dimension(d.dimension));
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0f64..x_max, 0f64..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(p.dimension_chart_x)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 13).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(235, 237, 240))
        .draw()?;
    let gray = RGBColor(170, 176, 186);
    chart.draw_series(d.rows.iter().enumerate().map(|(i, r)| {
        let top = n - i as f64;
        let color = if r.kind == RowKind::Value { CUSTOMERS } else { gray };
        Rectangle::new([(0.0, top - 0.8), (r.share * 100.0, top - 0.2)], color.filled())
    }))?;
    let label_style = ("sans-serif", 13).into_font().color(&INK).pos(Pos::new(HPos::Right, VPos::Center));
    let value_style = ("sans-serif", 11).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (r, label)) in d.rows.iter().zip(&labels).enumerate() {
        let y = n - i as f64 - 0.5;
        let (px, py) = chart.backend_coord(&(0.0, y));
        root.draw(&Text::new(label.clone(), (px - 8, py), label_style.clone()))?;
        let (vx, vy) = chart.backend_coord(&(r.share * 100.0, y));
        root.draw(&Text::new(format!("{:.1}% ({})", r.share * 100.0, r.customers), (vx + 4, vy), value_style.clone()))?;
    }
    root.present()
}

/// A measure's histogram: its equal-width bins on a numeric axis, with the count above each bar.
pub fn profile_histogram_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &MeasureSummary,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let p = &t.profiles;
    let name = p.measure(m.measure);
    let bins = m.summary.as_ref().map_or(&[][..], |s| s.histogram.as_slice());
    let (lo, hi) = match (bins.first(), bins.last()) {
        (Some(a), Some(b)) => (a.lo, b.hi),
        _ => (0.0, 1.0),
    };
    let top = bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64 * 1.15;
    let y_desc = if m.measure == Measure::OrderValue { p.histogram_y_orders } else { p.histogram_y_customers };
    let mut chart = ChartBuilder::on(root)
        .caption(p.histogram_title.replace("{measure}", name), ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(lo..hi, 0f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(name)
        .y_desc(y_desc)
        .x_label_formatter(&|v| crate::engine::analyze::bins::fmt_edge((v * 100.0).round() / 100.0))
        .y_label_formatter(&|v| if v.fract() == 0.0 { format!("{v:.0}") } else { String::new() })
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(235, 237, 240))
        .draw()?;
    chart.draw_series(bins.iter().map(|b| {
        let gap = (b.hi - b.lo) * 0.04;
        Rectangle::new([(b.lo + gap, 0.0), (b.hi - gap, b.count as f64)], CUSTOMERS.filled())
    }))?;
    if bins.len() <= 20 {
        let value_style = ("sans-serif", 11).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom));
        for b in bins {
            let (px, py) = chart.backend_coord(&((b.lo + b.hi) / 2.0, b.count as f64));
            root.draw(&Text::new(b.count.to_string(), (px, py - 3), value_style.clone()))?;
        }
    }
    root.present()
}

/// The colour of a heat-map cell: white to the customers' blue as `x` goes from 0 to 1.
pub fn heat_color(x: f64) -> RGBColor {
    let x = x.clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * x).round() as u8;
    RGBColor(mix(246, CUSTOMERS.0), mix(248, CUSTOMERS.1), mix(251, CUSTOMERS.2))
}

/// Activity by weekday (rows, Monday at the top) and hour (columns): each
/// cell coloured by its count relative to the largest, the count written in it.
pub fn profile_heatmap_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    h: &HeatMap,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let p = &t.profiles;
    // Room for the weekday names and, left of them, the axis description.
    let label_w = p.weekdays.iter().map(|w| text_width(w)).max().unwrap_or(28) + 40;
    let mut chart = ChartBuilder::on(root)
        .caption(p.heat_title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(56)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0f64..24f64, 0f64..7f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_desc(p.heat_x)
        .y_desc(p.heat_y)
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .draw()?;
    let max = h.max().max(1) as f64;
    chart.draw_series((0..7).flat_map(|d| (0..24).map(move |hour| (d, hour))).map(|(d, hour)| {
        let y = 6.0 - d as f64;
        let color = heat_color(h.counts[d][hour] as f64 / max);
        Rectangle::new([(hour as f64 + 0.04, y + 0.06), (hour as f64 + 0.96, y + 0.94)], color.filled())
    }))?;
    let (x0, _) = chart.backend_coord(&(0.0, 0.0));
    let (x1, _) = chart.backend_coord(&(1.0, 0.0));
    let write_counts = x1 - x0 >= 22;
    for d in 0..7 {
        let y = 6.5 - d as f64;
        let (px, py) = chart.backend_coord(&(0.0, y));
        let style = ("sans-serif", 13).into_font().color(&INK).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(p.weekdays[d], (px - 6, py), style))?;
        if write_counts {
            for hour in 0..24 {
                let k = h.counts[d][hour];
                let ink = if k as f64 / max > 0.55 { WHITE } else { INK };
                let style = ("sans-serif", 10).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                let (cx, cy) = chart.backend_coord(&(hour as f64 + 0.5, y));
                root.draw(&Text::new(k.to_string(), (cx, cy), style))?;
            }
        }
    }
    let hour_style = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Top));
    for hour in 0..24 {
        let (cx, cy) = chart.backend_coord(&(hour as f64 + 0.5, 0.0));
        root.draw(&Text::new(hour.to_string(), (cx, cy + 4), hour_style.clone()))?;
    }
    let (rx, ry) = chart.backend_coord(&(24.0, 7.0));
    let legend_style = ("sans-serif", 12).into_font().color(&INK).pos(Pos::new(HPos::Right, VPos::Bottom));
    root.draw(&Text::new(p.heat_legend.replace("{max}", &h.max().to_string()), (rx, ry - 2), legend_style))?;
    root.present()
}

/// The series legend in the charts' style, at `position`.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(("sans-serif", 13).into_font().color(&INK))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 204, 210))
        .draw()
}

/// The R × F heat map: customers per (F score, R score), darker for more,
/// each cell labelled with its count and mean spend; R = 5 on top.
pub fn rf_heat_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    grid: &RfGrid,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(t.rfm.heat_chart_title, ("sans-serif", 18).into_font().color(&INK))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d(0.5f64..5.5f64, 0.5f64..5.5f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(5)
        .y_labels(5)
        .x_desc(t.rfm.axis_f)
        .y_desc(t.rfm.axis_r)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 13).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .draw()?;
    let max = grid.cells.iter().map(|c| c.customers).max().unwrap_or(0).max(1) as f64;
    let shade = |n: u64| {
        // White to the customers' blue.
        let a = n as f64 / max;
        let mix = |full: u8| (255.0 - a * (255.0 - f64::from(full))).round() as u8;
        RGBColor(mix(CUSTOMERS.0), mix(CUSTOMERS.1), mix(CUSTOMERS.2))
    };
    chart.draw_series(grid.cells.iter().map(|c| {
        let (x, y) = (f64::from(c.f), f64::from(c.r));
        Rectangle::new([(x - 0.48, y - 0.48), (x + 0.48, y + 0.48)], shade(c.customers).filled())
    }))?;
    let centre = Pos::new(HPos::Center, VPos::Center);
    for c in &grid.cells {
        let ink = if (c.customers as f64 / max) > 0.55 { WHITE } else { INK };
        let (px, py) = chart.backend_coord(&(f64::from(c.f), f64::from(c.r)));
        let count = ("sans-serif", 15).into_font().color(&ink).pos(centre);
        root.draw(&Text::new(c.customers.to_string(), (px, py - 9), count))?;
        let mean = c.mean_monetary.map_or_else(|| "—".to_string(), |m| format!("{m:.0}"));
        let small = ("sans-serif", 11).into_font().color(&ink).pos(centre);
        root.draw(&Text::new(format!("{} {mean}", t.rfm.mean_spend), (px, py + 10), small))?;
    }
    root.present()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::segment::Segment;
    use crate::engine::money::Money;
    use crate::i18n::Lang;

    fn seg(segment: Segment, c: f64, r: f64) -> SegmentSummary {
        SegmentSummary {
            segment: crate::engine::analyze::segment::SegmentLabel::Builtin(segment),
            action: None,
            mean_score100: None,
            customers: 1,
            customer_share: c,
            revenue: Money::ZERO,
            revenue_share: r,
            mean_recency: 0.0,
            mean_frequency: 0.0,
            mean_monetary: 0.0,
        }
    }

    #[test]
    fn svg_has_every_segment_name_and_value() {
        let segs = [seg(Segment::HighValue, 0.15, 0.45), seg(Segment::Lost, 0.85, 0.55)];
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
            assert!(segment_share_chart(&root, &segs, Lang::ZhCn.texts()).is_ok());
        }
        for needle in ["高价值", "流失", "15.0%", "45.0%", "85.0%", "各分层的客户占比与销售额占比"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert!(svg.matches("<rect").count() >= 4);
    }

    #[test]
    fn negative_revenue_share_is_drawn() {
        let segs = [seg(Segment::General, 0.5, -0.1), seg(Segment::Lost, 0.5, 1.1)];
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (600, 300)).into_drawing_area();
            assert!(segment_share_chart(&root, &segs, Lang::En.texts()).is_ok());
        }
        assert!(svg.contains("-10.0%"));
    }

    #[test]
    fn pareto_curve_with_its_two_marks() {
        use crate::engine::analyze::pareto::{pareto, ParetoParams};
        let spends: Vec<Money> = [500, 200, 200, 100, 0].iter().map(|&y| Money::from_cents(y * 100)).collect();
        let p = pareto(&spends, ParetoParams::default()).expect("pareto");
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 420)).into_drawing_area();
            assert!(pareto_chart(&root, &p, Lang::ZhCn.texts()).is_ok());
        }
        // top 20 % (one customer of five) make 500 of 1000; 80 % of revenue needs 50 % of customers.
        for needle in ["(20.0%, 50.0%)", "(50.0%, 80.0%)", "帕累托曲线"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
    }

    fn svg_of(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> bool) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            assert!(draw(&root), "drawing failed");
        }
        svg
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> crate::engine::clean::table::TextTable {
        let mut t = crate::engine::clean::table::TextTable::new(headers.iter().map(|h| h.to_string()).collect());
        for (i, r) in rows.iter().enumerate() {
            t.push(i as u64 + 2, r.iter().copied());
        }
        t
    }

    #[test]
    fn churn_and_activity_lines_name_their_months() {
        use crate::engine::analyze::activity::{activity, ActivityParams};
        use crate::engine::analyze::cohort::{cohorts, CohortParams};
        use crate::engine::ingest::fields::{auto_map, SourceKind};
        // Active: Jan {A, B}, Feb {A}: February's churn rate is 50 %.
        let o = table(&["客户ID", "下单时间"], &[&["A", "2024-01-05"], &["B", "2024-01-06"], &["A", "2024-02-05"]]);
        let c = cohorts(&o, &auto_map(SourceKind::Orders, &o.headers), CohortParams::default()).expect("cohorts");
        let svg = svg_of((640, 360), |r| churn_chart(r, &c, Lang::ZhCn.texts()).is_ok());
        for needle in ["2024-02", "50.0", "月流失率"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let e = table(&["用户ID", "行为时间"], &[&["A", "2024-01-05"], &["B", "2024-02-06"], &["A", "2024-03-05"]]);
        let a = activity(&e, &auto_map(SourceKind::Events, &e.headers), &ActivityParams::default()).expect("activity");
        let svg = svg_of((640, 360), |r| activity_chart(r, &a, Lang::ZhCn.texts()).is_ok());
        for needle in ["2024-01", "2024-02", "活跃", "沉默", "流失", "各月末的客户活跃度分布"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn satisfaction_resolution_and_funnel_charts() {
        use crate::engine::analyze::funnel::{funnel, FunnelParams};
        use crate::engine::analyze::satisfaction::{survey_scores, ticket_summary, SatisfactionParams};
        use crate::engine::ingest::fields::{auto_map, SourceKind};
        let s = table(
            &["客户ID", "调查日期", "NPS评分", "满意度CSAT"],
            &[&["a", "2024-01-03", "10", "5"], &["b", "2024-02-03", "0", "2"]],
        );
        let sat = Satisfaction {
            surveys: Some(survey_scores(&s, &auto_map(SourceKind::Surveys, &s.headers)).expect("surveys")),
            tickets: None,
        };
        let svg = svg_of((640, 360), |r| satisfaction_chart(r, &sat, Lang::En.texts()).is_ok());
        for needle in ["2024-01", "2024-02", "100.0", "-100.0", "CSAT", "NPS"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let k = table(&["工单号", "解决时长(小时)"], &[&["T1", "0.5"], &["T2", "30"], &["T3", "31"]]);
        let tickets = ticket_summary(&k, &auto_map(SourceKind::Tickets, &k.headers), &SatisfactionParams::default())
            .expect("tickets");
        let res = tickets.resolution.expect("resolution");
        let svg = svg_of((640, 360), |r| resolution_chart(r, &res, Lang::ZhCn.texts()).is_ok());
        for needle in ["[0, 1)", "[24, 48)", "≥168", "解决时长分布", ">\n2\n</text>"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let e = table(
            &["用户ID", "行为类型", "行为时间"],
            &[&["A", "浏览", "2024-01-01"], &["B", "浏览", "2024-01-01"], &["A", "加购", "2024-01-02"]],
        );
        let p = FunnelParams { steps: vec!["浏览".into(), "加购".into()], ..FunnelParams::default() };
        let f = funnel(&e, &auto_map(SourceKind::Events, &e.headers), &p).expect("funnel");
        let svg = svg_of((640, 360), |r| funnel_chart(r, &f, Lang::ZhCn.texts()).is_ok());
        for needle in ["浏览", "加购", "各步骤的客户数"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        // Two customers at 浏览, one at 加购: the counts are written above the bars.
        assert!(svg.contains(">\n2\n</text>") && svg.contains(">\n1\n</text>"));
    }

    #[test]
    fn channel_and_attribution_charts_name_channels_and_models() {
        use crate::engine::analyze::channels::{channels, ChannelInputs, ChannelParams};
        use crate::engine::ingest::fields::{auto_map, SourceKind};
        use crate::engine::unify::Source;
        let m = table(
            &["渠道", "访客数", "点击数", "订单数", "费用"],
            &[&["搜索广告", "100", "10", "2", "50"], &["邮件", "40", "8", "1", "5"]],
        );
        let p =
            table(&["客户ID", "渠道", "触点时间"], &[&["A", "搜索广告", "2024-01-01"], &["B", "邮件", "2024-01-02"]]);
        let o = table(
            &["客户ID", "下单时间", "订单金额"],
            &[&["A", "2024-01-03", "300"], &["B", "2024-01-04", "100"], &["C", "2024-01-04", "100"]],
        );
        let (mm, mp, mo) = (
            auto_map(SourceKind::Channels, &m.headers),
            auto_map(SourceKind::Channels, &p.headers),
            auto_map(SourceKind::Orders, &o.headers),
        );
        let inputs = ChannelInputs {
            metrics: Some(Source { file: "m.csv", mapping: &mm, table: &m }),
            touchpoints: Some(Source { file: "p.csv", mapping: &mp, table: &p }),
            orders: Some(Source { file: "o.csv", mapping: &mo, table: &o }),
            customers: None,
        };
        let r = channels(&inputs, &ChannelParams::default()).expect("channels");
        let svg = svg_of((760, 360), |root| channel_chart(root, &r, Lang::ZhCn.texts()).is_ok());
        // Revenue 300 and cost 50 for 搜索广告: the values are written above the bars.
        for needle in ["搜索广告", "邮件", "各渠道的销售额与费用", "销售额(元)", ">\n300\n</text>", ">\n50\n</text>"]
        {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let a = r.attribution.as_ref().expect("attribution");
        let svg = svg_of((760, 360), |root| attribution_chart(root, a, Lang::ZhCn.texts()).is_ok());
        // 300 of 500 to 搜索广告 under every model: 60.0 %; the direct bucket (C) 20.0 %.
        for needle in ["首次触点", "位置加权", "(直接 / 无触点)", ">\n60.0\n</text>", ">\n20.0\n</text>"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert!(svg.matches("<rect").count() >= 12);
    }

    #[test]
    fn profile_charts_name_values_weekdays_and_bins() {
        use crate::engine::analyze::distribution::numeric_summary;
        use crate::engine::analyze::profiles::{Dimension, HeatSource};
        let d = DimensionProfile {
            dimension: Dimension::CityTier,
            distinct: 1,
            other_values: 0,
            rows: vec![
                ProfileRow { kind: RowKind::Value, value: "新一线".into(), customers: 3, share: 0.75 },
                ProfileRow { kind: RowKind::Unknown, value: "(unknown)".into(), customers: 1, share: 0.25 },
            ],
        };
        let svg = svg_of((760, 300), |r| profile_dimension_chart(r, &d, Lang::ZhCn.texts()).is_ok());
        for needle in ["城市等级", "新一线", "未知", "75.0% (3)", "25.0% (1)", "客户占比(%)"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let svg = svg_of((760, 300), |r| profile_dimension_chart(r, &d, Lang::En.texts()).is_ok());
        assert!(svg.contains("New tier 1") && svg.contains("Unknown"));
        let m = MeasureSummary { measure: Measure::OrderValue, summary: numeric_summary(vec![1.0, 2.0, 2.0, 10.0], 3) };
        let svg = svg_of((760, 360), |r| profile_histogram_chart(r, &m, Lang::ZhCn.texts()).is_ok());
        // Bins [1, 4) holds 3, [4, 7) none, [7, 10] one.
        for needle in ["每笔订单金额(元)", "订单数", ">\n3\n</text>", ">\n0\n</text>", ">\n1\n</text>"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let mut counts = vec![vec![0u64; 24]; 7];
        counts[6][23] = 4;
        let h = HeatMap {
            source: HeatSource::Events,
            file: "e.csv".into(),
            counted: 4,
            without_time: 0,
            customers: counts.clone(),
            counts,
        };
        let svg = svg_of((760, 360), |r| profile_heatmap_chart(r, &h, Lang::ZhCn.texts()).is_ok());
        for needle in ["周一", "周日", "活跃时段热力图", "最多 4 次", ">\n23\n</text>", ">\n4\n</text>"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert_eq!(svg.matches("<rect").count() - 1, 168, "one cell per weekday and hour (and the background)");
        assert_eq!(heat_color(0.0), RGBColor(246, 248, 251));
        assert_eq!(heat_color(1.0), CUSTOMERS);
    }

    #[test]
    fn rf_heat_map_labels_every_cell() {
        use crate::engine::analyze::rfm::RfCell;
        let cells = (1..=5u8)
            .rev()
            .flat_map(|r| (1..=5u8).map(move |f| (r, f)))
            .map(|(r, f)| {
                let n = u64::from(r) * 10 + u64::from(f);
                let mean = (n > 0).then_some(12.5 * n as f64);
                RfCell {
                    r,
                    f,
                    customers: if r == 1 && f == 1 { 0 } else { n },
                    revenue: Money::ZERO,
                    mean_monetary: if r == 1 && f == 1 { None } else { mean },
                }
            })
            .collect();
        let grid = RfGrid { cells, customers: 0 };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (560, 520)).into_drawing_area();
            assert!(rf_heat_chart(&root, &grid, Lang::ZhCn.texts()).is_ok());
        }
        for needle in [
            "\n55\n",
            "\n12\n",
            "平均消费 688",
            "平均消费 —",
            "R 得分(近度)",
            "F 得分(频次)",
            "R 得分 × F 得分的客户数",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert!(svg.matches("<rect").count() >= 25);
    }
}
