"""Independent channel and attribution reference with pandas and numpy, to check `custlens channels`.

Usage: python channels.py CHANNELS.csv TOUCHPOINTS.csv ORDERS.csv LOOKBACK_DAYS

The files are the sample's (headers 月份/渠道/访客数/点击数/订单数/投放费用,
客户ID/渠道/触点时间, 订单号/客户ID/下单时间/订单金额). Prints one JSON object:
{"attribution": {orders, revenue, orders_touched, orders_direct,
 "models": {model: {channel: {orders, revenue, revenue_share}}},
 "new_customers": {channel: n}},
 "channels": {channel: figures}, "by_period": {"channel|period": figures}}
with money in units of 0.0001 (integers).

Definitions, as documented in src/engine/analyze/channels.rs: an order is an
order id of a customer (lines summed, the earliest time); rows without a
customer, a readable year-first time or an amount are left out; refunds stay
in. An order's touchpoints are the customer's touches at most LOOKBACK days
before it and not after it, in time order (ties in file order). First/last
touch: all to the first/last; linear: floor(u/n) each, one unit more for the
first u mod n; position-based: one touch all, two: floor(u/2) and the rest,
n >= 3: floor(2u/5) to the first and last, the rest shared linearly by the
middle ones (order shares 0.4, 0.2/(n-2), 0.4). No touch: "(direct / none)".
New customers: the first touch of each customer's first order. Channel table
revenue: last touch; per period by the order's month.
"""
import datetime as dt
import json
import re
import sys
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

