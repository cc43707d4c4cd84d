//! The Web Worker: answers the page's [`Request`]s with the engine. Files
//! are read synchronously in blocks (`FileReaderSync`), so a range of a huge
//! file streams through without ever being one JS string. Worker 0 also
//! merges the chunks and keeps the merged customers for re-scoring and export.

mod blob;

use crate::engine::analyze::customers::{ChunkAggregate, Customers};
use crate::engine::analyze::rfm::{rfm, RfmParams, RfmResult};
use crate::engine::codec::{from_bytes, to_bytes};
use crate::engine::error::{EngineError, IngestError};
use crate::engine::ingest::chunk::ByteRange;
use crate::engine::ingest::detect::{detect_format, Format};
use crate::engine::ingest::probe::{probe_excel, probe_text, Probe, PROBE_BYTES};
use crate::engine::pipeline::{aggregate_excel, aggregate_text_range, finish};
use crate::engine::report::export::{write_rejects_csv, write_rfm_csv};
use crate::engine::sample::{orders_csv, SampleSpec};
use crate::envelope::Envelope;
use crate::protocol::{Request, Response, RfmView};
use blob::BlobReader;
use js_sys::Uint8Array;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

#[derive(Default)]
struct State {
    customers: Option<Customers>,
    result: Option<RfmResult>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends a response with optional attached bytes (transferred).
fn reply(resp: Response, bytes: Option<Vec<u8>>) {
    let parts = bytes.map(|b| vec![Uint8Array::from(b.as_slice())]).unwrap_or_default();
    let (msg, transfer) = Envelope::new(resp).with_parts(parts).to_js();
    let _ = scope().post_message_with_transfer(&msg, &transfer);
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    console_error_panic_hook::set_once();
    let handler =
        Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| match Envelope::<Request>::from_js(&e.data()) {
            Ok(env) => handle(env),
            Err(msg) => reply(Response::Failed(read_error("message", &msg)), None),
        });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    reply(Response::Ready, None);
}

fn read_error(file: &str, message: &str) -> EngineError {
    IngestError::Read { file: file.to_string(), message: message.to_string() }.into()
}

fn handle(env: Envelope<Request>) {
    let file = env.file;
    let outcome: Result<(Response, Option<Vec<u8>>), EngineError> = match env.body {
        Request::Probe { sheet } => with_file(file, |f| probe(f, sheet.as_deref())).map(|p| (Response::Probe(p), None)),
        Request::Sample { customers, seed } => {
            let bytes = orders_csv(SampleSpec { customers: customers as usize, seed });
            Ok((Response::File { name: "sample_orders.csv".into() }, Some(bytes)))
        }
        Request::Read { probe, cols, range } => {
            let t0 = now_ms();
            with_file(file, |f| read(f, &probe, cols, range)).map(|agg| {
                let t1 = now_ms();
                let bytes = to_bytes(&agg);
                let resp =
                    Response::Chunk { ended_in_quote: agg.ended_in_quote, read_ms: t1 - t0, encode_ms: now_ms() - t1 };
                (resp, Some(bytes))
            })
        }
        Request::Merge { probe, params } => {
            merge(&probe, &env.parts, params).map(|v| (Response::Rfm(Box::new(v)), None))
        }
        Request::Rescore { params } => rescore(params).map(|v| (Response::Rfm(Box::new(v)), None)),
        Request::ExportCustomers { lang } => export(|s, w| {
            let (Some(c), Some(r)) = (&s.customers, &s.result) else {
                return Ok(None);
            };
            write_rfm_csv(w, &c.ids, r, lang.texts())?;
            Ok(Some(format!("custlens_rfm_{}.csv", r.snapshot)))
        }),
        Request::ExportRejects { lang } => export(|s, w| {
            let Some(c) = &s.customers else {
                return Ok(None);
            };
            write_rejects_csv(w, &c.rejects, lang.texts())?;
            Ok(Some("custlens_rows_set_aside.csv".to_string()))
        }),
    };
    match outcome {
        Ok((resp, bytes)) => reply(resp, bytes),
        Err(e) => reply(Response::Failed(e), None),
    }
}

