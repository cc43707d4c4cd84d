//! Masking personal values for display and export: one [`MaskRule`] per
//! [`PersonalKind`], chosen by a [`MaskPreset`] or one by one, plus a custom
//! keep-first-N/last-M pattern.
//!
//! Behaviour common to every rule:
//! - it works on characters, not bytes (Chinese text is safe);
//! - blank cells (empty or only spaces) stay as they are;
//! - a value the rule cannot read (a phone column holding `010-12345678`, an
//!   ID number with a wrong check digit, an e-mail without `@`…) is replaced
//!   by `***` entirely — nothing of it is shown;
//! - applying a rule to its own output gives the same output (idempotent), so
//!   masking an already masked file changes nothing;
//! - it never panics, whatever the input.
//!
//! Names keep their first character only: `张三` → `张*` ([`MaskRule::SurnameOnly`])
//! or `张**` for three characters ([`MaskRule::StarsPerChar`]). Compound
//! surnames are not recognised, so `欧阳娜娜` → `欧*` / `欧***` (never `欧阳**`:
//! for three-character names such as `欧阳娜` that would leave a single hidden
//! character). `*先生`-style forms need the gender and are not offered.
//!
//! ID numbers: the first 6 digits are the county of registration, digits 7–14
//! the birth date and the 17th the sex (odd = male); see [`MaskWarning`].
//!
//! A mask is for people to read, not a key to join on: `138****5678` is
//! shared by 10 000 numbers. Join masked tables by pseudonym
//! ([`super::pseudonym`]) instead.

use super::detect::{bank_card_digits, legacy_id_number, Detections};
use super::PersonalKind;
use crate::engine::clean::standardise::{self, province_prefix, Outcome};
use crate::engine::clean::table::TextTable;
use serde::{Deserialize, Serialize};

/// The character masks use.
pub const MASK_CHAR: char = '*';
/// What a value is replaced by when nothing of it may show.
pub const REDACTED: &str = "***";

/// Keep the first `keep_first` and last `keep_last` characters and replace
/// each character between by `mask_char`. When that would hide nothing (the
/// value has `keep_first + keep_last` characters or fewer), every character is
/// replaced.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepPattern {
    /// Characters kept at the start.
    pub keep_first: u16,
    /// Characters kept at the end.
    pub keep_last: u16,
    /// The masking character.
    pub mask_char: char,
}

impl Default for KeepPattern {
    fn default() -> Self {
        KeepPattern { keep_first: 1, keep_last: 1, mask_char: MASK_CHAR }
    }
}

/// How one kind of value is masked. Examples are in each variant's doc.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum MaskRule {
    /// Name: first character and one star, `张三丰` → `张*` (hides the length).
    SurnameOnly,
    /// Name: first character, one star per other character, `张三丰` → `张**`.
    StarsPerChar,
    /// Mobile: first 3 and last 4 digits, `+86 138 1234 5678` → `138****5678`.
    PhoneMiddle4,
    /// Mobile: last 4 digits, `13812345678` → `*******5678`.
    PhoneLast4,
    /// ID number: first 6 and last 4, `11010519491231002X` → `110105********002X`.
    IdKeep6Last4,
    /// ID number: first 1 and last 2, `11010519491231002X` → `1***************2X`.
    IdKeep1Last2,
    /// E-mail: first character of the local part, `zhang.san+shop@Example.com` → `z***@example.com`.
    EmailFirstChar,
    /// E-mail: domain only, `zhang@example.com` → `***@example.com`.
    EmailDomainOnly,
    /// Bank card: last 4 digits, `6222 0212 3456 7890 123` → `**** **** **** 0123`.
    CardLast4,
    /// Address: province, city and district, `广东省深圳市南山区科技路1号` → `广东省深圳市南山区`.
    AddressDistrict,
    /// Address: province and city, → `广东省深圳市`.
    AddressCity,
    /// Address: province, → `广东省`.
    AddressProvince,
    /// Anything: `***`, hiding the length too.
    Full,
    /// Anything: a keep-first/last pattern on the raw text.
    Custom(KeepPattern),
}

/// Something a rule still reveals, for the UI to show next to it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskWarning {
    /// The first 6 digits of an ID number name the county of registration.
    IdRevealsRegion,
    /// Digits 7–14 of an ID number are the birth date.
    IdRevealsBirthDate,
    /// The 17th digit of an ID number gives the sex (odd = male).
    IdRevealsSex,
    /// Keeping the first 7 digits of a mobile shows the carrier and city of the number.
    PhoneRevealsArea,
}

