"""Independent period-comparison reference with pandas, numpy and scipy, to check `custlens compare`.

Usage:
  python compare.py FILE KIND METRIC periods PERIOD MODE FROM TO
  python compare.py FILE KIND METRIC before_after DATE WINDOW

KIND is orders, events, tickets or surveys; the sample's Chinese headers are
used (orders 订单号/客户ID/下单时间/订单金额, events 用户ID/行为时间, tickets
创建时间/问题类型, surveys 调查日期/NPS评分/满意度CSAT). PERIOD is month or
week, MODE mom or yoy, FROM and TO a day or "-" (the span of the data).
Prints one JSON object shaped like the engine's result (figures as
{"money": units of 0.0001} / {"count": n} / {"share": x} / {"score": x};
the rows left out as an object reason -> rows).

Definitions, as documented in src/engine/analyze/compare.rs:
- orders rows need a customer, a readable year-first time and an amount >= 0
  (blank or non-numeric amounts and refunds left out, in that order of
  checks); revenue sums the amounts exactly; orders count distinct
  (customer, order number) pairs, a row without a number being an order of
  its own; aov = revenue / orders rounded half up to 0.0001; new buyers are
  customers whose first purchase day falls in the period;
- events rows need a customer and a time; tickets and surveys a time; CSAT and
  NPS a whole score on the scale (blank -> blank_score, other -> bad_score);
  complaints are tickets whose type contains 投诉 or "complain";
- periods are calendar months or ISO weeks (Monday start), whole, every one
  from the first to the last listed; empty ones are 0 for counts and sums and
  null for aov, csat, nps; the base is 1 period back (mom) or 12 months /
  52 weeks back (yoy); change = value - base; change_pct = change / |base|,
  null on a zero or missing base;
- before/after: [D - w, D) and [D, D + w), every day 0 when empty; Welch's
  t-test = scipy.stats.ttest_ind(after, before, equal_var=False).
Computed here with groupby over the table, independently of the engine.
"""
import json
import re
import sys
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
from scipy import stats

from rfm import year_first_date

RATIOS = {"aov", "csat", "nps"}
UNITS = {"revenue": "money", "aov": "money", "csat": "share", "nps": "score"}


def first_reason(checks, index):
    why = pd.Series([None] * len(index), index=index, dtype=object)
    for name, mask in checks:
        why = why.where(why.notna() | ~mask, name)
    return why


def units_of(text):
    t = text.strip().replace("¥", "").replace(",", "")
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return int((d * 10000).to_integral_value())


def score_of(text, lo, hi):
    t = text.strip()
    if t == "":
        return "blank"
    try:
        x = float(t)
    except ValueError:
        return "bad"
    if x != int(x) or x < lo or x > hi:
        return "bad"
    return int(x)


def read(path, kind, metric):
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    time_col = {"orders": "下单时间", "events": "行为时间", "tickets": "创建时间", "surveys": "调查日期"}[kind]
    df["day"] = pd.to_datetime(df[time_col].map(year_first_date), errors="coerce")
    blank_time = df[time_col].str.strip() == ""
    checks = []
    if kind in ("orders", "events"):
        ucol = "客户ID" if kind == "orders" else "用户ID"
        df["u"] = df[ucol].str.strip()
        checks.append(("blank_customer", df["u"] == ""))
    checks += [("blank_time", blank_time), ("bad_time", df["day"].isna())]
    if kind == "orders":
        df["units"] = df["订单金额"].map(units_of)
        checks += [("bad_amount", df["units"].isna()), ("refund", df["units"].fillna(0) < 0)]
        o = df["订单号"].str.strip()
        df["key"] = np.where(o == "", "#row" + df.index.astype(str), df["u"] + "\x1f" + o)
    if kind == "tickets":
        ty = df["问题类型"].str.strip()
        df["complaint"] = ty.str.contains("投诉") | ty.str.lower().str.contains("complain")
    if metric in ("csat", "nps"):
        col, lo, hi = ("满意度CSAT", 1, 5) if metric == "csat" else ("NPS评分", 0, 10)
        df["score"] = df[col].map(lambda t: score_of(t, lo, hi))
        checks += [("blank_score", df["score"] == "blank"), ("bad_score", df["score"] == "bad")]
    df["why"] = first_reason(checks, df.index)
    ok = df[df["why"].isna()].copy()
    rows = {
        "file": path.split("/")[-1],
        "rows_in": len(df),
        "rows_used": len(ok),
        "excluded": {k: int(v) for k, v in df["why"].value_counts().items()},
        "first_day": ok["day"].min().strftime("%Y-%m-%d"),
        "last_day": ok["day"].max().strftime("%Y-%m-%d"),
    }
    if kind == "orders":
        ok["units"] = ok["units"].astype("int64")
        first = ok.groupby("u")["day"].min()
        ok["first"] = ok["u"].map(first)
    return ok, rows


def figure(metric, g):
    """The metric over the rows `g` (a DataFrame, maybe empty)."""
    n = len(g)
    if metric == "revenue":
        return {"money": int(g["units"].sum())}
    if metric == "orders":
        return {"count": int(g["key"].nunique())}
    if metric in ("buyers", "active_customers"):
        return {"count": int(g["u"].nunique())}
    if metric == "aov":
        k = g["key"].nunique()
        if k == 0:
            return None
        q, r = divmod(int(g["units"].sum()), int(k))
        return {"money": q + (1 if 2 * r >= k else 0)}
    if metric in ("events", "tickets", "answers"):
        return {"count": n}
    if metric == "complaints":
        return {"count": int(g["complaint"].sum())}
    if metric == "csat":
        return None if n == 0 else {"share": int((g["score"] >= 4).sum()) / n}
    if metric == "nps":
        if n == 0:
            return None
        p, d = int((g["score"] >= 9).sum()), int((g["score"] <= 6).sum())
        return {"score": 100.0 * (p / n - d / n)}
    raise SystemExit(f"unknown metric {metric}")


