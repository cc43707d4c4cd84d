"""Independent Pareto / Gini reference with pandas and numpy, to check `custlens pareto`.

Usage: python pareto.py ORDERS.csv USER_COL TIME_COL AMOUNT_COL CURVE_SEGMENTS

Reads a UTF-8 orders CSV as tests/reference/rfm.py does (rows whose customer,
time or amount does not parse are dropped), sums each customer's net spend,
and prints one JSON object: customers, revenue (sum of positive net spends,
yuan), net_revenue, top20_revenue_share, customers_for_80pct_share, gini,
curve (revenue share at x = j / CURVE_SEGMENTS) and the ranking (id, spend in
cents, cumulative customer and revenue shares).

Definitions, as documented in src/engine/analyze/pareto.rs: customers with
zero or negative net spend count as customers with spend 0; ranking by net
spend descending, ties in order of first appearance; the curve is the
piecewise-linear line through (k/n, C_k/T), read with numpy.interp; Gini by
its pairwise definition sum_i sum_j |x_i - x_j| / (2 n^2 mean).
"""
import json
import sys

import numpy as np
import pandas as pd

from rfm import year_first_date


def main():
    path, ucol, tcol, acol, segments = sys.argv[1:6]
    segments = int(segments)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df[[ucol, tcol, acol]].rename(columns={ucol: "u", tcol: "t", acol: "a"})
    df["u"] = df["u"].str.strip()
    df["day"] = pd.to_datetime(df["t"].map(year_first_date), errors="coerce")
    df["yuan"] = pd.to_numeric(df["a"].str.replace("¥", "").str.replace(",", ""), errors="coerce")
    df = df[(df["u"] != "") & df["day"].notna() & df["yuan"].notna()]
    df["cents"] = (df["yuan"] * 100).round().astype("int64")
    net = df.groupby("u", sort=False)["cents"].sum()  # first-appearance order
    ranked = net.sort_values(ascending=False, kind="stable")
    n = len(ranked)
    spend = ranked.clip(lower=0).to_numpy(dtype=np.float64)
    total = spend.sum()
    cum = np.concatenate([[0.0], np.cumsum(spend)])
    x = np.arange(n + 1) / n
    y = cum / total
    paying = int((ranked > 0).sum())  # y rises strictly over the first `paying` customers
    top20 = float(np.interp(0.2, x, y))
    c80 = float(np.interp(0.8, y[: paying + 1], x[: paying + 1]))
    pairs = 0.0
    for start in range(0, n, 500):
        pairs += np.abs(np.subtract.outer(spend[start : start + 500], spend)).sum()
    gini = pairs / (2 * n * n * spend.mean())
    grid = np.arange(segments + 1) / segments
    out = {
        "customers": n,
        "customers_without_spend": n - paying,
        "revenue": total / 100,
        "net_revenue": float(ranked.sum()) / 100,
        "top20_revenue_share": top20,
        "customers_for_80pct_share": c80,
        "gini": gini,
        "curve": [float(v) for v in np.interp(grid, x, y)],
        "ranking": [[u, int(c), float(x[k + 1]), float(y[k + 1])] for k, (u, c) in enumerate(ranked.items())],
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
