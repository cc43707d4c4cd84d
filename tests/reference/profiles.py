"""Independent reference for `custlens profiles`, with pandas and numpy.

Usage: python profiles.py CUSTOMERS.csv IDENTITIES.csv ORDERS.csv ORDERS_NAME EVENTS.csv EVENTS_NAME CITY_TIERS.csv TOP BINS
       [MEMBERS.json]

CUSTOMERS.csv and IDENTITIES.csv are `custlens unify --unmasked` output (the
unified customers with their CRM attributes, and the ids matched by contact
key per file); ORDERS.csv and EVENTS.csv the cleaned sources (`custlens
clean`), *_NAME their original file names as the identities name them;
CITY_TIERS.csv the ranking table (src/engine/analyze/city_tiers.csv).
Prints {"customers", "in_crm", "buyers", "as_of", "dimensions": {key: [[value,
customers, share], ...]}, "numbers": {measure: {...}}, "heat": {"source",
"counts", "customers"}}. With MEMBERS.json, also writes there who is in each
row: {dimension: {row value: [ids of the unified view, sorted]}} — the value
rows, "(other)" (known values not listed) and "(unknown)" (blank).

Definitions, as documented in src/engine/analyze/profiles.rs:
- profiled: customers with a CRM record (in_crm = 1) or a row in the orders
  or events table (ids resolved through the identity matches);
- attributes as the unified table has them; blank is unknown; values sorted
  by descending count then value (code points), the top N listed, the rest
  "(other)", then "(unknown)"; shares of all profiled customers;
- age: the age column as a number, else whole years from birth_date to the
  latest day of the resolved order and event rows; bands by whole years
  <18, 18-25, 26-35, 36-45, 46-55, 56+;
- city tier: the city, or the city without a trailing 市, in the ranking;
  other cities 三线及以下; blank unknown;
- device / OS: each customer's most frequent non-blank value in the events
  (ties: the smallest);
- spend and orders per customer with an order (orders: distinct order ids,
  a row without one is one order); order value: each order's summed amount;
- numbers: numpy linear percentiles, std ddof=1, numpy.histogram;
- heat map: events whose time has hh:mm, by weekday (Monday = 0) and hour;
  counts and distinct customers per cell.
"""
import json
import re
import sys

import numpy as np
import pandas as pd

DAY = re.compile(r"\s*(\d{4})\D(\d{1,2})\D(\d{1,2})")
CLOCK = re.compile(r"\s*(\d{4})\D(\d{1,2})\D(\d{1,2})[ T](\d{1,2}):(\d{2})")
BANDS = [(-np.inf, "<18"), (18, "18–25"), (26, "26–35"), (36, "36–45"), (46, "46–55"), (56, "56+")]
TIERS = ["一线", "新一线", "二线", "三线及以下"]
ATTRIBUTES = ["gender", "province", "city", "industry", "company_size", "member_level", "channel"]


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def day(text):
    m = DAY.match(text)
    return pd.Timestamp(int(m[1]), int(m[2]), int(m[3])) if m else pd.NaT


def clock(text):
    m = CLOCK.match(text)
    return (pd.Timestamp(int(m[1]), int(m[2]), int(m[3])).weekday(), int(m[4])) if m else None


def counts(values, n, top):
    """Rows [value, customers, share] for a Series of values ('' = unknown) of n customers."""
    known = values[values != ""]
    items = sorted(known.value_counts().items(), key=lambda kv: (-kv[1], [ord(c) for c in kv[0]]))
    rows = [[v, int(c), c / n] for v, c in items[:top]]
    rest = sum(c for _, c in items[top:])
    if items[top:]:
        rows.append(["(other)", int(rest), rest / n])
    unknown = int((values == "").sum())
    rows.append(["(unknown)", unknown, unknown / n])
    return rows


def ordered(labels, values, n):
    rows = [[label, int((values == label).sum()), int((values == label).sum()) / n] for label in labels]
    unknown = int((values == "").sum())
    rows.append(["(unknown)", unknown, unknown / n])
    return rows


def members_of(values, rows):
    """{row value: sorted ids} for a dimension's rows, from a Series of values ('' = unknown) by id."""
    listed = [r[0] for r in rows if r[0] not in ("(other)", "(unknown)")]
    out = {v: sorted(values.index[values == v]) for v in listed}
    if any(r[0] == "(other)" for r in rows):
        out["(other)"] = sorted(values.index[(values != "") & ~values.isin(listed)])
    out["(unknown)"] = sorted(values.index[values == ""])
    return out


def summary(x, bins):
    x = np.asarray(x, dtype=float)
    if len(x) == 0:
        return None
    hist, edges = np.histogram(x, bins=bins)
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    return {
        "count": len(x), "mean": float(x.mean()), "std": float(np.std(x, ddof=1)) if len(x) > 1 else None,
        "min": float(x.min()), "q1": float(q1), "median": float(med), "q3": float(q3), "max": float(x.max()),
        "histogram": hist.tolist(), "edges": edges.tolist(),
    }


