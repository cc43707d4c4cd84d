//! Customer ids: an arena that stores many ids in one buffer, and an
//! interner that maps id text to a dense index fast. Ids of up to 15 bytes
//! (nearly all real ids) are looked up as one `u128`, with no pointer to
//! follow and no string comparison; longer ids by a 120-bit hash.

use crate::engine::codec;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

/// Many strings in one buffer, by index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdArena {
    #[serde(with = "codec::bytes")]
    bytes: Vec<u8>,
    #[serde(with = "codec::u32s")]
    ends: Vec<u32>,
}

impl IdArena {
    /// Bytes of text held (the offsets are `u32`: at most `u32::MAX`).
    pub fn byte_len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Appends an id; returns its index.
    pub fn push(&mut self, id: &str) -> u32 {
        self.bytes.extend_from_slice(id.as_bytes());
        self.ends.push(self.bytes.len() as u32);
        self.ends.len() as u32 - 1
    }

    /// The id at `i`.
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // Only whole `&str`s are pushed, so every slice is valid UTF-8.
        std::str::from_utf8(&self.bytes[start..self.ends[i] as usize]).unwrap_or("")
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// A 128-bit hash of every id and where each ends.
    pub fn content_hash(&self) -> u128 {
        let ends: Vec<u8> = self.ends.iter().flat_map(|e| e.to_le_bytes()).collect();
        xxh3_128(&self.bytes) ^ xxh3_128(&ends).rotate_left(1)
    }

    /// All ids in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len() as u32).map(|i| self.get(i))
    }
}

/// The packed key of an id: up to 15 bytes and the length in a `u128`,
/// longer ids as a 120-bit hash marked in the top byte. Never 0 for a
/// non-empty id.
#[inline]
pub fn id_key(id: &[u8]) -> u128 {
    if id.len() <= 15 {
        // The bytes little-endian, as `[id…, 0…, 0x10 | len]` would read
        // (built without a `memcpy` call, which is slow for a few bytes in WebAssembly).
        let (lo, hi) = if id.len() <= 8 { (load_le(id), 0) } else { (load_le(&id[..8]), load_le(&id[8..])) };
        let hi = hi | u64::from(0x10 | id.len() as u8) << 56; // 0x10–0x1F: never zero, never 0xFF
        (u128::from(hi) << 64) | u128::from(lo)
    } else {
        xxh3_128(id) | (0xFF << 120)
    }
}

/// Up to 8 bytes as a little-endian number.
#[inline]
fn load_le(b: &[u8]) -> u64 {
    if let Ok(w) = <[u8; 8]>::try_from(b) {
        return u64::from_le_bytes(w);
    }
    b.iter().enumerate().fold(0, |v, (i, &c)| v | u64::from(c) << (8 * i))
}

/// A well-mixed 64-bit hash of a key, the same on every platform and in
/// every chunk (general-purpose hashers are weak on 32-bit WebAssembly).
#[inline]
pub fn key_hash(k: u128) -> u64 {
    let mut z = (k as u64) ^ ((k >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 32)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 32)
}

#[derive(Copy, Clone, Default)]
struct Slot {
    key: u128,
    idx: u32,
}

/// Maps id text to dense indexes in order of first appearance: an
/// open-addressing table of packed keys (one probe, no string compare).
#[derive(Clone, Default)]
pub struct Interner {
    slots: Vec<Slot>,
    mask: usize,
    ids: IdArena,
    hashes: Vec<u64>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner").field("ids", &self.len()).field("slots", &self.slots.len()).finish()
    }
}

impl Interner {
    /// The index of `id`, whether it is new, and the hash of its key.
    #[inline]
    pub fn intern(&mut self, id: &str) -> (u32, bool) {
        let (i, new, _) = self.intern_hashed(id);
        (i, new)
    }

