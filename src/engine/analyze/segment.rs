//! Customer segments from RFM, by *segment rules*: a list of named
//! conditions, the first that a customer meets wins, and a final catch-all
//! ("other") takes everyone else, so every customer lands in exactly one
//! segment. The classic Chinese 8-type model and the seeds' 5 value tiers are
//! built-in rule sets ([`SegmentPreset::rules`]); the user writes their own
//! as JSON (`segments.json`). Names and suggested actions of the built-in
//! segments live in `i18n`.
//!
//! A condition may bound each 1–5 score (`r`, `f`, `m`), the 0–100 score
//! (`score100`, only when it is computed), the days since the last order
//! (`recency_days`), and say for each measure whether it is better than the
//! mean (`vs_mean`: R more recent, F and M higher than average). Bounds are
//! inclusive, either end may be left open; a condition with nothing set
//! matches everyone.
//!
//! ```json
//! {"rules": [
//!    {"name": "VIP", "when": {"r": {"min": 4}, "f": {"min": 4}, "m": {"min": 4}}},
//!    {"name": "Sleeping", "when": {"recency_days": {"min": 181}}, "action": "Win back"}],
//!  "other": {"name": "Others"}}
//! ```

use super::rfm::RfmScore;
use serde::{Deserialize, Serialize};

/// Which built-in segmentation to use.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SegmentPreset {
    /// 重要价值 … 一般挽留: each of R, F, M above or below its mean.
    #[default]
    Classic8,
    /// 高价值 / 潜力 / 流失风险 / 流失 / 一般, from the 1–5 scores.
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

    /// The preset's segments, in the order its summaries list them.
    pub fn segments(self) -> Vec<Segment> {
        self.rules()
            .labels()
            .into_iter()
            .filter_map(|l| match l {
                SegmentLabel::Builtin(s) => Some(s),
                SegmentLabel::Named(_) => None,
            })
            .collect()
    }

    /// The preset as a rule set.
    ///
    /// Classic 8: one rule per side of the mean of R, F and M (the last,
    /// 一般挽留 = all three worse than average, is the catch-all).
    /// 5 tiers: 流失 when the last order is over [`LOST_AFTER_DAYS`] days
    /// ago; otherwise 高价值 R, F, M ≥ 4; 潜力 R ≥ 4, F ≤ 3, M ≥ 4; 流失风险
    /// R, F, M ≤ 2; 一般 everyone else.
    pub fn rules(self) -> SegmentRules {
        use Segment::*;
        let rule = |s: Segment, when: Condition| SegmentRule {
            name: s.key().to_string(),
            builtin: Some(s),
            action: None,
            when,
        };
        let other = |s: Segment| CatchAll { name: s.key().to_string(), builtin: Some(s), action: None };
        match self {
            SegmentPreset::Classic8 => {
                let sides = |r, f, m| Condition {
                    vs_mean: Some(VsMean { r: Some(r), f: Some(f), m: Some(m) }),
                    ..Condition::default()
                };
                SegmentRules {
                    rules: vec![
                        rule(ImportantValue, sides(true, true, true)),
                        rule(ImportantDevelop, sides(true, false, true)),
                        rule(ImportantRetain, sides(false, true, true)),
                        rule(ImportantWinBack, sides(false, false, true)),
                        rule(GeneralValue, sides(true, true, false)),
                        rule(GeneralDevelop, sides(true, false, false)),
                        rule(GeneralRetain, sides(false, true, false)),
                    ],
                    other: other(GeneralWinBack),
                }
            }
            SegmentPreset::Tiers5 => {
                let active = Some(Bounds::at_most(f64::from(LOST_AFTER_DAYS)));
                let (hi, lo, mid) =
                    (Some(Bounds::at_least(4.0)), Some(Bounds::at_most(2.0)), Some(Bounds::at_most(3.0)));
                SegmentRules {
                    rules: vec![
                        rule(
                            HighValue,
                            Condition { r: hi, f: hi, m: hi, recency_days: active, ..Condition::default() },
                        ),
                        rule(
                            Potential,
                            Condition { r: hi, f: mid, m: hi, recency_days: active, ..Condition::default() },
                        ),
                        rule(AtRisk, Condition { r: lo, f: lo, m: lo, recency_days: active, ..Condition::default() }),
                        rule(
                            Lost,
                            Condition {
                                recency_days: Some(Bounds::at_least(f64::from(LOST_AFTER_DAYS + 1))),
                                ..Condition::default()
                            },
                        ),
                    ],
                    other: other(General),
                }
            }
        }
    }
}

