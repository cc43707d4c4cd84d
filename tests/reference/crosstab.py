"""Independent cross-tab / chi-square reference with pandas, numpy and scipy,
to check `custlens crosstab`.

Usage: python crosstab.py TABLE.csv ROW_COL COL_COL ROW_BINS COL_BINS

ROW_BINS / COL_BINS: "-" for categories, "n:7" for 7 equal-width bins, or
"e:0,18,25" for bins at the given edges. Prints one JSON object: row_labels,
col_labels, counts, rows_used, excluded (rows left out), chi2, p_value, dof,
cramers_v, expected, min_expected, cells_below_5.

Definitions, as documented in src/engine/analyze/crosstab.rs: values are
trimmed text; blank cells, non-numbers in a binned column and numbers outside
given edges exclude the row. Equal-width bins are numpy.histogram's
(np.histogram_bin_edges); a value x is in bin i when edge_i <= x < edge_i+1,
the last bin closed. Categories are ordered by descending total then label,
bins by position; empty bins are left out. The test is
scipy.stats.chi2_contingency(table, correction=False); Cramér's V =
sqrt(chi2 / (N * min(r - 1, c - 1))).
"""
import json
import math
import sys

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency


def fmt_edge(x):
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def axis(values, spec):
    """Returns (group key per row or None when excluded, ordered labels or None for categories)."""
    v = values.str.strip()
    if spec == "-":
        return v.where(v != "", None), None
    num = pd.to_numeric(v.str.replace(",", "").str.replace("¥", ""), errors="coerce")
    if spec.startswith("e:"):
        edges = np.array([float(e) for e in spec[2:].split(",")])
        num = num.where((num >= edges[0]) & (num <= edges[-1]))
    else:
        edges = None
    return num, edges


def main():
    path, rcol, ccol, rspec, cspec = sys.argv[1:6]
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    r, redges = axis(df[rcol], rspec)
    c, cedges = axis(df[ccol], cspec)
    used = r.notna() & c.notna()
    r, c = r[used], c[used]

    def labels(s, spec, edges):
        if spec == "-":
            return s
        if edges is None:
            edges = np.histogram_bin_edges(s.to_numpy(dtype=float), bins=int(spec[2:]))
        idx = np.searchsorted(edges[1:-1], s.to_numpy(dtype=float), side="right")
        last = len(edges) - 2
        names = [f"[{fmt_edge(edges[i])}, {fmt_edge(edges[i + 1])}{']' if i == last else ')'}" for i in range(last + 1)]
        return pd.Series(pd.Categorical([names[i] for i in idx], categories=names, ordered=True), index=s.index)

    rl, cl = labels(r, rspec, redges), labels(c, cspec, cedges)
    table = pd.crosstab(rl, cl)  # bins keep category order; empty ones are dropped

    def order(t, axis_totals, spec):
        if spec != "-":
            return list(t)
        return sorted(t, key=lambda k: (-axis_totals[k], [ord(ch) for ch in k]))

    table = table.loc[order(table.index, table.sum(axis=1), rspec), order(table.columns, table.sum(axis=0), cspec)]
    obs = table.to_numpy()
    res = chi2_contingency(obs, correction=False)
    n = obs.sum()
    k = min(obs.shape) - 1
    out = {
        "row_labels": [str(x) for x in table.index],
        "col_labels": [str(x) for x in table.columns],
        "counts": obs.tolist(),
        "rows_used": int(used.sum()),
        "excluded": int((~used).sum()),
        "chi2": float(res.statistic),
        "p_value": float(res.pvalue),
        "dof": int(res.dof),
        "cramers_v": math.sqrt(res.statistic / (n * k)),
        "expected": res.expected_freq.tolist(),
        "min_expected": float(res.expected_freq.min()),
        "cells_below_5": int((res.expected_freq < 5).sum()),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
