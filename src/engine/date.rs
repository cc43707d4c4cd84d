//! Calendar days and timestamps, and the date formats analysts' exports use.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar day, counted from 1970-01-01 (day 0, also the default).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day(i32);

/// A wall-clock moment as written in the data: a day and the seconds into it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp {
    /// The calendar day.
    pub day: Day,
    /// Seconds since midnight (0–86 399).
    pub secs: u32,
}

/// Why a text could not be read as a date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The cell is empty.
    #[error("the date is empty")]
    Empty,
    /// No known date format matches.
    #[error("not a recognised date")]
    Unrecognised,
    /// The parts form no real date (e.g. 2023-02-30).
    #[error("no such date")]
    NoSuchDate,
    /// Day and month could each be either (e.g. 03/04/2024).
    #[error("day and month order is ambiguous")]
    Ambiguous,
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163; // NaiveDate(1970-01-01).num_days_from_ce()

impl Day {
    /// From days since 1970-01-01.
    pub const fn from_days(days: i32) -> Day {
        Day(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    /// From a calendar date, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        NaiveDate::from_ymd_opt(year, month, day).map(Day::from)
    }

    /// The calendar date.
    pub fn to_naive(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0 + EPOCH_DAYS_FROM_CE).unwrap_or(NaiveDate::MIN)
    }

    /// The following day.
    pub fn next(self) -> Day {
        Day(self.0 + 1)
    }

    /// Whole days from `earlier` to `self`.
    pub fn days_since(self, earlier: Day) -> i32 {
        self.0 - earlier.0
    }

    /// Parses an ISO `YYYY-MM-DD` (as typed in a date input or on the command line).
    pub fn parse_iso(s: &str) -> Result<Day, DateError> {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map(Day::from).map_err(|_| DateError::Unrecognised)
    }
}

impl From<NaiveDate> for Day {
    fn from(d: NaiveDate) -> Day {
        Day(d.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
    }
}

/// ISO `YYYY-MM-DD`.
impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.to_naive();
        write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.secs / 3600, self.secs / 60 % 60, self.secs % 60);
        write!(f, "{} {h:02}:{m:02}:{s:02}", self.day)
    }
}

/// The day an Excel serial number 0 stands for (Excel's 1900 system, with
/// its fictional 1900-02-29 accounted for by starting at 1899-12-30).
const EXCEL_EPOCH: i32 = -25_569; // 1899-12-30 in days since 1970-01-01

/// Converts an Excel serial date-time (1900 system) to a timestamp.
pub fn from_excel_serial(serial: f64) -> Result<Timestamp, DateError> {
    // 1 = 1900-01-01; 60 is Excel's non-existent 1900-02-29; 2958465 = 9999-12-31.
    if !(1.0..2_958_466.0).contains(&serial) || (60.0..61.0).contains(&serial) {
        return Err(DateError::NoSuchDate);
    }
    let whole = serial.floor();
    // Serials before the fictional leap day are one day further from the epoch.
    let shift = if whole < 60.0 { 1 } else { 0 };
    let day = Day(EXCEL_EPOCH + whole as i32 + shift);
    let secs = ((serial - whole) * 86_400.0).round() as u32;
    Ok(if secs >= 86_400 { Timestamp { day: day.next(), secs: 0 } } else { Timestamp { day, secs } })
}

/// Reads a date or date-time as analysts' exports write it.
///
/// Accepted: `2024-03-15`, `2024/3/15`, `2024.3.15`, `2024-03-15 10:30[:00[.123]]`,
/// `2024-03-15T10:30:00Z` / `+08:00` (the wall-clock time as written),
/// `2024年3月15日 [10:30:00 | 10时30分00秒]`, `20240315`, Excel serial numbers
/// (`45366`, `45366.4375`), Unix seconds (10 digits) and milliseconds (13
/// digits), and day-first or month-first `15/03/2024`, `03/15/2024` when the
/// order is unambiguous.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, DateError> {
    let s = crate::engine::money::trim_text(text);
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        if let Some(ts) = fast_iso(b) {
            return Ok(ts);
        }
    }
    general(s)
}

