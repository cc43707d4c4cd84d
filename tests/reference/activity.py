"""Independent activity-class reference with pandas and numpy, to check `custlens activity`.

Usage: python activity.py EVENTS.csv USER_COL TIME_COL AS_OF ACTIVE_PER_WEEK SILENT_PER_MONTH CHURN_DAYS

AS_OF is YYYY-MM-DD or "-" for the day after the last event. Times are written
`YYYY-MM-DD HH:MM:SS`. Prints one JSON object shaped like the engine's result.

Definitions, as documented in src/engine/analyze/activity.rs: a visit is a
distinct event day before the as-of date D; churned when D - last visit > CHURN_DAYS;
else active when visits in D-28 .. D-1 divided by 4 >= ACTIVE_PER_WEEK; else
silent when visits in D-30 .. D-1 < SILENT_PER_MONTH; else regular. The trend
classifies at the first day after each month, from the first event's month,
while that day is <= D. Computed here with group-wise vectorised counts.
"""
import json
import sys

import numpy as np
import pandas as pd


def classify(visits, d, active, silent, churn):
    v = visits[visits["day"] < d]
    g = v.groupby("u")["day"]
    last = g.max()
    recent = v[v["day"] >= d - pd.Timedelta(days=28)].groupby("u")["day"].count().reindex(last.index, fill_value=0)
    month = v[v["day"] >= d - pd.Timedelta(days=30)].groupby("u")["day"].count().reindex(last.index, fill_value=0)
    cls = np.select(
        [(d - last).dt.days > churn, recent / 4 >= active, month < silent],
        ["churned", "active", "silent"],
        default="regular",
    )
    counts = pd.Series(cls).value_counts()
    return {"customers": len(last), **{k: int(counts.get(k, 0)) for k in ["active", "regular", "silent", "churned"]}}


def main():
    path, ucol, tcol, as_of, active, silent, churn = sys.argv[1:8]
    active, silent, churn = float(active), float(silent), int(churn)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df[[ucol, tcol]].rename(columns={ucol: "u", tcol: "t"})
    df["u"] = df["u"].str.strip()
    ts = pd.to_datetime(df["t"].str.strip(), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    why = pd.Series([None] * len(df), index=df.index, dtype=object)
    for name, mask in [("blank_customer", df["u"] == ""), ("blank_time", df["t"].str.strip() == ""), ("bad_time", ts.isna())]:
        why = why.where(why.notna() | ~mask, name)
    df["day"] = ts.dt.normalize()
    ok = df[why.isna()]
    d = ok["day"].max() + pd.Timedelta(days=1) if as_of == "-" else pd.Timestamp(as_of)
    after = why.isna() & (df["day"] >= d)
    why = why.where(~after, "after_as_of")
    visits = ok[ok["day"] < d][["u", "day"]].drop_duplicates()
    overall = classify(visits, d, active, silent, churn)
    trend = []
    m = visits["day"].min().to_period("M")
    while (m + 1).start_time <= d:
        end = (m + 1).start_time
        trend.append({"month": str(m), "as_of": end.strftime("%Y-%m-%d"), "counts": classify(visits, end, active, silent, churn)})
        m += 1
    n = overall["customers"]
    out = {
        "as_of": d.strftime("%Y-%m-%d"),
        "rows_in": len(df),
        "rows_used": int(why.isna().sum()),
        "excluded": {k: int(v) for k, v in why.value_counts().items()},
        "counts": overall,
        "shares": {k: overall[k] / n for k in ["active", "regular", "silent", "churned"]},
        "trend": trend,
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
