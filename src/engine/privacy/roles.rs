//! The seed's roles (admin, sales, marketing, service) and what each may do
//! with personal data in this local tool. Roles scope what the page shows
//! and what leaves it in exports; they do not protect a file from the person
//! who holds its passphrase (see the README's threat model).
//!
//! What each role sees is a [`Visibility`]: per role and per canonical field,
//! shown (masked where personal), replaced by keyed pseudonyms, or hidden —
//! from the screen and from every file made while viewing as that role. The
//! seed's defaults: admin everything; sales the customers' contacts and
//! orders; marketing analysis inputs with customer ids as pseudonyms and no
//! contact fields; service the tickets and surveys with whom to call back.
//! Only the admin edits it.

use crate::engine::ingest::fields::{Field, SourceKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A role the page can be viewed as.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees everything, masked by default; the only role that may show raw
    /// values or change what each role sees. The default: whoever opens the
    /// page already holds the files it reads.
    #[default]
    Admin,
    /// Customer contacts, masked.
    Sales,
    /// Analysis results, masked.
    Marketing,
    /// Tickets and satisfaction, masked.
    Service,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Sales, Role::Marketing, Role::Service];

    /// The role's key (`admin`, `sales`, `marketing`, `service`), also its i18n key.
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Sales => "sales",
            Role::Marketing => "marketing",
            Role::Service => "service",
        }
    }

    /// Parses a key.
    pub fn from_key(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }

    /// Whether the role may show and export raw personal data.
    pub fn may_show_raw(self) -> bool {
        self == Role::Admin
    }

    /// Whether the role may change what each role sees.
    pub fn may_edit_visibility(self) -> bool {
        self == Role::Admin
    }
}

/// What a role may see of a field.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Shown and exported (personal data masked unless raw values are shown).
    #[default]
    Shown,
    /// Replaced by keyed pseudonyms (`p_…`): joins and counts still line up.
    Pseudonym,
    /// Neither shown nor exported; analyses that need it are not offered.
    Hidden,
}

impl Access {
    /// Every level, most open first.
    pub const ALL: [Access; 3] = [Access::Shown, Access::Pseudonym, Access::Hidden];

    /// The level's key (`shown`, `pseudonym`, `hidden`), also its i18n key.
    pub fn key(self) -> &'static str {
        match self {
            Access::Shown => "shown",
            Access::Pseudonym => "pseudonym",
            Access::Hidden => "hidden",
        }
    }

    /// Parses a key.
    pub fn from_key(s: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.key() == s)
    }
}

/// What one role sees: each field's access (absent: shown) and that of the
/// columns that feed no field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleAccess {
    /// Fields not simply shown.
    pub fields: BTreeMap<Field, Access>,
    /// Columns mapped to no field (free columns of a file, flags).
    pub other: Access,
}

impl RoleAccess {
    /// The access to `field` (`None`: a column that feeds no field).
    pub fn of(&self, field: Option<Field>) -> Access {
        match field {
            Some(f) => self.fields.get(&f).copied().unwrap_or_default(),
            None => self.other,
        }
    }

    /// Sets the access to `field` (`None`: the other columns).
    pub fn set(&mut self, field: Option<Field>, access: Access) {
        match field {
            Some(f) if access == Access::Shown => {
                self.fields.remove(&f);
            }
            Some(f) => {
                self.fields.insert(f, access);
            }
            None => self.other = access,
        }
    }

    /// Whether every one of `fields` may be seen (shown or as pseudonyms).
    pub fn sees_all(&self, fields: &[Field]) -> bool {
        fields.iter().all(|&f| self.of(Some(f)) != Access::Hidden)
    }

    /// Whether an analysis reading any one of `kinds` may be shown: the
    /// required fields of one of them are all visible.
    pub fn may_analyse(&self, kinds: &[SourceKind]) -> bool {
        kinds.iter().any(|k| {
            let required: Vec<Field> = k.fields().iter().filter(|s| s.required).map(|s| s.field).collect();
            self.sees_all(&required)
        })
    }

    /// Whether any field is pseudonymised.
    pub fn uses_pseudonyms(&self) -> bool {
        self.other == Access::Pseudonym || self.fields.values().any(|&a| a == Access::Pseudonym)
    }
}

/// What every role sees. Editable by the admin; kept with the workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visibility {
    roles: BTreeMap<Role, RoleAccess>,
}