impl MaskWarning {
    /// The i18n key.
    pub fn key(self) -> &'static str {
        match self {
            MaskWarning::IdRevealsRegion => "warn_id_region",
            MaskWarning::IdRevealsBirthDate => "warn_id_birth_date",
            MaskWarning::IdRevealsSex => "warn_id_sex",
            MaskWarning::PhoneRevealsArea => "warn_phone_area",
        }
    }

    /// Every warning.
    pub const ALL: [MaskWarning; 4] = [
        MaskWarning::IdRevealsRegion,
        MaskWarning::IdRevealsBirthDate,
        MaskWarning::IdRevealsSex,
        MaskWarning::PhoneRevealsArea,
    ];
}

impl MaskRule {
    /// The rules offered for a kind (besides [`MaskRule::Full`] and
    /// [`MaskRule::Custom`], which apply to any), the preset-like ones first.
    pub fn for_kind(kind: PersonalKind) -> &'static [MaskRule] {
        match kind {
            PersonalKind::Name => &[MaskRule::SurnameOnly, MaskRule::StarsPerChar],
            PersonalKind::Phone => &[MaskRule::PhoneMiddle4, MaskRule::PhoneLast4],
            PersonalKind::IdNumber => &[MaskRule::IdKeep1Last2, MaskRule::IdKeep6Last4],
            PersonalKind::Email => &[MaskRule::EmailFirstChar, MaskRule::EmailDomainOnly],
            PersonalKind::BankCard => &[MaskRule::CardLast4],
            PersonalKind::Address => &[MaskRule::AddressDistrict, MaskRule::AddressCity, MaskRule::AddressProvince],
        }
    }

    /// The rule's key (`surname_only`…), also its i18n key.
    pub fn key(self) -> &'static str {
        match self {
            MaskRule::SurnameOnly => "surname_only",
            MaskRule::StarsPerChar => "stars_per_char",
            MaskRule::PhoneMiddle4 => "phone_middle4",
            MaskRule::PhoneLast4 => "phone_last4",
            MaskRule::IdKeep6Last4 => "id_keep6_last4",
            MaskRule::IdKeep1Last2 => "id_keep1_last2",
            MaskRule::EmailFirstChar => "email_first_char",
            MaskRule::EmailDomainOnly => "email_domain_only",
            MaskRule::CardLast4 => "card_last4",
            MaskRule::AddressDistrict => "address_district",
            MaskRule::AddressCity => "address_city",
            MaskRule::AddressProvince => "address_province",
            MaskRule::Full => "full",
            MaskRule::Custom(_) => "custom",
        }
    }

    /// What the rule still reveals about a value of `kind`.
    pub fn warnings(self, kind: PersonalKind) -> Vec<MaskWarning> {
        let id = |first: u16, last: u16| {
            let mut w = Vec::new();
            if first >= 1 {
                w.push(MaskWarning::IdRevealsRegion);
            }
            if first > 6 || last > 4 {
                w.push(MaskWarning::IdRevealsBirthDate);
            }
            if last >= 2 {
                w.push(MaskWarning::IdRevealsSex);
            }
            w
        };
        match (self, kind) {
            (MaskRule::IdKeep6Last4, _) => id(6, 4),
            (MaskRule::IdKeep1Last2, _) => id(1, 2),
            (MaskRule::Custom(p), PersonalKind::IdNumber) => id(p.keep_first, p.keep_last),
            (MaskRule::Custom(p), PersonalKind::Phone) if p.keep_first >= 7 => vec![MaskWarning::PhoneRevealsArea],
            _ => Vec::new(),
        }
    }

    /// Masks one value (see the module doc for blank and unreadable values).
    pub fn apply(self, v: &str) -> String {
        if v.trim().is_empty() {
            return v.to_string();
        }
        let t = v.trim();
        match self {
            MaskRule::SurnameOnly => name(t, false),
            MaskRule::StarsPerChar => name(t, true),
            MaskRule::PhoneMiddle4 => phone(t, 3, 4),
            MaskRule::PhoneLast4 => phone(t, 0, 4),
            MaskRule::IdKeep6Last4 => id_number(t, 6, 4),
            MaskRule::IdKeep1Last2 => id_number(t, 1, 2),
            MaskRule::EmailFirstChar => email(t, true),
            MaskRule::EmailDomainOnly => email(t, false),
            MaskRule::CardLast4 => card(t),
            MaskRule::AddressDistrict => address(t, AddressLevel::District),
            MaskRule::AddressCity => address(t, AddressLevel::City),
            MaskRule::AddressProvince => address(t, AddressLevel::Province),
            MaskRule::Full => REDACTED.to_string(),
            MaskRule::Custom(p) => keep(t, p.keep_first.into(), p.keep_last.into(), p.mask_char),
        }
    }
}