/// A built-in customer segment.
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
    /// Number of built-in segments across presets.
    pub const COUNT: usize = 13;

    /// Position in `0..COUNT`, for per-segment tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Stable name, as in the JSON files and page attributes (`ImportantValue`).
    pub fn key(self) -> &'static str {
        use Segment::*;
        match self {
            ImportantValue => "ImportantValue",
            ImportantDevelop => "ImportantDevelop",
            ImportantRetain => "ImportantRetain",
            ImportantWinBack => "ImportantWinBack",
            GeneralValue => "GeneralValue",
            GeneralDevelop => "GeneralDevelop",
            GeneralRetain => "GeneralRetain",
            GeneralWinBack => "GeneralWinBack",
            HighValue => "HighValue",
            Potential => "Potential",
            General => "General",
            AtRisk => "AtRisk",
            Lost => "Lost",
        }
    }
}

/// Who a segment is: a built-in one (named in the user's language) or one
/// the user named.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SegmentLabel {
    /// A built-in segment.
    Builtin(Segment),
    /// A user segment, by its name.
    Named(String),
}

impl SegmentLabel {
    /// Stable key: the built-in segment's key or the user's name.
    pub fn key(&self) -> &str {
        match self {
            SegmentLabel::Builtin(s) => s.key(),
            SegmentLabel::Named(n) => n,
        }
    }
}

/// Inclusive bounds on a number; either end may be open.
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Lowest value included.
    #[serde(default)]
    pub min: Option<f64>,
    /// Highest value included.
    #[serde(default)]
    pub max: Option<f64>,
}

impl Bounds {
    /// `x ≥ min`.
    pub const fn at_least(min: f64) -> Bounds {
        Bounds { min: Some(min), max: None }
    }

    /// `x ≤ max`.
    pub const fn at_most(max: f64) -> Bounds {
        Bounds { min: None, max: Some(max) }
    }

    /// `min ≤ x ≤ max`.
    pub const fn between(min: f64, max: f64) -> Bounds {
        Bounds { min: Some(min), max: Some(max) }
    }

    /// Whether `x` is within.
    pub fn contains(self, x: f64) -> bool {
        self.min.is_none_or(|m| x >= m) && self.max.is_none_or(|m| x <= m)
    }

    /// Finite ends within `[lo, hi]` and `min ≤ max`.
    fn valid_within(self, lo: f64, hi: f64) -> bool {
        let ok = |v: Option<f64>| v.is_none_or(|v| v.is_finite() && (lo..=hi).contains(&v));
        ok(self.min) && ok(self.max) && !matches!((self.min, self.max), (Some(a), Some(b)) if a > b)
    }

    fn text(self) -> String {
        let end = |v: Option<f64>| v.map_or_else(|| "…".to_string(), |v| v.to_string());
        format!("[{}, {}]", end(self.min), end(self.max))
    }
}

/// For each measure, whether it must be better (`true`) or not better
/// (`false`) than the mean; `None`: either. Better = bought more recently
/// than average (R), more orders (F), more spend (M).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VsMean {
    /// Recency more recent than the mean.
    #[serde(default)]
    pub r: Option<bool>,
    /// Frequency above the mean.
    #[serde(default)]
    pub f: Option<bool>,
    /// Monetary above the mean.
    #[serde(default)]
    pub m: Option<bool>,
}

/// What a customer must meet to be in a segment (all parts that are set).
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// R score (1–5).
    #[serde(default)]
    pub r: Option<Bounds>,
    /// F score (1–5).
    #[serde(default)]
    pub f: Option<Bounds>,
    /// M score (1–5).
    #[serde(default)]
    pub m: Option<Bounds>,
    /// The 0–100 score.
    #[serde(default)]
    pub score100: Option<Bounds>,
    /// Days since the last order.
    #[serde(default)]
    pub recency_days: Option<Bounds>,
    /// Each measure against its mean.
    #[serde(default)]
    pub vs_mean: Option<VsMean>,
}

