// Starts the app: loads the wasm module from this origin (no inline script,
// so the Content-Security-Policy can forbid them).
import init from './custlens.js';
init({ module_or_path: './custlens_bg.wasm' });
