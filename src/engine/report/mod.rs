//! Turning results into things people read: CSV files and charts. Output
//! goes to any `Write` or plotters `DrawingBackend`; the caller decides
//! whether that is a download, a file or a canvas.

pub mod chart;
pub mod export;
