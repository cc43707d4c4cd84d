//! Which columns hold personal data: from the column mapping (a column mapped
//! to name, phone, e-mail, ID number or address), from the header (names
//! only: 姓名, name, 联系人…) and from the content (a sample of the column's
//! non-blank cells, marked when at least 80 % look like one kind). The user
//! has the last word: [`Override`]s add or remove marks.

use super::PersonalKind;
use crate::engine::clean::standardise::{self, Outcome};
use crate::engine::clean::table::TextTable;
use crate::engine::ingest::fields::{normalise_header, Field, Mapping};
use serde::{Deserialize, Serialize};

/// How detection samples and decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetectParams {
    /// Non-blank cells looked at per column, spread evenly over the rows.
    pub sample: usize,
    /// Share of sampled cells that must look like a kind to mark the column by content.
    pub min_share: f64,
    /// Fewest characters an address has.
    pub min_address_chars: usize,
}

impl Default for DetectParams {
    fn default() -> Self {
        DetectParams { sample: 1000, min_share: 0.8, min_address_chars: 6 }
    }
}

/// What marked a column.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectedBy {
    /// The column is mapped to this canonical field.
    Mapping(Field),
    /// The header names a person (姓名, name, 联系人…).
    Header,
    /// Enough sampled cells look like the kind.
    Content,
    /// The user marked it.
    User,
}

impl DetectedBy {
    /// The i18n key of how a column was detected.
    pub fn key(self) -> &'static str {
        match self {
            DetectedBy::Mapping(_) => "detected_by_mapping",
            DetectedBy::Header => "detected_by_header",
            DetectedBy::Content => "detected_by_content",
            DetectedBy::User => "detected_by_user",
        }
    }
}

/// Why a column is (or is not) marked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What marked it (`None` when unmarked).
    pub by: Option<DetectedBy>,
    /// Non-blank cells sampled.
    pub sampled: u32,
    /// Of those, how many look like the column's kind (or, when unmarked, like
    /// the best-matching kind).
    pub matched: u32,
    /// The kind the content matched best, if any cell matched at all.
    pub best_content_kind: Option<PersonalKind>,
    /// Whether the user removed a mark detection had set.
    pub unmarked_by_user: bool,
}

impl Evidence {
    /// Share of sampled cells that matched, 0–1 (0 when nothing was sampled).
    pub fn share(&self) -> f64 {
        if self.sampled == 0 {
            0.0
        } else {
            f64::from(self.matched) / f64::from(self.sampled)
        }
    }
}

/// One column's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDetection {
    /// Column index.
    pub column: usize,
    /// Its header.
    pub header: String,
    /// The personal data it holds, if any.
    pub kind: Option<PersonalKind>,
    /// Why.
    pub evidence: Evidence,
}

/// The user's correction for one column: mark it as `kind`, or unmark it (`None`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// Column index.
    pub column: usize,
    /// The kind to mark it as; `None` removes any mark.
    pub kind: Option<PersonalKind>,
}

/// Every column's detection, in column order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Detections {
    /// One entry per column.
    pub columns: Vec<ColumnDetection>,
}

impl Detections {
    /// The kind of column `c`, if marked.
    pub fn kind(&self, c: usize) -> Option<PersonalKind> {
        self.columns.get(c).and_then(|d| d.kind)
    }

    /// The marked columns.
    pub fn personal(&self) -> impl Iterator<Item = &ColumnDetection> {
        self.columns.iter().filter(|d| d.kind.is_some())
    }

    /// Applies a user override (columns out of range are ignored).
    pub fn apply(&mut self, o: Override) {
        let Some(d) = self.columns.get_mut(o.column) else { return };
        match o.kind {
            Some(k) => {
                d.kind = Some(k);
                d.evidence.by = Some(DetectedBy::User);
                d.evidence.unmarked_by_user = false;
            }
            None => {
                d.evidence.unmarked_by_user = d.kind.is_some();
                d.kind = None;
                d.evidence.by = None;
            }
        }
    }
}

