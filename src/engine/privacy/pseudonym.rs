//! Keyed pseudonyms: a value is replaced by a token that is the same for the
//! same person in every file (so tables still join) but cannot be reversed or
//! recomputed without the 32-byte key.
//!
//! Token format: `p_` followed by the first 16 bytes (32 lower-case hex
//! digits) of HMAC-SHA-256(key, `custlens/pseudonym/v1` ‖ 0x00 ‖ normalised
//! value), e.g. `p_5c1d0c4b9e3f…` (34 characters). The value is normalised
//! first ([`normalise`]): a mobile number to its 11 digits, an e-mail to lower
//! case, an ID number to upper-case `X`, a card to its digits — so
//! `+86 138-1234-5678` and `13812345678` give the same token. Blank cells stay
//! blank. (A legacy 15-digit ID number is not converted to 18 digits, so the
//! two forms of one person's number give different tokens.)
//!
//! Why not join on masked values: a mask such as `138****5678` is shared by
//! 10 000 different numbers, so joining two masked files silently merges
//! different people. Tokens differ for different values (up to a 2⁻¹²⁸
//! chance), and without the key nobody can test a guessed number against a
//! token — which an unkeyed hash of a phone number (only ~10¹⁰ candidates)
//! would allow.

use super::detect::{bank_card_digits, legacy_id_number};
use super::PersonalKind;
use crate::engine::clean::standardise::{self, Outcome};
use crate::engine::clean::table::TextTable;
use crate::engine::money::trim_text;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use zeroize::Zeroizing;

/// Bytes in a pseudonym key.
pub const KEY_LEN: usize = 32;
/// What every token starts with.
pub const TOKEN_PREFIX: &str = "p_";
/// Domain separation for the token's HMAC input.
const DOMAIN: &[u8] = b"custlens/pseudonym/v1\0";

/// HMAC-SHA-256 of `msg` under `key` (RFC 2104 / FIPS 198-1).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length: `new_from_slice` cannot fail here.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// A key of the wrong size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 32 bytes.
    #[error("a pseudonym key has {KEY_LEN} bytes, this one has {len}")]
    WrongLength {
        /// The length given.
        len: usize,
    },
}

/// The secret that makes tokens unguessable; wiped from memory when dropped.
#[derive(Clone)]
pub struct PseudonymKey(Zeroizing<[u8; KEY_LEN]>);

impl PseudonymKey {
    /// A key from exactly 32 bytes (e.g. from `crypto.getRandomValues`).
    pub fn from_bytes(b: &[u8]) -> Result<PseudonymKey, KeyError> {
        let arr: [u8; KEY_LEN] = b.try_into().map_err(|_| KeyError::WrongLength { len: b.len() })?;
        Ok(PseudonymKey(Zeroizing::new(arr)))
    }

