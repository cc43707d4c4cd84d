"""Independent cohort / retention reference with pandas and numpy, to check `custlens cohorts`.

Usage: python cohorts.py ORDERS.csv USER_COL TIME_COL AMOUNT_COL PERIOD MAX_PERIODS [COHORT:OFFSET ...]

PERIOD is "month" or "week". Prints one JSON object shaped like the engine's
result: excluded (reason -> rows), customers, cohorts (period label, size,
retained counts with null where not observed), average_retention, repurchase
(customers, rate, median and mean interval) and churn_trend; with cells COHORT:OFFSET after the arguments, also "members":
{cell: [the ids counted in that cell, sorted]}.

Definitions, as documented in src/engine/analyze/cohort.rs: a purchase is a
row with a customer id, a readable time (year-first dates, as rfm.py reads
them) and an amount >= 0 (blank or non-numeric amounts and refunds are left
out); purchases count by day. A customer's cohort is the period of their first
purchase day; cell (c, k) counts the cohort's customers with a purchase in
period c + k, not observed after the last period with a purchase. Weeks are
ISO weeks starting on Monday. The repurchase interval is the days from the
first to the second distinct purchase day. The monthly churn rate of month m
is the share of customers active in m - 1 with no purchase in m.
"""
import json
import sys

import numpy as np
import pandas as pd

from rfm import year_first_date


def reasons(df):
    """The first problem of each row, in the engine's order of checks."""
    amount = pd.to_numeric(df["a"].str.strip().str.replace("¥", "").str.replace(",", ""), errors="coerce")
    r = pd.Series([None] * len(df), index=df.index, dtype=object)
    checks = [
        ("blank_customer", df["u"] == ""),
        ("blank_time", df["t"].str.strip() == ""),
        ("bad_time", df["day"].isna()),
        ("bad_amount", amount.isna()),
        ("refund", amount < 0),
    ]
    for name, mask in checks:
        r = r.where(r.notna() | ~mask, name)
    return r


def main():
    path, ucol, tcol, acol, period, max_periods = sys.argv[1:7]
    width = int(max_periods) + 1
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df[[ucol, tcol, acol]].rename(columns={ucol: "u", tcol: "t", acol: "a"})
    df["u"] = df["u"].str.strip()
    df["day"] = pd.to_datetime(df["t"].map(year_first_date), errors="coerce")
    df["why"] = reasons(df)
    excluded = {k: int(v) for k, v in df["why"].value_counts().items()}
    p = df[df["why"].isna()][["u", "day"]].drop_duplicates()

    if period == "month":
        p["start"] = p["day"].dt.to_period("M").dt.start_time
        label = lambda s: s.strftime("%Y-%m")
        steps = lambda a, b: (b.dt.year - a.dt.year) * 12 + (b.dt.month - a.dt.month)
    else:
        p["start"] = p["day"] - pd.to_timedelta(p["day"].dt.weekday, unit="D")
        label = lambda s: f"{s.isocalendar()[0]:04d}-W{s.isocalendar()[1]:02d}"
        steps = lambda a, b: (b - a).dt.days // 7
    first = p.groupby("u")["start"].min().rename("cohort")
    p = p.join(first, on="u")
    p["k"] = steps(p["cohort"], p["start"])
    last = p["start"].max()
    sizes = first.value_counts().sort_index()
    counts = p[p["k"] < width].groupby(["cohort", "k"])["u"].nunique()
    cohorts = []
    sums = np.zeros((width, 2))
    for c, size in sizes.items():
        row = []
        for k in range(width):
            cell_start = c + (pd.DateOffset(months=k) if period == "month" else pd.Timedelta(days=7 * k))
            if cell_start > last:
                row.append(None)
            else:
                n = int(counts.get((c, k), 0))
                row.append(n)
                sums[k] += (n, size)
        cohorts.append({"period": label(c), "customers": int(size), "retained": row})
    avg = [float(s[0] / s[1]) if s[1] > 0 else None for s in sums]

    ordered = p.sort_values(["u", "day"])
    ordered["n"] = ordered.groupby("u").cumcount()
    d0 = ordered[ordered["n"] == 0].set_index("u")["day"]
    d1 = ordered[ordered["n"] == 1].set_index("u")["day"]
    gaps = (d1 - d0.loc[d1.index]).dt.days.to_numpy(dtype=float)
    n = len(first)

    months = p.assign(m=p["day"].dt.year * 12 + p["day"].dt.month - 1)[["u", "m"]].drop_duplicates()
    active = months.groupby("m")["u"].apply(set)
    lo, hi = int(months["m"].min()), int(months["m"].max())
    trend = []
    for m in range(lo + 1, hi + 1):
        before = active.get(m - 1, set())
        now = active.get(m, set())
        churned = len(before - now)
        trend.append({
            "month": f"{m // 12:04d}-{m % 12 + 1:02d}",
            "active_before": len(before),
            "churned": churned,
            "rate": churned / len(before) if before else None,
        })
    members = {}
    for cell in sys.argv[7:]:
        name, k = cell.rsplit(":", 1)
        mine = p[p["cohort"].map(label) == name]
        members[cell] = sorted(mine[mine["k"] == int(k)]["u"].unique().tolist())
    out = {
        "excluded": excluded,
        "rows_used": int(df["why"].isna().sum()),
        "customers": n,
        "first_day": p["day"].min().strftime("%Y-%m-%d"),
        "last_day": p["day"].max().strftime("%Y-%m-%d"),
        "cohorts": cohorts,
        "average_retention": avg,
        "repurchase": {
            "customers": len(gaps),
            "rate": len(gaps) / n,
            "median_interval_days": float(np.median(gaps)) if len(gaps) else None,
            "mean_interval_days": float(np.mean(gaps)) if len(gaps) else None,
        },
        "churn_trend": trend,
    }
    if members:
        out["members"] = members
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
