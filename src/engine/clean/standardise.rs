//! Standard forms for values: dates in ISO, mainland mobile numbers, gender,
//! plain decimal amounts, provinces and cities, yes/no values, names from a
//! vocabulary. Each returns the new value, or why it cannot.

use crate::engine::date::parse_timestamp;
use crate::engine::ingest::profile::ColumnType;
use crate::engine::money::{parse_amount, trim_text, Money};
use std::collections::{BTreeMap, HashMap};

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

/// An 18-digit mainland ID number with a valid ISO 7064 MOD 11-2 check
/// digit (upper-case `X`); anything else is invalid (待验证).
pub fn id_number(v: &str) -> Outcome {
    let t: String = trim_text(v).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let b = t.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Outcome::Invalid;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    if b[17] != CHECK[(sum % 11) as usize] {
        return Outcome::Invalid;
    }
    if t == v {
        Outcome::Same
    } else {
        Outcome::Changed(t)
    }
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18
/// characters from `0-9A-HJ-NPQRTUWXY` (no I, O, Z, S, V), upper case,
/// spaces removed, with a valid check character; anything else is invalid.
pub fn credit_code(v: &str) -> Outcome {
    const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let t: String = trim_text(v).chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    let values: Option<Vec<u32>> = t.bytes().map(|b| CHARSET.iter().position(|&c| c == b).map(|p| p as u32)).collect();
    let Some(values) = values.filter(|v| v.len() == 18) else { return Outcome::Invalid };
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    if values[17] != (31 - sum % 31) % 31 {
        return Outcome::Invalid;
    }
    if t == v {
        Outcome::Same
    } else {
        Outcome::Changed(t)
    }
}

/// An e-mail address, trimmed and with a lower-case domain; invalid when it
/// has no single `@` or no dot in the domain.
pub fn email(v: &str) -> Outcome {
    let t = trim_text(v);
    let Some((local, domain)) = t.split_once('@') else { return Outcome::Invalid };
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !t.contains(char::is_whitespace);
    if !ok {
        return Outcome::Invalid;
    }
    let norm = format!("{local}@{}", domain.to_lowercase());
    if norm == v {
        Outcome::Same
    } else {
        Outcome::Changed(norm)
    }
}

/// Province-level divisions: full name, then the short forms people write.
const PROVINCES: &[(&str, &[&str])] = &[
    ("北京市", &["北京", "京"]),
    ("天津市", &["天津", "津"]),
    ("上海市", &["上海", "沪"]),
    ("重庆市", &["重庆", "渝"]),
    ("河北省", &["河北", "冀"]),
    ("山西省", &["山西", "晋"]),
    ("辽宁省", &["辽宁", "辽"]),
    ("吉林省", &["吉林", "吉"]),
    ("黑龙江省", &["黑龙江", "黑"]),
    ("江苏省", &["江苏", "苏"]),
    ("浙江省", &["浙江", "浙"]),
    ("安徽省", &["安徽", "皖"]),
    ("福建省", &["福建", "闽"]),
    ("江西省", &["江西", "赣"]),
    ("山东省", &["山东", "鲁"]),
    ("河南省", &["河南", "豫"]),
    ("湖北省", &["湖北", "鄂"]),
    ("湖南省", &["湖南", "湘"]),
    ("广东省", &["广东", "粤"]),
    ("海南省", &["海南", "琼"]),
    ("四川省", &["四川", "川", "蜀"]),
    ("贵州省", &["贵州", "黔", "贵"]),
    ("云南省", &["云南", "滇", "云"]),
    ("陕西省", &["陕西", "陕", "秦"]),
    ("甘肃省", &["甘肃", "甘", "陇"]),
    ("青海省", &["青海", "青"]),
    ("台湾省", &["台湾", "台"]),
    ("内蒙古自治区", &["内蒙古", "内蒙", "蒙"]),
    ("广西壮族自治区", &["广西", "桂", "广西自治区"]),
    ("西藏自治区", &["西藏", "藏"]),
    ("宁夏回族自治区", &["宁夏", "宁", "宁夏自治区"]),
    ("新疆维吾尔自治区", &["新疆", "新", "新疆自治区"]),
    ("香港特别行政区", &["香港", "港", "香港特区"]),
    ("澳门特别行政区", &["澳门", "澳", "澳门特区"]),
];

/// A province as its full official name (`广东` / `粤` → `广东省`).
pub fn province(v: &str) -> Outcome {
    let t = trim_text(v);
    for (full, short) in PROVINCES {
        if t == *full {
            return if t == v { Outcome::Same } else { Outcome::Changed(full.to_string()) };
        }
        if short.contains(&t) {
            return Outcome::Changed(full.to_string());
        }
    }
    Outcome::Invalid
}

/// The province a text starts with, by full name or a short form of two or
/// more characters (`广东深圳…` → `广东省`): the official name and how many
/// bytes of `v` it covers.
pub fn province_prefix(v: &str) -> Option<(&'static str, usize)> {
    for (full, _) in PROVINCES {
        if v.starts_with(full) {
            return Some((full, full.len()));
        }
    }
    PROVINCES.iter().find_map(|(full, short)| {
        let s = short.iter().filter(|s| s.chars().count() >= 2 && v.starts_with(**s)).max_by_key(|s| s.len())?;
        Some((*full, s.len()))
    })
}

/// A city without the 市 its official name ends with (`深圳市` → `深圳`),
/// trimmed; a name that would be left with one character keeps it. Any
/// other text is taken as written (there is no list of cities to check).
pub fn city(v: &str) -> Outcome {
    let t = trim_text(v);
    let name = t.strip_suffix('市').filter(|rest| trim_text(rest).chars().count() >= 2).map_or(t, trim_text);
    same_or_changed(v, name)
}

/// Yes/no words as people write them, lower case: each pair is (yes, no).
pub const YES_NO: &[(&str, &str)] =
    &[("true", "false"), ("yes", "no"), ("y", "n"), ("是", "否"), ("t", "f"), ("对", "错"), ("有", "无"), ("已", "未")];

/// What a yes/no word says (`是` → yes, `N` → no); `None` for anything else.
pub fn yes_no(v: &str) -> Option<bool> {
    let t = trim_text(v).to_lowercase();
    YES_NO.iter().find_map(|(yes, no)| if t == *yes { Some(true) } else { (t == *no).then_some(false) })
}

/// A yes/no value as `true` / `false` (from the [`YES_NO`] words and `1` / `0`).
pub fn boolean(v: &str) -> Outcome {
    let b = match trim_text(v) {
        "1" => Some(true),
        "0" => Some(false),
        t => yes_no(t),
    };
    match b {
        Some(b) => same_or_changed(v, if b { "true" } else { "false" }),
        None => Outcome::Invalid,
    }
}

/// A whole number, read as amounts are (`1,200`, `¥3`, `1.5万`); a value
/// with a fraction is invalid.
pub fn integer(v: &str) -> Outcome {
    match parse_amount(v) {
        Ok(m) if m.units() % Money::SCALE == 0 => same_or_changed(v, &(m.units() / Money::SCALE).to_string()),
        _ => Outcome::Invalid,
    }
}

/// Trimmed, nothing else.
pub fn trimmed(v: &str) -> Outcome {
    same_or_changed(v, trim_text(v))
}

/// The standardiser for a column of type `ty`: dates in ISO, integers and
/// decimals as plain numbers, yes/no as `true` / `false`; categories, text
/// and ids trimmed only.
pub fn for_type(ty: ColumnType) -> fn(&str) -> Outcome {
    match ty {
        ColumnType::DateTime => date,
        ColumnType::Integer => integer,
        ColumnType::Decimal => amount,
        ColumnType::Boolean => boolean,
        ColumnType::Id | ColumnType::Category | ColumnType::Text | ColumnType::Empty => trimmed,
    }
}

/// `Same` when `new` is `v`, else `Changed(new)`.
fn same_or_changed(v: &str, new: &str) -> Outcome {
    if new == v {
        Outcome::Same
    } else {
        Outcome::Changed(new.to_string())
    }
}

/// The form a vocabulary compares: trimmed, full-width letters, digits and
/// punctuation as ASCII, lower case.
pub fn vocabulary_key(v: &str) -> String {
    trim_text(v)
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Variant spellings and the one name each stands for, ready to look up.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    names: HashMap<String, String>,
}

impl Vocabulary {
    /// From `variant → name` entries; every name also stands for itself.
    pub fn new(entries: &BTreeMap<String, String>) -> Vocabulary {
        let mut names: HashMap<String, String> =
            entries.values().map(|name| (vocabulary_key(name), name.clone())).collect();
        names.extend(entries.iter().map(|(variant, name)| (vocabulary_key(variant), name.clone())));
        Vocabulary { names }
    }

    /// The vocabulary's name for `v`; a value it does not know is left as it is.
    pub fn standardise(&self, v: &str) -> Outcome {
        match self.names.get(&vocabulary_key(v)) {
            Some(name) => same_or_changed(v, name),
            None => Outcome::Same,
        }
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn credit_codes_with_check_characters() {
        assert_eq!(credit_code("91350100M000100Y43"), Outcome::Same);
        assert_eq!(credit_code(" 91350100m000100y43 "), Outcome::Changed("91350100M000100Y43".into()));
        assert_eq!(credit_code("91350100M000100Y44"), Outcome::Invalid, "wrong check character");
        assert_eq!(credit_code("91350100M000100Y4"), Outcome::Invalid, "17 characters");
        assert_eq!(credit_code("91350100I000100Y43"), Outcome::Invalid, "I is not in the alphabet");
    }

    #[test]
    fn id_numbers_with_check_digits() {
        // 11010519491231002X is the standard's worked example.
        assert_eq!(id_number("11010519491231002X"), Outcome::Same);
        assert_eq!(id_number("11010519491231002x"), Outcome::Changed("11010519491231002X".into()));
        assert_eq!(id_number("110105194912310021"), Outcome::Invalid);
        assert_eq!(id_number("1101051949123100"), Outcome::Invalid);
    }

    #[test]
    fn emails_and_provinces() {
        assert_eq!(email(" Zhang.San@Example.COM "), Outcome::Changed("Zhang.San@example.com".into()));
        assert_eq!(email("a@b.cn"), Outcome::Same);
        assert_eq!(email("a@@b.cn"), Outcome::Invalid);
        assert_eq!(email("no-at.cn"), Outcome::Invalid);
        assert_eq!(province("广东"), Outcome::Changed("广东省".into()));
        assert_eq!(province("粤"), Outcome::Changed("广东省".into()));
        assert_eq!(province("广东省"), Outcome::Same);
        assert_eq!(province("新疆"), Outcome::Changed("新疆维吾尔自治区".into()));
        assert_eq!(province("火星"), Outcome::Invalid);
        assert_eq!(province_prefix("广东深圳市"), Some(("广东省", "广东".len())));
        assert_eq!(province_prefix("北京市朝阳区"), Some(("北京市", "北京市".len())));
        assert_eq!(province_prefix("京朝阳区"), None);
    }

    #[test]
    fn cities_lose_their_suffix_but_keep_two_characters() {
        assert_eq!(city("深圳市"), Outcome::Changed("深圳".into()));
        assert_eq!(city(" 乌鲁木齐市 "), Outcome::Changed("乌鲁木齐".into()));
        assert_eq!(city("深圳"), Outcome::Same);
        assert_eq!(city("沙市"), Outcome::Same, "one character would be left");
        assert_eq!(city(" 沙市"), Outcome::Changed("沙市".into()));
        assert_eq!(city("市"), Outcome::Same);
    }

    #[test]
    fn booleans_integers_and_trimming() {
        assert_eq!(boolean("是"), Outcome::Changed("true".into()));
        assert_eq!(boolean(" N "), Outcome::Changed("false".into()));
        assert_eq!(boolean("1"), Outcome::Changed("true".into()));
        assert_eq!(boolean("false"), Outcome::Same);
        assert_eq!(boolean("maybe"), Outcome::Invalid);
        assert_eq!(integer("1,200"), Outcome::Changed("1200".into()));
        assert_eq!(integer("1.5万"), Outcome::Changed("15000".into()));
        assert_eq!(integer("-3"), Outcome::Same);
        assert_eq!(integer("2.5"), Outcome::Invalid);
        assert_eq!(trimmed(" a b "), Outcome::Changed("a b".into()));
        assert_eq!(for_type(ColumnType::Decimal)("¥5"), Outcome::Changed("5.00".into()));
        assert_eq!(for_type(ColumnType::DateTime)("2024/1/2"), Outcome::Changed("2024-01-02".into()));
    }

    #[test]
    fn vocabularies_compare_loosely_and_answer_exactly() {
        let entries: BTreeMap<String, String> =
            [("IT", "信息技术"), ("互联网", "信息技术"), ("Retail", "零售")].map(|(a, b)| (a.into(), b.into())).into();
        let v = Vocabulary::new(&entries);
        assert_eq!(v.standardise("ＩＴ"), Outcome::Changed("信息技术".into()), "full-width");
        assert_eq!(v.standardise(" it "), Outcome::Changed("信息技术".into()));
        assert_eq!(v.standardise("RETAIL"), Outcome::Changed("零售".into()));
        assert_eq!(v.standardise("信息技术"), Outcome::Same);
        assert_eq!(v.standardise(" 信息技术"), Outcome::Changed("信息技术".into()), "a name stands for itself");
        assert_eq!(v.standardise("农业"), Outcome::Same, "unknown values stay");
    }
}
