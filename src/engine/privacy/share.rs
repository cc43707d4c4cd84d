//! What leaves the engine — for a screen or a file — with personal data
//! masked unless raw values were explicitly chosen ([`Disclosure`]).
//!
//! Columns are recognised as for `custlens mask` (mapping, header, content)
//! and masked by the policy; every other cell is *scrubbed*: a mobile
//! number, ID number, e-mail address or bank card number written anywhere
//! in it (a customer id that is a phone number, a phone in a comment) is
//! masked where it stands. Masked values are for people to read; joins use
//! the raw values (or keyed pseudonyms), never these.

use super::detect::{detect, legacy_id_number, luhn, DetectParams, Detections, Override};
use super::mask::MaskPolicy;
use super::roles::Access;
use super::scope::{Scope, HIDDEN_CELL};
use super::PersonalKind;
use crate::engine::analyze::funnel::Funnel;
use crate::engine::clean::run::{Change, Cleaned};
use crate::engine::clean::standardise::{self, Outcome};
use crate::engine::clean::table::TextTable;
use crate::engine::clean::Reject;
use crate::engine::ids::IdArena;
use crate::engine::ingest::fields::{auto_map, detect_kind, Field, Mapping};
use crate::engine::ingest::probe::Probe;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How personal data is shown and exported: masked or raw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Masking {
    /// Masked by the policy (the default everywhere), with the user's marks
    /// on top of what detection finds.
    Masked {
        /// How each kind is masked.
        policy: MaskPolicy,
        /// Columns the user marked as personal or unmarked.
        marks: PersonalMarks,
    },
    /// As it is: an explicit, recorded choice of a role allowed to make it.
    Raw,
}

/// What leaves the engine and for whom: personal data masked (or raw) and
/// the audience's [`Scope`] (columns hidden or pseudonymised, small groups).
#[derive(Clone, Debug)]
pub struct Disclosure {
    /// Masked or raw.
    pub masking: Masking,
    /// Whose view it is.
    pub scope: Scope,
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure::masked(MaskPolicy::default())
    }
}

impl Disclosure {
    /// Masked by `policy`, with no marks of the user's, everything in scope.
    pub fn masked(policy: MaskPolicy) -> Disclosure {
        Disclosure { masking: Masking::Masked { policy, marks: PersonalMarks::default() }, scope: Scope::everything() }
    }

    /// Raw values, everything in scope.
    pub fn raw() -> Disclosure {
        Disclosure { masking: Masking::Raw, scope: Scope::everything() }
    }

    /// The same for the audience `scope`.
    pub fn with_scope(self, scope: Scope) -> Disclosure {
        Disclosure { scope, ..self }
    }

    /// The policy, unless raw.
    pub fn policy(&self) -> Option<&MaskPolicy> {
        match &self.masking {
            Masking::Masked { policy, .. } => Some(policy),
            Masking::Raw => None,
        }
    }

    /// The user's marks (none when raw: nothing is masked then).
    pub fn marks(&self) -> &PersonalMarks {
        static NONE: PersonalMarks = PersonalMarks { by_header: BTreeMap::new() };
        match &self.masking {
            Masking::Masked { marks, .. } => marks,
            Masking::Raw => &NONE,
        }
    }

    /// Whether cells are shown as they are: raw, and nothing hidden or pseudonymised.
    fn untouched(&self) -> bool {
        self.policy().is_none() && self.scope.is_everything()
    }
}

/// The user's corrections to what detection finds, by column header (so
/// that they hold for every table with that column: a source, its cleaned
/// rows, the customer view): a column marked as a kind of personal data, or
/// one detection marked that the user unmarked (`None`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalMarks {
    by_header: BTreeMap<String, Option<PersonalKind>>,
}

impl PersonalMarks {
    /// Marks `header` as `kind` (`None`: not personal data).
    pub fn set(&mut self, header: &str, kind: Option<PersonalKind>) {
        self.by_header.insert(header.trim().to_string(), kind);
    }

    /// Leaves `header` to detection again.
    pub fn clear(&mut self, header: &str) {
        self.by_header.remove(header.trim());
    }

    /// The user's mark of `header`: `None` when left to detection,
    /// `Some(None)` when unmarked.
    pub fn get(&self, header: &str) -> Option<Option<PersonalKind>> {
        self.by_header.get(header.trim()).copied()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_header.is_empty()
    }

