//! The browser's own key for what the app keeps between visits (the column
//! mappings the user chose): an AES-256-GCM key made by WebCrypto as
//! *non-extractable* and kept in IndexedDB. Script on the page can use it but
//! never read it out, so local storage holds only ciphertext, and a copied
//! profile folder or a storage dump does not reveal what was stored.
//!
//! The limit, stated plainly: anyone who can run script on this origin in this
//! browser profile can use the key, as the app itself does.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DB: &str = "custlens";
const STORE: &str = "keys";
const KEY_NAME: &str = "local-storage-key.v1";
const NONCE_BYTES: usize = 12;

thread_local! {
    static KEY: RefCell<Option<CryptoKey>> = const { RefCell::new(None) };
}

fn err(context: &str, e: JsValue) -> String {
    let text = e.as_string().or_else(|| Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()));
    format!("{context}: {}", text.unwrap_or_else(|| format!("{e:?}")))
}

/// Waits for an IndexedDB request; its result.
async fn done(req: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_ok = Closure::once_into_js(move |e: web_sys::Event| {
            let result = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let on_err = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &"IndexedDB request failed".into());
        });
        req.set_onsuccess(Some(on_ok.unchecked_ref()));
        req.set_onerror(Some(on_err.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| err("IndexedDB", e))
}

async fn database() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(|e| err("IndexedDB", e))?
        .ok_or("IndexedDB is not available")?;
    let open: IdbOpenDbRequest = factory.open_with_u32(DB, 1).map_err(|e| err("IndexedDB open", e))?;
    let upgrade = Closure::once_into_js(move |e: web_sys::Event| {
        let db = e.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok());
        if let Some(db) = db.and_then(|d| d.dyn_into::<IdbDatabase>().ok()) {
            let _ = db.create_object_store(STORE);
        }
    });
    open.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    done(&open).await?.dyn_into::<IdbDatabase>().map_err(|e| err("IndexedDB", e))
}

fn subtle() -> Result<web_sys::SubtleCrypto, String> {
    Ok(web_sys::window().ok_or("no window")?.crypto().map_err(|e| err("WebCrypto", e))?.subtle())
}

fn aes_params(name_only: bool, nonce: Option<&[u8]>) -> Result<Object, String> {
    let o = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&o, &k.into(), v).map(|_| ()).map_err(|e| err("WebCrypto", e));
    set("name", &"AES-GCM".into())?;
    if !name_only {
        set("length", &256.into())?;
    }
    if let Some(n) = nonce {
        set("iv", &Uint8Array::from(n).into())?;
    }
    Ok(o)
}

/// The key: from IndexedDB, or made (non-extractable) and stored there the first time.
async fn key() -> Result<CryptoKey, String> {
    if let Some(k) = KEY.with(|k| k.borrow().clone()) {
        return Ok(k);
    }
    let db = database().await?;
    let read = db.transaction_with_str(STORE).map_err(|e| err("IndexedDB", e))?;
    let found = done(
        &read
            .object_store(STORE)
            .map_err(|e| err("IndexedDB", e))?
            .get(&KEY_NAME.into())
            .map_err(|e| err("IndexedDB", e))?,
    )
    .await?;
    let key = match found.dyn_into::<CryptoKey>() {
        Ok(k) => k,
        Err(_) => {
            let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
            let made = subtle()?.generate_key_with_object(&aes_params(false, None)?, false, &usages);
            let k: CryptoKey = JsFuture::from(made.map_err(|e| err("WebCrypto", e))?)
                .await
                .map_err(|e| err("WebCrypto", e))?
                .dyn_into()
                .map_err(|e| err("WebCrypto", e))?;
            let write = db
                .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
                .map_err(|e| err("IndexedDB", e))?;
            let store = write.object_store(STORE).map_err(|e| err("IndexedDB", e))?;
            done(&store.put_with_key(&k, &KEY_NAME.into()).map_err(|e| err("IndexedDB", e))?).await?;
            k
        }
    };
    db.close();
    KEY.with(|slot| *slot.borrow_mut() = Some(key.clone()));
    Ok(key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    s.len().is_multiple_of(2).then_some(())?;
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// `plain` encrypted under the browser's key, as hex of nonce ‖ ciphertext.
pub async fn seal(plain: &[u8]) -> Result<String, String> {
    let key = key().await?;
    let mut nonce = [0u8; NONCE_BYTES];
    web_sys::window()
        .ok_or("no window")?
        .crypto()
        .map_err(|e| err("WebCrypto", e))?
        .get_random_values_with_u8_array(&mut nonce)
        .map_err(|e| err("WebCrypto", e))?;
    let p = subtle()?
        .encrypt_with_object_and_u8_array(&aes_params(true, Some(&nonce))?, &key, plain)
        .map_err(|e| err("WebCrypto", e))?;
    let sealed = Uint8Array::new(&JsFuture::from(p).await.map_err(|e| err("WebCrypto", e))?).to_vec();
    Ok(hex(&nonce) + &hex(&sealed))
}

/// The plaintext of what [`seal`] made; an error when it was made under
/// another key (another profile) or altered.
pub async fn open(sealed: &str) -> Result<Vec<u8>, String> {
    let bytes = unhex(sealed).filter(|b| b.len() > NONCE_BYTES).ok_or("not a sealed value")?;
    let (nonce, data) = bytes.split_at(NONCE_BYTES);
    let key = key().await?;
    let p = subtle()?
        .decrypt_with_object_and_u8_array(&aes_params(true, Some(nonce))?, &key, data)
        .map_err(|e| err("WebCrypto", e))?;
    Ok(Uint8Array::new(&JsFuture::from(p).await.map_err(|e| err("WebCrypto", e))?).to_vec())
}
