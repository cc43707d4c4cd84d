//! Small browser chores with no logic of their own: downloads, making a
//! `File` from bytes, reading one as text, the number of cores.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Url};

/// Saves `bytes` as a download named `name`.
pub fn download(bytes: &Uint8Array, name: &str, mime: &str) -> Result<(), String> {
    let parts = Array::of1(bytes);
    let bag = BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &bag).map_err(|e| format!("{e:?}"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: HtmlAnchorElement = doc.create_element("a").map_err(|e| format!("{e:?}"))?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        a.click();
        a.remove();
    }
    // The click has started the download; the URL can go.
    let _ = Url::revoke_object_url(&url);
    Ok(())
}

/// The text of a picked file (UTF-8).
pub async fn read_text(file: &Blob) -> Result<String, String> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| "not text".to_string())
}

/// A `File` holding `bytes`.
pub fn file_from_bytes(bytes: &Uint8Array, name: &str, mime: &str) -> Result<File, String> {
    let bag = web_sys::FilePropertyBag::new();
    bag.set_type(mime);
    File::new_with_u8_array_sequence_and_options(&Array::of1(bytes), name, &bag).map_err(|e| format!("{e:?}"))
}

/// Logical cores, to size the worker pool (1–8).
pub fn cores() -> usize {
    web_sys::window().map_or(1, |w| w.navigator().hardware_concurrency() as usize).clamp(1, 8)
}

/// The local time as `HH:MM:SS`, for the audit list.
pub fn now_text() -> String {
    let d = js_sys::Date::new_0();
    format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds())
}

/// What the page has loaded so far (navigation and resources), as URLs.
pub fn loaded_resources() -> Vec<String> {
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else { return Vec::new() };
    let mut out = Vec::new();
    for kind in ["navigation", "resource"] {
        for e in perf.get_entries_by_type(kind).iter() {
            if let Some(name) = js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()) {
                out.push(name);
            }
        }
    }
    out
}

/// Tries to fetch from another origin; `Ok(())` means it was blocked (as the
/// page's Content-Security-Policy says it must be).
pub async fn probe_other_origin(url: &str) -> Result<(), String> {
    let Some(w) = web_sys::window() else { return Ok(()) };
    match wasm_bindgen_futures::JsFuture::from(w.fetch_with_str(url)).await {
        Ok(_) => Err(format!("{url} answered")),
        Err(_) => Ok(()),
    }
}

/// The local-storage key of the mapping saved for a header row. Only column
/// choices are ever stored locally — never a cell of data — and they are
/// stored encrypted under the browser's own key (see [`super::keystore`]).
fn mapping_key(headers: &[String]) -> String {
    format!("custlens.mapping.v2.{}", crate::engine::ingest::fields::header_signature(headers))
}

/// Where mappings were kept in plain text before they were encrypted.
fn plain_mapping_key(headers: &[String]) -> String {
    format!("custlens.mapping.v1.{}", crate::engine::ingest::fields::header_signature(headers))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Column choices saved for a header row: field → header.
pub type SavedChoices = Vec<(crate::engine::ingest::fields::Field, String)>;

/// Saves the user's column choices for files with these headers (encrypted,
/// in the background).
pub fn save_mapping(headers: &[String], choices: &[(crate::engine::ingest::fields::Field, String)]) {
    let (Some(s), Ok(json)) = (storage(), serde_json::to_string(choices)) else { return };
    let key = mapping_key(headers);
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(sealed) = super::keystore::seal(json.as_bytes()).await {
            let _ = s.set_item(&key, &sealed);
        }
    });
}

/// The column choices saved for files with these headers, if any. A mapping
/// saved in plain text by an older version is read once, then stored
/// encrypted and the plain copy removed.
pub async fn load_mapping(headers: &[String]) -> Option<SavedChoices> {
    let s = storage()?;
    if let Some(sealed) = s.get_item(&mapping_key(headers)).ok().flatten() {
        let plain = super::keystore::open(&sealed).await.ok()?;
        return serde_json::from_slice(&plain).ok();
    }
    let old = s.get_item(&plain_mapping_key(headers)).ok().flatten()?;
    let _ = s.remove_item(&plain_mapping_key(headers));
    let choices: SavedChoices = serde_json::from_str(&old).ok()?;
    save_mapping(headers, &choices);
    Some(choices)
}

/// Forgets the choices saved for these headers.
pub fn forget_mapping(headers: &[String]) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&mapping_key(headers));
        let _ = s.remove_item(&plain_mapping_key(headers));
    }
}