def new_buyers(ok, in_bucket):
    firsts = ok.drop_duplicates("u")["first"]
    return {"count": int(in_bucket(firsts).sum())}


def value_of(metric, ok, in_bucket):
    if metric == "new_buyers":
        return new_buyers(ok, in_bucket)
    return figure(metric, ok[in_bucket(ok["day"])])


def num(f):
    return None if f is None else next(iter(f.values()))


def as_float(f):
    """A daily value for the statistics: money in currency units (yuan), as the engine's Money::to_f64."""
    return num(f) / 10000 if "money" in f else float(num(f))


def minus(a, b):
    if a is None or b is None:
        return None
    (k, x), y = next(iter(a.items())), num(b)
    return {k: x - y}


def rel(a, b):
    if a is None or b is None or num(b) == 0:
        return None
    x, y = num(a), num(b)
    return (x - y) / abs(y)


def period_start(day, period):
    if period == "month":
        return day.to_period("M").start_time
    return day - pd.Timedelta(days=day.weekday())


def label(start, period):
    if period == "month":
        return start.strftime("%Y-%m")
    y, w, _ = start.isocalendar()
    return f"{y:04d}-W{w:02d}"


def step(start, k, period):
    return start + (pd.DateOffset(months=k) if period == "month" else pd.Timedelta(days=7 * k))


def periods(ok, rows, metric, period, mode, frm, to):
    lag = 1 if mode == "mom" else (12 if period == "month" else 52)
    lo = pd.Timestamp(rows["first_day"] if frm == "-" else frm)
    hi = pd.Timestamp(rows["last_day"] if to == "-" else to)
    first, last = period_start(lo, period), period_start(hi, period)
    starts = []
    s = first
    while s <= last:
        starts.append(s)
        s = step(s, 1, period)
    start_of = lambda days: days.map(lambda d: period_start(d, period))
    ok = ok.assign(pstart=start_of(ok["day"]))
    if metric == "new_buyers":
        ok = ok.assign(fstart=start_of(ok["first"]))

    def value(s):
        if metric == "new_buyers":
            return {"count": int((ok.drop_duplicates("u")["fstart"] == s).sum())}
        return figure(metric, ok[ok["pstart"] == s])

    points = []
    for s in starts:
        b = step(s, -lag, period)
        v = value(s)
        # The base is computed from the data whatever the range (the engine extends it back).
        base = value(b) if (frm != "-" or b >= first) else None
        points.append({
            "period": label(s, period),
            "start": s.strftime("%Y-%m-%d"),
            "value": v,
            "base_period": label(b, period),
            "base": base,
            "change": minus(v, base),
            "change_pct": rel(v, base),
        })
    unit = UNITS.get(metric, "count")
    return {"metric": metric, "unit": unit, "period": period, "mode": mode, "points": points, "rows": rows}


def before_after(ok, rows, metric, date, window):
    d = pd.Timestamp(date)
    w = int(window)
    days = [d + pd.Timedelta(days=k - w) for k in range(2 * w)]
    first, last = pd.Timestamp(rows["first_day"]), pd.Timestamp(rows["last_day"])

    def over(lo, hi):
        return lambda s: (s >= lo) & (s < hi)

    daily = [value_of(metric, ok, over(x, x + pd.Timedelta(days=1))) for x in days]
    out = {"metric": metric, "unit": UNITS.get(metric, "count"), "date": d.strftime("%Y-%m-%d"), "window_days": w}
    samples = []
    for name, lo in [("before", d - pd.Timedelta(days=w)), ("after", d)]:
        hi = lo + pd.Timedelta(days=w)
        xs = np.array([as_float(f) for f, x in zip(daily, days) if lo <= x < hi and f is not None], dtype=float)
        samples.append(xs)
        additive = metric not in RATIOS
        out[name] = {
            "from": lo.strftime("%Y-%m-%d"),
            "to": (hi - pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            "days": w,
            "value": value_of(metric, ok, over(lo, hi)),
            "daily_mean": float(xs.mean()) if additive else None,
            "daily_sd": float(xs.std(ddof=1)) if additive and w >= 2 else None,
            "covered": bool(lo >= first and hi - pd.Timedelta(days=1) <= last),
        }
    b, a = out["before"], out["after"]
    out["change"] = minus(a["value"], b["value"])
    out["change_pct"] = rel(a["value"], b["value"])
    out["daily_mean_change"] = None if metric in RATIOS else a["daily_mean"] - b["daily_mean"]
    if metric in RATIOS:
        out["test"] = {"not_applicable": "ratio_metric"}
    elif w < 2:
        out["test"] = {"not_applicable": "too_few_days"}
    elif samples[0].var() == 0 and samples[1].var() == 0:
        out["test"] = {"not_applicable": "no_variance"}
    else:
        r = stats.ttest_ind(samples[1], samples[0], equal_var=False)
        out["test"] = {"welch": {"t": float(r.statistic), "df": float(r.df), "p_value": float(r.pvalue)}}
    out["daily"] = [{"day": x.strftime("%Y-%m-%d"), "after": bool(x >= d), "value": f} for f, x in zip(daily, days)]
    out["rows"] = rows
    return out


def main():
    path, kind, metric, what = sys.argv[1:5]
    ok, rows = read(path, kind, metric)
    if what == "periods":
        period, mode, frm, to = sys.argv[5:9]
        out = periods(ok, rows, metric, period, mode, frm, to)
    else:
        date, window = sys.argv[5:7]
        out = before_after(ok, rows, metric, date, window)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
