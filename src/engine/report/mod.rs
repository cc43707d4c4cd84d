//! Turning results into things people read: CSV files, XLSX workbooks and
//! charts. Output goes to any `Write`, an in-memory buffer or a plotters
//! `DrawingBackend`; the caller decides whether that is a download, a file
//! or a canvas.

pub mod chart;
pub mod compare_chart;
pub mod export;
pub mod tables;
pub mod width;
pub mod xlsx;
