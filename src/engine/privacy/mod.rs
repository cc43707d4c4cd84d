//! Privacy: which columns hold personal data ([`detect`]), masking them for
//! display and export ([`mask`]), keyed pseudonyms that still join across
//! files ([`pseudonym`]), what each role sees ([`roles`], [`scope`]), suppressing groups too small to publish
//! ([`small_cell`]) and the passphrase-encrypted workspace file ([`vault`]).
//!
//! Everything here is deterministic and takes its secrets and randomness
//! (pseudonym keys, salts, nonces) from the caller: the browser draws them
//! from `crypto.getRandomValues`, the CLI from the OS. Texts for the UI are
//! looked up by each type's `key()` in [`crate::i18n`].

pub mod detect;
pub mod mask;
pub mod pseudonym;
pub mod roles;
pub mod scope;
pub mod share;
pub mod small_cell;
pub mod vault;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of personal data a column can hold.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalKind {
    /// A person's name (姓名).
    Name,
    /// A mainland mobile number (手机号).
    Phone,
    /// A resident ID number, 18 or legacy 15 characters (身份证号).
    IdNumber,
    /// An e-mail address.
    Email,
    /// A bank card number, 16–19 digits passing the Luhn check (银行卡号).
    BankCard,
    /// A postal address down to street and house number (地址).
    Address,
}

impl PersonalKind {
    /// Every kind, in display order.
    pub const ALL: [PersonalKind; 6] = [
        PersonalKind::Name,
        PersonalKind::Phone,
        PersonalKind::IdNumber,
        PersonalKind::Email,
        PersonalKind::BankCard,
        PersonalKind::Address,
    ];

    /// The kind's key (`name`, `phone`, `id_number`, `email`, `bank_card`, `address`), used by the
    /// CLI and as its i18n key.
    pub fn key(self) -> &'static str {
        match self {
            PersonalKind::Name => "name",
            PersonalKind::Phone => "phone",
            PersonalKind::IdNumber => "id_number",
            PersonalKind::Email => "email",
            PersonalKind::BankCard => "bank_card",
            PersonalKind::Address => "address",
        }
    }

    /// Parses a key (also `id` and `card`).
    pub fn from_key(s: &str) -> Option<PersonalKind> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "id" | "idnumber" | "id-number" => Some(PersonalKind::IdNumber),
            "card" | "bankcard" | "bank-card" => Some(PersonalKind::BankCard),
            _ => PersonalKind::ALL.into_iter().find(|k| k.key() == s),
        }
    }
}

impl fmt::Display for PersonalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for k in PersonalKind::ALL {
            assert_eq!(PersonalKind::from_key(k.key()), Some(k));
        }
        assert_eq!(PersonalKind::from_key("ID"), Some(PersonalKind::IdNumber));
        assert_eq!(PersonalKind::from_key("card"), Some(PersonalKind::BankCard));
        assert_eq!(PersonalKind::from_key("salary"), None);
    }
}
