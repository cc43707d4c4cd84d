//! Whose view a table is made for: which of its columns the audience (the
//! role the page is viewed as, or the CLI's `--role`) may see, which become
//! keyed pseudonyms and which are left out entirely — from the screen and,
//! physically, from every file exported.
//!
//! A column is recognised as a field by, in order: the sources' mappings
//! (the header of a column the user mapped), the columns the engine derives
//! from a field (`total_spend` from `amount`…), the field's own key (the
//! customer view names its columns so), and header detection of
//! the table's own headers. A column that feeds no field follows the
//! role's "other columns" access.

use super::pseudonym::{pseudonym, PseudonymKey};
use super::roles::{Access, RoleAccess};
use super::small_cell::SmallCellParams;
use super::PersonalKind;
use crate::engine::clean::table::TextTable;
use crate::engine::ingest::fields::{auto_map, detect_kind, Field, Mapping};
use std::collections::BTreeMap;

/// What a hidden cell shows where a column cannot be left out (a file's
/// sample rows beside its headers, a rejected value).
pub const HIDDEN_CELL: &str = "⊘";

/// Columns the engine derives from a field (counts, dates, flags), by
/// header: seen when the field is; never pseudonymised (they identify nobody).
const DERIVED_COLUMNS: &[(&str, Field)] = &[
    ("in_crm", Field::UserId),
    ("flags", Field::UserId),
    ("first_order", Field::OrderTime),
    ("last_order", Field::OrderTime),
    ("orders", Field::OrderTime),
    ("total_spend", Field::Amount),
    ("avg_order_value", Field::Amount),
    ("tickets", Field::TicketType),
    ("complaints", Field::TicketType),
    ("last_satisfaction", Field::Satisfaction),
    ("last_nps", Field::Nps),
    ("events", Field::EventType),
    ("last_activity", Field::EventTime),
];

/// Columns of the engine's identity and merge tables that hold customer ids.
const ID_COLUMNS: &[&str] = &["id", "customer", "keep", "merge"];

/// Separator of several ids in one cell (merge proposals).
const ID_LIST_SEPARATOR: &str = " | ";

/// The audience of what is shown and exported.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// What it may see of each field (default: everything).
    pub access: RoleAccess,
    /// Headers of the sources' columns and the field each feeds (from their mappings).
    pub columns: BTreeMap<String, Field>,
    /// The key pseudonyms are made with; without one, pseudonymised columns are left out.
    pub key: Option<PseudonymKey>,
    /// Small groups in grouped reports: suppressed or merged when set.
    pub small_cells: Option<SmallCellParams>,
}

impl Scope {
    /// Everything, as it is (the admin's default; the CLI without `--role`).
    pub fn everything() -> Scope {
        Scope::default()
    }

    /// Records which field each mapped column of a source feeds.
    pub fn learn_mapping(&mut self, headers: &[String], mapping: &Mapping) {
        for c in &mapping.choices {
            if let Some(h) = c.column.and_then(|i| headers.get(i)) {
                self.columns.entry(h.trim().to_string()).or_insert(c.field);
            }
        }
    }

    /// Whether nothing is hidden or pseudonymised.
    pub fn is_everything(&self) -> bool {
        self.access == RoleAccess::default()
    }