/// Keeps `first` and `last` characters and masks the rest, one mask char per
/// character; masks all when nothing would be hidden.
fn keep(t: &str, first: usize, last: usize, mask: char) -> String {
    let n = t.chars().count();
    if first + last >= n {
        return std::iter::repeat_n(mask, n).collect();
    }
    t.chars().enumerate().map(|(i, c)| if i < first || i >= n - last { c } else { mask }).collect()
}

/// Whether `t` already has the shape `keep(_, first, last)` gives a value
/// of `len` characters: kept characters alphanumeric, the middle all stars.
fn already_masked(t: &str, len: usize, first: usize, last: usize) -> bool {
    let c: Vec<char> = t.chars().collect();
    c.len() == len
        && first + last < len
        && c[first..len - last].iter().all(|&x| x == MASK_CHAR)
        && c[..first].iter().chain(&c[len - last..]).all(|x| x.is_ascii_alphanumeric())
}

fn standard(o: Outcome, t: &str) -> Option<String> {
    match o {
        Outcome::Same => Some(t.to_string()),
        Outcome::Changed(s) => Some(s),
        Outcome::Invalid => None,
    }
}

fn name(t: &str, per_char: bool) -> String {
    let mut chars = t.chars();
    let n = t.chars().count();
    match chars.next() {
        Some(c) if n >= 2 && c != MASK_CHAR => {
            let stars = if per_char { n - 1 } else { 1 };
            std::iter::once(c).chain(std::iter::repeat_n(MASK_CHAR, stars)).collect()
        }
        _ if per_char && t.chars().all(|c| c == MASK_CHAR) => t.to_string(),
        _ => MASK_CHAR.to_string(),
    }
}

fn phone(t: &str, first: usize, last: usize) -> String {
    if let Some(d) = standard(standardise::phone(t), t) {
        return keep(&d, first, last, MASK_CHAR);
    }
    if already_masked(t, 11, first, last) {
        return t.to_string();
    }
    REDACTED.to_string()
}

fn id_number(t: &str, first: usize, last: usize) -> String {
    if let Some(d) = standard(standardise::id_number(t), t).or_else(|| legacy_id_number(t)) {
        return keep(&d, first, last, MASK_CHAR);
    }
    if already_masked(t, 18, first, last) || already_masked(t, 15, first, last) {
        return t.to_string();
    }
    REDACTED.to_string()
}

fn email(t: &str, first_char: bool) -> String {
    let Some(norm) = standard(standardise::email(t), t) else { return REDACTED.to_string() };
    let Some((local, domain)) = norm.split_once('@') else { return REDACTED.to_string() };
    match local.chars().next() {
        Some(c) if first_char && c != MASK_CHAR && local.chars().count() >= 2 => format!("{c}{REDACTED}@{domain}"),
        _ => format!("{REDACTED}@{domain}"),
    }
}

/// The masked card form: 3 groups of stars, then the last 4 digits.
const CARD_PREFIX: &str = "**** **** **** ";

fn card(t: &str) -> String {
    if let Some(d) = bank_card_digits(t).filter(|d| (12..=19).contains(&d.len())) {
        return format!("{CARD_PREFIX}{}", &d[d.len() - 4..]);
    }
    match t.strip_prefix(CARD_PREFIX) {
        Some(last) if last.len() == 4 && last.bytes().all(|b| b.is_ascii_digit()) => t.to_string(),
        _ => REDACTED.to_string(),
    }
}

/// How much of an address is kept.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum AddressLevel {
    Province,
    City,
    District,
}

const MUNICIPALITIES: [&str; 4] = ["北京市", "上海市", "天津市", "重庆市"];

