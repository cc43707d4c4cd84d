//! Quantiles with the same definition as numpy's default (`linear`) and
//! pandas' `quantile`, so figures can be checked against them.

/// The `p`-quantile (0 ≤ p ≤ 1) of ascending `sorted` values, linearly
/// interpolated between the two nearest ranks. `None` when empty.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    Some(if frac == 0.0 { sorted[lo] } else { sorted[lo] + frac * (sorted[hi] - sorted[lo]) })
}

/// The 20th, 40th, 60th and 80th percentiles: quintile breakpoints.
///
/// The same values as [`quantile_sorted`] on the sorted values, found by
/// selection instead of a full sort: each needs only its rank's value and
/// the next one up.
pub fn quintile_breaks(values: &[f64]) -> [f64; 4] {
    let mut v = values.to_vec();
    let n = v.len();
    if n == 0 {
        return [0.0; 4];
    }
    // Ranks only grow: each selection works on what lies above the last.
    let mut from = 0;
    [0.2, 0.4, 0.6, 0.8].map(|p| {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        let frac = h - lo as f64;
        let (_, &mut at, above) = v[from..].select_nth_unstable_by(lo - from, f64::total_cmp);
        from = lo;
        match above.iter().copied().min_by(f64::total_cmp) {
            Some(next) if frac != 0.0 => at + frac * (next - at),
            _ => at,
        }
    })
}

/// How many breakpoints `x` is above (0–4): its 0-based quintile. Values equal
/// to a breakpoint fall in the lower quintile (as pandas `qcut`'s right-closed bins).
#[inline]
pub fn quintile_of(x: f64, breaks: &[f64; 4]) -> u8 {
    breaks.iter().filter(|&&b| x > b).count() as u8
}

/// Each value's percentile rank as pandas' `rank(method="average", pct=True)`:
/// its rank among all values (1 = smallest; tied values share the mean of
/// their ranks) divided by their number. In `(0, 1]`.
pub fn percent_ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // 1-based ranks start+1 ..= end; their mean:
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank / n as f64;
        }
        start = end;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4, 10], [20, 40, 60, 80]) = [1.8, 2.6, 3.4, 5.2]
        let b = quintile_breaks(&[4.0, 1.0, 10.0, 3.0, 2.0]);
        let want = [1.8, 2.6, 3.4, 5.2];
        for (got, want) in b.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        assert_eq!(quantile_sorted(&[5.0], 0.3), Some(5.0));
        assert_eq!(quantile_sorted(&[], 0.3), None);
    }

    #[test]
    fn selection_gives_the_sorted_quantiles() {
        let mut x: u64 = 7;
        for n in 1..300 {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    // Few distinct values for some sizes (ties), many for others.
                    ((x >> 33) % if n % 2 == 0 { 7 } else { 1000 }) as f64 - 3.5
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let want = [0.2, 0.4, 0.6, 0.8].map(|p| quantile_sorted(&sorted, p).unwrap_or(0.0));
            assert_eq!(quintile_breaks(&values), want, "n = {n}");
        }
        assert_eq!(quintile_breaks(&[]), [0.0; 4]);
    }

    #[test]
    fn ties_share_a_quintile() {
        let b = quintile_breaks(&[1.0, 1.0, 1.0, 1.0, 2.0, 3.0]);
        assert_eq!(quintile_of(1.0, &b), 0);
        assert_eq!(quintile_of(3.0, &b), 4);
    }

    #[test]
    fn percent_ranks_average_ties() {
        // pandas.Series([3, 1, 2, 1, 1]).rank(pct=True) = [1.0, 0.4, 0.8, 0.4, 0.4]
        assert_eq!(percent_ranks(&[3.0, 1.0, 2.0, 1.0, 1.0]), vec![1.0, 0.4, 0.8, 0.4, 0.4]);
        assert_eq!(percent_ranks(&[-1.0, -10.0]), vec![1.0, 0.5]);
        assert!(percent_ranks(&[]).is_empty());
    }
}