    /// The key's bytes (to store it; handle with care).
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

fn valid(o: Outcome, t: &str) -> Option<String> {
    match o {
        Outcome::Same => Some(t.to_string()),
        Outcome::Changed(s) => Some(s),
        Outcome::Invalid => None,
    }
}

/// The form a value is tokenised in: mobile → 11 digits, e-mail → lower
/// case, ID number → upper-case `X`, card → digits, name → single spaces,
/// address → no spaces; values a kind's normaliser rejects (and columns
/// without a kind) are only trimmed.
pub fn normalise(kind: Option<PersonalKind>, v: &str) -> String {
    let t = trim_text(v);
    let norm = match kind {
        Some(PersonalKind::Phone) => valid(standardise::phone(t), t),
        Some(PersonalKind::Email) => valid(standardise::email(t), t).map(|e| e.to_lowercase()),
        Some(PersonalKind::IdNumber) => valid(standardise::id_number(t), t).or_else(|| legacy_id_number(t)),
        Some(PersonalKind::BankCard) => bank_card_digits(t),
        Some(PersonalKind::Name) => Some(t.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some(PersonalKind::Address) => Some(t.chars().filter(|c| !c.is_whitespace()).collect()),
        None => None,
    };
    norm.unwrap_or_else(|| t.to_string())
}

/// The token of a value of `kind` (blank values stay blank).
pub fn pseudonym(key: &PseudonymKey, kind: Option<PersonalKind>, v: &str) -> String {
    if v.trim().is_empty() {
        return v.to_string();
    }
    let norm = normalise(kind, v);
    let mut msg = Zeroizing::new(Vec::with_capacity(DOMAIN.len() + norm.len()));
    msg.extend_from_slice(DOMAIN);
    msg.extend_from_slice(norm.as_bytes());
    let mac = hmac_sha256(key.as_bytes(), &msg);
    let mut out = String::with_capacity(TOKEN_PREFIX.len() + 32);
    out.push_str(TOKEN_PREFIX);
    for b in &mac[..16] {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A column to replace by tokens, and the kind its values are normalised as.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PseudonymColumn {
    /// Column index.
    pub column: usize,
    /// How its values are normalised (`None`: trimmed only).
    pub kind: Option<PersonalKind>,
}

/// A copy of `table` with `columns` replaced by tokens.
pub fn pseudonymize_table(table: &TextTable, columns: &[PseudonymColumn], key: &PseudonymKey) -> TextTable {
    table.map_cells(|c, v| columns.iter().find(|p| p.column == c).map(|p| pseudonym(key, p.kind, v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::privacy::mask::MaskRule;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn hmac_rfc4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn hmac_rfc4231_test_case_6_long_key() {
        let key = [0xaa_u8; 131];
        let mac = hmac_sha256(&key, b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(hex(&mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    fn key(b: u8) -> PseudonymKey {
        PseudonymKey::from_bytes(&[b; 32]).expect("32 bytes")
    }

    #[test]
    fn tokens_are_normalised_and_formatted() {
        let k = key(7);
        let p = Some(PersonalKind::Phone);
        let t = pseudonym(&k, p, "13812345678");
        assert_eq!(t.len(), 34);
        assert!(t.starts_with("p_") && t[2..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(pseudonym(&k, p, "+86 138-1234-5678"), t);
        assert_eq!(pseudonym(&k, p, " 8613812345678 "), t);
        assert_ne!(pseudonym(&k, p, "13812345679"), t);
        let e = Some(PersonalKind::Email);
        assert_eq!(pseudonym(&k, e, "Zhang@Example.com"), pseudonym(&k, e, "zhang@example.com"));
        let id = Some(PersonalKind::IdNumber);
        assert_eq!(pseudonym(&k, id, "11010519491231002x"), pseudonym(&k, id, "11010519491231002X"));
        assert_eq!(pseudonym(&k, None, ""), "");
        // Manual recomputation of the documented format.
        let mac = hmac_sha256(&[7; 32], b"custlens/pseudonym/v1\x0013812345678");
        assert_eq!(t, format!("p_{}", hex(&mac[..16])));
        assert_eq!(format!("{k:?}"), "PseudonymKey(<redacted>)");
        assert_eq!(PseudonymKey::from_bytes(&[0; 31]).err(), Some(KeyError::WrongLength { len: 31 }));
    }

    /// The design avoids joining on masks: two different customers share a
    /// mask but not a token.
    #[test]
    fn masks_collide_tokens_do_not() {
        let (a, b) = ("13812345678", "13899995678");
        let mask = MaskRule::PhoneMiddle4;
        assert_eq!(mask.apply(a), mask.apply(b), "masks collide: 138****5678");
        let k = key(1);
        let p = Some(PersonalKind::Phone);
        assert_ne!(pseudonym(&k, p, a), pseudonym(&k, p, b));
    }

    #[test]
    fn table_columns() {
        let mut t = TextTable::new(vec!["id".into(), "phone".into()]);
        t.push(2, ["C1", "13812345678"]);
        t.push(3, ["C2", ""]);
        let k = key(2);
        let out = pseudonymize_table(&t, &[PseudonymColumn { column: 1, kind: Some(PersonalKind::Phone) }], &k);
        assert_eq!(out.cell(0, 0), "C1");
        assert_eq!(out.cell(0, 1), pseudonym(&k, Some(PersonalKind::Phone), "13812345678"));
        assert_eq!(out.cell(1, 1), "");
    }
}