/// Markers that end an administrative prefix: an administrative unit's name
/// never contains them (unlike 楼 in 鼓楼区 or 道 in 道里区).
const STREET_LEVEL: &[char] = &['路', '街', '巷', '弄', '号', '栋', '室', '村'];

/// The first leading unit of `s` that ends in one of `ends` within `max`
/// characters, has at least 2 characters, and contains no [`STREET_LEVEL`]
/// marker nor any of `not`.
fn leading_unit<'a>(s: &'a str, ends: &[&str], not: &[char], max: usize) -> Option<&'a str> {
    s.char_indices().take(max).skip(1).find_map(|(b, _)| {
        let e = ends.iter().find(|e| s[b..].starts_with(**e))?;
        let body = &s[..b];
        (!body.contains(|c| STREET_LEVEL.contains(&c) || not.contains(&c))).then(|| &s[..b + e.len()])
    })
}

/// Keeps the administrative prefix of an address down to `level`; `***`
/// when none is recognised. Parts are kept as written (`广东深圳市` stays).
fn address(t: &str, level: AddressLevel) -> String {
    let s: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = String::new();
    let mut rest = s.as_str();
    let mut municipality = false;
    if let Some((full, len)) = province_prefix(rest) {
        out.push_str(&rest[..len]);
        rest = &rest[len..];
        municipality = MUNICIPALITIES.contains(&full);
    } else if level == AddressLevel::Province {
        return REDACTED.to_string();
    }
    if level >= AddressLevel::City && !municipality {
        if let Some(city) = leading_unit(rest, &["自治州", "地区", "市", "州", "盟"], &['区', '县', '省'], 8)
        {
            out.push_str(city);
            rest = &rest[city.len()..];
        }
    }
    if level == AddressLevel::District {
        if let Some(d) = leading_unit(rest, &["区", "县", "旗", "市"], &['省', '州'], 8) {
            out.push_str(d);
        }
    }
    if out.is_empty() {
        REDACTED.to_string()
    } else {
        out
    }
}

/// One rule per kind.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskPolicy {
    /// For names.
    pub name: MaskRule,
    /// For mobile numbers.
    pub phone: MaskRule,
    /// For ID numbers.
    pub id_number: MaskRule,
    /// For e-mail addresses.
    pub email: MaskRule,
    /// For bank cards.
    pub bank_card: MaskRule,
    /// For addresses.
    pub address: MaskRule,
}

impl Default for MaskPolicy {
    fn default() -> Self {
        MaskPreset::default().policy()
    }
}

impl MaskPolicy {
    /// The rule for `kind`.
    pub fn rule(&self, kind: PersonalKind) -> MaskRule {
        match kind {
            PersonalKind::Name => self.name,
            PersonalKind::Phone => self.phone,
            PersonalKind::IdNumber => self.id_number,
            PersonalKind::Email => self.email,
            PersonalKind::BankCard => self.bank_card,
            PersonalKind::Address => self.address,
        }
    }

    /// Sets the rule for `kind`.
    pub fn set(&mut self, kind: PersonalKind, rule: MaskRule) {
        let slot = match kind {
            PersonalKind::Name => &mut self.name,
            PersonalKind::Phone => &mut self.phone,
            PersonalKind::IdNumber => &mut self.id_number,
            PersonalKind::Email => &mut self.email,
            PersonalKind::BankCard => &mut self.bank_card,
            PersonalKind::Address => &mut self.address,
        };
        *slot = rule;
    }

    /// Masks one value of `kind`.
    pub fn mask(&self, kind: PersonalKind, v: &str) -> String {
        self.rule(kind).apply(v)
    }

    /// Every warning of the policy's rules, by kind.
    pub fn warnings(&self) -> Vec<(PersonalKind, MaskWarning)> {
        PersonalKind::ALL.iter().flat_map(|&k| self.rule(k).warnings(k).into_iter().map(move |w| (k, w))).collect()
    }
}

/// Ready-made policies.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskPreset {
    /// Shows most: `张**`, `138****5678`, ID first 6 + last 4, `z***@domain`, card last 4, address to district.
    Light,
    /// The app's default: `张*`, `138****5678`, ID first 1 + last 2, `z***@domain`, card last 4, address to district.
    #[default]
    Standard,
    /// Shows least: names `***`, phone last 4, ID `***`, `***@domain`, card `***`, address to province.
    Strict,
}

impl MaskPreset {
    /// Every preset, lightest first.
    pub const ALL: [MaskPreset; 3] = [MaskPreset::Light, MaskPreset::Standard, MaskPreset::Strict];

