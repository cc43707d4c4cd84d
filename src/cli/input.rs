//! Opening an input file from disk: probe it, apply `--map` overrides and
//! read it — text files in line-aligned ranges on all cores, workbooks whole.

use crate::engine::analyze::customers::Customers;
use crate::engine::clean::table::TextTable;
use crate::engine::error::IngestError;
use crate::engine::ingest::chunk::{needs_single_pass, plan, ByteRange};
use crate::engine::ingest::detect::{detect_format, Format};
use crate::engine::ingest::fields::{auto_map, detect_kind, Field, Mapping, SourceKind};
use crate::engine::ingest::orders::{OrderColumns, OrdersChunk};
use crate::engine::ingest::probe::{probe_excel, probe_text_with, Probe, PROBE_BYTES};
use crate::engine::pipeline::{finish_local, read_excel, read_text_range, read_text_table};
use anyhow::{anyhow, bail, Context, Result};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Smallest range worth a thread of its own.
const MIN_RANGE: u64 = 16 << 20;

/// Parses `canonical=header` pairs from `--map` for an orders table.
pub fn parse_maps(maps: &[String]) -> Result<Vec<(Field, String)>> {
    parse_maps_for(SourceKind::Orders, maps)
}

/// Parses `canonical=header` pairs from `--map` for a table of `kind`.
pub fn parse_maps_for(kind: SourceKind, maps: &[String]) -> Result<Vec<(Field, String)>> {
    maps.iter()
        .map(|m| {
            let (k, v) = m
                .split_once('=')
                .ok_or_else(|| anyhow!("--map {m}: expected canonical=header, e.g. amount=订单金额"))?;
            let known = || kind.fields().iter().map(|s| s.field.key()).collect::<Vec<_>>().join(", ");
            let field = Field::from_key(k)
                .filter(|f| kind.fields().iter().any(|s| s.field == *f))
                .ok_or_else(|| anyhow!("--map {m}: unknown field `{k}` (fields: {})", known()))?;
            Ok((field, v.to_string()))
        })
        .collect()
}

/// Reads an orders file into customers.
pub fn read_customers(path: &Path, maps: &[(Field, String)], sheet: Option<&str>) -> Result<(Probe, Customers)> {
    let (probe, chunks) = read_order_chunks(path, maps, sheet)?;
    let customers = finish_local(&probe, &chunks)?;
    Ok((probe, customers))
}

/// Reads an orders file into its chunks (their rows kept, in file order).
pub fn read_order_chunks(
    path: &Path,
    maps: &[(Field, String)],
    sheet: Option<&str>,
) -> Result<(Probe, Vec<OrdersChunk>)> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = vec![0u8; PROBE_BYTES.min(size as usize)];
    file.read_exact(&mut head).with_context(|| format!("{name}: cannot read"))?;
    let format = detect_format(&head, &name);
    if matches!(format, Format::Xlsx | Format::Xls) {
        let bytes = std::fs::read(path).with_context(|| format!("{name}: cannot read"))?;
        let (mut probe, src) = probe_excel(&name, bytes, sheet)?;
        warn_workbook(&probe);
        let cols = columns(&mut probe, maps)?;
        let chunk = read_excel(src, &probe, cols)?;
        return Ok((probe, vec![chunk]));
    }
    let mut probe = probe_head(path, &name, size, &head)?;
    let cols = columns(&mut probe, maps)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // JSON Lines in one range, so that an error names the line from the file's start.
    let splittable = probe.format == Format::Csv && probe.encoding.is_some_and(|e| e.ascii_compatible());
    let ranges = if splittable { plan(size, threads, MIN_RANGE) } else { plan(size, 1, 1) };
    let mut parts = read_ranges(path, &probe, cols, &ranges)?;
    if needs_single_pass(&parts.iter().map(|p| p.ended_in_quote).collect::<Vec<_>>()) {
        parts = read_ranges(path, &probe, cols, &plan(size, 1, 1))?;
    }
    Ok((probe, parts))
}

/// Reads any table whole, as text cells, with its mapping for `kind` (by
/// default the kind its headers suggest).
pub fn read_table(
    path: &Path,
    kind: Option<SourceKind>,
    maps: &[(Field, String)],
    sheet: Option<&str>,
) -> Result<(Probe, Mapping, TextTable)> {
    let (probe, table) = read_plain_table(path, sheet)?;
    let kind = kind.unwrap_or_else(|| detect_kind(&table.headers));
    let mut mapping = auto_map(kind, &table.headers);
    if let Err(missing) = mapping.apply_overrides(maps, &table.headers) {
        bail!(
            "{}: --map names column `{missing}`, but the file has no such column (columns: {})",
            probe.file,
            table.headers.join(", ")
        );
    }
    Ok((probe, mapping, table))
}

