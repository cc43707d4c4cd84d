//! Exact money amounts: parsing from the many ways exports write them, and
//! arithmetic without float drift.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An exact amount of money in ten-thousandths of the currency unit (0.0001 元).
///
/// Totals are summed as integers, so 10 million orders add up to the cent.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money(i64);

/// Why a text could not be read as an amount.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The cell is empty.
    #[error("the amount is empty")]
    Empty,
    /// The text is not a number.
    #[error("not a number")]
    NotANumber,
    /// The number does not fit (over 900 trillion).
    #[error("the amount is too large")]
    Overflow,
}

impl Money {
    /// Units per currency unit (1 元 = 10 000 units).
    pub const SCALE: i64 = 10_000;
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// From a count of 0.0001 units.
    pub const fn from_units(units: i64) -> Money {
        Money(units)
    }

    /// From whole cents (0.01).
    pub const fn from_cents(cents: i64) -> Money {
        Money(cents * 100)
    }

    /// The raw count of 0.0001 units.
    pub const fn units(self) -> i64 {
        self.0
    }

    /// As a float, for statistics and charts (never for totals).
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }

    /// Sum, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Whether the amount is negative (a refund).
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

/// Two decimals always; the third and fourth only when they are not zero.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        let whole = a / Self::SCALE as u64;
        let frac = a % Self::SCALE as u64;
        if frac.is_multiple_of(100) {
            write!(f, "{sign}{whole}.{:02}", frac / 100)
        } else if frac.is_multiple_of(10) {
            write!(f, "{sign}{whole}.{:03}", frac / 10)
        } else {
            write!(f, "{sign}{whole}.{frac:04}")
        }
    }
}

/// Reads an amount as analysts' exports write it.
///
/// Accepted: `1234.5`, `-12`, `+3`, `1,234.50` (thousands commas), `12,5`
/// (decimal comma), `¥1,280.00`, `￥99`, `$5`, `RMB 10`, `128元`, `1.5万`
/// (×10 000), `(12.00)` (negative), `1.2E+05`, full-width digits. Digits
/// beyond the fourth decimal are rounded half away from zero.
pub fn parse_amount(text: &str) -> Result<Money, AmountError> {
    let s = trim_text(text);
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    // Fast path: plain ASCII `-123.45`.
    if let Some(m) = parse_plain_amount(s.as_bytes()) {
        return Ok(m);
    }
    parse_general(s)
}

/// Trims ASCII and full-width whitespace.
pub fn trim_text(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
}

/// A plain ASCII amount (`-123.45`, at most four decimals, no spaces or
/// symbols), else `None` (then [`parse_amount`] decides).
#[inline]
pub fn parse_plain_amount(b: &[u8]) -> Option<Money> {
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut int: i64 = 0;
    let mut frac: i64 = 0;
    let mut frac_digits = 0u32;
    let mut seen_dot = false;
    let mut any_digit = false;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                any_digit = true;
                if seen_dot {
                    if frac_digits == 4 {
                        return None; // needs rounding: general path
                    }
                    frac = frac * 10 + i64::from(c - b'0');
                    frac_digits += 1;
                } else {
                    int = int * 10 + i64::from(c - b'0');
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !any_digit {
        return None;
    }
    let units = int.checked_mul(Money::SCALE)? + frac * 10_i64.pow(4 - frac_digits);
    Some(Money(if neg { -units } else { units }))
}

fn parse_general(s: &str) -> Result<Money, AmountError> {
    // Normalise full-width characters and drop currency words.
    let mut t = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '，' => ',',
            '－' | '−' => '-',
            '＋' => '+',
            '（' => '(',
            '）' => ')',
            c => c,
        };
        t.push(c);
    }
    let mut body = t.trim();
    let mut negative = false;
    if body.starts_with('(') && body.ends_with(')') {
        negative = true;
        body = body[1..body.len() - 1].trim();
    }
    for prefix in ["-", "+"] {
        if let Some(rest) = body.strip_prefix(prefix) {
            negative ^= prefix == "-";
            body = rest.trim_start();
            break;
        }
    }
    for prefix in ["US$", "RMB", "CNY", "USD", "¥", "￥", "$", "€", "£"] {
        if let Some(rest) = body.strip_prefix(prefix) {
            body = rest.trim_start();
            break;
        }
    }
    if let Some(rest) = body.strip_prefix('-') {
        negative = !negative;
        body = rest.trim_start();
    }
    let mut multiplier_exp = 0i32;
    for (suffix, exp) in [("万元", 4), ("元", 0), ("万", 4), ("RMB", 0), ("CNY", 0)] {
        if let Some(rest) = body.strip_suffix(suffix) {
            body = rest.trim_end();
            multiplier_exp = exp;
            break;
        }
    }
    // Mantissa and exponent.
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = body[i + 1..].trim_start_matches('+').parse().map_err(|_| AmountError::NotANumber)?;
            (&body[..i], e)
        }
        None => (body, 0),
    };
    let mantissa = normalise_separators(mantissa).ok_or(AmountError::NotANumber)?;
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa.as_str(), ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(AmountError::NotANumber);
    }
    if !int_part.bytes().chain(frac_part.bytes()).all(|c| c.is_ascii_digit()) {
        return Err(AmountError::NotANumber);
    }
    // digits as one integer with a decimal exponent
    let digits: String = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    let mut value: i128 = 0;
    let mut dropped: Vec<u8> = Vec::new();
    let total_exp = exp + multiplier_exp - frac_part.len() as i32 + 4; // scale to units
    let keep = digits.len() as i32 + total_exp.min(0);
    for (i, c) in digits.bytes().enumerate() {
        if (i as i32) < keep {
            value =
                value.checked_mul(10).and_then(|v| v.checked_add(i128::from(c - b'0'))).ok_or(AmountError::Overflow)?;
        } else {
            dropped.push(c);
        }
    }
    if total_exp > 0 {
        for _ in 0..total_exp {
            value = value.checked_mul(10).ok_or(AmountError::Overflow)?;
        }
    }
    // Round half away from zero on the first dropped digit.
    if keep < 0 {
        // everything was dropped; the first dropped digit is virtual 0
        value = 0;
    } else if dropped.first().is_some_and(|&d| d >= b'5') {
        value += 1;
    }
    let value = if negative { -value } else { value };
    i64::try_from(value).map(Money).map_err(|_| AmountError::Overflow)
}