/// Normalised headers that name a person.
const NAME_HEADERS: &[&str] =
    &["name", "fullname", "customername", "contactname", "contact", "realname", "名字", "客户名", "收货人", "收件人"];

/// Whether a header names a person's name column.
pub fn is_name_header(header: &str) -> bool {
    let h = normalise_header(header);
    NAME_HEADERS.contains(&h.as_str()) || h.contains("姓名") || h.contains("联系人")
}

/// Detects the personal columns of `table`, then applies `overrides` in order.
pub fn detect(table: &TextTable, mapping: &Mapping, params: &DetectParams, overrides: &[Override]) -> Detections {
    let columns = (0..table.width()).map(|c| detect_column(table, mapping, params, c)).collect();
    let mut d = Detections { columns };
    for o in overrides {
        d.apply(*o);
    }
    d
}

fn mapped_kind(field: Field) -> Option<PersonalKind> {
    match field {
        Field::Name => Some(PersonalKind::Name),
        Field::Phone => Some(PersonalKind::Phone),
        Field::Email => Some(PersonalKind::Email),
        Field::IdNumber => Some(PersonalKind::IdNumber),
        Field::Address => Some(PersonalKind::Address),
        _ => None,
    }
}

fn detect_column(table: &TextTable, mapping: &Mapping, params: &DetectParams, c: usize) -> ColumnDetection {
    let header = table.headers.get(c).cloned().unwrap_or_default();
    let sample = sample_column(table, c, params.sample);
    // Content kinds in priority order: a valid ID number can also pass Luhn.
    const CONTENT: [PersonalKind; 5] = [
        PersonalKind::Phone,
        PersonalKind::IdNumber,
        PersonalKind::Email,
        PersonalKind::BankCard,
        PersonalKind::Address,
    ];
    let count = |k: PersonalKind| sample.iter().filter(|v| looks_like(k, v, params)).count() as u32;
    let mut best: Option<(PersonalKind, u32)> = None;
    for k in CONTENT {
        let n = count(k);
        if n > 0 && best.is_none_or(|(_, m)| n > m) {
            best = Some((k, n));
        }
    }
    let sampled = sample.len() as u32;
    let mapped = mapping
        .choices
        .iter()
        .find(|ch| ch.column == Some(c))
        .and_then(|ch| mapped_kind(ch.field).map(|k| (ch.field, k)));
    let (kind, by) = if let Some((field, k)) = mapped {
        (Some(k), Some(DetectedBy::Mapping(field)))
    } else if is_name_header(&header) {
        (Some(PersonalKind::Name), Some(DetectedBy::Header))
    } else {
        match best {
            Some((k, n)) if sampled > 0 && f64::from(n) >= params.min_share * f64::from(sampled) => {
                (Some(k), Some(DetectedBy::Content))
            }
            _ => (None, None),
        }
    };
    let matched = kind.map_or_else(|| best.map_or(0, |b| b.1), count);
    ColumnDetection {
        column: c,
        header,
        kind,
        evidence: Evidence { by, sampled, matched, best_content_kind: best.map(|b| b.0), unmarked_by_user: false },
    }
}

/// Up to `n` non-blank cells of column `c`, from rows spread evenly over the table.
fn sample_column(table: &TextTable, c: usize, n: usize) -> Vec<&str> {
    let rows = table.len();
    if rows == 0 || n == 0 {
        return Vec::new();
    }
    let stride = rows.div_ceil(n).max(1);
    let mut out: Vec<&str> =
        (0..rows).step_by(stride).map(|r| table.cell(r, c)).filter(|v| !v.trim().is_empty()).collect();
    if out.len() < n && stride > 1 {
        // Many blanks on the stride: fill up from the other rows.
        out.extend(
            (0..rows)
                .filter(|r| r % stride != 0)
                .map(|r| table.cell(r, c))
                .filter(|v| !v.trim().is_empty())
                .take(n - out.len()),
        );
    }
    out
}