impl Condition {
    /// Whether a customer meets it.
    pub fn matches(&self, x: &Facts) -> bool {
        let within = |b: Option<Bounds>, v: f64| b.is_none_or(|b| b.contains(v));
        let side = |want: Option<bool>, is: bool| want.is_none_or(|w| w == is);
        let mean_ok =
            self.vs_mean.is_none_or(|v| side(v.r, x.better.r) && side(v.f, x.better.f) && side(v.m, x.better.m));
        within(self.r, f64::from(x.score.r))
            && within(self.f, f64::from(x.score.f))
            && within(self.m, f64::from(x.score.m))
            && within(self.recency_days, f64::from(x.recency_days))
            && self.score100.is_none_or(|b| x.score100.is_some_and(|s| b.contains(s)))
            && mean_ok
    }
}

/// One rule: a named segment and its condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentRule {
    /// The segment's name (for a built-in segment, its key; the page shows its name in the user's language).
    pub name: String,
    /// The built-in segment this rule defines, if any.
    #[serde(default)]
    pub builtin: Option<Segment>,
    /// Suggested action (default: the built-in segment's, or none).
    #[serde(default)]
    pub action: Option<String>,
    /// Who is in it.
    #[serde(default)]
    pub when: Condition,
}

/// The catch-all segment after the rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatchAll {
    /// Its name.
    pub name: String,
    /// The built-in segment it is, if any.
    #[serde(default)]
    pub builtin: Option<Segment>,
    /// Suggested action.
    #[serde(default)]
    pub action: Option<String>,
}

/// Segment rules: the first rule a customer meets names their segment,
/// [`SegmentRules::other`] takes everyone else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentRules {
    /// The rules, tried in order.
    pub rules: Vec<SegmentRule>,
    /// The catch-all.
    pub other: CatchAll,
}

/// What the rules look at for one customer.
#[derive(Copy, Clone, Debug)]
pub struct Facts {
    /// The 1–5 scores.
    pub score: RfmScore,
    /// The 0–100 score, when computed.
    pub score100: Option<f64>,
    /// Days since the last order.
    pub recency_days: i32,
    /// Each measure against its mean.
    pub better: AboveMean,
}

/// A customer's R, F, M relative to the means.
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

/// Why segment rules cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RuleError {
    /// The text is not a rule set.
    #[error(
        "the segment rules are not valid JSON (expected {{\"rules\": [...], \"other\": {{\"name\": ...}}}}): {message}"
    )]
    Json {
        /// What the parser reported.
        message: String,
    },
    /// A rule (or the catch-all) without a name.
    #[error("segment rule {index}: the name is blank")]
    BlankName {
        /// Its position (1-based; the catch-all is one past the last rule).
        index: usize,
    },
    /// Two segments share a name.
    #[error("segment rule `{rule}`: the name is used twice")]
    DuplicateName {
        /// The name.
        rule: String,
    },
    /// Bounds out of their scale, not finite, or min above max.
    #[error("segment rule `{rule}`: `{measure}` bounds {bounds} are not valid (finite, min ≤ max, within {scale})")]
    BadBounds {
        /// The rule.
        rule: String,
        /// Which bound (`r`, `f`, `m`, `score100`, `recency_days`).
        measure: String,
        /// The bounds given.
        bounds: String,
        /// The values allowed.
        scale: String,
    },
    /// A rule on the 0–100 score while it is not computed.
    #[error("segment rule `{rule}` uses the 0–100 score: switch the 0–100 score on")]
    NeedsScale100 {
        /// The rule.
        rule: String,
    },
}

impl SegmentRules {
    /// Reads a rule set from JSON and checks it (without knowing whether the
    /// 0–100 score will be on: see [`SegmentRules::check`]).
    pub fn from_json(text: &str) -> Result<SegmentRules, RuleError> {
        let rules: SegmentRules = serde_json::from_str(text).map_err(|e| RuleError::Json { message: e.to_string() })?;
        rules.check(true)?;
        Ok(rules)
    }