    /// These marks, plus each on the canonical name of the field its column
    /// feeds in a source (`渠道来源` marked → `channel` too), since the
    /// customer view names its columns by field.
    pub fn through_mappings<'a>(
        &self,
        sources: impl IntoIterator<Item = (&'a [String], &'a Mapping)>,
    ) -> PersonalMarks {
        let mut out = self.clone();
        for (headers, mapping) in sources {
            for c in &mapping.choices {
                let Some(mark) = c.column.and_then(|i| headers.get(i)).and_then(|h| self.get(h)) else { continue };
                out.by_header.entry(c.field.key().to_string()).or_insert(mark);
            }
        }
        out
    }

    /// The marks as overrides of the columns of a table with `headers`.
    pub fn overrides(&self, headers: &[String]) -> Vec<Override> {
        headers.iter().enumerate().filter_map(|(column, h)| self.get(h).map(|kind| Override { column, kind })).collect()
    }
}

/// The personal kind of a canonical field, if it is one.
pub fn field_kind(f: Field) -> Option<PersonalKind> {
    match f {
        Field::Name => Some(PersonalKind::Name),
        Field::Phone => Some(PersonalKind::Phone),
        Field::Email => Some(PersonalKind::Email),
        Field::IdNumber => Some(PersonalKind::IdNumber),
        Field::Address => Some(PersonalKind::Address),
        _ => None,
    }
}

/// Masks the personal data written anywhere in `s`: the whole cell when it
/// is a phone, ID number, e-mail or bank card; else each such number or
/// address inside the text.
pub fn scrub<'a>(s: &'a str, policy: &MaskPolicy) -> Cow<'a, str> {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let at = s.contains('@');
    if digits < 11 && !at {
        return Cow::Borrowed(s);
    }
    for kind in [PersonalKind::Phone, PersonalKind::IdNumber, PersonalKind::Email] {
        if whole_cell_is(kind, s) {
            return Cow::Owned(policy.mask(kind, s));
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            // An ID number may end in X.
            if i - start == 17 && i < b.len() && (b[i] == b'X' || b[i] == b'x') {
                i += 1;
            }
            let run = &s[start..i];
            match number_kind(run) {
                Some(kind) => {
                    out.push_str(&policy.mask(kind, run));
                    changed = true;
                }
                None => out.push_str(run),
            }
        } else if b[i] == b'@' {
            // Expand to the address around the @ (ASCII local part and domain).
            let local_start = out
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_ascii_alphanumeric() || "._%+-".contains(*c))
                .last()
                .map_or(out.len(), |(p, _)| p);
            let mut end = i + 1;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'.' || b[end] == b'-') {
                end += 1;
            }
            let candidate = format!("{}@{}", &out[local_start..], &s[i + 1..end]);
            let candidate = candidate.trim_end_matches('.');
            if local_start < out.len() && standardise::email(candidate) != Outcome::Invalid {
                let masked = policy.mask(PersonalKind::Email, candidate);
                out.truncate(local_start);
                out.push_str(&masked);
                i = i + 1 + (candidate.len() - candidate.find('@').map_or(0, |p| p + 1));
                changed = true;
            } else {
                out.push('@');
                i += 1;
            }
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

fn whole_cell_is(kind: PersonalKind, s: &str) -> bool {
    match kind {
        PersonalKind::Phone => standardise::phone(s) != Outcome::Invalid,
        PersonalKind::IdNumber => standardise::id_number(s) != Outcome::Invalid,
        PersonalKind::Email => standardise::email(s) != Outcome::Invalid,
        _ => false,
    }
}

/// What a run of digits (with an ID's final X) is, if personal.
fn number_kind(run: &str) -> Option<PersonalKind> {
    match run.len() {
        11 if standardise::phone(run) != Outcome::Invalid => Some(PersonalKind::Phone),
        18 if standardise::id_number(run) != Outcome::Invalid => Some(PersonalKind::IdNumber),
        15 if legacy_id_number(run).is_some() => Some(PersonalKind::IdNumber),
        16..=19 if run.bytes().all(|b| b.is_ascii_digit()) && luhn(run) => Some(PersonalKind::BankCard),
        _ => None,
    }
}

