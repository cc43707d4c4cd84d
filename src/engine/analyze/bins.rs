//! Numeric bins shared by the analyses: equal-width edges as numpy's
//! `histogram` makes them, the bin of a value, and labels like `[0, 100)`;
//! and how a cell is read as a number.

use crate::engine::money::parse_amount;

/// A cell read as a number the way amounts are read (`1,280`, `¥99`, `1.5万`,
/// full-width digits; four decimals kept); `None` when it is not one.
pub fn number(cell: &str) -> Option<f64> {
    parse_amount(cell).ok().map(|m| m.to_f64())
}

/// Bin edges: `n` equal-width bins over `[lo, hi]` as numpy's `histogram` makes them.
pub fn equal_width_edges(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (lo, hi) = if lo == hi { (lo - 0.5, hi + 0.5) } else { (lo, hi) };
    let step = (hi - lo) / n as f64;
    let mut edges: Vec<f64> = (0..=n).map(|i| i as f64 * step + lo).collect();
    if let Some(last) = edges.last_mut() {
        *last = hi;
    }
    edges
}

/// The bin of `x` among `edges` (`edges[0] ≤ x ≤ edges[last]`): `i` with
/// `edges[i] ≤ x < edges[i+1]`, the last bin closed.
pub fn bin_of(x: f64, edges: &[f64]) -> usize {
    let inner = &edges[1..edges.len().saturating_sub(1).max(1)];
    inner.partition_point(|&e| e <= x)
}

/// A bin's label: `[a, b)`, or `[a, b]` for the last.
pub fn bin_label(edges: &[f64], i: usize) -> String {
    let close = if i + 2 == edges.len() { ']' } else { ')' };
    format!("[{}, {}{close}", fmt_edge(edges[i]), fmt_edge(edges[i + 1]))
}

/// A number for a label: whole numbers without decimals, others to 4 decimals, trailing zeros dropped.
pub fn fmt_edge(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_match_their_edges() {
        let e = equal_width_edges(0.0, 1.0, 3);
        assert_eq!(e, vec![0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]);
        assert_eq!(bin_of(1.0 / 3.0, &e), 1);
        assert_eq!(bin_of(1.0, &e), 2);
        assert_eq!(bin_of(0.0, &e), 0);
        assert_eq!(equal_width_edges(7.0, 7.0, 2), vec![6.5, 7.0, 7.5]);
        assert_eq!(fmt_edge(1.0 / 3.0), "0.3333");
        assert_eq!(fmt_edge(-0.00001), "0");
    }
}
