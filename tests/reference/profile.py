"""Independent column-profile reference with pandas and numpy, to check `custlens profile`.

Usage: python profile.py TABLE.csv TOP BINS COLUMN:KIND [COLUMN:KIND ...]

KIND is cat (counts by value), num (numeric summary) or age (numeric summary
and age bands). Prints one JSON object keyed by column.

Definitions, as documented in src/engine/analyze/distribution.rs: cells are
trimmed, blank ones are missing; categorical shares are of non-missing cells,
values by descending count then value, the rest summed as other; numbers are
cells that pandas reads after dropping ¥ and thousands commas (the others are
unusable); quartiles are numpy's linear percentiles, std has ddof=1, the
histogram is numpy.histogram's; age bands <18, 18–25, 26–35, 36–45, 46–55, 56+
by whole years (floor).
"""
import json
import sys

import numpy as np
import pandas as pd

BANDS = ["<18", "18–25", "26–35", "36–45", "46–55", "56+"]


def categorical(v, top):
    v = v[v != ""]
    counts = v.value_counts()
    items = sorted(counts.items(), key=lambda kv: (-kv[1], [ord(c) for c in kv[0]]))
    n = len(v)
    out = {"distinct": len(items), "values": [[k, int(c), c / n] for k, c in items[:top]]}
    rest = items[top:]
    out["other"] = [len(rest), int(sum(c for _, c in rest)), sum(c for _, c in rest) / n] if rest else None
    return out


def numeric(v, bins, age):
    v = v[v != ""]
    x = pd.to_numeric(v.str.replace("¥", "").str.replace(",", ""), errors="coerce")
    unusable = int(x.isna().sum())
    x = x.dropna().to_numpy(dtype=float)
    counts, edges = np.histogram(x, bins=bins)
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    out = {
        "count": len(x),
        "unusable": unusable,
        "mean": float(np.mean(x)),
        "std": float(np.std(x, ddof=1)),
        "min": float(x.min()),
        "q1": float(q1),
        "median": float(med),
        "q3": float(q3),
        "max": float(x.max()),
        "histogram": counts.tolist(),
        "edges": edges.tolist(),
    }
    if age:
        band = pd.cut(np.floor(x), [-np.inf, 17, 25, 35, 45, 55, np.inf], labels=BANDS)
        out["age_bands"] = [int((band == b).sum()) for b in BANDS]
    return out


def main():
    path, top, bins = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    out = {}
    for spec in sys.argv[4:]:
        col, kind = spec.rsplit(":", 1)
        v = df[col].str.strip()
        out[col] = {"missing": int((v == "").sum())}
        out[col].update(categorical(v, top) if kind == "cat" else numeric(v, bins, kind == "age"))
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
