//! Calendar periods the time-based analyses group by: months, and ISO weeks
//! (Monday to Sunday, numbered by their ISO year). A period is a dense index
//! so that "the period after" is `index + 1`.

use crate::engine::date::Day;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

/// A length of calendar period.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months, labelled `2024-03`.
    #[default]
    Month,
    /// ISO weeks starting on Monday, labelled `2024-W05` by ISO year and week.
    Week,
}

/// 1970-01-01 was a Thursday: the Monday starting its week is 3 days earlier.
const MONDAY_OFFSET: i32 = 3;

impl Period {
    /// The index of the period holding `day` (consecutive periods have consecutive indexes).
    pub fn index(self, day: Day) -> i32 {
        match self {
            Period::Month => {
                let d = day.to_naive();
                d.year() * 12 + d.month0() as i32
            }
            Period::Week => (day.days() + MONDAY_OFFSET).div_euclid(7),
        }
    }

    /// The first day of period `index`.
    pub fn start(self, index: i32) -> Day {
        match self {
            Period::Month => {
                Day::from_ymd(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).unwrap_or_default()
            }
            Period::Week => Day::from_days(index * 7 - MONDAY_OFFSET),
        }
    }

    /// The label of period `index`: `2024-03` or `2024-W05`.
    pub fn label(self, index: i32) -> String {
        match self {
            Period::Month => format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1),
            Period::Week => {
                let w = self.start(index).to_naive().iso_week();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
        }
    }

    /// The name used on the command line and in results: `month` or `week`.
    pub fn key(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Week => "week",
        }
    }

    /// Parses [`Period::key`].
    pub fn from_key(s: &str) -> Option<Period> {
        match s.trim() {
            "month" => Some(Period::Month),
            "week" => Some(Period::Week),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).expect("date")
    }

    #[test]
    fn months_are_consecutive() {
        let p = Period::Month;
        assert_eq!(p.index(day(2024, 1, 31)) + 1, p.index(day(2024, 2, 1)));
        assert_eq!(p.index(day(2023, 12, 31)) + 1, p.index(day(2024, 1, 1)));
        assert_eq!(p.label(p.index(day(2024, 3, 15))), "2024-03");
        assert_eq!(p.start(p.index(day(2024, 3, 15))), day(2024, 3, 1));
    }

    #[test]
    fn iso_weeks_start_on_monday() {
        let p = Period::Week;
        // 2024-01-01 was a Monday (ISO 2024-W01); 2023-12-31 a Sunday (2023-W52).
        assert_eq!(p.index(day(2024, 1, 1)), p.index(day(2024, 1, 7)));
        assert_eq!(p.index(day(2023, 12, 31)) + 1, p.index(day(2024, 1, 1)));
        assert_eq!(p.label(p.index(day(2024, 1, 3))), "2024-W01");
        assert_eq!(p.label(p.index(day(2023, 12, 31))), "2023-W52");
        // 2021-01-01 (a Friday) belongs to ISO week 2020-W53.
        assert_eq!(p.label(p.index(day(2021, 1, 1))), "2020-W53");
        assert_eq!(p.start(p.index(day(2024, 1, 3))), day(2024, 1, 1));
        assert_eq!(p.start(p.index(Day::from_days(0))), day(1969, 12, 29));
    }
}