/// Resolves thousands separators and decimal commas into a plain `123.45`.
fn normalise_separators(s: &str) -> Option<String> {
    let s = s.replace([' ', '\'', '_'], "");
    let commas = s.matches(',').count();
    if commas == 0 {
        return Some(s);
    }
    if s.contains('.') {
        // `1,234,567.89`: commas must group thousands.
        let (int, _) = s.split_once('.')?;
        return valid_thousands(int).then(|| s.replace(',', ""));
    }
    if valid_thousands(&s) {
        return Some(s.replace(',', ""));
    }
    if commas == 1 {
        // `12,5` or `12,50`: a decimal comma.
        return Some(s.replace(',', "."));
    }
    None
}

fn valid_thousands(int: &str) -> bool {
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    !first.is_empty() && first.len() <= 3 && groups.all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> i64 {
        parse_amount(s).map(Money::units).unwrap_or(i64::MIN)
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(p("12"), 120_000);
        assert_eq!(p("-12.5"), -125_000);
        assert_eq!(p("+0.01"), 100);
        assert_eq!(p("0.0001"), 1);
        assert_eq!(p(".5"), 5_000);
        assert_eq!(p("  8  "), 80_000);
    }

    #[test]
    fn formatted_numbers() {
        assert_eq!(p("1,234.50"), 12_345_000);
        assert_eq!(p("1,234"), 12_340_000);
        assert_eq!(p("12,5"), 125_000);
        assert_eq!(p("¥1,280.00"), 12_800_000);
        assert_eq!(p("￥99"), 990_000);
        assert_eq!(p("RMB 10"), 100_000);
        assert_eq!(p("128元"), 1_280_000);
        assert_eq!(p("1.5万"), 150_000_000);
        assert_eq!(p("(12.00)"), -120_000);
        assert_eq!(p("-¥5"), -50_000);
        assert_eq!(p("1.2E+05"), 1_200_000_000);
        assert_eq!(p("１２３．５"), 1_235_000);
    }

    #[test]
    fn rounding_beyond_four_decimals() {
        assert_eq!(p("0.00005"), 1);
        assert_eq!(p("0.00004"), 0);
        assert_eq!(p("-1.123456"), -11_235);
    }

    #[test]
    fn rejects() {
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert_eq!(parse_amount("abc"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,2,3"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("12.3.4"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("-"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1e400"), Err(AmountError::Overflow));
    }

    #[test]
    fn display() {
        assert_eq!(Money::from_units(12_345_000).to_string(), "1234.50");
        assert_eq!(Money::from_units(-5).to_string(), "-0.0005");
        assert_eq!(Money::from_units(10).to_string(), "0.001");
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }
}
