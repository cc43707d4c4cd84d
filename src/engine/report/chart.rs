//! Charts, drawn on any plotters backend: a canvas in the browser, SVG in
//! tests and exports. Text uses the generic `sans-serif` family, which the
//! browser resolves to a local font with Chinese glyphs.

use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::rfm::SegmentSummary;
use crate::i18n::Texts;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    let label_w = segs.iter().map(|s| text_width(t.segment(s.segment).name)).max().unwrap_or(60) + 16;

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
        root.draw(&Text::new(t.segment(s.segment).name, (px - 8, py), label_style.clone()))?;
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
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 13).into_font().color(&INK))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 204, 210))
        .draw()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::segment::Segment;
    use crate::engine::money::Money;
    use crate::i18n::Lang;

    fn seg(segment: Segment, c: f64, r: f64) -> SegmentSummary {
        SegmentSummary {
            segment,
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
}
