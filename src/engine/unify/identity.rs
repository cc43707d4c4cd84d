//! Who is who across sources: the CRM's customer ids, the contact keys
//! (mobile number, e-mail, unified social credit code) that tie another
//! system's ids to them, and the duplicate CRM records (same name and phone
//! under two ids) proposed for merging.

use crate::engine::clean::standardise::{self, Outcome};
use crate::engine::money::trim_text;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The kind of contact key two records were matched on.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A mainland mobile number (11 digits).
    Phone,
    /// An e-mail address (compared in lower case).
    Email,
    /// A unified social credit code (统一社会信用代码).
    CreditCode,
}

impl KeyKind {
    /// A stable machine name, used in exported files.
    pub fn key(self) -> &'static str {
        match self {
            KeyKind::Phone => "phone",
            KeyKind::Email => "email",
            KeyKind::CreditCode => "credit_code",
        }
    }
}

/// A contact key in its standard form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContactKey {
    /// What it is.
    pub kind: KeyKind,
    /// The standard form (`13812345678`, `zhang@example.com`).
    pub value: String,
}

impl ContactKey {
    /// The key a value stands for, read as `kind`; `None` when it is not a valid one.
    pub fn parse(kind: KeyKind, v: &str) -> Option<ContactKey> {
        let t = trim_text(v);
        if t.is_empty() {
            return None;
        }
        let outcome = match kind {
            KeyKind::Phone => standardise::phone(t),
            KeyKind::Email => standardise::email(t),
            KeyKind::CreditCode => standardise::credit_code(t),
        };
        let value = match outcome {
            Outcome::Same => t.to_string(),
            Outcome::Changed(s) => s,
            Outcome::Invalid => return None,
        };
        let value = if kind == KeyKind::Email { value.to_lowercase() } else { value };
        Some(ContactKey { kind, value })
    }

    /// The key an id itself is, when another system uses a phone, e-mail or
    /// credit code as its customer id.
    pub fn from_id(id: &str) -> Option<ContactKey> {
        [KeyKind::Phone, KeyKind::Email, KeyKind::CreditCode].into_iter().find_map(|k| ContactKey::parse(k, id))
    }
}

/// Index of a customer in the CRM directory.
pub type CustomerIndex = u32;

/// Two or more CRM records that look like one person (same name and
/// mobile number under different ids). Merged only when confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeProposal {
    /// The id that stays (the record seen first).
    pub keep: String,
    /// The ids merged into it.
    pub merge: Vec<String>,
    /// The shared name.
    pub name: String,
    /// The shared mobile number.
    pub phone: String,
    /// Whether it was applied.
    pub applied: bool,
}

/// Which merge proposals to apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "merge")]
pub enum MergeChoice {
    /// None (the default: merges need a person's confirmation).
    #[default]
    None,
    /// Every proposal.
    All,
    /// The proposals whose kept id is listed.
    Listed {
        /// Kept ids of the confirmed proposals.
        keep: BTreeSet<String>,
    },
}

impl MergeChoice {
    fn accepts(&self, keep: &str) -> bool {
        match self {
            MergeChoice::None => false,
            MergeChoice::All => true,
            MergeChoice::Listed { keep: ids } => ids.contains(keep),
        }
    }
}

