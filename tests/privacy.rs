//! Privacy: property tests of masking, pseudonyms and the workspace container,
//! `custlens mask` / `keygen` / `vault` end to end, and a check against an
//! independent Python implementation (tests/reference/privacy.py).

use crate::util::{custlens, data, read_csv, reference_python, stderr, tmp};
use custlens::engine::privacy::mask::{MaskPreset, MaskRule};
use custlens::engine::privacy::pseudonym::{pseudonym, PseudonymKey};
use custlens::engine::privacy::vault::{open_with_limits, seal, KdfParams, OpenLimits};
use custlens::engine::privacy::PersonalKind;
use custlens::engine::report::export::safe_cell;
use proptest::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

// ---------------------------------------------------------------- properties

fn mobile() -> impl Strategy<Value = String> {
    (3u8..=9, 0u64..1_000_000_000).prop_map(|(second, rest)| format!("1{second}{rest:09}"))
}

/// A valid 18-digit ID number (ISO 7064 MOD 11-2 check digit).
fn id_number() -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..10, 17).prop_map(|d| {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = d.iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
        let mut s: String = d.iter().map(|x| char::from(b'0' + x)).collect();
        s.push(char::from(b"10X98765432"[(sum % 11) as usize]));
        s
    })
}

fn email() -> impl Strategy<Value = String> {
    ("[a-z][a-z0-9._+]{1,12}", "[a-z]{1,10}", prop::sample::select(vec!["com", "cn", "com.cn", "org"]))
        .prop_map(|(l, d, t)| format!("{l}@{d}.{t}"))
}

fn all_rules() -> Vec<MaskRule> {
    let mut r = vec![MaskRule::Full];
    for k in PersonalKind::ALL {
        r.extend_from_slice(MaskRule::for_kind(k));
    }
    r
}

fn key(b: u8) -> PseudonymKey {
    PseudonymKey::from_bytes(&[b; 32]).expect("32 bytes")
}