    /// Like [`Interner::intern`], also returning the id's hash.
    #[inline]
    pub fn intern_hashed(&mut self, id: &str) -> (u32, bool, u64) {
        if self.ids.len() * 4 >= self.slots.len() * 3 {
            self.grow();
        }
        let key = id_key(id.as_bytes());
        let hash = key_hash(key);
        let mut i = hash as usize & self.mask;
        loop {
            let slot = self.slots[i];
            if slot.key == key {
                return (slot.idx, false, hash);
            }
            if slot.key == 0 {
                let idx = self.ids.push(id);
                self.hashes.push(hash);
                self.slots[i] = Slot { key, idx };
                return (idx, true, hash);
            }
            i = (i + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); cap]);
        self.mask = cap - 1;
        for s in old.into_iter().filter(|s| s.key != 0) {
            let mut i = self.hashes[s.idx as usize] as usize & self.mask;
            while self.slots[i].key != 0 {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = s;
        }
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no id was seen.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids, by index.
    pub fn ids(&self) -> &IdArena {
        &self.ids
    }

    /// Gives up the lookup table, keeping the ids.
    pub fn into_ids(self) -> IdArena {
        self.ids
    }
}

/// Numbers the ids of several lists (the customers of each chunk of a file)
/// in order of first appearance, as [`Interner`] would, but cache-friendly:
/// ids are grouped by a few bits of their hash, and each group is looked up
/// in a table of a few thousand keys that fits in the CPU cache, instead of
/// probing one table of millions at random.
#[derive(Debug, Default)]
pub struct IdMerger {
    ids: IdArena,
    /// Per group, the keys seen and their merged indexes.
    groups: Vec<Vec<(u128, u32)>>,
    bits: u32,
}

/// Where an id of the list being added stands during [`IdMerger::add`].
const LOCAL: u32 = 1 << 31;

impl IdMerger {
    /// A merger expecting about `ids` ids in all lists together.
    pub fn new(ids: usize) -> IdMerger {
        // About 2 000 ids per group: their keys and slots take ~100 KB.
        let bits = (ids / 2048).max(1).ilog2().min(12);
        IdMerger { ids: IdArena::default(), groups: vec![Vec::new(); 1 << bits], bits }
    }

    fn group(&self, key: u128) -> usize {
        if self.bits == 0 {
            0
        } else {
            (key_hash(key) >> (64 - self.bits)) as usize
        }
    }

    /// The merged index of every id of `list`, in its order, with whether it
    /// is new (first seen in this list); the new ids are numbered after all
    /// earlier ones, in the order of `list`.
    pub fn add(&mut self, list: &IdArena) -> Vec<(u32, bool)> {
        let n = list.len();
        let keys: Vec<u128> = list.iter().map(|id| id_key(id.as_bytes())).collect();
        // The list's indexes grouped (a counting sort; stable, so each group is in list order).
        let group_of: Vec<u32> = keys.iter().map(|&k| self.group(k) as u32).collect();
        let mut starts = vec![0usize; self.groups.len() + 1];
        for &g in &group_of {
            starts[g as usize + 1] += 1;
        }
        for g in 0..self.groups.len() {
            starts[g + 1] += starts[g];
        }
        let mut fill = starts.clone();
        let mut grouped = vec![(0u128, 0u32); n];
        for (i, (&g, &k)) in group_of.iter().zip(&keys).enumerate() {
            grouped[fill[g as usize]] = (k, i as u32);
            fill[g as usize] += 1;
        }
        // Per group: earlier ids by their merged index, this list's by `LOCAL | i`.
        let mut found = vec![0u32; n];
        let mut table = SmallTable::default();
        for g in 0..self.groups.len() {
            let local = &grouped[starts[g]..starts[g + 1]];
            if local.is_empty() {
                continue;
            }
            let earlier = &self.groups[g];
            table.reset(earlier.len() + local.len());
            for &(k, m) in earlier {
                table.insert(k, m);
            }
            for &(k, i) in local {
                found[i as usize] = table.insert(k, LOCAL | i);
            }
        }
        let mut out: Vec<(u32, bool)> = Vec::with_capacity(n);
        for i in 0..n {
            let f = found[i];
            let entry = if f & LOCAL == 0 {
                (f, false)
            } else if (f & !LOCAL) as usize == i {
                let m = self.ids.push(list.get(i as u32));
                self.groups[group_of[i] as usize].push((keys[i], m));
                (m, true)
            } else {
                (out[(f & !LOCAL) as usize].0, false) // the same id earlier in this list
            };
            out.push(entry);
        }
        out
    }