impl Default for Visibility {
    /// The seed's defaults (see the module documentation).
    fn default() -> Self {
        use Field::*;
        let mut roles = BTreeMap::new();
        roles.insert(Role::Admin, RoleAccess::default());
        // Sales: the customers' contacts and their orders; no ID numbers, no service or behaviour data.
        let mut sales = RoleAccess { other: Access::Hidden, ..RoleAccess::default() };
        let sales_sees = |f: Field| (SourceKind::Customers.has(f) && f != IdNumber) || SourceKind::Orders.has(f);
        hide_all_but(&mut sales, sales_sees);
        roles.insert(Role::Sales, sales);
        // Marketing: analysis inputs; customers only as pseudonyms, no contact or identity fields, no free text.
        let mut marketing = RoleAccess { other: Access::Hidden, ..RoleAccess::default() };
        for f in [Name, Phone, Email, IdNumber, Address, BirthDate, CreditCode, Comment] {
            marketing.set(Some(f), Access::Hidden);
        }
        marketing.set(Some(UserId), Access::Pseudonym);
        roles.insert(Role::Marketing, marketing);
        // Service: tickets and surveys, and whom to call back.
        let mut service = RoleAccess { other: Access::Hidden, ..RoleAccess::default() };
        let service_sees = |f: Field| {
            matches!(f, UserId | Name | Phone | MemberLevel) || SourceKind::Tickets.has(f) || SourceKind::Surveys.has(f)
        };
        hide_all_but(&mut service, service_sees);
        roles.insert(Role::Service, service);
        Visibility { roles }
    }
}

/// Hides every field `keep` refuses.
fn hide_all_but(access: &mut RoleAccess, keep: impl Fn(Field) -> bool) {
    for kind in SourceKind::ALL {
        for spec in kind.fields() {
            if !keep(spec.field) {
                access.set(Some(spec.field), Access::Hidden);
            }
        }
    }
}

impl Visibility {
    /// What `role` sees.
    pub fn of(&self, role: Role) -> RoleAccess {
        self.roles.get(&role).cloned().unwrap_or_default()
    }

    /// Sets what `role` sees of `field` (`None`: the other columns).
    pub fn set(&mut self, role: Role, field: Option<Field>, access: Access) {
        self.roles.entry(role).or_default().set(field, access);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_sees_raw_values_and_keys_round_trip() {
        assert_eq!(Role::ALL.iter().filter(|r| r.may_show_raw()).collect::<Vec<_>>(), vec![&Role::Admin]);
        assert_eq!(Role::default(), Role::Admin);
        for r in Role::ALL {
            assert_eq!(Role::from_key(r.key()), Some(r));
        }
    }

    #[test]
    fn default_visibility_follows_the_seed() {
        let v = Visibility::default();
        let admin = v.of(Role::Admin);
        assert!(SourceKind::ALL
            .iter()
            .all(|k| admin.sees_all(&k.fields().iter().map(|f| f.field).collect::<Vec<_>>())));
        assert_eq!(admin.of(None), Access::Shown);
        let sales = v.of(Role::Sales);
        assert_eq!(sales.of(Some(Field::Phone)), Access::Shown);
        assert_eq!(sales.of(Some(Field::Amount)), Access::Shown);
        assert_eq!(sales.of(Some(Field::IdNumber)), Access::Hidden);
        assert_eq!(sales.of(Some(Field::TicketType)), Access::Hidden);
        let marketing = v.of(Role::Marketing);
        assert_eq!(marketing.of(Some(Field::UserId)), Access::Pseudonym);
        assert_eq!(marketing.of(Some(Field::Phone)), Access::Hidden);
        assert_eq!(marketing.of(Some(Field::Province)), Access::Shown);
        assert_eq!(marketing.of(None), Access::Hidden);
        assert!(marketing.uses_pseudonyms());
        let service = v.of(Role::Service);
        assert_eq!(service.of(Some(Field::Satisfaction)), Access::Shown);
        assert_eq!(service.of(Some(Field::Phone)), Access::Shown);
        assert_eq!(service.of(Some(Field::Amount)), Access::Hidden);
        assert!(!service.sees_all(&[Field::UserId, Field::OrderTime, Field::Amount]));
        assert!(!service.may_analyse(&[SourceKind::Orders]));
        assert!(service.may_analyse(&[SourceKind::Surveys, SourceKind::Events]));
        assert!(!sales.may_analyse(&[SourceKind::Tickets]));
        assert!(marketing.may_analyse(&[SourceKind::Orders]));
    }

    #[test]
    fn visibility_edits_round_trip_through_json() {
        let mut v = Visibility::default();
        v.set(Role::Service, Some(Field::Amount), Access::Shown);
        v.set(Role::Admin, Some(Field::UserId), Access::Pseudonym);
        v.set(Role::Sales, None, Access::Shown);
        let json = serde_json::to_string(&v).expect("json");
        let back: Visibility = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, v);
        assert_eq!(back.of(Role::Service).of(Some(Field::Amount)), Access::Shown);
        assert_eq!(back.of(Role::Admin).of(Some(Field::UserId)), Access::Pseudonym);
        assert_eq!(back.of(Role::Sales).of(None), Access::Shown);
    }
}