/// Cheap Argon2id: these tests are about the container, not the parameters.
const FAST: KdfParams = KdfParams::Argon2id { m_kib: 64, t: 1, p: 1 };
/// Limits that keep a flipped parameter byte from asking for much work.
const LIMITS: OpenLimits = OpenLimits { max_m_kib: 4096, max_t: 4, max_p: 4, max_iterations: 5000 };

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn masks_never_show_a_valid_value(phone in mobile(), id in id_number(), mail in email(), lower in any::<bool>()) {
        let id = if lower { id.to_lowercase() } else { id };
        for (kind, v) in [(PersonalKind::Phone, &phone), (PersonalKind::IdNumber, &id), (PersonalKind::Email, &mail)] {
            let rules: Vec<MaskRule> = MaskRule::for_kind(kind).iter().copied().chain([MaskRule::Full]).collect();
            for rule in rules {
                let m = rule.apply(v);
                prop_assert!(!m.contains(v.as_str()), "{rule:?}: {v} → {m}");
                prop_assert!(!m.to_uppercase().contains(&v.to_uppercase()), "{rule:?}: {v} → {m}");
                prop_assert_eq!(rule.apply(&m), m.clone(), "idempotent");
            }
            for p in MaskPreset::ALL {
                prop_assert_ne!(p.policy().mask(kind, v), v.clone());
            }
        }
        // A phone with +86 and spaces is still masked to 3 + 4 digits.
        let spaced = format!("+86 {} {} {}", &phone[..3], &phone[3..7], &phone[7..]);
        prop_assert_eq!(MaskRule::PhoneMiddle4.apply(&spaced), format!("{}****{}", &phone[..3], &phone[7..]));
    }

    #[test]
    fn masking_any_text_never_panics_and_is_idempotent(v in "\\PC{0,24}", first in 0u16..6, last in 0u16..6) {
        let mut rules = all_rules();
        rules.push(MaskRule::Custom(custlens::engine::privacy::mask::KeepPattern { keep_first: first, keep_last: last, mask_char: '*' }));
        for rule in rules {
            let m = rule.apply(&v);
            prop_assert_eq!(rule.apply(&m), m.clone(), "{:?} on {:?}", rule, v);
        }
    }

    #[test]
    fn tokens_are_deterministic_keyed_and_normalised(phone in mobile(), k1 in any::<u8>(), k2 in any::<u8>(), dash in any::<bool>()) {
        let p = Some(PersonalKind::Phone);
        let t = pseudonym(&key(k1), p, &phone);
        prop_assert_eq!(&t, &pseudonym(&key(k1), p, &phone));
        if k1 != k2 {
            prop_assert_ne!(&t, &pseudonym(&key(k2), p, &phone));
        }
        let sep = if dash { "-" } else { " " };
        let spelled = format!("+86{sep}{}{sep}{}{sep}{}", &phone[..3], &phone[3..7], &phone[7..]);
        prop_assert_eq!(&t, &pseudonym(&key(k1), p, &spelled));
        prop_assert_eq!(&t, &pseudonym(&key(k1), p, &format!("0086{phone}")));
    }

    #[test]
    fn email_and_id_tokens_ignore_case(mail in email(), id in id_number()) {
        let k = key(9);
        let e = Some(PersonalKind::Email);
        prop_assert_eq!(pseudonym(&k, e, &mail), pseudonym(&k, e, &format!(" {} ", mail.to_uppercase())));
        let i = Some(PersonalKind::IdNumber);
        prop_assert_eq!(pseudonym(&k, i, &id), pseudonym(&k, i, &id.to_lowercase()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn vault_round_trips(plain in prop::collection::vec(any::<u8>(), 0..300), pass in "\\PC{1,20}", salt in any::<[u8; 16]>(), nonce in any::<[u8; 12]>()) {
        let sealed = seal(&plain, pass.as_bytes(), salt, nonce, FAST).expect("seal");
        prop_assert_eq!(open_with_limits(&sealed, pass.as_bytes(), &LIMITS).expect("open"), plain);
    }

    #[test]
    fn any_flipped_byte_or_truncation_is_an_error(plain in prop::collection::vec(any::<u8>(), 1..100), pos in any::<prop::sample::Index>(), bit in 0u8..8, cut in any::<prop::sample::Index>()) {
        let sealed = seal(&plain, b"pw", [5; 16], [6; 12], FAST).expect("seal");
        let mut bad = sealed.clone();
        let i = pos.index(bad.len());
        bad[i] ^= 1 << bit;
        prop_assert!(open_with_limits(&bad, b"pw", &LIMITS).is_err(), "flipped byte {i} opened");
        let short = &sealed[..cut.index(sealed.len())];
        prop_assert!(open_with_limits(short, b"pw", &LIMITS).is_err(), "truncated to {} opened", short.len());
    }
}

// ------------------------------------------------------------------ the CLI

/// Runs custlens with extra environment variables, the key and passphrase
/// variables removed unless given.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_custlens"));
    c.args(args).env_remove("CUSTLENS_HMAC_KEY").env_remove("CUSTLENS_PASSPHRASE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run custlens")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}

/// Runs of ASCII digits (and a trailing X/x) in `text`, at least `min` long.
fn digit_runs(text: &str, min: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (!cur.is_empty() && (c == 'X' || c == 'x')) {
            cur.push(c);
        } else {
            if cur.len() >= min {
                out.push(cur.clone());
            }
            cur.clear();
        }
    }
    out
}

/// Input rows of the GBK fixture (decoded), header first.
fn fixture_rows() -> Vec<Vec<String>> {
    let bytes = std::fs::read(data("personal_gbk.csv")).expect("fixture");
    let (text, _, _) = encoding_rs::GBK.decode(&bytes);
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    r.records().map(|x| x.expect("record").iter().map(str::to_string).collect()).collect()
}

