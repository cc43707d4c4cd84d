// The Web Worker: loads the engine's wasm worker binary from this origin.
importScripts('./custlens-worker.js');
wasm_bindgen({ module_or_path: './custlens-worker_bg.wasm' });