    /// The preset's key (`light`, `standard`, `strict`), also its i18n key.
    pub fn key(self) -> &'static str {
        match self {
            MaskPreset::Light => "light",
            MaskPreset::Standard => "standard",
            MaskPreset::Strict => "strict",
        }
    }

    /// Parses a key.
    pub fn from_key(s: &str) -> Option<MaskPreset> {
        MaskPreset::ALL.into_iter().find(|p| p.key() == s.trim().to_ascii_lowercase())
    }

    /// The preset's rules.
    pub fn policy(self) -> MaskPolicy {
        match self {
            MaskPreset::Light => MaskPolicy {
                name: MaskRule::StarsPerChar,
                phone: MaskRule::PhoneMiddle4,
                id_number: MaskRule::IdKeep6Last4,
                email: MaskRule::EmailFirstChar,
                bank_card: MaskRule::CardLast4,
                address: MaskRule::AddressDistrict,
            },
            MaskPreset::Standard => MaskPolicy {
                name: MaskRule::SurnameOnly,
                phone: MaskRule::PhoneMiddle4,
                id_number: MaskRule::IdKeep1Last2,
                email: MaskRule::EmailFirstChar,
                bank_card: MaskRule::CardLast4,
                address: MaskRule::AddressDistrict,
            },
            MaskPreset::Strict => MaskPolicy {
                name: MaskRule::Full,
                phone: MaskRule::PhoneLast4,
                id_number: MaskRule::Full,
                email: MaskRule::EmailDomainOnly,
                bank_card: MaskRule::Full,
                address: MaskRule::AddressProvince,
            },
        }
    }
}

