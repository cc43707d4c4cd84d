//! Counting distinct orders exactly without a set of every order number.
//!
//! Each counted (customer, order) key sets a bit in a bitset; a key whose bit
//! was already set marks that bit as "seen again". Only rows on such bits can
//! be repeats, and a second, cheap pass over just those settles them exactly.
//! Across chunks the same trick works on the bits that several chunks set.

use crate::engine::codec;
use serde::{Deserialize, Serialize};

/// A bitset indexed by the top bits of a 64-bit hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bitset {
    log2: u32,
    #[serde(with = "codec::u64s")]
    words: Vec<u64>,
}

impl Bitset {
    /// `2^log2` bits, all clear (`log2` clamped to 6–30).
    pub fn new(log2: u32) -> Bitset {
        let log2 = log2.clamp(6, 30);
        Bitset { log2, words: vec![0; 1 << (log2 - 6)] }
    }

    /// A size for about `n` keys: 8–16 bits per key, at most 2^27 bits (16 MB).
    pub fn log2_for(n: u64) -> u32 {
        (64 - n.max(1).leading_zeros() + 3).clamp(10, 27)
    }

    #[inline]
    fn slot(&self, h: u64) -> (usize, u64) {
        let i = (h >> (64 - self.log2)) as usize;
        (i >> 6, 1u64 << (i & 63))
    }

    /// Sets the bit of `h`.
    #[inline]
    pub fn set(&mut self, h: u64) {
        let (w, m) = self.slot(h);
        self.words[w] |= m;
    }

    /// Whether the bit of `h` is set.
    #[inline]
    pub fn test(&self, h: u64) -> bool {
        let (w, m) = self.slot(h);
        self.words[w] & m != 0
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Bits set in at least two of `sets` (all of one size); `None` when
    /// there are none, or the sizes differ.
    pub fn in_two_or_more(sets: &[&Bitset]) -> Option<Bitset> {
        let first = sets.first()?;
        if sets.iter().any(|s| s.log2 != first.log2) {
            return None;
        }
        let mut once = vec![0u64; first.words.len()];
        let mut twice = vec![0u64; first.words.len()];
        for s in sets {
            for ((o, t), &w) in once.iter_mut().zip(twice.iter_mut()).zip(&s.words) {
                *t |= *o & w;
                *o |= w;
            }
        }
        let out = Bitset { log2: first.log2, words: twice };
        (!out.is_empty()).then_some(out)
    }
}

/// Mixes a customer's id hash and an order number's hash into one key.
#[inline]
pub fn pair_key(user_hash: u64, order_hash: u64) -> u64 {
    // splitmix64's finaliser over the combination: well spread, cheap.
    let mut z = user_hash ^ order_hash.rotate_left(29) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Given `(key, customer)` for every counted occurrence that may repeat,
/// returns how many were counted too often per customer (a key counted k
/// times was counted k − 1 times too often).
pub fn overcounts(mut occurrences: Vec<(u64, u32)>) -> Vec<(u32, u64)> {
    occurrences.sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while i < occurrences.len() {
        let mut j = i + 1;
        while j < occurrences.len() && occurrences[j].0 == occurrences[i].0 {
            j += 1;
        }
        if j - i > 1 {
            out.push((occurrences[i].1, (j - i - 1) as u64));
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_and_overlaps() {
        let mut a = Bitset::new(10);
        let mut b = Bitset::new(10);
        assert!(!a.test(1 << 63));
        a.set(1 << 63);
        assert!(a.test(1 << 63));
        b.set(1 << 63);
        b.set(1 << 62);
        let both = Bitset::in_two_or_more(&[&a, &b]).expect("overlap");
        assert!(both.test(1 << 63));
        assert!(!both.test(1 << 62));
        assert!(Bitset::in_two_or_more(&[&Bitset::new(10), &b]).is_none());
        assert!(Bitset::in_two_or_more(&[&Bitset::new(11), &b]).is_none());
    }

    #[test]
    fn overcount_per_customer() {
        let got = overcounts(vec![(5, 1), (7, 2), (5, 1), (9, 3), (5, 1)]);
        assert_eq!(got, vec![(1, 2)]);
    }

    #[test]
    fn sizes() {
        assert_eq!(Bitset::log2_for(0), 10);
        assert_eq!(Bitset::log2_for(1_000_000), 23);
        assert_eq!(Bitset::log2_for(100_000_000), 27);
    }
}