    /// The field each column of a table with `headers` feeds, if any, and
    /// whether it is derived from it (a count or date, never pseudonymised).
    fn columns(&self, headers: &[String]) -> Vec<(Option<Field>, bool)> {
        let detected = auto_map(detect_kind(headers), headers);
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = h.trim();
                if let Some(&f) = self.columns.get(h) {
                    return (Some(f), false);
                }
                if let Some(&(_, f)) = DERIVED_COLUMNS.iter().find(|(k, _)| *k == h) {
                    return (Some(f), true);
                }
                if ID_COLUMNS.contains(&h) {
                    return (Some(Field::UserId), false);
                }
                let f = Field::from_key(h)
                    .or_else(|| detected.choices.iter().find(|c| c.column == Some(i)).map(|c| c.field));
                (f, false)
            })
            .collect()
    }

    /// The field each column of a table with `headers` feeds, if any.
    pub fn fields_of(&self, headers: &[String]) -> Vec<Option<Field>> {
        self.columns(headers).into_iter().map(|(f, _)| f).collect()
    }

    /// The access to each column of a table with `headers`. Pseudonymised
    /// columns are hidden when there is no key; columns derived from a
    /// pseudonymised field are shown.
    pub fn columns_of(&self, headers: &[String]) -> Vec<Access> {
        self.columns(headers)
            .into_iter()
            .map(|(f, derived)| match self.effective(self.access.of(f)) {
                Access::Pseudonym | Access::Hidden if derived && self.access.of(f) == Access::Pseudonym => {
                    Access::Shown
                }
                a => a,
            })
            .collect()
    }

    /// The access to customer ids.
    pub fn ids(&self) -> Access {
        self.effective(self.access.of(Some(Field::UserId)))
    }

    /// The access to `field`.
    pub fn field(&self, field: Option<Field>) -> Access {
        self.effective(self.access.of(field))
    }

    fn effective(&self, a: Access) -> Access {
        match a {
            Access::Pseudonym if self.key.is_none() => Access::Hidden,
            a => a,
        }
    }

    /// The token of a value (several ids in one cell each get theirs).
    pub fn token(&self, kind: Option<PersonalKind>, v: &str) -> String {
        let Some(key) = &self.key else { return HIDDEN_CELL.to_string() };
        if v.contains(ID_LIST_SEPARATOR) {
            return v
                .split(ID_LIST_SEPARATOR)
                .map(|p| pseudonym(key, kind, p))
                .collect::<Vec<_>>()
                .join(ID_LIST_SEPARATOR);
        }
        pseudonym(key, kind, v)
    }

    /// A copy of `t` with only the columns the audience may see (`access`
    /// as from [`Scope::columns_of`]).
    pub fn keep_columns(t: &TextTable, access: &[Access]) -> TextTable {
        let keep: Vec<usize> = (0..t.width()).filter(|&c| access.get(c) != Some(&Access::Hidden)).collect();
        t.select_columns(&keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::SourceKind;
    use crate::engine::privacy::roles::{Role, Visibility};

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_recognised_by_mapping_key_derivation_and_header() {
        let mut s = Scope::default();
        let src = headers(&["会员编号", "Territory", "备注"]);
        let mut m = auto_map(SourceKind::Customers, &src);
        m.set(Field::Province, Some(1));
        s.learn_mapping(&src, &m);
        let t = headers(&["Territory", "province", "total_spend", "手机号", "备注", "whatever", "in_crm", "user_id"]);
        assert_eq!(
            s.fields_of(&t),
            vec![
                Some(Field::Province),
                Some(Field::Province),
                Some(Field::Amount),
                Some(Field::Phone),
                None,
                None,
                Some(Field::UserId),
                Some(Field::UserId)
            ]
        );
        // Marketing: the id column as tokens, the flag derived from it shown, contacts and other columns hidden.
        let s = Scope {
            access: Visibility::default().of(Role::Marketing),
            key: PseudonymKey::from_bytes(&[1; 32]).ok(),
            ..s
        };
        use Access::*;
        assert_eq!(s.columns_of(&t), vec![Shown, Shown, Shown, Hidden, Hidden, Hidden, Shown, Pseudonym]);
    }

    #[test]
    fn pseudonyms_without_a_key_are_hidden() {
        let s = Scope { access: Visibility::default().of(Role::Marketing), ..Scope::default() };
        assert_eq!(s.ids(), Access::Hidden);
        let key = PseudonymKey::from_bytes(&[7; 32]).expect("key");
        let s = Scope { key: Some(key), ..s };
        assert_eq!(s.ids(), Access::Pseudonym);
        let one = s.token(None, "C1");
        assert!(one.starts_with("p_") && one.len() == 34);
        assert_eq!(s.token(None, "C1 | C2").split(" | ").next(), Some(one.as_str()));
    }
}
