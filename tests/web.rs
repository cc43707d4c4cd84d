//! In-browser tests (wasm-bindgen-test in headless Chromium): the engine
//! compiled to wasm32 gives the native results; the chart draws on a real
//! canvas; the app mounts and switches language.
#![cfg(target_arch = "wasm32")]

use custlens::engine::analyze::rfm::{rfm, RfmParams};
use custlens::engine::pipeline::read_in_memory;
use custlens::engine::report::chart::segment_share_chart;
use custlens::engine::sample::{orders_csv, SampleSpec};
use custlens::i18n::Lang;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GBK: &[u8] = include_bytes!("data/orders_gbk.csv");

fn customers(bytes: &[u8], parts: usize) -> custlens::engine::analyze::customers::Customers {
    read_in_memory("t.csv", bytes, parts).expect("read").1
}

#[wasm_bindgen_test]
fn gbk_file_gives_the_hand_checked_result_in_wasm() {
    let c = customers(GBK, 1);
    assert_eq!(c.account.rows_in, 14);
    assert_eq!(c.account.rows_used, 10);
    let r = rfm(&c, RfmParams::default()).expect("rfm");
    assert_eq!(r.snapshot.to_string(), "2024-04-01");
    assert_eq!(c.ids.get(0), "VIP001");
    assert_eq!(r.customers[0].frequency, 3);
    assert_eq!(r.customers[0].monetary.to_string(), "2080.00");
    assert_eq!(r.totals.revenue.to_string(), "4575.00");
}

#[wasm_bindgen_test]
fn ranges_in_wasm_equal_one_pass() {
    let bytes = orders_csv(SampleSpec { customers: 600, seed: 5 });
    let one = customers(&bytes, 1);
    let three = customers(&bytes, 3);
    assert_eq!(one.ids, three.ids);
    assert_eq!(one.stats, three.stats);
    assert!(one.account.reconciles());
}

/// The SIMD line scan (compiled only for wasm32) finds what a byte-by-byte reading finds.
#[wasm_bindgen_test]
fn simd_line_scan_equals_a_byte_by_byte_reading() {
    use custlens::engine::ingest::scan::{scan_line, Delims, Line, KEPT};
    use custlens::engine::ingest::split::Dialect;
    let d = Dialect::default();
    let mut out = Delims::default();
    for len in 0..70 {
        for pos in 0..len {
            for special in [b'\n', b',', b'"', 0x80, b'\r'] {
                let mut b = vec![b'a'; len];
                b[pos] = special;
                b.extend_from_slice(b",x\n");
                let end = b.iter().position(|&c| c == b'\n').expect("a newline");
                let want = if b[..end].contains(&b'"') { Line::Quoted } else { Line::Plain(end) };
                assert_eq!(scan_line(&b, d, &mut out), want, "{b:?}");
                if want != Line::Quoted {
                    let commas: Vec<u32> = (0..end).filter(|&i| b[i] == b',').map(|i| i as u32).collect();
                    assert_eq!(out.kept(), &commas[..commas.len().min(KEPT)]);
                }
            }
        }
    }
}

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("document")
}

#[wasm_bindgen_test]
fn segment_chart_draws_on_a_canvas() {
    let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas").expect("canvas").unchecked_into();
    canvas.set_width(600);
    canvas.set_height(400);
    let c = customers(GBK, 1);
    let r = rfm(&c, RfmParams::default()).expect("rfm");
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).expect("backend");
    let root = backend.into_drawing_area();
    assert!(segment_share_chart(&root, &r.segments, Lang::ZhCn.texts()).is_ok());
    // The customers' blue (54, 110, 200) appears somewhere on the canvas.
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().expect("2d").unchecked_into();
    let data = ctx.get_image_data(0.0, 0.0, 600.0, 400.0).expect("pixels").data();
    let blue = data.chunks(4).filter(|p| p[0] == 54 && p[1] == 110 && p[2] == 200).count();
    assert!(blue > 100, "only {blue} blue pixels");
}

async fn tick() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().expect("window").set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

#[wasm_bindgen_test]
async fn app_mounts_and_switches_language() {
    let host = document().create_element("div").expect("div");
    document().body().expect("body").append_child(&host).expect("append");
    let _handle = leptos::mount::mount_to(host.clone().unchecked_into(), custlens::ui::App);
    tick().await;
    let text = |sel: &str| host.query_selector(sel).ok().flatten().map(|e| e.text_content().unwrap_or_default());
    let toggle = text("[data-testid=lang-toggle]").expect("toggle");
    let first = if toggle == "English" { Lang::ZhCn } else { Lang::En };
    assert_eq!(text("h2#import-h"), Some(first.texts().step_import.to_string()));
    let button: web_sys::HtmlElement =
        host.query_selector("[data-testid=lang-toggle]").ok().flatten().expect("button").unchecked_into();
    button.click();
    tick().await;
    let second = if first == Lang::ZhCn { Lang::En } else { Lang::ZhCn };
    assert_eq!(text("h2#import-h"), Some(second.texts().step_import.to_string()));
    assert_eq!(text("[data-testid=privacy-badge]"), Some(second.texts().privacy_badge.to_string()));
    assert!(host.query_selector("[data-testid=file-input]").ok().flatten().is_some());
    assert_eq!(document().document_element().and_then(|e| e.get_attribute("lang")), Some(second.key().to_string()));
}