fn with_file<T>(file: Option<Blob>, f: impl FnOnce(&Blob) -> Result<T, EngineError>) -> Result<T, EngineError> {
    match file {
        Some(b) => f(&b),
        None => Err(read_error("?", "no file was attached to the request")),
    }
}

fn file_name(b: &Blob) -> String {
    b.dyn_ref::<web_sys::File>().map_or_else(|| "data".to_string(), |f| f.name())
}

fn probe(b: &Blob, sheet: Option<&str>) -> Result<Probe, EngineError> {
    let name = file_name(b);
    let size = b.size() as u64;
    let mut reader = BlobReader::new(b, 0, size, &name)?;
    let head = reader.read_head(PROBE_BYTES)?;
    match detect_format(&head, &name) {
        Format::Xlsx | Format::Xls => {
            let bytes = BlobReader::new(b, 0, size, &name)?.read_all()?;
            Ok(probe_excel(&name, bytes, sheet)?.0)
        }
        Format::Csv => Ok(probe_text(&name, size, &head)?),
    }
}

fn read(
    b: &Blob,
    probe: &Probe,
    cols: crate::engine::ingest::orders::OrderColumns,
    range: Option<ByteRange>,
) -> Result<ChunkAggregate, EngineError> {
    let name = file_name(b);
    let size = b.size() as u64;
    if matches!(probe.format, Format::Xlsx | Format::Xls) {
        let bytes = BlobReader::new(b, 0, size, &name)?.read_all()?;
        let (_, src) = probe_excel(&name, bytes, probe.sheet.as_deref())?;
        return Ok(aggregate_excel(src, probe, cols)?);
    }
    let range = range.unwrap_or(ByteRange { start: 0, end: size });
    let reader = BlobReader::new(b, range.start.saturating_sub(1), size, &name)?;
    let mut last_post = 0u64;
    let mut progress = |done: u64| {
        if done >= last_post + (4 << 20) || done == 0 {
            last_post = done;
            reply(Response::Progress { done }, None);
        }
    };
    Ok(aggregate_text_range(reader, probe, cols, range, &mut progress)?)
}

/// Milliseconds since an arbitrary origin (for phase timings).
fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn merge(probe: &Probe, parts: &[Uint8Array], params: RfmParams) -> Result<RfmView, EngineError> {
    let t0 = now_ms();
    let mut aggs: Vec<ChunkAggregate> = Vec::with_capacity(parts.len());
    for p in parts {
        aggs.push(from_bytes(&p.to_vec()).map_err(|m| read_error(&probe.file, &m))?);
    }
    let t1 = now_ms();
    let customers = finish(probe, aggs)?;
    let t2 = now_ms();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.customers = Some(customers);
        s.result = None;
    });
    let mut view = rescore(params)?;
    view.timings.decode_ms = t1 - t0;
    view.timings.merge_ms = t2 - t1;
    Ok(view)
}

fn rescore(params: RfmParams) -> Result<RfmView, EngineError> {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let c = s.customers.as_ref().ok_or(crate::engine::error::AnalysisError::NoData)?;
        let t0 = now_ms();
        let r = rfm(c, params)?;
        let mut view = RfmView::new(c, &r);
        view.timings.score_ms = now_ms() - t0;
        s.result = Some(r);
        Ok(view)
    })
}

fn export(
    f: impl FnOnce(&State, &mut Vec<u8>) -> std::io::Result<Option<String>>,
) -> Result<(Response, Option<Vec<u8>>), EngineError> {
    STATE.with(|s| {
        let s = s.borrow();
        let mut out = Vec::new();
        match f(&s, &mut out) {
            Ok(Some(name)) => Ok((Response::File { name }, Some(out))),
            Ok(None) => Err(crate::engine::error::AnalysisError::NoData.into()),
            Err(e) => Err(read_error("export", &e.to_string())),
        }
    })
}
