//! The comparison charts (M24): a metric's value per period against its base
//! (the period before or the year before), and its daily values before and
//! after a strategy date with each window's daily mean.

use crate::engine::analyze::compare::{BeforeAfter, Comparison, Figure, Metric, Unit};
use crate::i18n::Texts;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{line_chart, Line};

/// The value: blue; the base and the time before: grey; after: orange.
const VALUE: RGBColor = RGBColor(54, 110, 200);
const BASE: RGBColor = RGBColor(150, 156, 166);
const AFTER: RGBColor = RGBColor(230, 126, 34);
const BEFORE_MEAN: RGBColor = RGBColor(90, 96, 106);

/// A figure as drawn: shares in percent, money in currency units.
fn plotted(f: Option<Figure>) -> Option<f64> {
    f.map(|f| match f {
        Figure::Share(x) => x * 100.0,
        other => other.to_f64(),
    })
}

/// Money from this much on is drawn in ten thousands (万元), for readable axis labels.
const TEN_THOUSANDS_FROM: f64 = 100_000.0;

/// The lines' values scaled for the axis, and the y axis title (the metric and its unit, `销售额(万元)`).
fn scaled(t: &Texts, metric: Metric, unit: Unit, lines: &mut [Line<'_>]) -> String {
    let top = lines.iter().flat_map(|l| l.values.iter().flatten()).fold(0.0f64, |m, v| m.max(v.abs()));
    let unit_text = if unit == Unit::Money && top >= TEN_THOUSANDS_FROM {
        lines.iter_mut().flat_map(|l| l.values.iter_mut().flatten()).for_each(|v| *v /= 10_000.0);
        t.compare.unit_money_10k
    } else {
        t.compare.unit(unit)
    };
    format!("{}({unit_text})", t.compare.metric_name(metric))
}

/// Each period's value and its base.
pub fn comparison_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &Comparison,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let ct = &t.compare;
    let labels: Vec<String> = c.points.iter().map(|p| p.period.clone()).collect();
    let mut lines = [
        Line { name: ct.chart_value, color: VALUE, values: c.points.iter().map(|p| plotted(p.value)).collect() },
        Line { name: ct.chart_base, color: BASE, values: c.points.iter().map(|p| plotted(p.base)).collect() },
    ];
    let y = scaled(t, c.metric, c.unit, &mut lines);
    let title = format!("{} · {}", ct.metric_name(c.metric), ct.chart_title);
    line_chart(root, &title, &y, &labels, &lines)
}

/// The daily values before and after the date, and each window's daily mean.
pub fn before_after_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    b: &BeforeAfter,
    t: &Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let ct = &t.compare;
    let labels: Vec<String> = b.daily.iter().map(|d| d.day.get(5..).unwrap_or(&d.day).to_string()).collect();
    let half = |after: bool| b.daily.iter().map(|d| if d.after == after { plotted(d.value) } else { None }).collect();
    let mean = |after: bool, m: Option<f64>| b.daily.iter().map(|d| if d.after == after { m } else { None }).collect();
    let (before_mean, after_mean) =
        (format!("{} · {}", ct.before, ct.daily_mean), format!("{} · {}", ct.after, ct.daily_mean));
    let mut lines = vec![
        Line { name: ct.before, color: BASE, values: half(false) },
        Line { name: ct.after, color: AFTER, values: half(true) },
    ];
    if b.before.daily_mean.is_some() {
        lines.push(Line { name: &before_mean, color: BEFORE_MEAN, values: mean(false, b.before.daily_mean) });
        lines.push(Line { name: &after_mean, color: VALUE, values: mean(true, b.after.daily_mean) });
    }
    let y = scaled(t, b.metric, b.unit, &mut lines);
    let title = format!("{} · {} {}", ct.metric_name(b.metric), ct.daily_chart_title, b.date);
    line_chart(root, &title, &y, &labels, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::compare::{before_after, comparison, Metric, Mode};
    use crate::engine::analyze::period::Period;
    use crate::engine::clean::table::TextTable;
    use crate::engine::date::Day;
    use crate::engine::ingest::fields::{auto_map, SourceKind};
    use crate::engine::unify::Source;
    use crate::i18n::Lang;

    fn svg_of(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> bool) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
            assert!(draw(&root), "drawing failed");
        }
        svg
    }

    #[test]
    fn value_and_base_lines_with_units() {
        let t = TextTable::from_rows(
            &["客户ID", "下单时间", "订单金额"],
            &[&["A", "2024-01-05", "100"], &["B", "2024-02-05", "250"], &["A", "2024-03-05", "50"]],
        );
        let m = auto_map(SourceKind::Orders, &t.headers);
        let sources = [Source { file: "o.csv", mapping: &m, table: &t }];
        let c = comparison(&sources, Metric::Revenue, Period::Month, Mode::Mom, None).expect("mom");
        let svg = svg_of(|r| comparison_chart(r, &c, Lang::ZhCn.texts()).is_ok());
        for needle in ["销售额 · 本期与基期", "销售额(元)", "2024-02", "本期", "基期", "250.0", "50.0"]
        {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let big = TextTable::from_rows(
            &["客户ID", "下单时间", "订单金额"],
            &[&["A", "2024-01-05", "120000"], &["B", "2024-02-05", "250000"]],
        );
        let mb = auto_map(SourceKind::Orders, &big.headers);
        let c = comparison(
            &[Source { file: "b.csv", mapping: &mb, table: &big }],
            Metric::Revenue,
            Period::Month,
            Mode::Mom,
            None,
        )
        .expect("big");
        let svg = svg_of(|r| comparison_chart(r, &c, Lang::ZhCn.texts()).is_ok());
        for needle in ["销售额(万元)", "25.0", "12.0"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let b = before_after(&sources, Metric::Orders, Day::parse_iso("2024-02-05").expect("day"), 2).expect("ba");
        let svg = svg_of(|r| before_after_chart(r, &b, Lang::En.texts()).is_ok());
        for needle in [
            "Orders · Daily values before and after the date 2024-02-05",
            "Orders(count)",
            "02-04",
            "Before · Daily mean",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
    }
}
