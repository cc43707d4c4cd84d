//! RFM checked against an independent implementation: pandas groupby plus
//! numpy's percentiles (tests/reference/rfm.py), on the sample data.

use crate::util::{custlens, read_csv, reference_python, stderr, tmp};
use std::path::Path;
use std::process::Command;

#[test]
fn rfm_matches_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas (scripts/test.sh installs one)");
        return;
    };
    let dir = tmp();
    let orders = dir.path().join("orders.csv");
    let ours = dir.path().join("ours.csv");
    let theirs = dir.path().join("theirs.csv");
    let o = custlens(&["sample", "--customers", "5000", "--seed", "11", "--orders", orders.to_str().unwrap_or("")]);
    assert!(o.status.success(), "{}", stderr(&o));
    for snapshot in ["2025-01-01", "2025-06-30"] {
        let o = custlens(&[
            "rfm",
            "--orders",
            orders.to_str().unwrap_or(""),
            "--snapshot",
            snapshot,
            "--out",
            ours.to_str().unwrap_or(""),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/rfm.py");
        let r = Command::new(&py)
            .arg(&script)
            .args([orders.to_str().unwrap_or(""), "客户ID", "下单时间", "订单金额", "订单号", snapshot])
            .arg(&theirs)
            .output()
            .expect("run python");
        assert!(r.status.success(), "reference failed: {}", String::from_utf8_lossy(&r.stderr));
        let a = read_csv(&ours);
        let b = read_csv(&theirs);
        assert_eq!(a.len(), b.len(), "customer count");
        assert!(a.len() > 4000);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(&x[..7], &y[..7], "customer {}", x[0]);
        }
    }
}