/// Whether one cell looks like `kind`. Names look like 1–4 Chinese characters
/// or 1–4 Latin words (only used as evidence: names are never marked by
/// content alone).
pub fn looks_like(kind: PersonalKind, v: &str, params: &DetectParams) -> bool {
    match kind {
        PersonalKind::Name => looks_like_name(v),
        PersonalKind::Phone => standardise::phone(v) != Outcome::Invalid,
        PersonalKind::IdNumber => standardise::id_number(v) != Outcome::Invalid || legacy_id_number(v).is_some(),
        PersonalKind::Email => standardise::email(v) != Outcome::Invalid,
        PersonalKind::BankCard => bank_card_digits(v).is_some_and(|d| (16..=19).contains(&d.len()) && luhn(&d)),
        PersonalKind::Address => looks_like_address(v, params.min_address_chars),
    }
}

fn looks_like_name(v: &str) -> bool {
    let t = v.trim();
    let n = t.chars().count();
    let cjk = t.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·');
    let latin =
        t.split_whitespace().count() <= 4 && t.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '.' || c == '-');
    (cjk && (2..=6).contains(&n)) || (latin && (2..=40).contains(&n))
}

/// A legacy 15-digit ID number (before 1999): its digits upper-cased, when
/// it is 15 ASCII digits with a plausible birth month and day at 9–12.
pub fn legacy_id_number(v: &str) -> Option<String> {
    let t: String = v.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let b = t.as_bytes();
    if b.len() != 15 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    ((1..=12).contains(&two(8)) && (1..=31).contains(&two(10))).then_some(t)
}

/// The digits of a card-like value (digits with optional spaces or dashes),
/// or `None` when it has anything else.
pub fn bank_card_digits(v: &str) -> Option<String> {
    let t = v.trim();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
        return None;
    }
    Some(t.chars().filter(char::is_ascii_digit).collect())
}