#[test]
fn mask_fixture_hides_every_phone_id_email_and_card() {
    let dir = tmp();
    let out = dir.path().join("masked.csv");
    let o = run(&["mask", "--input", s(&data("personal_gbk.csv")), "--out", s(&out)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let input = fixture_rows();
    let output = read_csv(&out);
    assert_eq!(output.len(), input.len(), "row count");
    assert_eq!(output[0], input[0], "headers");
    let text = std::fs::read_to_string(&out).expect("utf-8");
    // No raw personal value from the input survives, in any spelling we can normalise.
    let digits = |v: &str| v.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '@').collect::<String>();
    for row in &input[1..] {
        for c in [2, 3, 4, 5] {
            let v = &row[c];
            if v.is_empty() {
                continue;
            }
            assert!(!text.contains(v.as_str()), "raw value {v} in output");
            let d = digits(v);
            let norm = d.strip_prefix("86").filter(|x| x.len() == 11).unwrap_or(&d);
            assert!(!text.to_uppercase().contains(&norm.to_uppercase()), "value {norm} in output");
        }
        let local = row[4].split('@').next().unwrap_or("");
        if local.len() > 1 {
            assert!(!text.contains(&format!("{local}@")), "local part {local} in output");
        }
    }
    // No run of 11+ digits at all (mobiles, IDs, cards), and every e-mail's local part is masked.
    assert_eq!(digit_runs(&text, 11), Vec::<String>::new());
    for cell in output[1..].iter().map(|r| &r[4]).filter(|c| !c.is_empty()) {
        let local = cell.split('@').next().unwrap_or("");
        assert!(local.ends_with("***") && local.chars().count() <= 4, "{cell}");
    }
    // Names and addresses.
    let names: Vec<&str> = output[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["张*", "欧*", "李*", "王*", "赵*", "钱*", "孙*", ""]);
    assert_eq!(output[1][6], "广东省深圳市南山区");
    assert_eq!(output[5][6], "江苏省南京市鼓楼区");
    assert_eq!(output[1][3], "1***************2X");
    assert_eq!(output[6][3], "1************02"); // legacy 15 digits
    assert_eq!(output[2][2], "139****9000"); // +86 139 0013 9000
                                             // Non-personal columns are the input's, cell for cell (formula-like cells
                                             // neutralised by the usual CSV convention).
    for (a, b) in input.iter().zip(&output) {
        for c in [0, 7, 8, 9] {
            assert_eq!(b[c], safe_cell(&a[c]), "column {c}");
        }
    }
    assert_eq!(output[2][9], "'=1+2");
    // The report names each column, its kind, rule and evidence.
    let log = stderr(&o);
    assert!(log.contains("手机: phone → phone_middle4"), "{log}");
    assert!(log.contains("银行卡号: bank_card → card_last4") && log.contains("[content; 7/7"), "{log}");
    assert!(log.contains("note: the 17th digit"), "{log}");
    assert!(!log.contains("消费金额"), "{log}");
}

#[test]
fn mask_marks_unmarks_and_presets() {
    let dir = tmp();
    let out = dir.path().join("m.csv");
    let fixture = data("personal_gbk.csv");
    let input = s(&fixture);
    let o = run(
        &[
            "mask",
            "--input",
            input,
            "--out",
            s(&out),
            "--preset",
            "strict",
            "--unmark",
            "收货地址",
            "--mark",
            "备注=name",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&out);
    assert_eq!(rows[1][1], "***");
    assert_eq!(rows[1][2], "*******5678");
    assert_eq!(rows[1][6], "广东省深圳市南山区科技园路1号", "unmarked column kept");
    assert_eq!(rows[1][9], "***", "marked column masked");
    assert!(stderr(&o).contains("收货地址: left as is (--unmark)"));
    let bad = run(&["mask", "--input", input, "--out", s(&out), "--mark", "nope=phone"], &[]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--mark nope: no such column (columns: 客户编号, 姓名"), "{}", stderr(&bad));
    let bad = run(&["mask", "--input", input, "--out", s(&out), "--preset", "medium"], &[]);
    assert!(stderr(&bad).contains("use one of light, standard, strict"));
}

#[test]
fn pseudonym_key_from_file_or_env_never_argv() {
    let dir = tmp();
    let key_file = dir.path().join("key.hex");
    let o = run(&["keygen", "--out", s(&key_file)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let hex = std::fs::read_to_string(&key_file).expect("key");
    assert_eq!(hex.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!run(&["keygen", "--out", s(&key_file)], &[]).status.success(), "keygen must not overwrite a key");

    let fixture = data("personal_gbk.csv");
    let input = s(&fixture);
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let o = run(&["mask", "--input", input, "--out", s(&a), "--pseudonymize", "手机", "--key-file", s(&key_file)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &["mask", "--input", input, "--out", s(&b), "--pseudonymize", "手机"],
        &[("CUSTLENS_HMAC_KEY", hex.trim())],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (ra, rb) = (read_csv(&a), read_csv(&b));
    assert_eq!(ra, rb, "same key from file and env, same tokens");
    // The column holds tokens (same for the same number), other personal columns are still masked.
    let key = PseudonymKey::from_bytes(
        &(0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex")).collect::<Vec<_>>(),
    )
    .expect("key");
    assert_eq!(ra[1][2], pseudonym(&key, Some(PersonalKind::Phone), "13812345678"));
    assert_eq!(ra[2][2], pseudonym(&key, Some(PersonalKind::Phone), "13900139000"));
    assert!(ra[1..8].iter().all(|r| r[2].starts_with("p_") && r[2].len() == 34));
    assert_eq!(ra[8][2], "");
    assert_eq!(ra[1][1], "张*");
    // A base64 key in the environment works too.
    let b64 = base64_of(key.as_bytes());
    let c = dir.path().join("c.csv");
    let o = run(&["mask", "--input", input, "--out", s(&c), "--pseudonymize", "手机"], &[("CUSTLENS_HMAC_KEY", &b64)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_csv(&c), ra);

    // No key: a clear error. A key on the command line: no such option.
    let o = run(&["mask", "--input", input, "--out", s(&c), "--pseudonymize", "手机"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let msg = stderr(&o);
    assert!(
        msg.contains("--key-file")
            && msg.contains("CUSTLENS_HMAC_KEY")
            && msg.contains("never taken from the command line"),
        "{msg}"
    );
    let o = run(&["mask", "--input", input, "--out", s(&c), "--pseudonymize", "手机", "--key", hex.trim()], &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("unexpected argument '--key'"), "{}", stderr(&o));
    let bad_key = dir.path().join("short.hex");
    std::fs::write(&bad_key, "abcd").expect("write");
    let o = run(&["mask", "--input", input, "--out", s(&c), "--pseudonymize", "手机", "--key-file", s(&bad_key)], &[]);
    assert!(stderr(&o).contains("not a pseudonym key"), "{}", stderr(&o));
}

fn base64_of(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &x)| acc | (u32::from(x) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn vault_round_trip_and_specific_errors() {
    let dir = tmp();
    let plain = data("personal_gbk.csv");
    let sealed = dir.path().join("w.custlens");
    let back = dir.path().join("back.csv");
    let pass = [("CUSTLENS_PASSPHRASE", "correct horse battery")];
    let o = run(&["vault", "seal", "--in", s(&plain), "--out", s(&sealed)], &pass);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&sealed).expect("sealed");
    assert_eq!(&bytes[..8], b"CUSTLENS");
    assert!(!bytes.windows(4).any(|w| w == b"K001"), "plaintext visible");
    // Opened with the passphrase from a file (trailing newline ignored).
    let pf = dir.path().join("pass.txt");
    std::fs::write(&pf, "correct horse battery\n").expect("write");
    let o = run(&["vault", "open", "--in", s(&sealed), "--out", s(&back), "--passphrase-file", s(&pf)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&back).expect("back"), std::fs::read(&plain).expect("plain"));

    let err = |file: &Path, env: &[(&str, &str)]| {
        let o = run(&["vault", "open", "--in", s(file), "--out", s(&back)], env);
        assert_eq!(o.status.code(), Some(2));
        stderr(&o)
    };
    assert!(err(&sealed, &[("CUSTLENS_PASSPHRASE", "wrong")]).contains("wrong passphrase"));
    let mut t = bytes.clone();
    let mid = 66 + (t.len() - 66) / 2;
    t[mid] ^= 0x01;
    let tampered = dir.path().join("t.custlens");
    std::fs::write(&tampered, &t).expect("write");
    assert!(err(&tampered, &pass).contains("altered or damaged"));
    std::fs::write(&tampered, &bytes[..40]).expect("write");
    assert!(err(&tampered, &pass).contains("truncated"));
    assert!(err(&plain, &pass).contains("not a CustLens workspace"));
    let o = run(&["vault", "open", "--in", s(&sealed), "--out", s(&back)], &[]);
    assert!(stderr(&o).contains("CUSTLENS_PASSPHRASE"), "{}", stderr(&o));
}

// --------------------------------------------------------- reference check

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/privacy.py")
}

#[test]
fn mask_and_tokens_match_python_reference_on_sample_customers() {
    let Some(py) = reference_python("pandas") else {
        eprintln!("SKIPPED: no python3 with pandas (scripts/test.sh installs one)");
        return;
    };
    let dir = tmp();
    let (orders, customers) = (dir.path().join("o.csv"), dir.path().join("c.csv"));
    let o = custlens(&[
        "sample",
        "--customers",
        "5000",
        "--seed",
        "21",
        "--orders",
        s(&orders),
        "--customers-out",
        s(&customers),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (masked, pseudo) = (dir.path().join("m.csv"), dir.path().join("p.csv"));
    let o = run(&["mask", "--input", s(&customers), "--out", s(&masked)], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    let o = run(
        &["mask", "--input", s(&customers), "--out", s(&pseudo), "--pseudonymize", "手机号"],
        &[("CUSTLENS_HMAC_KEY", hex)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r = Command::new(&py)
        .arg(script())
        .args(["mask", s(&customers), s(&masked), s(&pseudo), hex, "姓名", "手机号", "邮箱"])
        .output()
        .expect("run python");
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "reference: {out}{}", String::from_utf8_lossy(&r.stderr));
    let rows = std::fs::read_to_string(&customers).expect("customers").lines().count() - 1;
    assert!(rows > 5000, "the sample appends duplicate records");
    assert!(out.starts_with(&format!("ok {rows} rows")), "{out}");
    eprintln!("reference: {out}");
    // Raw phone numbers of the input appear nowhere in the masked output.
    let input = read_csv(&customers);
    let text = std::fs::read_to_string(&masked).expect("masked");
    let phones: HashSet<&str> = input[1..].iter().map(|r| r[2].as_str()).collect();
    assert!(phones.len() > 4000);
    assert!(digit_runs(&text, 11).is_empty());
    assert!(phones.iter().all(|p| !text.contains(p)));
}

#[test]
fn pbkdf2_vault_opens_with_python_cryptography() {
    let candidates: Vec<String> =
        std::env::var("CUSTLENS_REFERENCE_PYTHON").into_iter().chain(["python3".to_string()]).collect();
    let Some(py) = candidates
        .into_iter()
        .find(|p| Command::new(p).args(["-c", "import cryptography"]).output().is_ok_and(|o| o.status.success()))
    else {
        eprintln!("SKIPPED: no python with the cryptography module");
        return;
    };
    let dir = tmp();
    let plain = data("personal_gbk.csv");
    let sealed = dir.path().join("w.custlens");
    let o = run(
        &["vault", "seal", "--kdf", "pbkdf2", "--in", s(&plain), "--out", s(&sealed)],
        &[("CUSTLENS_PASSPHRASE", "口令 passphrase")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r = Command::new(&py)
        .arg(script())
        .args(["vault", s(&sealed), "口令 passphrase", s(&plain)])
        .output()
        .expect("python");
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "reference: {out}{}", String::from_utf8_lossy(&r.stderr));
    assert!(out.contains("600000 iterations"), "{out}");
    eprintln!("reference ({py}): {out}");
}

#[test]
fn exports_for_a_role_hold_only_what_it_may_see() {
    let dir = tmp();
    let src = dir.path().join("src");
    let o = custlens(&["sample", "--customers", "300", "--seed", "7", "--dir", s(&src)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let crm = src.join("sample_customers.csv");
    let orders = src.join("sample_orders.csv");
    let tickets = src.join("sample_tickets.csv");
    let key_file = dir.path().join("key.hex");
    assert!(run(&["keygen", "--out", s(&key_file)], &[]).status.success());
    let unify = |role: &str, out: &str| {
        let out = dir.path().join(out);
        let mut args =
            vec!["unify", "--input", s(&crm), "--input", s(&orders), "--input", s(&tickets), "--out", s(&out)];
        if !role.is_empty() {
            args.extend(["--role", role, "--key-file", s(&key_file)]);
        }
        let o = run(&args, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        read_csv(&out.join("customers.csv"))
    };
    let all = unify("", "all");
    let header = |t: &[Vec<String>]| t[0].clone();
    assert!(header(&all).contains(&"phone".to_string()) && header(&all).contains(&"total_spend".to_string()));
    // Marketing: ids as pseudonyms, no contact fields, spend kept.
    let marketing = unify("marketing", "marketing");
    let h = header(&marketing);
    for gone in ["name", "phone", "email", "birth_date", "credit_code"] {
        assert!(!h.contains(&gone.to_string()), "marketing sees {gone}: {h:?}");
    }
    assert!(h.contains(&"total_spend".to_string()) && h.contains(&"province".to_string()));
    assert_eq!(marketing.len(), all.len(), "every customer is still there");
    assert!(marketing[1..].iter().all(|r| r[0].starts_with("p_") && r[0].len() == 34), "ids are tokens");
    let ids: HashSet<&String> = all[1..].iter().map(|r| &r[0]).collect();
    assert!(marketing[1..].iter().all(|r| !ids.contains(&r[0])), "no raw id leaves");
    // The same key gives the same tokens: a second export joins with the first.
    assert_eq!(unify("marketing", "marketing2"), marketing);
    // Service: tickets, whom to call back, no spend.
    let service = unify("service", "service");
    let h = header(&service);
    assert!(h.contains(&"phone".to_string()) && h.contains(&"tickets".to_string()));
    assert!(!h.contains(&"total_spend".to_string()) && !h.contains(&"province".to_string()), "{h:?}");
    // Analyses a role may not see are refused, naming the role.
    let o = custlens(&["pareto", "--orders", s(&orders), "--role", "service", "--json"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--role service"), "{}", stderr(&o));
    // Pseudonyms need a key, never from the command line.
    let o = run(&["unify", "--input", s(&crm), "--out", s(&dir.path().join("x")), "--role", "marketing"], &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("CUSTLENS_HMAC_KEY"), "{}", stderr(&o));
}
