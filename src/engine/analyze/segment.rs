//! Customer segments from RFM: the classic Chinese 8-type model and the
//! seeds' 5 value tiers. Names and suggested actions live in `i18n`.

use super::rfm::RfmScore;
use serde::{Deserialize, Serialize};

/// Which segmentation to use.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SegmentPreset {
    /// 重要价值 … 一般挽留: each of R, F, M above or below its mean.
    #[default]
    Classic8,
    /// 高价值 / 潜力 / 一般 / 流失风险 / 流失, from the 1–5 scores.
    Tiers5,
}

impl SegmentPreset {
    /// Both presets.
    pub const ALL: [SegmentPreset; 2] = [SegmentPreset::Classic8, SegmentPreset::Tiers5];

    /// Command-line and file name: `classic8`, `tiers5`.
    pub fn key(self) -> &'static str {
        match self {
            SegmentPreset::Classic8 => "classic8",
            SegmentPreset::Tiers5 => "tiers5",
        }
    }

    /// Parses [`SegmentPreset::key`].
    pub fn from_key(s: &str) -> Option<SegmentPreset> {
        SegmentPreset::ALL.into_iter().find(|p| p.key() == s)
    }

    /// The preset's segments, best first.
    pub fn segments(self) -> &'static [Segment] {
        use Segment::*;
        match self {
            SegmentPreset::Classic8 => &[
                ImportantValue,
                ImportantDevelop,
                ImportantRetain,
                ImportantWinBack,
                GeneralValue,
                GeneralDevelop,
                GeneralRetain,
                GeneralWinBack,
            ],
            SegmentPreset::Tiers5 => &[HighValue, Potential, General, AtRisk, Lost],
        }
    }
}

/// A customer segment.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(missing_docs)] // the variants are named in i18n, with their definitions
pub enum Segment {
    ImportantValue,
    ImportantDevelop,
    ImportantRetain,
    ImportantWinBack,
    GeneralValue,
    GeneralDevelop,
    GeneralRetain,
    GeneralWinBack,
    HighValue,
    Potential,
    General,
    AtRisk,
    Lost,
}

impl Segment {
    /// Number of segments across presets.
    pub const COUNT: usize = 13;

    /// Position in `0..COUNT`, for per-segment tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A customer's R, F, M relative to the means (classic 8-type model).
#[derive(Copy, Clone, Debug)]
pub struct AboveMean {
    /// Recency is below the mean (bought more recently than average).
    pub r: bool,
    /// Frequency is above the mean.
    pub f: bool,
    /// Monetary is above the mean.
    pub m: bool,
}

/// Days without an order after which a customer is lost (5-tier preset).
pub const LOST_AFTER_DAYS: i32 = 365;

/// The segment of one customer.
pub fn classify(preset: SegmentPreset, score: RfmScore, above: AboveMean, recency_days: i32) -> Segment {
    use Segment::*;
    match preset {
        SegmentPreset::Classic8 => match (above.r, above.f, above.m) {
            (true, true, true) => ImportantValue,
            (true, false, true) => ImportantDevelop,
            (false, true, true) => ImportantRetain,
            (false, false, true) => ImportantWinBack,
            (true, true, false) => GeneralValue,
            (true, false, false) => GeneralDevelop,
            (false, true, false) => GeneralRetain,
            (false, false, false) => GeneralWinBack,
        },
        SegmentPreset::Tiers5 => {
            let RfmScore { r, f, m } = score;
            if recency_days > LOST_AFTER_DAYS {
                Lost
            } else if r >= 4 && f >= 4 && m >= 4 {
                HighValue
            } else if r >= 4 && f <= 3 && m >= 4 {
                Potential
            } else if r <= 2 && f <= 2 && m <= 2 {
                AtRisk
            } else {
                General
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn s(r: u8, f: u8, m: u8) -> RfmScore {
        RfmScore { r, f, m }
    }
    const HIGH: AboveMean = AboveMean { r: true, f: true, m: true };

    #[test]
    fn classic8_covers_all_eight_combinations() {
        let mut seen = std::collections::HashSet::new();
        for bits in 0..8u8 {
            let a = AboveMean { r: bits & 4 != 0, f: bits & 2 != 0, m: bits & 1 != 0 };
            seen.insert(classify(SegmentPreset::Classic8, s(3, 3, 3), a, 10));
        }
        assert_eq!(seen.len(), 8);
        assert_eq!(classify(SegmentPreset::Classic8, s(1, 1, 1), HIGH, 10), Segment::ImportantValue);
        let low_f = AboveMean { r: true, f: false, m: true };
        assert_eq!(classify(SegmentPreset::Classic8, s(1, 1, 1), low_f, 10), Segment::ImportantDevelop);
    }

    #[test]
    fn tiers5_rules() {
        let t = |sc, days| classify(SegmentPreset::Tiers5, sc, HIGH, days);
        assert_eq!(t(s(5, 5, 5), 400), Segment::Lost);
        assert_eq!(t(s(4, 4, 4), 10), Segment::HighValue);
        assert_eq!(t(s(5, 2, 5), 10), Segment::Potential);
        assert_eq!(t(s(2, 1, 2), 200), Segment::AtRisk);
        assert_eq!(t(s(3, 3, 3), 100), Segment::General);
        assert_eq!(t(s(4, 4, 3), 10), Segment::General);
    }

    #[test]
    fn preset_keys_round_trip() {
        for p in SegmentPreset::ALL {
            assert_eq!(SegmentPreset::from_key(p.key()), Some(p));
        }
        let all: usize = SegmentPreset::ALL.iter().map(|p| p.segments().len()).sum();
        assert_eq!(all, Segment::COUNT);
    }
}
