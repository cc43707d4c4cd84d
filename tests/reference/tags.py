"""Independent reference for the default tags of `custlens tags`, with pandas.

Usage: python tags.py CUSTOMERS.csv IDENTITIES.csv ORDERS.csv ORDERS_NAME TICKETS.csv TICKETS_NAME EVENTS.csv EVENTS_NAME

CUSTOMERS.csv and IDENTITIES.csv are `custlens unify --unmasked` output (the
unified customers with last_satisfaction / last_nps, and the ids matched by
contact key per file); the three tables are the cleaned sources (`custlens
clean`), *_NAME their original file names as the identities name them.
Prints {"customers", "as_of", "tags": {name: count}, "overlap": {"a|b":
{"both", "jaccard"}}}.

The default tags, as in src/engine/analyze/tags.rs (a window of w days ending
at the as-of date holds days d with as_of - w < d <= as_of; the as-of date is
the latest day in the three tables):
  高价值   order amount (365 d) >= 3000 and orders (365 d) - 1 >= 3
  紧急服务 complaints (30 d) >= 1, or tickets whose type contains 物流 (7 d) >= 2 and last satisfaction < 4
  流失风险 days since the last order >= 180 and orders >= 2
  新客户   days since the first order <= 90
  推荐者   last NPS >= 9
  活跃浏览 events (30 d) >= 5
Orders are distinct order ids per customer; amounts are net sums of the rows.
"""
import json
import re
import sys
from itertools import product

import pandas as pd

DAY = re.compile(r"\s*(\d{4})\D(\d{1,2})\D(\d{1,2})")


def day(text):
    m = DAY.match(text)
    if not m:
        return pd.NaT
    try:
        return pd.Timestamp(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return pd.NaT


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def resolve(df, idcol, timecol, name, matched, known):
    ids = df[idcol].str.strip()
    ids = ids.map(lambda i: matched.get((name, i), i))
    out = df.assign(u=ids, d=df[timecol].map(day))
    return out[out["u"].isin(known) & out["d"].notna() & (out["u"] != "")]


def main():
    cpath, ipath, opath, oname, tpath, tname, epath, ename = sys.argv[1:9]
    customers = read(cpath)
    ids = customers["user_id"].tolist()
    known = set(ids)
    ident = read(ipath)
    ident = ident[ident["status"] == "matched"]
    matched = {(f, i): c for f, i, c in zip(ident["file"], ident["id"], ident["customer"])}
    orders = resolve(read(opath), "客户ID", "下单时间", oname, matched, known)
    tickets = resolve(read(tpath), "客户ID", "创建时间", tname, matched, known)
    events = resolve(read(epath), "用户ID", "行为时间", ename, matched, known)
    as_of = max(orders["d"].max(), tickets["d"].max(), events["d"].max())
    back = lambda df: (as_of - df["d"]).dt.days  # noqa: E731
    for df in (orders, tickets, events):
        df["back"] = back(df)
    orders = orders[orders["back"] >= 0]
    tickets = tickets[tickets["back"] >= 0]
    events = events[events["back"] >= 0]
    orders = orders.assign(amount=pd.to_numeric(orders["订单金额"].str.replace("¥", "").str.replace(",", ""), errors="coerce").fillna(0))

    def per(df, f, window=None):
        d = df if window is None else df[df["back"] < window]
        return f(d.groupby("u")).reindex(ids).fillna(0)

    amount365 = per(orders, lambda g: g["amount"].sum(), 365)
    count365 = per(orders, lambda g: g["订单号"].nunique(), 365)
    count_all = per(orders, lambda g: g["订单号"].nunique())
    last_back = orders.groupby("u")["back"].min().reindex(ids)
    first_back = orders.groupby("u")["back"].max().reindex(ids)
    complaint = tickets["问题类型"].str.contains("投诉") | tickets["问题类型"].str.lower().str.contains("complain")
    complaints30 = per(tickets[complaint], lambda g: g.size(), 30)
    logistics7 = per(tickets[tickets["问题类型"].str.contains("物流")], lambda g: g.size(), 7)
    events30 = per(events, lambda g: g.size(), 30)
    c = customers.set_index("user_id")
    sat = pd.to_numeric(c["last_satisfaction"].str.strip(), errors="coerce")
    nps = pd.to_numeric(c["last_nps"].str.strip(), errors="coerce")
    tags = {
        "高价值": (amount365 >= 3000) & ((count365 - 1).clip(lower=0) >= 3),
        "紧急服务": (complaints30 >= 1) | ((logistics7 >= 2) & (sat < 4)),
        "流失风险": (last_back >= 180) & (count_all >= 2),
        "新客户": first_back <= 90,
        "推荐者": nps >= 9,
        "活跃浏览": events30 >= 5,
    }
    sets = {k: set(v[v.fillna(False).astype(bool)].index) for k, v in tags.items()}
    overlap = {}
    for a, b in product(sets, sets):
        both = len(sets[a] & sets[b])
        either = len(sets[a] | sets[b])
        overlap[f"{a}|{b}"] = {"both": both, "jaccard": both / either if either else None}
    print(json.dumps({
        "customers": len(ids),
        "as_of": as_of.strftime("%Y-%m-%d"),
        "tags": {k: len(v) for k, v in sets.items()},
        "overlap": overlap,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
