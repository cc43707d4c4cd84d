//! The seed's roles (admin, sales, marketing, service) and what each may do
//! with personal data in this local tool. Roles scope what the page shows
//! and what leaves it in exports; they do not protect a file from the person
//! who holds its passphrase (see the README's threat model).

use serde::{Deserialize, Serialize};

/// A role the page can be viewed as.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees everything; the only role that may show raw values.
    Admin,
    /// Customer contacts, masked.
    Sales,
    /// Analysis results, masked (the default: the least exposure).
    #[default]
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_sees_raw_values_and_keys_round_trip() {
        assert_eq!(Role::ALL.iter().filter(|r| r.may_show_raw()).collect::<Vec<_>>(), vec![&Role::Admin]);
        assert!(!Role::default().may_show_raw());
        for r in Role::ALL {
            assert_eq!(Role::from_key(r.key()), Some(r));
        }
    }
}
