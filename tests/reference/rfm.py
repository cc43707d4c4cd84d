"""Independent RFM reference with pandas and numpy, to check `custlens rfm`.

Usage: python rfm.py ORDERS.csv USER_COL TIME_COL AMOUNT_COL ORDER_COL SNAPSHOT OUT.csv
         [--breaks-r A,B,C,D] [--breaks-f ...] [--breaks-m ...]
         [--scale100 WR,WF,WM] [--segments RULES.json]
         [--grid GRID.json] [--migrate-from DATE --migration MIGRATION.json]

Reads a UTF-8 orders CSV (dates written year first: 2024-03-15 10:30:00,
2024/3/15, 2024年3月15日; amounts optionally with ¥ or thousands commas) and
writes per customer:
user_id, recency_days, frequency, monetary, r_score, f_score, m_score — with
numpy's default (linear) percentiles at 20/40/60/80 % as breakpoints and
pandas' right-closed bins (a value equal to a breakpoint falls in the lower
bin), R reversed — or the user's breakpoints. Rows whose time, amount or id
do not parse are dropped, as the engine sets them aside.

Options add: `score100` = 100 × (wR·p(−recency) + wF·p(frequency) +
wM·p(monetary)) with p = pandas `rank(pct=True)` (average ranks / n), in full
precision; `segment` by a segment rules file (first rule met, else `other`;
bounds inclusive; vs_mean compares with the column means); the R × F grid
(customers and mean spend per cell) as JSON; and the migration matrix from
`--migrate-from` to SNAPSHOT (each date's RFM on the orders dated up to it,
rows = segment at A then "new", columns = segment at B then "none") as JSON,
with "members": {"i,j": [ids in that cell, sorted]} for every non-empty cell.
"""
import argparse
import datetime as dt
import json
import re

import numpy as np
import pandas as pd


def year_first_date(text):
    m = re.match(r"\s*(\d{4})\D(\d{1,2})\D(\d{1,2})", text)
    if not m:
        return None
    try:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def load(path, ucol, tcol, acol, ocol):
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df[[ucol, tcol, acol, ocol]].rename(columns={ucol: "u", tcol: "t", acol: "a", ocol: "o"})
    df["u"] = df["u"].str.strip()
    df["day"] = pd.to_datetime(df["t"].map(year_first_date), errors="coerce")
    df["cents"] = pd.to_numeric(df["a"].str.replace("¥", "").str.replace(",", ""), errors="coerce")
    df = df[(df["u"] != "") & df["day"].notna() & df["cents"].notna() & (df["o"].str.strip() != "")].copy()
    df["cents"] = (df["cents"] * 100).round().astype("int64")
    return df


def four(text):
    return None if text is None else [float(x) for x in text.split(",")]


def rfm(df, snapshot, opts):
    """Per customer (in order of first appearance): measures, scores, score100, segment."""
    first_seen = df.drop_duplicates("u")["u"].tolist()
    g = df.groupby("u", sort=False)
    snap = pd.Timestamp(snapshot)
    r = pd.DataFrame({
        "recency_days": (snap - g["day"].max()).dt.days,
        "frequency": g["o"].nunique(),
        "cents": g["cents"].sum(),
    }).loc[first_seen]

    def scores(values, user, reverse):
        breaks = np.array(user) if user is not None else np.percentile(values.astype(float), [20, 40, 60, 80])
        idx = np.searchsorted(breaks, values.astype(float), side="left")  # = #breaks < value
        return (5 - idx) if reverse else (1 + idx)

    r["r_score"] = scores(r["recency_days"].to_numpy(), four(opts.breaks_r), True)
    r["f_score"] = scores(r["frequency"].to_numpy(), four(opts.breaks_f), False)
    r["m_score"] = scores((r["cents"] / 100).to_numpy(), four(opts.breaks_m), False)
    r["monetary"] = r["cents"].map(lambda c: f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}")
    if opts.scale100:
        wr, wf, wm = [float(x) for x in opts.scale100.split(",")]
        pr = (-r["recency_days"].astype(float)).rank(method="average", pct=True)
        pf = r["frequency"].astype(float).rank(method="average", pct=True)
        pm = r["cents"].astype(float).rank(method="average", pct=True)
        r["score100"] = 100 * (wr * pr + wf * pf + wm * pm)
    if opts.segments:
        r["segment"] = segments(r, json.load(open(opts.segments, encoding="utf-8")))
    r.index.name = "user_id"
    return r


