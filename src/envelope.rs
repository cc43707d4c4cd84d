//! The JS shape of a message between the page and a worker: a postcard body,
//! plus an optional File and byte buffers that travel beside it (buffers are
//! transferred, not copied).

use crate::engine::codec::{from_bytes, to_bytes};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// A decoded message.
pub struct Envelope<T> {
    /// The typed body.
    pub body: T,
    /// An attached file or blob.
    pub file: Option<web_sys::Blob>,
    /// Attached byte buffers.
    pub parts: Vec<Uint8Array>,
}

impl<T: Serialize + DeserializeOwned> Envelope<T> {
    /// A message with a body only.
    pub fn new(body: T) -> Envelope<T> {
        Envelope { body, file: None, parts: Vec::new() }
    }

    /// Adds a file.
    pub fn with_file(mut self, file: web_sys::Blob) -> Envelope<T> {
        self.file = Some(file);
        self
    }

    /// Adds byte buffers.
    pub fn with_parts(mut self, parts: Vec<Uint8Array>) -> Envelope<T> {
        self.parts = parts;
        self
    }

    /// The JS message and the list of buffers to transfer with it.
    pub fn to_js(&self) -> (JsValue, Array) {
        let obj = Object::new();
        let body = Uint8Array::from(to_bytes(&self.body).as_slice());
        let transfer = Array::new();
        transfer.push(&body.buffer());
        let _ = Reflect::set(&obj, &"body".into(), &body);
        if let Some(f) = &self.file {
            let _ = Reflect::set(&obj, &"file".into(), f);
        }
        let parts = Array::new();
        for p in &self.parts {
            parts.push(p);
            transfer.push(&p.buffer());
        }
        let _ = Reflect::set(&obj, &"parts".into(), &parts);
        (obj.into(), transfer)
    }

    /// Decodes a JS message.
    pub fn from_js(v: &JsValue) -> Result<Envelope<T>, String> {
        let body: Uint8Array =
            Reflect::get(v, &"body".into()).ok().and_then(|b| b.dyn_into().ok()).ok_or("message without a body")?;
        let body = from_bytes(&body.to_vec())?;
        let file = Reflect::get(v, &"file".into()).ok().and_then(|f| f.dyn_into::<web_sys::Blob>().ok());
        let parts = Reflect::get(v, &"parts".into())
            .ok()
            .and_then(|p| p.dyn_into::<Array>().ok())
            .map(|a| a.iter().filter_map(|x| x.dyn_into::<Uint8Array>().ok()).collect())
            .unwrap_or_default();
        Ok(Envelope { body, file, parts })
    }
}
