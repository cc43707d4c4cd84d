//! Number formatting for the page: thousands separators, percentages.

use crate::engine::money::Money;

/// `1234567` → `1,234,567`.
pub fn int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Money with thousands separators and two decimals.
pub fn money(m: Money) -> String {
    let units = m.units();
    let cents = (units.unsigned_abs() + 50) / 100;
    let sign = if units < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", int(cents / 100), cents % 100)
}

/// A float with thousands separators and `d` decimals.
pub fn float(x: f64, d: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", d, x.abs());
    let (whole, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let whole = int(whole.parse().unwrap_or(0));
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

/// A share 0–1 as `12.3%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A size in bytes, readable: `12.3 MB`, `850 KB`, `17 B`.
pub fn bytes(n: u64) -> String {
    match n {
        0..1_024 => format!("{n} B"),
        1_024..1_048_576 => format!("{} KB", float(n as f64 / 1_024.0, 0)),
        _ => format!("{} MB", float(n as f64 / 1_048_576.0, 1)),
    }
}
