"""Independent reference for `custlens mask` and `custlens vault`, in pandas and
the Python standard library (hmac, hashlib), optionally `cryptography`.

Usage:
  python privacy.py mask INPUT.csv MASKED.csv PSEUDO.csv KEY_HEX NAME_COL PHONE_COL [EMAIL_COL]
      Checks MASKED (preset standard) and PSEUDO (PHONE_COL pseudonymised with
      KEY_HEX) against values computed here from INPUT: names → first
      character + "*", mobiles → first 3 + "****" + last 4 after removing
      +86/86, spaces and dashes, e-mails → first character of the local part
      + "***@" + the lower-case domain ("***@domain" for a one-character local
      part, "***" when not an address), tokens → "p_" + first 32 hex digits of
      HMAC-SHA-256(key, b"custlens/pseudonym/v1\\0" + 11 digits); every other
      column unchanged. Prints "ok N rows" or the first differences and exits 1.
  python privacy.py vault SEALED PASSPHRASE PLAIN
      Decrypts a PBKDF2-SHA-256 workspace file with hashlib + cryptography's
      AESGCM following the documented layout and compares with PLAIN. Exits 3
      when `cryptography` is missing.
"""
import hashlib
import hmac
import re
import struct
import sys


def norm_phone(v):
    d = re.sub(r"[\s\-()+]", "", v)
    if d.startswith("0086"):
        d = d[4:]
    elif d.startswith("86") and len(d) == 13:
        d = d[2:]
    return d if re.fullmatch(r"1[3-9]\d{9}", d) else None


def check_mask(inp, masked, pseudo, key_hex, name_col, phone_col, email_col=None):
    import pandas as pd

    key = bytes.fromhex(key_hex)
    src = pd.read_csv(inp, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    m = pd.read_csv(masked, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    p = pd.read_csv(pseudo, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(src.columns) == list(m.columns) == list(p.columns), "headers differ"
    assert len(src) == len(m) == len(p), f"row counts {len(src)} {len(m)} {len(p)}"

    def name_mask(v):
        v = v.strip()
        return "" if not v else ("*" if len(v) == 1 else v[0] + "*")

    def phone_mask(v):
        d = norm_phone(v)
        return "***" if d is None else d[:3] + "****" + d[-4:]

    def email_mask(v):
        t = v.strip()
        if not t:
            return ""
        local, at, domain = t.partition("@")
        ok = (at and local and "@" not in domain and "." in domain and not domain.startswith(".")
              and not domain.endswith(".") and not re.search(r"\s", t))
        if not ok:
            return "***"
        domain = domain.lower()
        return (local[0] + "***@" + domain) if len(local) >= 2 and local[0] != "*" else "***@" + domain

    def token(v):
        d = norm_phone(v) or v.strip()
        mac = hmac.new(key, b"custlens/pseudonym/v1\0" + d.encode(), hashlib.sha256).hexdigest()
        return "p_" + mac[:32]

    want_m = src.copy()
    want_m[name_col] = src[name_col].map(name_mask)
    want_m[phone_col] = src[phone_col].map(phone_mask)
    if email_col:
        want_m[email_col] = src[email_col].map(email_mask)
    want_p = want_m.copy()
    want_p[phone_col] = src[phone_col].map(token)
    bad = 0
    for label, want, got in [("masked", want_m, m), ("pseudonymised", want_p, p)]:
        diff = (want != got).any(axis=1)
        for i in diff[diff].index[:5]:
            print(f"{label} row {i}: want {list(want.loc[i])} got {list(got.loc[i])}")
        bad += int(diff.sum())
    distinct = p[phone_col].nunique()
    print(f"ok {len(src)} rows, {distinct} distinct tokens" if bad == 0 else f"{bad} rows differ")
    return 0 if bad == 0 else 1


def check_vault(sealed, passphrase, plain):
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        print("no cryptography module")
        return 3
    b = open(sealed, "rb").read()
    assert b[:8] == b"CUSTLENS" and b[8] == 1 and b[9] == 2, "not a v1 PBKDF2 file"
    (iterations,) = struct.unpack(">I", b[10:14])
    assert b[14:22] == bytes(8)
    salt, nonce, check = b[22:38], b[38:50], b[50:66]
    k = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, iterations, 32)
    assert hmac.new(k, b"custlens key check", hashlib.sha256).digest()[:16] == check, "key check"
    enc = hmac.new(k, b"custlens/vault/v1 encryption key", hashlib.sha256).digest()
    out = AESGCM(enc).decrypt(nonce, b[66:], b[:66])
    ok = out == open(plain, "rb").read()
    print(f"ok {len(out)} bytes, {iterations} iterations" if ok else "plaintext differs")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "mask":
        sys.exit(check_mask(*sys.argv[2:9]))
    sys.exit(check_vault(*sys.argv[2:5]))