/// The CRM's customers: ids (after confirmed merges) and contact keys.
#[derive(Debug, Default)]
pub struct Directory {
    /// Canonical id of each customer.
    pub ids: Vec<String>,
    by_id: HashMap<String, CustomerIndex>,
    by_key: HashMap<ContactKey, Owner>,
    /// Every duplicate-record proposal, applied or not.
    pub proposals: Vec<MergeProposal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Owner {
    One(CustomerIndex),
    Many(BTreeSet<CustomerIndex>),
}

/// One CRM record's identity: its id, name and contact keys.
#[derive(Clone, Debug, Default)]
pub struct CrmIdentity {
    /// The record's customer id.
    pub id: String,
    /// The name (may be empty).
    pub name: String,
    /// Its valid contact keys.
    pub keys: Vec<ContactKey>,
}

impl Directory {
    /// Builds the directory from CRM records in file order. A repeated id is
    /// one customer; records sharing a name and phone are proposed for
    /// merging and merged when `merges` accepts the proposal.
    pub fn build(records: &[CrmIdentity], merges: &MergeChoice) -> Directory {
        let mut d = Directory::default();
        // Duplicate records: same (name, phone), different ids.
        let mut groups: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
        let mut group_order: Vec<(String, String)> = Vec::new();
        for r in records {
            let name = trim_text(&r.name);
            let Some(phone) = r.keys.iter().find(|k| k.kind == KeyKind::Phone) else { continue };
            if name.is_empty() {
                continue;
            }
            let key = (name.to_string(), phone.value.clone());
            let ids = groups.entry(key.clone()).or_default();
            if ids.is_empty() {
                group_order.push(key);
            }
            if !ids.contains(&r.id.as_str()) {
                ids.push(&r.id);
            }
        }
        let mut alias: HashMap<&str, &str> = HashMap::new();
        for key in group_order {
            let ids = &groups[&key];
            if ids.len() < 2 {
                continue;
            }
            let applied = merges.accepts(ids[0]);
            if applied {
                for other in &ids[1..] {
                    alias.insert(other, ids[0]);
                }
            }
            d.proposals.push(MergeProposal {
                keep: ids[0].to_string(),
                merge: ids[1..].iter().map(|s| s.to_string()).collect(),
                name: key.0.clone(),
                phone: key.1.clone(),
                applied,
            });
        }
        for r in records {
            let canonical = alias.get(r.id.as_str()).copied().unwrap_or(&r.id);
            let idx = d.intern(canonical);
            if canonical != r.id {
                d.by_id.insert(r.id.clone(), idx);
            }
            for k in &r.keys {
                match d.by_key.get_mut(k) {
                    None => {
                        d.by_key.insert(k.clone(), Owner::One(idx));
                    }
                    Some(Owner::One(o)) if *o == idx => {}
                    Some(Owner::One(o)) => {
                        let set = BTreeSet::from([*o, idx]);
                        d.by_key.insert(k.clone(), Owner::Many(set));
                    }
                    Some(Owner::Many(set)) => {
                        set.insert(idx);
                    }
                }
            }
        }
        d
    }

    fn intern(&mut self, id: &str) -> CustomerIndex {
        if let Some(&i) = self.by_id.get(id) {
            return i;
        }
        let i = self.ids.len() as CustomerIndex;
        self.ids.push(id.to_string());
        self.by_id.insert(id.to_string(), i);
        i
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The customer with this id (merged ids lead to the kept one).
    pub fn by_id(&self, id: &str) -> Option<CustomerIndex> {
        self.by_id.get(id).copied()
    }

    /// Resolves a row of another source: its id, then the keys (the id read
    /// as a contact key first, then the row's own contact columns).
    pub fn resolve(&self, id: &str, row_keys: &[ContactKey]) -> Resolution {
        if let Some(i) = self.by_id(id) {
            return Resolution::Direct(i);
        }
        let from_id = ContactKey::from_id(id);
        let mut found: Option<(CustomerIndex, KeyKind)> = None;
        let mut candidates: BTreeSet<CustomerIndex> = BTreeSet::new();
        let mut via = None;
        for k in from_id.iter().chain(row_keys) {
            match self.by_key.get(k) {
                None => {}
                Some(Owner::One(i)) => {
                    candidates.insert(*i);
                    if found.is_none() {
                        found = Some((*i, k.kind));
                    }
                }
                Some(Owner::Many(set)) => {
                    candidates.extend(set);
                    via.get_or_insert(k.kind);
                }
            }
        }
        match (found, candidates.len()) {
            (Some((i, kind)), 1) => Resolution::Matched(i, kind),
            (_, 0) => Resolution::Orphan,
            (f, _) => Resolution::Conflict {
                candidates: candidates.into_iter().collect(),
                via: f.map(|x| x.1).or(via).unwrap_or(KeyKind::Phone),
            },
        }
    }
}

/// How a row's customer was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Its id is a CRM id.
    Direct(CustomerIndex),
    /// Its id is not, but one CRM customer has its phone / e-mail / credit code.
    Matched(CustomerIndex, KeyKind),
    /// Its keys point to more than one CRM customer: not joined, shown.
    Conflict {
        /// The customers the keys point to.
        candidates: Vec<CustomerIndex>,
        /// The key kind that made the conflict.
        via: KeyKind,
    },
    /// Nobody in the CRM: kept under its own id, counted and listed.
    Orphan,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, name: &str, phone: &str, email: &str) -> CrmIdentity {
        let keys = [ContactKey::parse(KeyKind::Phone, phone), ContactKey::parse(KeyKind::Email, email)]
            .into_iter()
            .flatten()
            .collect();
        CrmIdentity { id: id.into(), name: name.into(), keys }
    }