def mode(s):
    s = s[s != ""]
    if s.empty:
        return ""
    return sorted(s.value_counts().items(), key=lambda kv: (-kv[1], [ord(c) for c in kv[0]]))[0][0]


def main():
    cpath, ipath, opath, oname, epath, ename, tpath = sys.argv[1:8]
    top, bins = int(sys.argv[8]), int(sys.argv[9])
    customers = read(cpath).set_index("user_id")
    ident = read(ipath)
    ident = ident[ident["status"] == "matched"]
    matched = {(f, i): c for f, i, c in zip(ident["file"], ident["id"], ident["customer"])}

    def resolve(df, idcol, name):
        ids = df[idcol].str.strip().map(lambda i: matched.get((name, i), i))
        return df.assign(u=ids)[(ids != "") & ids.isin(customers.index)]

    orders = resolve(read(opath), "客户ID", oname)
    events = resolve(read(epath), "用户ID", ename)
    member = (customers["in_crm"] == "1") | customers.index.isin(orders["u"]) | customers.index.isin(events["u"])
    c = customers[member]
    n = len(c)
    as_of = max(orders["下单时间"].map(day).max(), events["行为时间"].map(day).max())

    def age(row):
        a = pd.to_numeric(row["age"].strip(), errors="coerce") if row["age"].strip() else np.nan
        if not np.isnan(a):
            return a
        b = day(row["birth_date"]) if row["birth_date"].strip() else pd.NaT
        if pd.isna(b) or pd.isna(as_of) or b > as_of:
            return np.nan
        return as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))

    ages = c.apply(age, axis=1)
    band = ages.map(lambda a: "" if np.isnan(a) else [label for lo, label in BANDS if np.floor(a) >= lo][-1])

    table = {}
    with open(tpath, encoding="utf-8") as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for line in lines[1:]:
        city, tier = line.split(",")
        table[city] = tier

    def tier(city):
        city = city.strip()
        if city == "":
            return ""
        return table.get(city, table.get(city[:-1] if city.endswith("市") else city, "三线及以下"))

    dims = {"age_band": ordered([b for _, b in BANDS], band, n)}
    who = {"age_band": members_of(band, dims["age_band"])}
    for a in ATTRIBUTES:
        dims[a] = counts(c[a].str.strip(), n, top)
        who[a] = members_of(c[a].str.strip(), dims[a])
        if a == "city":
            tiers = c["city"].map(tier)
            dims["city_tier"] = ordered(TIERS, tiers, n)
            who["city_tier"] = members_of(tiers, dims["city_tier"])
    for key, col in (("device", "设备"), ("os", "操作系统")):
        if col in events.columns:
            modes = events.assign(v=events[col].str.strip()).groupby("u")["v"].apply(mode)
        else:
            modes = pd.Series(dtype=str)
        values = modes.reindex(c.index).fillna("")
        dims[key] = counts(values, n, top)
        who[key] = members_of(values, dims[key])

    amount = pd.to_numeric(orders["订单金额"].str.strip(), errors="coerce").fillna(0.0)
    orders = orders.assign(amount=amount, oid=orders["订单号"].str.strip())
    with_id = orders[orders["oid"] != ""].groupby(["u", "oid"], sort=False)["amount"].sum().reset_index()
    without = orders[orders["oid"] == ""][["u", "amount"]]
    per_order = pd.concat([with_id[["u", "amount"]], without])
    spend = orders.groupby("u")["amount"].sum()
    count = per_order.groupby("u").size()
    buyers = [u for u in c.index if u in count.index]
    numbers = {
        "age": summary(ages.dropna(), bins),
        "spend": summary(spend.reindex(buyers), bins),
        "orders": summary(count.reindex(buyers), bins),
        "order_value": summary(per_order["amount"], bins),
    }

    timed = events.assign(cell=events["行为时间"].map(clock))
    timed = timed[timed["cell"].notna()]
    heat = np.zeros((7, 24), dtype=int)
    people = np.zeros((7, 24), dtype=int)
    for (d, h), g in timed.groupby("cell"):
        heat[d, h] = len(g)
        people[d, h] = g["u"].nunique()

    if len(sys.argv) > 10:
        with open(sys.argv[10], "w", encoding="utf-8") as f:
            json.dump(who, f, ensure_ascii=False)
    print(json.dumps({
        "customers": n,
        "in_crm": int((c["in_crm"] == "1").sum()),
        "buyers": len(buyers),
        "as_of": None if pd.isna(as_of) else as_of.strftime("%Y-%m-%d"),
        "dimensions": dims,
        "numbers": numbers,
        "heat": {"source": "events", "counts": heat.tolist(), "customers": people.tolist()},
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