/// A copy of `table` with every marked column masked by `policy`; other
/// columns, row numbers and widths are unchanged.
pub fn mask_table(table: &TextTable, detections: &Detections, policy: &MaskPolicy) -> TextTable {
    table.map_cells(|c, v| detections.kind(c).map(|k| policy.mask(k, v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use MaskRule::*;

    fn check(rule: MaskRule, cases: &[(&str, &str)]) {
        for (input, want) in cases {
            let got = rule.apply(input);
            assert_eq!(&got, want, "{rule:?} on {input:?}");
            assert_eq!(rule.apply(&got), got, "{rule:?} not idempotent on {input:?}");
        }
    }

    #[test]
    fn names() {
        check(
            SurnameOnly,
            &[
                ("张三", "张*"),
                ("张三丰", "张*"),
                ("欧阳娜娜", "欧*"),
                (" 李 ", "*"),
                ("Zhang San", "Z*"),
                ("", ""),
                ("  ", "  "),
            ],
        );
        check(
            StarsPerChar,
            &[("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧***"), ("王", "*"), ("买买提·艾力", "买*****")],
        );
        check(Full, &[("张三", "***"), ("欧阳娜娜", "***")]);
    }

    #[test]
    fn phones() {
        check(
            PhoneMiddle4,
            &[
                ("13812345678", "138****5678"),
                ("+86 138 1234 5678", "138****5678"),
                ("+86-138-1234-5678", "138****5678"),
                ("8613812345678", "138****5678"),
                ("１３８１２３４５６７８", "138****5678"),
                ("010-12345678", "***"),
                ("1381234", "***"),
                ("call me", "***"),
            ],
        );
        check(PhoneLast4, &[("13812345678", "*******5678"), ("+86 13812345678", "*******5678")]);
    }

    #[test]
    fn id_numbers() {
        check(
            IdKeep6Last4,
            &[
                ("11010519491231002X", "110105********002X"),
                ("11010519491231002x", "110105********002X"),
                ("110105491231002", "110105*****1002"),
                ("110105194912310021", "***"), // wrong check digit
                ("12345", "***"),
            ],
        );
        check(IdKeep1Last2, &[("11010519491231002X", "1***************2X"), ("110105491231002", "1************02")]);
        assert_eq!(IdKeep6Last4.warnings(PersonalKind::IdNumber).len(), 2);
        assert!(IdKeep1Last2.warnings(PersonalKind::IdNumber).contains(&MaskWarning::IdRevealsSex));
        assert!(Full.warnings(PersonalKind::IdNumber).is_empty());
    }

    #[test]
    fn emails() {
        check(
            EmailFirstChar,
            &[
                ("zhang.san+shop@Example.COM", "z***@example.com"),
                ("a@b.cn", "***@b.cn"),
                (" 王小明@例子.中国 ", "王***@例子.中国"),
                ("no-at-sign", "***"),
                ("a@@b.cn", "***"),
            ],
        );
        check(EmailDomainOnly, &[("zhang.san+shop@example.com", "***@example.com")]);
    }

    #[test]
    fn cards() {
        check(
            CardLast4,
            &[
                ("6222 0212 3456 7890 123", "**** **** **** 0123"),
                ("4111-1111-1111-1111", "**** **** **** 1111"),
                ("4111", "***"),
                ("card", "***"),
            ],
        );
    }

    #[test]
    fn addresses() {
        let a = "广东省深圳市南山区科技园路1号";
        check(AddressDistrict, &[(a, "广东省深圳市南山区")]);
        check(AddressCity, &[(a, "广东省深圳市")]);
        check(AddressProvince, &[(a, "广东省"), ("深圳市南山区科技路1号", "***")]);
        check(
            AddressDistrict,
            &[
                ("北京市朝阳区建国路88号", "北京市朝阳区"),
                ("上海市浦东新区世纪大道100号", "上海市浦东新区"),
                ("深圳市南山区科技路1号", "深圳市南山区"),
                ("广东深圳市南山区科技路1号", "广东深圳市南山区"),
                ("新疆维吾尔自治区乌鲁木齐市天山区解放路1号", "新疆维吾尔自治区乌鲁木齐市天山区"),
                ("浙江省杭州市西湖区", "浙江省杭州市西湖区"),
                ("江苏省南京市鼓楼区中山路5号", "江苏省南京市鼓楼区"),
                ("黑龙江省哈尔滨市道里区中央大街1号", "黑龙江省哈尔滨市道里区"),
                ("济南市市中区经七路1号", "济南市市中区"),
                ("南山区科技园市场路5号", "南山区"),
                ("科技路1号", "***"),
                ("x", "***"),
            ],
        );
        check(
            AddressCity,
            &[
                ("北京市朝阳区建国路88号", "北京市"),
                ("湖北省恩施土家族苗族自治州恩施市舞阳大道1号", "湖北省恩施土家族苗族自治州"),
            ],
        );
    }

    #[test]
    fn custom_patterns() {
        let p = |f, l, c| Custom(KeepPattern { keep_first: f, keep_last: l, mask_char: c });
        check(p(3, 4, '*'), &[("13812345678", "138****5678"), ("张三", "**"), ("abcdefgh", "abc*efgh")]);
        check(p(1, 0, '#'), &[("欧阳娜娜", "欧###"), ("x", "#")]);
        check(p(0, 0, '*'), &[("secret", "******")]);
        assert_eq!(
            p(8, 0, '*').warnings(PersonalKind::IdNumber),
            vec![MaskWarning::IdRevealsRegion, MaskWarning::IdRevealsBirthDate]
        );
    }

    #[test]
    fn presets() {
        assert_eq!(MaskPreset::default(), MaskPreset::Standard);
        let std = MaskPolicy::default();
        assert_eq!(std.mask(PersonalKind::Name, "张三"), "张*");
        assert_eq!(std.mask(PersonalKind::IdNumber, "11010519491231002X"), "1***************2X");
        let strict = MaskPreset::Strict.policy();
        assert_eq!(strict.mask(PersonalKind::Name, "张三"), "***");
        assert_eq!(strict.mask(PersonalKind::Address, "广东省深圳市南山区科技园路1号"), "广东省");
        for p in MaskPreset::ALL {
            assert_eq!(MaskPreset::from_key(p.key()), Some(p));
            for k in PersonalKind::ALL {
                let r = p.policy().rule(k);
                assert!(r == Full || MaskRule::for_kind(k).contains(&r), "{p:?} {k:?}");
            }
        }
        assert!(MaskPreset::Strict.policy().warnings().is_empty());
        let json = serde_json::to_string(&MaskPreset::Light.policy()).expect("json");
        assert_eq!(serde_json::from_str::<MaskPolicy>(&json).expect("parse"), MaskPreset::Light.policy());
        let mut c = std;
        c.set(PersonalKind::Phone, Custom(KeepPattern::default()));
        assert!(serde_json::to_string(&c).expect("json").contains("\"rule\":\"custom\""));
    }
}