/// The personal columns of a table, recognised from its headers (as the
/// kind they suggest) and content.
pub fn detect_personal(t: &TextTable, marks: &PersonalMarks) -> Detections {
    let mapping = auto_map(detect_kind(&t.headers), &t.headers);
    detect(t, &mapping, &DetectParams::default(), &marks.overrides(&t.headers))
}

/// `t` as it may be shown or exported: columns the audience may not see
/// left out, pseudonymised ones tokenised, personal columns masked and
/// personal data elsewhere scrubbed; unchanged when raw and all in scope.
pub fn table<'a>(t: &'a TextTable, d: &Disclosure) -> Cow<'a, TextTable> {
    if d.untouched() {
        return Cow::Borrowed(t);
    }
    let access = d.scope.columns_of(&t.headers);
    let shown = cells(t, d, &access, &detect_personal(t, d.marks()));
    if access.contains(&Access::Hidden) {
        return Cow::Owned(Scope::keep_columns(&shown, &access));
    }
    Cow::Owned(shown)
}

/// `t` with each cell as the audience may see it (hidden columns still there, as [`HIDDEN_CELL`]).
fn cells(t: &TextTable, d: &Disclosure, access: &[Access], detections: &Detections) -> TextTable {
    t.map_cells(|c, v| match access.get(c).copied().unwrap_or_default() {
        Access::Hidden => Some(HIDDEN_CELL.to_string()),
        Access::Pseudonym => Some(d.scope.token(detections.kind(c), v)),
        Access::Shown => {
            let policy = d.policy()?;
            match detections.kind(c) {
                Some(k) if !v.trim().is_empty() => Some(policy.mask(k, v)),
                Some(_) => None,
                None => match scrub(v, policy) {
                    Cow::Owned(s) => Some(s),
                    Cow::Borrowed(_) => None,
                },
            }
        }
    })
}

/// A file's probe as it may be shown: its sample rows and each column's
/// sample values masked, pseudonymised or hidden (the columns stay, beside
/// their headers; the probe's other parts hold no cell values).
pub fn probe(p: &mut Probe, d: &Disclosure) {
    if d.untouched() {
        return;
    }
    let mut t = TextTable::new(p.headers.clone());
    for (i, row) in p.sample.iter().enumerate() {
        t.push(i as u64 + 2, row.iter().map(String::as_str));
    }
    let access = d.scope.columns_of(&t.headers);
    let detections = detect_personal(&t, d.marks());
    let shown = cells(&t, d, &access, &detections);
    p.sample = (0..shown.len()).map(|r| shown.row(r).map(str::to_string).collect()).collect();
    for (c, col) in p.columns.iter_mut().enumerate() {
        for v in &mut col.samples {
            *v = match (access.get(c).copied().unwrap_or_default(), d.policy()) {
                (Access::Hidden, _) => HIDDEN_CELL.to_string(),
                (Access::Pseudonym, _) => d.scope.token(detections.kind(c), v),
                (Access::Shown, None) => continue,
                (Access::Shown, Some(policy)) => match detections.kind(c) {
                    Some(k) => policy.mask(k, v),
                    None => scrub(v, policy).into_owned(),
                },
            };
        }
    }
}

/// Customer ids as they may be shown or exported: as tokens when the
/// audience sees pseudonyms, [`HIDDEN_CELL`] when it may not see them, else
/// an id that is a phone number or e-mail masked.
pub fn ids<'a>(ids: &'a IdArena, d: &Disclosure) -> Cow<'a, IdArena> {
    let mut out = IdArena::default();
    match d.scope.ids() {
        Access::Hidden => ids.iter().for_each(|_| {
            out.push(HIDDEN_CELL);
        }),
        Access::Pseudonym => ids.iter().for_each(|id| {
            out.push(&d.scope.token(None, id));
        }),
        Access::Shown => {
            let Some(policy) = d.policy() else { return Cow::Borrowed(ids) };
            for id in ids.iter() {
                out.push(&scrub(id, policy));
            }
        }
    }
    Cow::Owned(out)
}

/// One customer id as it may be shown or exported (as [`ids`]).
pub fn id<'a>(id: &'a str, d: &Disclosure) -> Cow<'a, str> {
    match d.scope.ids() {
        Access::Hidden => Cow::Borrowed(HIDDEN_CELL),
        Access::Pseudonym => Cow::Owned(d.scope.token(None, id)),
        Access::Shown => text(id, d),
    }
}