    /// The rule set as pretty JSON, leaving out what is not set.
    pub fn to_json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        strip_nulls(&mut v);
        serde_json::to_string_pretty(&v).unwrap_or_default()
    }

    /// Checks names and bounds; `scale100`: whether the 0–100 score is computed.
    pub fn check(&self, scale100: bool) -> Result<(), RuleError> {
        let mut seen = std::collections::HashSet::new();
        let names = self.rules.iter().map(|r| &r.name).chain([&self.other.name]);
        for (i, name) in names.enumerate() {
            let name = name.trim();
            if name.is_empty() {
                return Err(RuleError::BlankName { index: i + 1 });
            }
            if !seen.insert(name) {
                return Err(RuleError::DuplicateName { rule: name.to_string() });
            }
        }
        for rule in &self.rules {
            let w = &rule.when;
            let parts = [
                ("r", w.r, 1.0, 5.0),
                ("f", w.f, 1.0, 5.0),
                ("m", w.m, 1.0, 5.0),
                ("score100", w.score100, 0.0, 100.0),
                ("recency_days", w.recency_days, f64::from(i32::MIN), f64::from(i32::MAX)),
            ];
            for (measure, b, lo, hi) in parts {
                if let Some(b) = b.filter(|b| !b.valid_within(lo, hi)) {
                    let scale =
                        if measure == "recency_days" { "whole days".to_string() } else { format!("{lo}–{hi}") };
                    return Err(RuleError::BadBounds {
                        rule: rule.name.clone(),
                        measure: measure.to_string(),
                        bounds: b.text(),
                        scale,
                    });
                }
            }
            if w.score100.is_some() && !scale100 {
                return Err(RuleError::NeedsScale100 { rule: rule.name.clone() });
            }
        }
        Ok(())
    }

    /// Whether a rule looks at the 0–100 score.
    pub fn uses_score100(&self) -> bool {
        self.rules.iter().any(|r| r.when.score100.is_some())
    }

    /// The segments in order: the rules', then the catch-all.
    pub fn labels(&self) -> Vec<SegmentLabel> {
        let label = |b: Option<Segment>, n: &str| {
            b.map_or_else(|| SegmentLabel::Named(n.trim().to_string()), SegmentLabel::Builtin)
        };
        self.rules
            .iter()
            .map(|r| label(r.builtin, &r.name))
            .chain([label(self.other.builtin, &self.other.name)])
            .collect()
    }

    /// The suggested actions given in the rules, aligned with [`SegmentRules::labels`].
    pub fn actions(&self) -> Vec<Option<String>> {
        self.rules.iter().map(|r| r.action.clone()).chain([self.other.action.clone()]).collect()
    }

    /// A customer's segment: the position of the first rule they meet, else
    /// `rules.len()` (the catch-all).
    pub fn classify(&self, x: &Facts) -> usize {
        self.rules.iter().position(|r| r.when.matches(x)).unwrap_or(self.rules.len())
    }
}

