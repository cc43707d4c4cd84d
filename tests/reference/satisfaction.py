"""Independent satisfaction reference with pandas and numpy, to check `custlens satisfaction`.

Usage: python satisfaction.py SURVEYS.csv DATE NPS CSAT CES TICKETS.csv CREATED TYPE HOURS RATING SLA EDGES

EDGES are the resolution-time histogram edges in hours, comma-separated (the
last bin is open). Prints one JSON object shaped like the engine's result
(surveys.csat/nps/ces, tickets.types/resolution/satisfaction).

Definitions, as documented in src/engine/analyze/satisfaction.rs: a score is a
whole number on its scale (blank cells are `blank`, anything else off the
scale or not a number `invalid`); CSAT = share of 4-5 among valid 1-5
answers; NPS = 100 * (share 9-10 - share 0-6) among valid 0-10 answers; CES
and the ticket rating = mean of valid 1-5 answers; trends by the month of the
(year-first) date, undated answers in no month. Resolution hours: numbers
>= 0; mean, numpy median and 90th percentile; share <= SLA; histogram bins
[e_i, e_i+1) with the last one open.
"""
import json
import sys

import numpy as np
import pandas as pd

from rfm import year_first_date


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def months(df, col):
    d = pd.to_datetime(df[col].map(year_first_date), errors="coerce")
    return d.dt.strftime("%Y-%m")  # NaN when undated


def figure(scale, scores):
    n = len(scores)
    if n == 0:
        return None
    if scale == "csat":
        return float((scores >= 4).sum() / n)
    if scale == "nps":
        return float(100 * ((scores >= 9).sum() / n - (scores <= 6).sum() / n))
    return float(scores.mean())


def score(df, col, scale, month):
    lo, hi = (0, 10) if scale == "nps" else (1, 5)
    text = df[col].str.strip()
    x = pd.to_numeric(text, errors="coerce")
    valid = x.notna() & (x % 1 == 0) & (x >= lo) & (x <= hi)
    blank = text == ""
    v = x[valid].astype(int)
    m = month[valid]
    counts = [int((v == s).sum()) for s in range(lo, hi + 1)]
    trend = [
        {"month": k, "answers": int(len(g)), "value": figure(scale, g)}
        for k, g in v.groupby(m).__iter__()
    ]
    return {
        "column": col,
        "scale": scale,
        "answers": int(valid.sum()),
        "blank": int(blank.sum()),
        "invalid": int((~valid & ~blank).sum()),
        "value": figure(scale, v),
        "mean": float(v.mean()) if len(v) else None,
        "counts": [{"score": s, "count": c} for s, c in zip(range(lo, hi + 1), counts)],
        "undated": int(m.isna().sum()),
        "trend": trend,
    }


def main():
    spath, sdate, nps, csat, ces, tpath, created, ttype, hours, rating, sla, edges = sys.argv[1:13]
    s = read(spath)
    sm = months(s, sdate)
    surveys = {
        "rows_in": len(s),
        "csat": score(s, csat, "csat", sm),
        "nps": score(s, nps, "nps", sm),
        "ces": score(s, ces, "ces", sm),
    }
    t = read(tpath)
    types = t[ttype].str.strip()
    counts = types[types != ""].value_counts()
    typed = int(counts.sum())
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], [ord(c) for c in kv[0]]))
    htext = t[hours].str.strip()
    h = pd.to_numeric(htext, errors="coerce")
    hvalid = h.notna() & np.isfinite(h) & (h >= 0)
    hv = h[hvalid].to_numpy(dtype=float)
    e = [float(x) for x in edges.split(",")]
    idx = np.searchsorted(np.array(e), hv, side="right") - 1
    sla = float(sla)
    within = int((hv <= sla).sum())
    tickets = {
        "rows_in": len(t),
        "types": [{"value": k, "count": int(c), "share": c / typed} for k, c in ordered],
        "blank_type": int((types == "").sum()),
        "resolution": {
            "count": len(hv),
            "blank": int((htext == "").sum()),
            "invalid": int((~hvalid & (htext != "")).sum()),
            "mean": float(hv.mean()),
            "median": float(np.median(hv)),
            "p90": float(np.percentile(hv, 90)),
            "max": float(hv.max()),
            "histogram": [{"lo": e[i], "count": int((idx == i).sum())} for i in range(len(e))],
            "within_sla": within,
            "within_sla_share": within / len(hv),
        },
        "satisfaction": score(t, rating, "rating", months(t, created)),
    }
    print(json.dumps({"surveys": surveys, "tickets": tickets}, ensure_ascii=False))


if __name__ == "__main__":
    main()
