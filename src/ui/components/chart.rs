//! The segment chart on a canvas (plotters-canvas), redrawn when the result
//! or the language changes, and downloadable as PNG.

use crate::engine::analyze::rfm::SegmentSummary;
use crate::engine::report::chart::segment_share_chart;
use crate::ui::state::AppState;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// Height per segment row, in pixels.
const ROW_PX: u32 = 46;

/// The segment share chart.
#[component]
pub fn SegmentChart(
    /// The segments to draw.
    segments: Vec<SegmentSummary>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    let height = 110 + ROW_PX * segments.len() as u32;
    let drawn = RwSignal::new(false);
    Effect::new(move |_| {
        let lang = state.lang.get();
        let Some(el) = canvas.get() else { return };
        if let Some(backend) = CanvasBackend::with_canvas_object(el) {
            let root = backend.into_drawing_area();
            drawn.set(segment_share_chart(&root, &segments, lang.texts()).is_ok());
        }
    });
    let download = move |_| {
        if let Some(el) = canvas.get() {
            if let Ok(url) = el.to_data_url_with_type("image/png") {
                let _ = download_data_url(&url, "custlens_segments.png");
            }
        }
    };
    let t = move || state.lang.get().texts();
    view! {
        <figure class="chart">
            <canvas
                node_ref=canvas
                width="820"
                height=height.to_string()
                data-testid="segment-chart"
                data-drawn=move || drawn.get().to_string()
                role="img"
                aria-label=move || t().chart_title
            ></canvas>
            <button class="button small" data-testid="chart-png" on:click=download>"PNG"</button>
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
