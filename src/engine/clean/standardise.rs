//! Standard forms for values: dates in ISO, mainland mobile numbers, gender,
//! plain decimal amounts. Each returns the new value, or why it cannot.

use crate::engine::date::parse_timestamp;
use crate::engine::money::{parse_amount, trim_text};

/// What a standardisation made of a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Already standard.
    Same,
    /// Rewritten to this.
    Changed(String),
    /// Cannot be read; the value is kept and marked (e.g. 待验证).
    Invalid,
}

/// A date or date-time as ISO `YYYY-MM-DD` (with ` HH:MM:SS` when it has a time).
pub fn date(v: &str) -> Outcome {
    let t = trim_text(v);
    match parse_timestamp(t) {
        Ok(ts) => {
            let has_time = ts.secs != 0 || t.contains([':', '时']);
            let iso = if has_time { ts.to_string() } else { ts.day.to_string() };
            if iso == v {
                Outcome::Same
            } else {
                Outcome::Changed(iso)
            }
        }
        Err(_) => Outcome::Invalid,
    }
}

/// A mainland mobile number as 11 digits starting with 1: `+86`, `0086`,
/// spaces, dashes and full-width digits removed. Anything else is invalid
/// (待验证, to be verified).
pub fn phone(v: &str) -> Outcome {
    let digits: String = trim_text(v)
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            ' ' | '-' | '(' | ')' | '+' | '\u{3000}' => None,
            _ => Some('x'),
        })
        .collect();
    let national =
        digits.strip_prefix("0086").or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11)).unwrap_or(&digits);
    let ok = national.len() == 11
        && national.starts_with('1')
        && matches!(national.as_bytes()[1], b'3'..=b'9')
        && national.bytes().all(|c| c.is_ascii_digit());
    match (ok, national == v) {
        (true, true) => Outcome::Same,
        (true, false) => Outcome::Changed(national.to_string()),
        (false, _) => Outcome::Invalid,
    }
}

/// Gender as 男 / 女 (from M/F, male/female, 1/0, 先生/女士…).
pub fn gender(v: &str) -> Outcome {
    let t = trim_text(v).to_lowercase();
    let g = match t.as_str() {
        "男" | "m" | "male" | "man" | "1" | "先生" | "男性" => "男",
        "女" | "f" | "female" | "woman" | "0" | "2" | "女士" | "女性" | "小姐" => "女",
        _ => return Outcome::Invalid,
    };
    if g == v {
        Outcome::Same
    } else {
        Outcome::Changed(g.to_string())
    }
}

/// An amount as a plain decimal (`¥1,280.00` → `1280.00`).
pub fn amount(v: &str) -> Outcome {
    match parse_amount(v) {
        Ok(m) => {
            let s = m.to_string();
            if s == v {
                Outcome::Same
            } else {
                Outcome::Changed(s)
            }
        }
        Err(_) => Outcome::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(phone("13812345678"), Outcome::Same);
        assert_eq!(phone("+86 138-1234-5678"), Outcome::Changed("13812345678".into()));
        assert_eq!(phone("0086 13812345678"), Outcome::Changed("13812345678".into()));
        assert_eq!(phone("１３８１２３４５６７８"), Outcome::Changed("13812345678".into()));
        assert_eq!(phone("1381234567"), Outcome::Invalid);
        assert_eq!(phone("12812345678"), Outcome::Invalid);
        assert_eq!(phone("138O2345678"), Outcome::Invalid);
        assert_eq!(phone("010-12345678"), Outcome::Invalid);
    }

    #[test]
    fn dates_genders_amounts() {
        assert_eq!(date("2024/3/5"), Outcome::Changed("2024-03-05".into()));
        assert_eq!(date("2024-03-05"), Outcome::Same);
        assert_eq!(date("2024年3月5日 10:30"), Outcome::Changed("2024-03-05 10:30:00".into()));
        assert_eq!(date("someday"), Outcome::Invalid);
        assert_eq!(date("2023年2月6日"), Outcome::Changed("2023-02-06".into()));
        assert_eq!(date("2023-02-06 00:00:00"), Outcome::Same);
        assert_eq!(gender("M"), Outcome::Changed("男".into()));
        assert_eq!(gender("女"), Outcome::Same);
        assert_eq!(gender("?"), Outcome::Invalid);
        assert_eq!(amount("¥1,280.00"), Outcome::Changed("1280.00".into()));
        assert_eq!(amount("12.50"), Outcome::Same);
    }
}