def segments(r, rules):
    """Each customer's segment name: the first rule met, else the catch-all."""
    better = {
        "r": r["recency_days"] < r["recency_days"].mean(),
        "f": r["frequency"] > r["frequency"].mean(),
        "m": (r["cents"] / 100) > (r["cents"] / 100).mean(),
    }
    column = {"r": r["r_score"], "f": r["f_score"], "m": r["m_score"], "recency_days": r["recency_days"]}
    if "score100" in r:
        column["score100"] = r["score100"]
    out = pd.Series([None] * len(r), index=r.index, dtype=object)
    for rule in rules["rules"]:
        ok = pd.Series(True, index=r.index)
        for key, bounds in rule.get("when", {}).items():
            if key == "vs_mean":
                for m, want in bounds.items():
                    if want is not None:
                        ok &= better[m] == want
                continue
            if bounds.get("min") is not None:
                ok &= column[key] >= bounds["min"]
            if bounds.get("max") is not None:
                ok &= column[key] <= bounds["max"]
        out[out.isna() & ok] = rule["name"].strip()
    return out.fillna(rules["other"]["name"].strip())


def main():
    ap = argparse.ArgumentParser()
    for a in ["orders", "ucol", "tcol", "acol", "ocol", "snapshot", "out"]:
        ap.add_argument(a)
    for a in ["--breaks-r", "--breaks-f", "--breaks-m", "--scale100", "--segments", "--grid", "--migrate-from",
              "--migration"]:
        ap.add_argument(a)
    opts = ap.parse_args()
    df = load(opts.orders, opts.ucol, opts.tcol, opts.acol, opts.ocol)
    r = rfm(df, opts.snapshot, opts)
    cols = ["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"]
    cols += [c for c in ["segment", "score100"] if c in r]
    r[cols].to_csv(opts.out, lineterminator="\n", float_format="%.12f")
    if opts.grid:
        cells = []
        for rs in range(5, 0, -1):
            for fs in range(1, 6):
                c = r[(r["r_score"] == rs) & (r["f_score"] == fs)]
                mean = None if len(c) == 0 else float((c["cents"] / 100).mean())
                cells.append({"r": rs, "f": fs, "customers": int(len(c)), "mean_monetary": mean})
        json.dump({"cells": cells}, open(opts.grid, "w"))
    if opts.migrate_from:
        rules = json.load(open(opts.segments, encoding="utf-8"))
        names = [x["name"].strip() for x in rules["rules"]] + [rules["other"]["name"].strip()]
        everyone = df.drop_duplicates("u")["u"].tolist()
        at = []
        for day in [opts.migrate_from, opts.snapshot]:
            part = df[df["day"] <= pd.Timestamp(day)]
            seg = rfm(part, day, opts)["segment"] if len(part) else pd.Series(dtype=object)
            at.append(seg.reindex(everyone))
        k = len(names)
        index = {n: i for i, n in enumerate(names)}
        counts = [[0] * (k + 1) for _ in range(k + 1)]
        for a, b in zip(at[0], at[1]):
            i = k if pd.isna(a) else index[a]
            j = k if pd.isna(b) else index[b]
            counts[i][j] += 1
        cells = {}
        for u, a, b in zip(everyone, at[0], at[1]):
            i = k if pd.isna(a) else index[a]
            j = k if pd.isna(b) else index[b]
            cells.setdefault(f"{i},{j}", []).append(u)
        members = {c: sorted(ids) for c, ids in cells.items()}
        json.dump({"segments": names, "counts": counts, "members": members}, open(opts.migration, "w"))


if __name__ == "__main__":
    main()
