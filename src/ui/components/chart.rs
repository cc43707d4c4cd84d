//! Charts on a canvas (plotters-canvas), redrawn when their data or the
//! language changes, each downloadable as PNG. The drawing itself lives in
//! `engine::report::chart` (the same code draws SVG in tests).

use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::rfm::SegmentSummary;
use crate::engine::report::chart::{pareto_chart, segment_share_chart};
use crate::i18n::Texts;
use crate::ui::state::AppState;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::rc::Rc;

/// Height per segment row, in pixels.
const ROW_PX: u32 = 46;

/// Draws a chart on a canvas area; `true` when it was drawn.
pub(super) type Draw = Rc<dyn Fn(&DrawingArea<CanvasBackend, Shift>, &Texts) -> bool>;

/// The segment share chart.
#[component]
pub fn SegmentChart(
    /// The segments to draw.
    segments: Vec<SegmentSummary>,
) -> impl IntoView {
    let height = 110 + ROW_PX * segments.len() as u32;
    let draw: Draw = Rc::new(move |root, t| segment_share_chart(root, &segments, t).is_ok());
    view! { <CanvasChart draw=draw width=820 height=height testid="segment-chart" png="custlens_segments.png" title=|t| t.chart_title/> }
}

/// The Pareto curve.
#[component]
pub fn ParetoChart(
    /// The analysis to draw.
    pareto: Pareto,
) -> impl IntoView {
    let draw: Draw = Rc::new(move |root, t| pareto_chart(root, &pareto, t).is_ok());
    view! { <CanvasChart draw=draw width=640 height=460 testid="pareto-chart" png="custlens_pareto.png" title=|t| t.pareto_chart_title/> }
}

/// A canvas drawn by `draw`, with a PNG download button.
#[component]
pub(super) fn CanvasChart(
    /// What to draw.
    draw: Draw,
    /// Width in pixels.
    width: u32,
    /// Height in pixels.
    height: u32,
    /// Test id of the canvas (the PNG button gets `{testid}-png`).
    testid: &'static str,
    /// Name of the PNG download.
    png: &'static str,
    /// The chart's title, for screen readers.
    title: fn(&Texts) -> &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let drawn = RwSignal::new(false);
    Effect::new(move |_| {
        let lang = state.lang.get();
        let Some(el) = canvas.get() else { return };
        if let Some(backend) = CanvasBackend::with_canvas_object(el) {
            drawn.set(draw(&backend.into_drawing_area(), lang.texts()));
        }
    });
    let download = move |_| {
        if let Some(el) = canvas.get() {
            if let Ok(url) = el.to_data_url_with_type("image/png") {
                let _ = download_data_url(&url, png);
            }
        }
    };
    let t = move || state.lang.get().texts();
    let png_id = if testid == "segment-chart" { "chart-png".to_string() } else { format!("{testid}-png") };
    view! {
        <figure class="chart">
            <canvas
                node_ref=canvas
                width=width.to_string()
                height=height.to_string()
                data-testid=testid
                data-drawn=move || drawn.get().to_string()
                role="img"
                aria-label=move || title(t())
            ></canvas>
            <button class="button small" data-testid=png_id on:click=download>"PNG"</button>
        </figure>
    }
}

fn download_data_url(url: &str, name: &str) -> Option<()> {
    use wasm_bindgen::JsCast;
    let doc = web_sys::window()?.document()?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.unchecked_into();
    a.set_href(url);
    a.set_download(name);
    doc.body()?.append_child(&a).ok()?;
    a.click();
    a.remove();
    Some(())
}