/// A funnel's customer ids (listed and kept) as they may be shown or exported.
pub fn funnel(f: &mut Funnel, d: &Disclosure) {
    if d.untouched() {
        return;
    }
    f.ids = ids(&f.ids, d).into_owned();
    for s in &mut f.steps {
        for x in &mut s.dropped.ids {
            *x = id(x, d).into_owned();
        }
    }
}

/// One text as it may be shown or exported.
pub fn text<'a>(v: &'a str, d: &Disclosure) -> Cow<'a, str> {
    match d.policy() {
        Some(p) => scrub(v, p),
        None => Cow::Borrowed(v),
    }
}

/// A value of a known kind (a name, a phone…) as it may be shown or exported.
pub fn value(kind: PersonalKind, v: &str, d: &Disclosure) -> String {
    match d.scope.field(kind_field(kind)) {
        Access::Hidden => HIDDEN_CELL.to_string(),
        Access::Pseudonym => d.scope.token(Some(kind), v),
        Access::Shown => match d.policy() {
            Some(p) if !v.trim().is_empty() => p.mask(kind, v),
            _ => v.to_string(),
        },
    }
}

/// The canonical field a kind of personal data is kept in (none for cards).
fn kind_field(kind: PersonalKind) -> Option<Field> {
    [Field::Name, Field::Phone, Field::Email, Field::IdNumber, Field::Address]
        .into_iter()
        .find(|&f| field_kind(f) == Some(kind))
}

/// The change log as it may be exported: changes to columns the audience
/// may not see left out, old and new values of personal columns (by the
/// columns of `input`) masked or pseudonymised, other values scrubbed.
pub fn changes(changes: &[Change], input: &TextTable, d: &Disclosure) -> Vec<Change> {
    if d.untouched() {
        return changes.to_vec();
    }
    let detections = detect_personal(input, d.marks());
    let access = d.scope.columns_of(&input.headers);
    let column = |name: &str| input.headers.iter().position(|h| h == name);
    changes
        .iter()
        .filter_map(|c| {
            let col = column(&c.column);
            let kind = col.and_then(|i| detections.kind(i));
            let hide = |v: &str| match (col.and_then(|i| access.get(i)).copied().unwrap_or_default(), d.policy()) {
                (Access::Pseudonym, _) => d.scope.token(kind, v),
                (_, None) => v.to_string(),
                (_, Some(policy)) => match kind {
                    Some(k) if !v.trim().is_empty() => policy.mask(k, v),
                    _ => scrub(v, policy).into_owned(),
                },
            };
            let hidden = col.and_then(|i| access.get(i)) == Some(&Access::Hidden);
            (!hidden).then(|| Change { old: hide(&c.old), new: hide(&c.new), ..c.clone() })
        })
        .collect()
}

/// A cleaning run's files as they may be exported: the input table (for the
/// set-aside rows) and the run with its clean table and change log as the
/// audience may see them.
pub fn cleaned(input: &TextTable, result: &Cleaned, d: &Disclosure) -> (TextTable, Cleaned) {
    if d.untouched() {
        return (input.clone(), result.clone());
    }
    let shown = Cleaned {
        clean: table(&result.clean, d).into_owned(),
        set_aside: result.set_aside.clone(),
        changes: changes(&result.changes, input, d),
        quality: result.quality.clone(),
    };
    (table(input, d).into_owned(), shown)
}