    #[test]
    fn keys_in_standard_form() {
        let k = ContactKey::parse(KeyKind::Phone, "+86 138-1234-5678").expect("phone");
        assert_eq!(k.value, "13812345678");
        assert_eq!(
            ContactKey::parse(KeyKind::Email, "Zhang@Example.COM").map(|k| k.value),
            Some("zhang@example.com".into())
        );
        assert_eq!(ContactKey::from_id("C000001"), None);
        assert_eq!(ContactKey::from_id("91350100M000100Y43").map(|k| k.kind), Some(KeyKind::CreditCode));
        assert_eq!(ContactKey::parse(KeyKind::Phone, "138****5678"), None, "a masked phone is no key");
    }

    #[test]
    fn resolves_by_id_key_and_reports_conflicts() {
        let crm = [
            rec("C1", "张三", "13800000001", "zs@qq.com"),
            rec("C2", "李四", "13800000002", ""),
            rec("C3", "王五", "13800000009", "shared@qq.com"),
            rec("C4", "赵六", "13800000008", "shared@qq.com"),
        ];
        let d = Directory::build(&crm, &MergeChoice::None);
        assert_eq!(d.resolve("C2", &[]), Resolution::Direct(1));
        assert_eq!(d.resolve("13800000001", &[]), Resolution::Matched(0, KeyKind::Phone));
        assert_eq!(d.resolve("ZS@qq.com", &[]), Resolution::Matched(0, KeyKind::Email));
        let row_phone = [ContactKey::parse(KeyKind::Phone, "13800000002").expect("k")];
        assert_eq!(d.resolve("U77", &row_phone), Resolution::Matched(1, KeyKind::Phone));
        assert_eq!(d.resolve("U78", &[]), Resolution::Orphan);
        assert_eq!(
            d.resolve("shared@qq.com", &[]),
            Resolution::Conflict { candidates: vec![2, 3], via: KeyKind::Email }
        );
        // Phone says C1, e-mail says C2: a conflict, not a guess.
        let two = [
            ContactKey::parse(KeyKind::Phone, "13800000001").expect("k"),
            ContactKey::parse(KeyKind::Phone, "13800000002").expect("k"),
        ];
        assert!(matches!(d.resolve("U79", &two), Resolution::Conflict { .. }));
    }

    #[test]
    fn duplicate_records_are_proposed_and_merged_only_when_confirmed() {
        let crm = [
            rec("C1", "张三", "13800000001", ""),
            rec("D1", "张三", "+86 13800000001", ""),
            rec("C2", "张三", "13800000002", ""), // same name, other phone: not a duplicate
        ];
        let d = Directory::build(&crm, &MergeChoice::None);
        assert_eq!(d.len(), 3);
        assert_eq!(d.proposals.len(), 1);
        assert_eq!((d.proposals[0].keep.as_str(), d.proposals[0].merge.clone()), ("C1", vec!["D1".to_string()]));
        assert!(!d.proposals[0].applied);
        let merged = Directory::build(&crm, &MergeChoice::Listed { keep: BTreeSet::from(["C1".to_string()]) });
        assert_eq!(merged.len(), 2);
        assert_eq!(merged.by_id("D1"), Some(0));
        assert!(merged.proposals[0].applied);
        assert_eq!(merged.resolve("13800000001", &[]), Resolution::Matched(0, KeyKind::Phone));
    }
}