/// Reads any table whole, as text cells (no field mapping); an error when it has no rows.
pub fn read_plain_table(path: &Path, sheet: Option<&str>) -> Result<(Probe, TextTable)> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = vec![0u8; PROBE_BYTES.min(size as usize)];
    file.read_exact(&mut head).with_context(|| format!("{name}: cannot read"))?;
    let (probe, table) = if matches!(detect_format(&head, &name), Format::Xlsx | Format::Xls) {
        let bytes = std::fs::read(path).with_context(|| format!("{name}: cannot read"))?;
        let (probe, mut src) = probe_excel(&name, bytes, sheet)?;
        warn_workbook(&probe);
        let table = TextTable::read(&mut src, &name)?;
        (probe, table)
    } else {
        let probe = probe_head(path, &name, size, &head)?;
        file.seek(SeekFrom::Start(0))?;
        let table = read_text_table(BufReader::with_capacity(1 << 20, file), &probe)?;
        (probe, table)
    };
    if table.is_empty() {
        return Err(crate::engine::error::IngestError::NoRows { file: name }.into());
    }
    warn_invalid_text(&name, &table);
    Ok((probe, table))
}

/// Probes a text file from `head`, reading a longer head when the header row is longer.
fn probe_head(path: &Path, name: &str, size: u64, head: &[u8]) -> Result<Probe> {
    Ok(probe_text_with(name, size, |n| {
        if n <= head.len() {
            return Ok(head[..n].to_vec());
        }
        let mut bytes = Vec::with_capacity(n);
        File::open(path)
            .and_then(|f| f.take(n as u64).read_to_end(&mut bytes))
            .map_err(|e| IngestError::Read { file: name.to_string(), message: e.to_string() })?;
        Ok(bytes)
    })?)
}

/// Says which formula cells have no saved value (they read as empty), and
/// how many cells of merged data regions were given their region's value.
fn warn_workbook(probe: &Probe) {
    if probe.merged_cells_filled > 0 {
        eprintln!(
            "note: {}: {} cell(s) of merged regions in the data rows were given their region's value",
            probe.file, probe.merged_cells_filled
        );
    }
    let u = &probe.uncalculated;
    if u.count > 0 {
        let more = if (u.cells.len() as u64) < u.count { ", …" } else { "" };
        eprintln!(
            "warning: {}: {} formula cell(s) have no saved value ({}{more}) and read as empty; \
             open the workbook in Excel and save it to store their values",
            probe.file,
            u.count,
            u.cells.join(", ")
        );
    }
}

/// Says which rows are not valid UTF-8 (rows in another encoding): cleaning
/// sets them aside; the commands that read the table as it is show their
/// unreadable bytes as U+FFFD.
fn warn_invalid_text(file: &str, table: &TextTable) {
    let bad = &table.invalid_text_rows;
    if bad.is_empty() {
        return;
    }
    let rows: Vec<String> = bad.iter().take(10).map(|&r| table.row_numbers[r].to_string()).collect();
    let more = if bad.len() > 10 { ", …" } else { "" };
    eprintln!(
        "warning: {file}: {} row(s) are not valid UTF-8 — probably rows in another encoding such as GBK (rows {}{more}); \
         their unreadable characters show as �, and `custlens clean` sets them aside",
        bad.len(),
        rows.join(", ")
    );
}

/// Refuses a table whose required fields (for its kind) have no column,
/// naming the file, the kind, the fields, the columns it has and `hint`.
pub fn require_mapped(file: &str, mapping: &Mapping, headers: &[String], hint: &str) -> Result<()> {
    let missing = mapping.missing_required();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|f| f.key()).collect();
    bail!(
        "{file}: read as {}, no column is mapped to the required field(s) {} (columns: {}); {hint}",
        mapping.kind.key(),
        names.join(", "),
        headers.join(", ")
    )
}

fn columns(probe: &mut Probe, maps: &[(Field, String)]) -> Result<OrderColumns> {
    if let Err(missing) = probe.mapping.apply_overrides(maps, &probe.headers) {
        bail!(
            "{}: --map names column `{missing}`, but the file has no such column (columns: {})",
            probe.file,
            probe.headers.join(", ")
        );
    }
    Ok(OrderColumns::from_mapping(&probe.mapping, &probe.file, &probe.headers)?)
}

fn read_ranges(path: &Path, probe: &Probe, cols: OrderColumns, ranges: &[ByteRange]) -> Result<Vec<OrdersChunk>> {
    std::thread::scope(|s| {
        let handles: Vec<_> = ranges.iter().map(|&r| s.spawn(move || read_range(path, probe, cols, r))).collect();
        handles.into_iter().map(|h| h.join().map_err(|_| anyhow!("a reader thread panicked"))?).collect()
    })
}

fn read_range(path: &Path, probe: &Probe, cols: OrderColumns, r: ByteRange) -> Result<OrdersChunk> {
    let mut f = File::open(path).with_context(|| format!("{}: cannot open", probe.file))?;
    f.seek(SeekFrom::Start(r.start.saturating_sub(1)))?;
    Ok(read_text_range(BufReader::with_capacity(1 << 20, f), probe, cols, r, &mut |_| {})?)
}