/// The Luhn (mod 10) check used by bank card numbers.
pub fn luhn(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Administrative markers (province, city, district, county…).
const ADMIN_MARKERS: &[char] = &['省', '市', '区', '县', '州', '旗', '盟'];
/// Street-level markers (road, street, number, village, building…).
const STREET_MARKERS: &[char] = &['路', '街', '道', '巷', '弄', '号', '村', '镇', '乡', '栋', '楼', '室', '苑', '座'];

/// Whether a value reads like a street address: at least `min_chars`
/// characters, a street-level marker (路/街/号/村…) and a second marker of
/// any level — so `广东省深圳市` (province and city only) is not an address.
pub fn looks_like_address(v: &str, min_chars: usize) -> bool {
    let t = v.trim();
    if t.chars().count() < min_chars {
        return false;
    }
    let street = STREET_MARKERS.iter().filter(|m| t.contains(**m)).count();
    let admin = ADMIN_MARKERS.iter().filter(|m| t.contains(**m)).count();
    street >= 1 && street + admin >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::{auto_map, SourceKind};

    fn table(headers: &[&str], rows: &[&[&str]]) -> TextTable {
        TextTable::from_rows(headers, rows)
    }

    #[test]
    fn luhn_and_legacy_ids() {
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
        assert!(!luhn(""));
        assert_eq!(legacy_id_number("110105491231002"), Some("110105491231002".into()));
        assert_eq!(legacy_id_number("110105491331002"), None); // month 13
        assert_eq!(legacy_id_number("11010549123100"), None);
    }

    #[test]
    fn cells_by_kind() {
        let p = DetectParams::default();
        assert!(looks_like(PersonalKind::Phone, "+86 138 1234 5678", &p));
        assert!(!looks_like(PersonalKind::Phone, "010-12345678", &p));
        assert!(looks_like(PersonalKind::IdNumber, "11010519491231002x", &p));
        assert!(!looks_like(PersonalKind::IdNumber, "110105194912310021", &p));
        assert!(looks_like(PersonalKind::Email, "zhang.san+shop@Example.com", &p));
        assert!(looks_like(PersonalKind::BankCard, "4111 1111 1111 1111", &p));
        assert!(!looks_like(PersonalKind::BankCard, "4111 1111 1111 1112", &p));
        assert!(looks_like(PersonalKind::Address, "广东省深圳市南山区科技园路1号", &p));
        assert!(looks_like(PersonalKind::Address, "建国路88号院", &p));
        assert!(!looks_like(PersonalKind::Address, "黑龙江省哈尔滨市", &p));
        assert!(!looks_like(PersonalKind::Address, "南山区", &p));
    }

    #[test]
    fn columns_by_mapping_header_and_content() {
        let t = table(
            &["客户ID", "姓名", "联系电话", "备注", "卡", "城市", "住址"],
            &[
                &["C1", "张三", "13812345678", "a@b.cn", "4111111111111111", "深圳市", "深圳市南山区科技路1号"],
                &["C2", "李四", "+86 139 1234 5678", "x@y.com", "4111 1111 1111 1111", "广州市", "天河区体育西路2号"],
                &["C3", "王五", "", "c@d.org", "5500000000000004", "北京市", "北京市朝阳区建国路88号"],
                &[
                    "C4",
                    "赵六",
                    "15012345678",
                    "not an email",
                    "4111111111111111",
                    "上海市",
                    "上海市浦东新区世纪大道100号",
                ],
                &["C5", "钱七", "18612345678", "e@f.net", "4111111111111111", "杭州市", "杭州市西湖区文三路9号"],
            ],
        );
        let m = auto_map(SourceKind::Customers, &t.headers);
        let d = detect(&t, &m, &DetectParams::default(), &[]);
        assert_eq!(d.kind(0), None);
        assert_eq!(d.kind(1), Some(PersonalKind::Name));
        assert_eq!(d.kind(2), Some(PersonalKind::Phone));
        assert_eq!(d.columns[2].evidence.sampled, 4);
        assert_eq!(d.columns[2].evidence.matched, 4);
        // 4 of 5 e-mails = 80 %: marked by content.
        assert_eq!(d.kind(3), Some(PersonalKind::Email));
        assert_eq!(d.columns[3].evidence.by, Some(DetectedBy::Content));
        assert!((d.columns[3].evidence.share() - 0.8).abs() < 1e-9);
        assert_eq!(d.kind(4), Some(PersonalKind::BankCard));
        assert_eq!(d.kind(5), None);
        assert_eq!(d.kind(6), Some(PersonalKind::Address));

        let d = detect(
            &t,
            &m,
            &DetectParams::default(),
            &[Override { column: 3, kind: None }, Override { column: 0, kind: Some(PersonalKind::Name) }],
        );
        assert_eq!(d.kind(3), None);
        assert!(d.columns[3].evidence.unmarked_by_user);
        assert_eq!(d.kind(0), Some(PersonalKind::Name));
        assert_eq!(d.columns[0].evidence.by, Some(DetectedBy::User));
        assert_eq!(d.personal().count(), 5);
    }

    #[test]
    fn below_threshold_is_not_marked() {
        let t = table(&["x"], &[&["13812345678"], &["13812345679"], &["hello"], &["world"]]);
        let m = auto_map(SourceKind::Orders, &t.headers);
        let d = detect(&t, &m, &DetectParams::default(), &[]);
        assert_eq!(d.kind(0), None);
        assert_eq!(d.columns[0].evidence.best_content_kind, Some(PersonalKind::Phone));
        assert_eq!(d.columns[0].evidence.matched, 2);
    }

    #[test]
    fn name_headers() {
        assert!(is_name_header("客户姓名"));
        assert!(is_name_header("Name"));
        assert!(is_name_header("联系人"));
        assert!(!is_name_header("商品名称"));
        assert!(!is_name_header("product name"));
    }

    #[test]
    fn sampling_is_spread_and_capped() {
        let rows: Vec<Vec<String>> = (0..5000).map(|i| vec![format!("{i}")]).collect();
        let mut t = TextTable::new(vec!["n".into()]);
        for (i, r) in rows.iter().enumerate() {
            t.push(i as u64, r.iter().map(String::as_str));
        }
        let s = sample_column(&t, 0, 1000);
        assert_eq!(s.len(), 1000);
        assert_eq!(s[1], "5");
        assert_eq!(sample_column(&t, 0, 0).len(), 0);
    }
}