#[inline]
fn digits(r: &[u8]) -> Option<u32> {
    r.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date (Hinnant's
/// algorithm), or `None` when the date does not exist.
#[inline]
pub fn days_from_civil(y: i32, m: u32, d: u32) -> Option<i32> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > dim {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Reads timestamps quickly: `YYYY-MM-DD[ HH:MM:SS]` without allocation,
/// remembering the last date (exports are sorted by time, so rows repeat
/// it); anything else goes to [`parse_timestamp`].
#[derive(Debug, Default)]
pub struct TimestampParser {
    last: [u8; 10],
    last_day: Option<Day>,
}

impl TimestampParser {
    /// Parses one cell.
    #[inline]
    pub fn parse(&mut self, b: &[u8]) -> Result<Timestamp, DateError> {
        if (b.len() == 10 || b.len() == 19) && b[4] == b'-' && b[7] == b'-' {
            let day = match self.last_day {
                Some(day) if b[..10] == self.last => Some(day),
                _ => {
                    let day = fast_day(&b[..10]);
                    if let Some(day) = day {
                        self.last.copy_from_slice(&b[..10]);
                        self.last_day = Some(day);
                    }
                    day
                }
            };
            if let Some(day) = day {
                if b.len() == 10 {
                    return Ok(Timestamp { day, secs: 0 });
                }
                if let Some(secs) = fast_time(&b[10..]) {
                    return Ok(Timestamp { day, secs });
                }
            }
        }
        std::str::from_utf8(b).map_err(|_| DateError::Unrecognised).and_then(parse_timestamp)
    }
}

#[inline]
fn fast_day(b: &[u8]) -> Option<Day> {
    let y = digits(&b[0..4])? as i32;
    days_from_civil(y, digits(&b[5..7])?, digits(&b[8..10])?).map(Day)
}

/// ` HH:MM:SS` or `THH:MM:SS` → seconds.
#[inline]
fn fast_time(b: &[u8]) -> Option<u32> {
    if b.len() != 9 || !(b[0] == b' ' || b[0] == b'T') || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let (h, mi, s) = (digits(&b[1..3])?, digits(&b[4..6])?, digits(&b[7..9])?);
    (h < 24 && mi < 60 && s < 61).then_some(h * 3600 + mi * 60 + s.min(59))
}

/// `YYYY-MM-DD` optionally followed by ` HH:MM:SS` — the common case, no allocation.
#[inline]
fn fast_iso(b: &[u8]) -> Option<Timestamp> {
    let day = fast_day(&b[..10])?;
    match b.len() {
        10 => Some(Timestamp { day, secs: 0 }),
        19 => fast_time(&b[10..]).map(|secs| Timestamp { day, secs }),
        _ => None,
    }
}

fn general(s: &str) -> Result<Timestamp, DateError> {
    // Pure digits (maybe with a fraction): Excel serial, YYYYMMDD, Unix time.
    if s.bytes().all(|c| c.is_ascii_digit() || c == b'.') && s.bytes().filter(|&c| c == b'.').count() <= 1 {
        let int_len = s.find('.').unwrap_or(s.len());
        return match int_len {
            1..=7 => s.parse::<f64>().map_err(|_| DateError::Unrecognised).and_then(from_excel_serial),
            8 if !s.contains('.') => {
                let n: u32 = s.parse().map_err(|_| DateError::Unrecognised)?;
                Day::from_ymd((n / 10_000) as i32, n / 100 % 100, n % 100)
                    .map(|day| Timestamp { day, secs: 0 })
                    .ok_or(DateError::NoSuchDate)
            }
            10 | 13 => {
                let v: f64 = s.parse().map_err(|_| DateError::Unrecognised)?;
                let secs = if int_len == 13 { v / 1000.0 } else { v };
                let days = (secs / 86_400.0).floor();
                Ok(Timestamp { day: Day(days as i32), secs: (secs - days * 86_400.0) as u32 })
            }
            _ => Err(DateError::Unrecognised),
        };
    }
    // Split into runs of digits; remember the separators between them.
    let mut nums: Vec<u32> = Vec::with_capacity(7);
    let mut lens: Vec<usize> = Vec::with_capacity(7);
    let mut cur: Option<(u32, usize)> = None;
    let mut pm = false;
    let mut am = false;
    for c in s.chars() {
        let digit = match c {
            '0'..='9' => Some(c as u32 - '0' as u32),
            '０'..='９' => Some(c as u32 - '０' as u32),
            _ => None,
        };
        match digit {
            Some(d) => {
                let (v, l) = cur.unwrap_or((0, 0));
                cur = Some((v.saturating_mul(10).saturating_add(d), l + 1));
            }
            None => {
                if let Some((v, l)) = cur.take() {
                    nums.push(v);
                    lens.push(l);
                }
                match c {
                    'Z' | 'z' | '+' if nums.len() >= 5 => break, // time zone: keep wall time
                    '-' if nums.len() >= 5 => break,
                    '下' => pm = true,
                    '上' => am = true,
                    'P' | 'p' if nums.len() >= 4 => pm = true,
                    'A' | 'a' if nums.len() >= 4 => am = true,
                    _ => {}
                }
            }
        }
    }
    if let Some((v, l)) = cur.take() {
        nums.push(v);
        lens.push(l);
    }
    if nums.len() < 3 {
        return Err(DateError::Unrecognised);
    }
    let (y, m, d) = if lens[0] == 4 {
        (nums[0] as i32, nums[1], nums[2])
    } else if lens[2] == 4 && lens[0] <= 2 && lens[1] <= 2 {
        let (a, b) = (nums[0], nums[1]);
        match (a > 12, b > 12) {
            (true, false) => (nums[2] as i32, b, a), // day first
            (false, true) => (nums[2] as i32, a, b), // month first
            (false, false) if a == b => (nums[2] as i32, a, b),
            (false, false) => return Err(DateError::Ambiguous),
            (true, true) => return Err(DateError::NoSuchDate),
        }
    } else {
        return Err(DateError::Unrecognised);
    };
    let day = Day::from_ymd(y, m, d).ok_or(DateError::NoSuchDate)?;
    let mut h = nums.get(3).copied().unwrap_or(0);
    let mi = nums.get(4).copied().unwrap_or(0);
    let sec = nums.get(5).copied().unwrap_or(0);
    if pm && h < 12 {
        h += 12;
    }
    if am && h == 12 {
        h = 0;
    }
    if h > 23 || mi > 59 || sec > 60 {
        return Err(DateError::NoSuchDate);
    }
    Ok(Timestamp { day, secs: h * 3600 + mi * 60 + sec.min(59) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> String {
        parse_timestamp(s).map(|t| t.to_string()).unwrap_or_else(|e| format!("ERR {e:?}"))
    }

    #[test]
    fn iso_forms() {
        assert_eq!(ts("2024-03-15"), "2024-03-15 00:00:00");
        assert_eq!(ts("2024-03-15 10:30:00"), "2024-03-15 10:30:00");
        assert_eq!(ts("2024-03-15T10:30:00Z"), "2024-03-15 10:30:00");
        assert_eq!(ts("2024-03-15T10:30:00+08:00"), "2024-03-15 10:30:00");
        assert_eq!(ts("2024-03-15 10:30"), "2024-03-15 10:30:00");
        assert_eq!(ts("2024-03-15 10:30:00.250"), "2024-03-15 10:30:00");
    }

    #[test]
    fn chinese_and_slashed_forms() {
        assert_eq!(ts("2024/3/15"), "2024-03-15 00:00:00");
        assert_eq!(ts("2024.3.5"), "2024-03-05 00:00:00");
        assert_eq!(ts("2024年3月15日"), "2024-03-15 00:00:00");
        assert_eq!(ts("2024年3月15日 14时05分09秒"), "2024-03-15 14:05:09");
        assert_eq!(ts("2024/3/15 下午 2:05"), "2024-03-15 14:05:00");
        assert_eq!(ts("20240315"), "2024-03-15 00:00:00");
    }

    #[test]
    fn excel_serials_and_unix_time() {
        assert_eq!(ts("45366"), "2024-03-15 00:00:00");
        assert_eq!(ts("45366.4375"), "2024-03-15 10:30:00");
        assert_eq!(ts("1"), "1900-01-01 00:00:00");
        assert_eq!(ts("61"), "1900-03-01 00:00:00");
        assert_eq!(ts("60"), "ERR NoSuchDate");
        assert_eq!(ts("1710498600"), "2024-03-15 10:30:00");
        assert_eq!(ts("1710498600000"), "2024-03-15 10:30:00");
    }

    #[test]
    fn day_month_order() {
        assert_eq!(ts("15/03/2024"), "2024-03-15 00:00:00");
        assert_eq!(ts("03/15/2024"), "2024-03-15 00:00:00");
        assert_eq!(ts("03/04/2024"), "ERR Ambiguous");
        assert_eq!(ts("04/04/2024"), "2024-04-04 00:00:00");
    }

    #[test]
    fn invalid_dates() {
        assert_eq!(ts(""), "ERR Empty");
        assert_eq!(ts("2023-02-30"), "ERR NoSuchDate");
        assert_eq!(ts("2024-13-01"), "ERR NoSuchDate");
        assert_eq!(ts("yesterday"), "ERR Unrecognised");
        assert_eq!(ts("2024-03"), "ERR Unrecognised");
        assert_eq!(ts("2024-03-15 25:00:00"), "ERR NoSuchDate");
    }

    #[test]
    fn civil_arithmetic_matches_chrono() {
        for days in (-800_000..800_000).step_by(37) {
            let d = Day::from_days(days).to_naive();
            use chrono::Datelike;
            assert_eq!(days_from_civil(d.year(), d.month(), d.day()), Some(days));
        }
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(days_from_civil(2024, 2, 29), Some(19_782));
        assert_eq!(days_from_civil(1900, 2, 29), None);
        assert_eq!(days_from_civil(2000, 2, 29), Some(11_016));
        assert_eq!(days_from_civil(2024, 13, 1), None);
    }

    #[test]
    fn cached_parser_agrees_with_the_general_one() {
        let mut p = TimestampParser::default();
        for s in [
            "2024-03-15 10:30:00",
            "2024-03-15 23:59:59",
            "2024-03-15",
            "2024-03-16T01:02:03",
            "2024-02-30 10:00:00",
            " 2024-03-15",
            "2024/3/15",
            "2024-03-15 25:00:00",
        ] {
            assert_eq!(p.parse(s.as_bytes()), parse_timestamp(s), "{s}");
        }
    }

    #[test]
    fn day_arithmetic() {
        let d = Day::from_ymd(2024, 3, 15).map(Day::days);
        assert_eq!(d, Some(19797));
        assert_eq!(Day::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Day::parse_iso("2024-12-31").map(|d| d.next().to_string()), Ok("2025-01-01".into()));
    }
}
