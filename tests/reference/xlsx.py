"""Independent check of a custlens XLSX export with openpyxl.

usage: xlsx.py WORKBOOK SHEET=CSV [SHEET=CSV ...]

Each named sheet must hold exactly the cells of the CSV export of the same
run, after the documented conversions (src/engine/report/xlsx.rs):
- a CSV cell that is a plain decimal (optional '-', no leading zeros, at most
  15 digits, not a negative zero) is a number whose number format has the
  same decimals ('0', '0.00', ...), so formatting it gives the CSV text back;
- every other non-empty cell is a string equal to the CSV cell (already
  neutralised: nothing starts with = + @ tab CR, and '-' only in a plain
  number); empty cells are blank;
- no cell is a formula; the header row is bold and frozen; columns are about
  as wide as their longest text (CJK characters count double); the sheets come
  in the order given; the creation time is 2000-01-01T00:00:00.
Prints a JSON summary; exits 1 with the first mismatches otherwise.
"""
import csv
import datetime
import json
import re
import sys
import unicodedata

import openpyxl
from openpyxl.utils import get_column_letter

PLAIN = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


def is_number_text(s):
    if not PLAIN.fullmatch(s):
        return False
    digits = s.lstrip("-").replace(".", "")
    if len(digits) > 15:
        return False
    return not (s.startswith("-") and set(digits) == {"0"})


def display_width(s):
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def shown(cell):
    """The text a spreadsheet shows for the cell."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        raise ValueError(f"{cell.coordinate}: boolean {v!r}")
    fmt = cell.number_format
    if fmt == "0":
        return str(int(v))
    m = re.fullmatch(r"0\.(0+)", fmt)
    if not m:
        raise ValueError(f"{cell.coordinate}: number {v!r} with format {fmt!r}")
    return f"{v:.{len(m.group(1))}f}"


def main():
    path, pairs = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    wb = openpyxl.load_workbook(path)
    errors = []
    summary = {"sheets": wb.sheetnames, "cells": 0, "numbers": 0, "texts": 0, "blanks": 0}
    if wb.sheetnames != [s for s, _ in pairs]:
        errors.append(f"sheets {wb.sheetnames} != {[s for s, _ in pairs]}")
    created = wb.properties.created
    if created != datetime.datetime(2000, 1, 1, 0, 0, 0):
        errors.append(f"created {created!r}")
    for sheet, csv_path in pairs:
        ws = wb[sheet]
        with open(csv_path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        if ws.freeze_panes != "A2":
            errors.append(f"{sheet}: freeze panes {ws.freeze_panes!r}")
        got = list(ws.iter_rows())
        # A sheet with only blank trailing cells has max_column < CSV width: pad.
        if len(got) != len(rows):
            errors.append(f"{sheet}: {len(got)} rows, CSV has {len(rows)}")
        for r, (xrow, crow) in enumerate(zip(got, rows)):
            for c, want in enumerate(crow):
                cell = xrow[c] if c < len(xrow) else None
                summary["cells"] += 1
                if cell is None or cell.value is None:
                    summary["blanks"] += 1
                    if want != "":
                        errors.append(f"{sheet}!R{r + 1}C{c + 1}: blank, CSV {want!r}")
                    continue
                if cell.data_type == "f":
                    errors.append(f"{sheet}!{cell.coordinate}: a formula {cell.value!r}")
                if r == 0:
                    if not cell.font.b:
                        errors.append(f"{sheet}!{cell.coordinate}: header not bold")
                    if not isinstance(cell.value, str):
                        errors.append(f"{sheet}!{cell.coordinate}: header not text")
                numeric = r > 0 and is_number_text(want)
                if numeric != isinstance(cell.value, (int, float)):
                    errors.append(f"{sheet}!{cell.coordinate}: {cell.value!r} for CSV {want!r}")
                    continue
                summary["numbers" if numeric else "texts"] += 1
                text = shown(cell)
                if text != want:
                    errors.append(f"{sheet}!{cell.coordinate}: shows {text!r}, CSV {want!r}")
                if isinstance(cell.value, str):
                    v = cell.value
                    if v[:1] in ("=", "+", "@", "\t", "\r") or (v[:1] == "-" and not PLAIN.fullmatch(v)):
                        errors.append(f"{sheet}!{cell.coordinate}: not neutralised {v!r}")
            if len(xrow) > len(crow) and any(x.value is not None for x in xrow[len(crow):]):
                errors.append(f"{sheet}: row {r + 1} has cells beyond the CSV's {len(crow)}")
        # Column widths fit the longest text (CJK counts double), within 6..60.
        # (Adjacent columns of equal width are stored as one <col min max>.)
        widths = {}
        for dim in ws.column_dimensions.values():
            for col in range(dim.min, dim.max + 1):
                widths[col] = dim.width
        for c in range(len(rows[0]) if rows else 0):
            longest = max(display_width(row[c]) for row in rows if c < len(row))
            width = widths.get(c + 1)
            if width is None:
                errors.append(f"{sheet}: column {get_column_letter(c + 1)} has no width")
                continue
            if not (min(longest, 58) <= width <= 61):
                errors.append(f"{sheet}: column {c + 1} width {width} for text {longest} wide")
    if errors:
        print("\n".join(errors[:20]), file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary, ensure_ascii=False))


main()