DIRECT = "(direct / none)"
EPOCH = dt.datetime(1970, 1, 1)
TS = re.compile(r"\s*(\d{4})\D(\d{1,2})\D(\d{1,2})(?:\D+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def seconds(text):
    m = TS.match(text)
    if not m:
        return None
    try:
        d = dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError:
        return None
    return int((d - EPOCH).total_seconds())


def units(text):
    t = text.strip().replace("¥", "").replace(",", "")
    try:
        return int(Decimal(t) * 10000) if t else None
    except InvalidOperation:
        return None


def month(secs):
    d = EPOCH + dt.timedelta(seconds=int(secs))
    return f"{d.year:04d}-{d.month:02d}"


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load_orders(path):
    o = read(path).rename(columns={"订单号": "oid", "客户ID": "u", "下单时间": "t", "订单金额": "a"})
    o["u"] = o["u"].str.strip()
    o["at"] = o["t"].map(seconds)
    o["units"] = o["a"].map(units)
    o = o[(o["u"] != "") & o["at"].notna() & o["units"].notna()].copy()
    o["oid"] = [x if x.strip() else f"#{i}" for i, x in zip(o.index, o["oid"])]
    o["at"] = o["at"].astype("int64")
    o["units"] = o["units"].astype("int64")
    g = o.groupby(["u", "oid"], sort=False).agg(at=("at", "min"), units=("units", "sum")).reset_index()
    g["order"] = np.arange(len(g))
    return g


def load_touches(path):
    t = read(path).rename(columns={"客户ID": "u", "渠道": "ch", "触点时间": "tt"})
    t["u"] = t["u"].str.strip()
    t["ch"] = t["ch"].str.strip()
    t["t"] = t["tt"].map(seconds)
    t = t[(t["u"] != "") & t["t"].notna() & (t["ch"] != "")].copy()
    t["t"] = t["t"].astype("int64")
    t["row"] = np.arange(len(t))
    return t[["u", "ch", "t", "row"]]


def credit_parts(m):
    """Per model, each (order, touch) row's order share and money part."""
    n = m["n"].to_numpy()
    pos = m["pos"].to_numpy()
    u = m["units"].to_numpy()
    first, last = pos == 0, pos == n - 1
    out = {
        "first_touch": (first.astype(float), np.where(first, u, 0)),
        "last_touch": (last.astype(float), np.where(last, u, 0)),
        "linear": (1.0 / n, u // n + (pos < u % n)),
    }
    end = (u * 2) // 5
    mid_n = np.maximum(n - 2, 1)
    mid = u - 2 * end
    middle_part = mid // mid_n + ((pos - 1) < mid % mid_n)
    part = np.where(n == 1, u, np.where(n == 2, np.where(first, u // 2, u - u // 2), np.where(first | last, end, middle_part)))
    share = np.where(n == 1, 1.0, np.where(n == 2, 0.5, np.where(first | last, 0.4, 0.2 / mid_n)))
    out["position_based"] = (share, part)
    return out


def main():
    cpath, tpath, opath, lookback = sys.argv[1:5]
    lookback = int(lookback) * 86400
    orders = load_orders(opath)
    touches = load_touches(tpath)
    m = orders.merge(touches, on="u")
    m = m[(m["t"] <= m["at"]) & (m["t"] >= m["at"] - lookback)]
    m = m.sort_values(["order", "t", "row"], kind="mergesort")
    m["pos"] = m.groupby("order").cumcount()
    m["n"] = m.groupby("order")["t"].transform("size")
    touched = set(m["order"])
    direct = orders[~orders["order"].isin(touched)]
    total = int(orders["units"].sum())
    models = {}
    last_touch_rows = None
    for model, (share, part) in credit_parts(m).items():
        c = pd.DataFrame({"ch": m["ch"].to_numpy(), "share": share, "part": part, "month": m["at"].map(month).to_numpy()})
        per = c.groupby("ch").agg(orders=("share", "sum"), revenue=("part", "sum"))
        credits = {
            ch: {"orders": float(r.orders), "revenue": int(r.revenue), "revenue_share": int(r.revenue) / total}
            for ch, r in per.iterrows()
        }
        credits[DIRECT] = {
            "orders": float(len(direct)),
            "revenue": int(direct["units"].sum()),
            "revenue_share": int(direct["units"].sum()) / total,
        }
        models[model] = credits
        if model == "last_touch":
            last_touch_rows = c
    firsts = orders.sort_values(["at", "order"], kind="mergesort").drop_duplicates("u")
    first_touch = m[m["pos"] == 0].set_index("order")["ch"]
    acquired = firsts["order"].map(first_touch).fillna(DIRECT)
    firsts = firsts.assign(ch=acquired.to_numpy(), month=firsts["at"].map(month))
    new_customers = {k: int(v) for k, v in firsts["ch"].value_counts().items()}

    ch = read(cpath).rename(columns={"月份": "p", "渠道": "ch", "访客数": "uv", "点击数": "clicks", "订单数": "orders", "投放费用": "cost"})
    ch["ch"] = ch["ch"].str.strip()
    ch = ch[ch["ch"] != ""].copy()
    for col in ["uv", "clicks", "orders"]:
        x = pd.to_numeric(ch[col].str.replace(",", ""), errors="coerce")
        ch[col] = x.where((x >= 0) & (x % 1 == 0)).fillna(0).astype("int64")
    ch["cost"] = ch["cost"].map(units).fillna(0).astype("int64")

    def figures(s, revenue, new):
        uv, clicks, n, cost = int(s["uv"]), int(s["clicks"]), int(s["orders"]), int(s["cost"])
        return {
            "uv": uv,
            "clicks": clicks,
            "orders": n,
            "cost": cost,
            "click_rate": clicks / uv if uv else None,
            "conversion": n / clicks if clicks else None,
            "uv_conversion": n / uv if uv else None,
            "revenue": revenue,
            "roi": (revenue - cost) / cost if cost else None,
            "new_customers": new,
            "cac": (cost / 10000) / new if new else None,
        }

    lt = models["last_touch"]
    lt_month = last_touch_rows.groupby(["ch", "month"])["part"].sum()
    direct_month = direct.assign(month=direct["at"].map(month)).groupby("month")["units"].sum()
    new_month = firsts.groupby(["ch", "month"]).size()
    channels = {
        name: figures(s, lt.get(name, {"revenue": 0})["revenue"], new_customers.get(name, 0))
        for name, s in ch.groupby("ch")[["uv", "clicks", "orders", "cost"]].sum().iterrows()
    }
    by_period = {}
    for (name, p), s in ch.groupby(["ch", "p"])[["uv", "clicks", "orders", "cost"]].sum().iterrows():
        revenue = int(direct_month.get(p, 0)) if name == DIRECT else int(lt_month.get((name, p), 0))
        by_period[f"{name}|{p}"] = figures(s, revenue, int(new_month.get((name, p), 0)))
    attribution = {
        "lookback_days": lookback // 86400,
        "orders": len(orders),
        "revenue": total,
        "orders_touched": len(touched),
        "orders_direct": len(direct),
        "models": models,
        "new_customers": new_customers,
    }
    print(json.dumps({"attribution": attribution, "channels": channels, "by_period": by_period}, ensure_ascii=False))


if __name__ == "__main__":
    main()