/// Removes `null` members (what is not set) from JSON objects, recursively.
fn strip_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn s(r: u8, f: u8, m: u8) -> RfmScore {
        RfmScore { r, f, m }
    }
    const HIGH: AboveMean = AboveMean { r: true, f: true, m: true };

    fn facts(score: RfmScore, better: AboveMean, recency_days: i32) -> Facts {
        Facts { score, score100: None, recency_days, better }
    }

    fn segment(p: SegmentPreset, x: Facts) -> SegmentLabel {
        let rules = p.rules();
        rules.labels()[rules.classify(&x)].clone()
    }

    #[test]
    fn classic8_covers_all_eight_combinations() {
        let mut seen = std::collections::HashSet::new();
        for bits in 0..8u8 {
            let a = AboveMean { r: bits & 4 != 0, f: bits & 2 != 0, m: bits & 1 != 0 };
            seen.insert(segment(SegmentPreset::Classic8, facts(s(3, 3, 3), a, 10)));
        }
        assert_eq!(seen.len(), 8);
        let b = SegmentLabel::Builtin;
        assert_eq!(segment(SegmentPreset::Classic8, facts(s(1, 1, 1), HIGH, 10)), b(Segment::ImportantValue));
        let low_f = AboveMean { r: true, f: false, m: true };
        assert_eq!(segment(SegmentPreset::Classic8, facts(s(1, 1, 1), low_f, 10)), b(Segment::ImportantDevelop));
        let none = AboveMean { r: false, f: false, m: false };
        assert_eq!(segment(SegmentPreset::Classic8, facts(s(5, 5, 5), none, 10)), b(Segment::GeneralWinBack));
    }

    #[test]
    fn tiers5_rules() {
        let t = |sc, days| match segment(SegmentPreset::Tiers5, facts(sc, HIGH, days)) {
            SegmentLabel::Builtin(s) => s,
            SegmentLabel::Named(n) => panic!("{n}"),
        };
        assert_eq!(t(s(5, 5, 5), 400), Segment::Lost);
        assert_eq!(t(s(5, 5, 5), 366), Segment::Lost);
        assert_eq!(t(s(5, 5, 5), 365), Segment::HighValue);
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
            assert!(p.rules().check(false).is_ok());
        }
        let all: usize = SegmentPreset::ALL.iter().map(|p| p.segments().len()).sum();
        assert_eq!(all, Segment::COUNT);
    }

    const USER: &str = r#"{"rules": [
        {"name": "VIP", "when": {"r": {"min": 4}, "f": {"min": 4}, "m": {"min": 4}}, "action": "Call them"},
        {"name": "Top score", "when": {"score100": {"min": 80}}},
        {"name": "Sleeping", "when": {"recency_days": {"min": 181}}}],
      "other": {"name": "Others"}}"#;

    #[test]
    fn user_rules_first_match_wins_and_other_takes_the_rest() {
        let rules = SegmentRules::from_json(USER).expect("rules");
        assert_eq!(rules.labels().len(), 4);
        let mut x = facts(s(5, 4, 4), HIGH, 300);
        x.score100 = Some(90.0);
        assert_eq!(rules.classify(&x), 0, "VIP before Top score and Sleeping");
        x.score = s(3, 4, 4);
        assert_eq!(rules.classify(&x), 1);
        x.score100 = Some(79.99);
        assert_eq!(rules.classify(&x), 2);
        x.recency_days = 181;
        assert_eq!(rules.classify(&x), 2, "bounds are inclusive");
        x.recency_days = 180;
        assert_eq!(rules.classify(&x), 3, "the catch-all");
        x.score100 = None;
        x.score = s(3, 3, 3);
        assert_eq!(rules.classify(&x), 3, "no 0–100 score: its rule does not match");
        assert_eq!(rules.actions()[0].as_deref(), Some("Call them"));
    }

    #[test]
    fn json_round_trip_leaves_out_what_is_not_set() {
        let rules = SegmentRules::from_json(USER).expect("rules");
        let json = rules.to_json();
        assert!(!json.contains("null"), "{json}");
        assert_eq!(SegmentRules::from_json(&json).expect("again"), rules);
        let preset = SegmentPreset::Tiers5.rules();
        assert_eq!(SegmentRules::from_json(&preset.to_json()).expect("preset"), preset);
    }

    #[test]
    fn errors_name_the_rule() {
        let e = SegmentRules::from_json(
            r#"{"rules": [{"name": "A", "when": {"r": {"min": 4, "max": 2}}}], "other": {"name": "B"}}"#,
        );
        assert!(
            matches!(&e, Err(RuleError::BadBounds { rule, measure, .. }) if rule == "A" && measure == "r"),
            "{e:?}"
        );
        let e =
            SegmentRules::from_json(r#"{"rules": [{"name": "A", "when": {"m": {"min": 6}}}], "other": {"name": "B"}}"#);
        assert!(matches!(&e, Err(RuleError::BadBounds { rule, .. }) if rule == "A"), "{e:?}");
        let e = SegmentRules::from_json(r#"{"rules": [{"name": "A"}], "other": {"name": " A "}}"#);
        assert_eq!(e, Err(RuleError::DuplicateName { rule: "A".into() }));
        let e = SegmentRules::from_json(r#"{"rules": [{"name": " "}], "other": {"name": "B"}}"#);
        assert_eq!(e, Err(RuleError::BlankName { index: 1 }));
        assert!(matches!(SegmentRules::from_json("[1]"), Err(RuleError::Json { .. })));
        let rules = SegmentRules::from_json(USER).expect("rules");
        assert_eq!(rules.check(false), Err(RuleError::NeedsScale100 { rule: "Top score".into() }));
        assert!(RuleError::NeedsScale100 { rule: "Top score".into() }.to_string().contains("Top score"));
    }
}