/// Rejected rows as they may be shown or exported: the offending value
/// masked, pseudonymised or hidden as its field is.
pub fn rejects(rejects: &[Reject], d: &Disclosure) -> Vec<Reject> {
    if d.untouched() {
        return rejects.to_vec();
    }
    rejects
        .iter()
        .map(|r| {
            let kind = r.field.and_then(field_kind);
            let value = match (d.scope.field(r.field), d.policy()) {
                (Access::Hidden, _) => HIDDEN_CELL.to_string(),
                (Access::Pseudonym, _) => d.scope.token(kind, &r.value),
                (Access::Shown, None) => r.value.clone(),
                (Access::Shown, Some(policy)) => match kind {
                    Some(k) if !r.value.trim().is_empty() => policy.mask(k, &r.value),
                    _ => scrub(&r.value, policy).into_owned(),
                },
            };
            Reject { value, ..r.clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_apply_by_header_and_through_mappings() {
        let t =
            TextTable::from_rows(&["客户ID", "渠道来源", "姓名"], &[&["C1", "天猫", "张三"], &["C2", "京东", "李四"]]);
        let mut marks = PersonalMarks::default();
        marks.set("渠道来源", Some(PersonalKind::Name));
        marks.set("姓名", None);
        let d = Disclosure {
            masking: Masking::Masked { policy: MaskPolicy::default(), marks: marks.clone() },
            scope: Scope::everything(),
        };
        let shown = table(&t, &d);
        assert_eq!(shown.row(0).collect::<Vec<_>>(), ["C1", "天*", "张三"]);
        let mapping = auto_map(detect_kind(&t.headers), &t.headers);
        let through = marks.through_mappings([(t.headers.as_slice(), &mapping)]);
        assert_eq!(through.get("channel"), Some(Some(PersonalKind::Name)));
        assert_eq!(through.get("name"), Some(None));
        assert_eq!(marks.get("channel"), None);
    }

    use super::*;
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    fn p() -> MaskPolicy {
        MaskPolicy::default()
    }

    #[test]
    fn scrub_masks_whole_cells_and_numbers_inside_text() {
        assert_eq!(scrub("13812345678", &p()), "138****5678");
        assert_eq!(scrub("+86 138-1234-5678", &p()), "138****5678");
        assert_eq!(scrub("zhang@example.com", &p()), "z***@example.com");
        assert_eq!(scrub("请回电13812345678,谢谢", &p()), "请回电138****5678,谢谢");
        assert_eq!(scrub("邮件 li.si@qq.com 已发", &p()), "邮件 l***@qq.com 已发");
        let id = "11010519491231002X";
        assert!(!scrub(&format!("身份证{id}"), &p()).contains(id));
        assert!(!scrub("卡号 6222021234567890128 尾号", &p()).contains("6222021234567890128"));
        for keep in ["C000001", "O000000123", "2024-03-15 10:00:00", "1280.00", "12345678901", "a@b", "订单 20240315"]
        {
            assert_eq!(scrub(keep, &p()), keep, "{keep}");
            assert!(matches!(scrub(keep, &p()), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn tables_are_masked_by_column_and_scrubbed_elsewhere() {
        let csv = "客户ID,姓名,手机号,备注\nC1,张三,13812345678,\n13900001111,李四,,call 13700002222\n";
        let t = TextTable::read(&mut CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t"), "t").expect("table");
        let m = table(&t, &Disclosure::default());
        assert_eq!(m.row(0).collect::<Vec<_>>(), vec!["C1", "张*", "138****5678", ""]);
        assert_eq!(m.row(1).collect::<Vec<_>>(), vec!["139****1111", "李*", "", "call 137****2222"]);
        assert!(matches!(table(&t, &Disclosure::raw()), Cow::Borrowed(_)));
        let mut arena = IdArena::default();
        arena.push("13900001111");
        arena.push("C2");
        let masked = ids(&arena, &Disclosure::default());
        assert_eq!(masked.iter().collect::<Vec<_>>(), vec!["139****1111", "C2"]);
    }

    #[test]
    fn probes_show_masked_samples() {
        let bytes = "客户ID,姓名,手机号\nC1,张三,13812345678\nC2,李四,13900001111\n".as_bytes();
        let mut pr = crate::engine::ingest::probe::probe_text("c.csv", bytes.len() as u64, bytes).expect("probe");
        probe(&mut pr, &Disclosure::default());
        assert_eq!(pr.sample[0], vec!["C1", "张*", "138****5678"]);
        assert!(pr.columns[2].samples.iter().all(|v| v.contains("****")), "{:?}", pr.columns[2].samples);
    }

    #[test]
    fn change_logs_and_rejects_hide_old_and_new_values() {
        let csv = "客户ID,手机号\nC1,13812345678\n";
        let t = TextTable::read(&mut CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t"), "t").expect("table");
        let c = Change {
            row: 2,
            column: "手机号".into(),
            old: "+86 138 1234 5678".into(),
            new: "13812345678".into(),
            rule: "phone".into(),
        };
        let out = changes(&[c], &t, &Disclosure::default());
        assert_eq!((out[0].old.as_str(), out[0].new.as_str()), ("138****5678", "138****5678"));
        let r = Reject::new(3, crate::engine::clean::RejectReason::MissingValue, Some(Field::UserId), "13812345678");
        assert_eq!(rejects(&[r], &Disclosure::default())[0].value, "138****5678");
    }
}
