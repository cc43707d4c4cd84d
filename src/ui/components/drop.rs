//! A drop zone around a file input: the files picked or dropped go to
//! `on_files`. Used by the import card (one file) and the sources card
//! (several at once).

use leptos::prelude::*;
use web_sys::{Blob, FileList, HtmlInputElement};

/// The file types the inputs offer (others can still be dropped).
pub const ACCEPT: &str = ".csv,.tsv,.txt,.xlsx,.xlsm,.xls,.jsonl,.ndjson";

fn files(list: Option<FileList>, multiple: bool) -> Vec<Blob> {
    let Some(list) = list else { return Vec::new() };
    let n = if multiple { list.length() } else { list.length().min(1) };
    (0..n).filter_map(|i| list.get(i)).map(Blob::from).collect()
}

/// The drop zone.
#[component]
pub fn DropZone<F>(
    /// Test id of the zone.
    testid: &'static str,
    /// Test id of the file input.
    input_testid: &'static str,
    /// Whether several files may be picked at once.
    multiple: bool,
    /// The input's label (for screen readers).
    label: Signal<&'static str>,
    /// What to do with the files.
    on_files: F,
    /// Anything else in the zone (hint, buttons).
    children: Children,
) -> impl IntoView
where
    F: Fn(Vec<Blob>) + Clone + 'static,
{
    let over = RwSignal::new(false);
    let take = on_files.clone();
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let picked = files(input.files(), multiple);
        // Picking the same file again (e.g. after a cancel) must fire `change` again.
        input.set_value("");
        if !picked.is_empty() {
            take(picked);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        over.set(false);
        let dropped = files(ev.data_transfer().and_then(|d| d.files()), multiple);
        if !dropped.is_empty() {
            on_files(dropped);
        }
    };
    view! {
        <div
            class="drop"
            class:over=move || over.get()
            data-testid=testid
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                over.set(true);
            }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop
        >
            <label class="file-label">
                <span class="visually-hidden">{move || label.get()}</span>
                <input type="file" multiple=multiple data-testid=input_testid accept=ACCEPT on:change=on_change/>
            </label>
            {children()}
        </div>
    }
}
