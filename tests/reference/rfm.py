"""Independent RFM reference with pandas and numpy, to check `custlens rfm`.

Usage: python rfm.py ORDERS.csv USER_COL TIME_COL AMOUNT_COL ORDER_COL SNAPSHOT OUT.csv

Reads a UTF-8 orders CSV (dates written year first: 2024-03-15 10:30:00,
2024/3/15, 2024年3月15日; amounts optionally with ¥ or thousands commas) and
writes per customer:
user_id, recency_days, frequency, monetary, r_score, f_score, m_score — with
numpy's default (linear) percentiles at 20/40/60/80 % as breakpoints and
pandas' right-closed bins (a value equal to a breakpoint falls in the lower
bin), R reversed. Rows whose time, amount or id do not parse are dropped, as
the engine sets them aside.
"""
import datetime as dt
import re
import sys

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


def main():
    path, ucol, tcol, acol, ocol, snapshot, out = sys.argv[1:8]
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df[[ucol, tcol, acol, ocol]].rename(columns={ucol: "u", tcol: "t", acol: "a", ocol: "o"})
    df["u"] = df["u"].str.strip()
    df["day"] = pd.to_datetime(df["t"].map(year_first_date), errors="coerce")
    df["cents"] = pd.to_numeric(df["a"].str.replace("¥", "").str.replace(",", ""), errors="coerce")
    df = df[(df["u"] != "") & df["day"].notna() & df["cents"].notna() & (df["o"].str.strip() != "")]
    df["cents"] = (df["cents"] * 100).round().astype("int64")
    first_seen = df.drop_duplicates("u")["u"].tolist()
    g = df.groupby("u", sort=False)
    snap = pd.Timestamp(snapshot)
    r = pd.DataFrame({
        "recency_days": (snap - g["day"].max()).dt.days,
        "frequency": g["o"].nunique(),
        "cents": g["cents"].sum(),
    }).loc[first_seen]

    def scores(values, reverse):
        breaks = np.percentile(values.astype(float), [20, 40, 60, 80])
        idx = np.searchsorted(breaks, values.astype(float), side="left")  # = #breaks < value
        return (5 - idx) if reverse else (1 + idx)

    r["r_score"] = scores(r["recency_days"].to_numpy(), True)
    r["f_score"] = scores(r["frequency"].to_numpy(), False)
    r["m_score"] = scores((r["cents"] / 100).to_numpy(), False)
    r["monetary"] = r["cents"].map(lambda c: f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}")
    r.index.name = "user_id"
    r[["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"]].to_csv(out, lineterminator="\n")


if __name__ == "__main__":
    main()