    /// Number of distinct ids so far.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The merged ids, in order of first appearance.
    pub fn into_ids(self) -> IdArena {
        self.ids
    }
}

/// A small open-addressing table of packed keys to indexes, reused from
/// group to group (0 = empty; [`id_key`] is never 0). Its slot comes from the
/// low bits of [`key_hash`]: callers group keys by the high bits.
#[derive(Default)]
pub(crate) struct SmallTable {
    keys: Vec<u128>,
    values: Vec<u32>,
    mask: usize,
}

impl SmallTable {
    /// Empties the table, sized for `n` keys.
    pub(crate) fn reset(&mut self, n: usize) {
        let cap = (n * 2).next_power_of_two().max(16);
        self.keys.clear();
        self.keys.resize(cap, 0);
        self.values.resize(cap, 0);
        self.mask = cap - 1;
    }

    /// The value of `key`, inserting `value` when it is absent.
    #[inline]
    pub(crate) fn insert(&mut self, key: u128, value: u32) -> u32 {
        // Low bits: the high ones chose the group.
        let mut i = key_hash(key) as usize & self.mask;
        loop {
            let k = self.keys[i];
            if k == key {
                return self.values[i];
            }
            if k == 0 {
                self.keys[i] = key;
                self.values[i] = value;
                return value;
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_ids() {
        let mut i = Interner::default();
        assert_eq!(i.intern("C1"), (0, true));
        assert_eq!(i.intern("a-very-long-customer-id-0001"), (1, true));
        assert_eq!(i.intern("C1"), (0, false));
        assert_eq!(i.intern("a-very-long-customer-id-0001"), (1, false));
        assert_eq!(i.intern("张三丰"), (2, true));
        assert_eq!(i.intern(""), (3, true));
        // same bytes, different length: distinct
        assert_eq!(i.intern("C1\0"), (4, true));
        assert_eq!(i.ids().get(2), "张三丰");
        assert_eq!(i.ids().iter().count(), 5);
    }

    #[test]
    fn many_ids_survive_growth() {
        let mut t = Interner::default();
        for round in 0..2 {
            for i in 0..20_000u32 {
                let id = if i % 7 == 0 { format!("a-long-customer-identifier-{i}") } else { format!("{i}") };
                assert_eq!(t.intern(&id), (i, round == 0), "{id}");
            }
        }
        assert_eq!(t.ids().get(19_998), "19998");
        assert_eq!(t.ids().get(19_999), "a-long-customer-identifier-19999");
    }

    #[test]
    fn keys_distinguish_length_and_long_ids() {
        assert_ne!(id_key(b"C1"), id_key(b"C1\0"));
        assert_ne!(id_key(b"C1"), 0);
        assert_ne!(id_key(&[b'x'; 40]), id_key(&[b'x'; 41]));
        assert_eq!(id_key(&[b'x'; 40]) >> 120, 0xFF);
    }

    #[test]
    fn merger_numbers_like_the_interner() {
        let list = |ids: &[String]| {
            let mut a = IdArena::default();
            ids.iter().for_each(|id| {
                a.push(id);
            });
            a
        };
        let id = |i: u32| if i.is_multiple_of(5) { format!("a-long-customer-identifier-{i}") } else { format!("C{i}") };
        let a: Vec<String> = (0..30_000).map(id).collect();
        let mut b: Vec<String> = (20_000..50_000).rev().map(id).collect();
        b.push(id(7)); // an id of the first list
        b.push(id(49_999)); // repeated within the list
        let mut merger = IdMerger::new(60_000);
        let mut interner = Interner::default();
        for l in [&a, &b] {
            let got = merger.add(&list(l));
            let want: Vec<(u32, bool)> = l.iter().map(|s| interner.intern(s)).collect();
            assert_eq!(got, want);
        }
        assert_eq!(merger.len(), 50_000);
        assert_eq!(merger.into_ids(), interner.into_ids());
    }

    #[test]
    fn packed_keys_are_the_bytes_and_length() {
        for id in ["", "C", "1976334", "12345678", "123456789", "张三丰", "abcdefghijklmno"] {
            let mut k = [0u8; 16];
            k[..id.len()].copy_from_slice(id.as_bytes());
            k[15] = 0x10 | id.len() as u8;
            assert_eq!(id_key(id.as_bytes()), u128::from_le_bytes(k), "{id}");
        }
    }
}
