"""Independent funnel reference with pandas and numpy, to check `custlens funnel`.

Usage: python funnel.py EVENTS.csv USER_COL TYPE_COL TIME_COL STEPS WINDOW_DAYS ORDER LIST_MAX

STEPS is comma-separated; ORDER is "strict" or "loose". Times are written
`YYYY-MM-DD HH:MM:SS`. Prints one JSON object shaped like the engine's result.

Definitions, as documented in src/engine/analyze/funnel.rs: rows with a blank
id, blank or unreadable time or blank type are left out (by reason, in that
order of checks). A customer enters at their first step-1 event t1; the window
is [t1, t1 + WINDOW_DAYS days]. Strict: t_k = earliest step-k event with
t_{k-1} <= t <= end. Loose: t_k = earliest step-k event with t1 <= t <= end,
reached when steps 1..k all have one. Computed here step by step over all
customers at once (merges and group minima), not per customer.
"""
import json
import sys

import numpy as np
import pandas as pd


def main():
    path, ucol, kcol, tcol, steps, window_days, order, list_max = sys.argv[1:9]
    steps = [s.strip() for s in steps.split(",")]
    window = int(window_days) * 86400
    list_max = int(list_max)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df[[ucol, kcol, tcol]].rename(columns={ucol: "u", kcol: "k", tcol: "t"})
    df["u"] = df["u"].str.strip()
    df["k"] = df["k"].str.strip()
    ts = pd.to_datetime(df["t"].str.strip(), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    df["s"] = (ts - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    why = pd.Series([None] * len(df), index=df.index, dtype=object)
    for name, mask in [
        ("blank_customer", df["u"] == ""),
        ("blank_time", df["t"].str.strip() == ""),
        ("bad_time", ts.isna()),
        ("blank_event_type", df["k"] == ""),
    ]:
        why = why.where(why.notna() | ~mask, name)
    ok = df[why.isna()]
    ev = ok[ok["k"].isin(steps)].copy()
    ev["step"] = ev["k"].map({s: i for i, s in enumerate(steps)})
    order_of = {u: i for i, u in enumerate(ev.drop_duplicates("u")["u"])}

    start = ev[ev["step"] == 0].groupby("u")["s"].min().rename("t0")
    cur = start.to_frame()
    cur["prev"] = cur["t0"]
    reached = [cur.index]
    gaps = [None]
    for k in range(1, len(steps)):
        cand = ev[ev["step"] == k][["u", "s"]].merge(cur, left_on="u", right_index=True)
        lower = cand["prev"] if order == "strict" else cand["t0"]
        cand = cand[(cand["s"] >= lower) & (cand["s"] <= cand["t0"] + window)]
        tk = cand.groupby("u")["s"].min()
        nxt = cur.loc[tk.index].copy()
        gaps.append((tk - nxt["prev"]).to_numpy(dtype=float))
        nxt["prev"] = tk
        cur = nxt
        reached.append(cur.index)

    out_steps = []
    n0 = len(reached[0])
    for k, s in enumerate(steps):
        n = len(reached[k])
        prev = len(reached[k - 1]) if k > 0 else None
        dropped = sorted(set(reached[k - 1]) - set(reached[k]), key=order_of.get) if k > 0 else []
        out_steps.append({
            "step": s,
            "customers": n,
            "conversion_from_previous": n / prev if prev else None,
            "conversion_from_start": n / n0 if n0 else None,
            "drop_off": prev - n if prev is not None else 0,
            "drop_off_rate": (prev - n) / prev if prev else None,
            "median_seconds_from_previous": float(np.median(gaps[k])) if k > 0 and len(gaps[k]) else None,
            "dropped": {"count": len(dropped), "ids": dropped[:list_max]},
        })
    out = {
        "order": order,
        "window_days": int(window_days),
        "rows_in": len(df),
        "step_events": len(ev),
        "other_events": len(ok) - len(ev),
        "excluded": {k: int(v) for k, v in why.value_counts().items()},
        "customers_with_step_events": len(order_of),
        "steps": out_steps,
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
