//! Property tests: the CSV splitter agrees with the `csv` crate; reading a
//! file in parallel ranges equals one pass; every row is accounted for;
//! amounts and dates survive formatting round trips; the analyses keep their
//! invariants (cohort sizes add up, retention is a share, strict funnels never
//! grow, activity classes partition the customers, NPS stays in −100 … 100).

use custlens::engine::analyze::customers::Customers;
use custlens::engine::date::{parse_timestamp, Day};
use custlens::engine::ingest::record::Record;
use custlens::engine::ingest::split::{CsvSplitter, Dialect};
use custlens::engine::money::{parse_amount, Money};
use custlens::engine::pipeline::read_in_memory;
use proptest::prelude::*;

fn field() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!['a', 'b', '1', ',', ';', '"', '\n', '\r', ' ', '中', '€']), 0..8)
        .prop_map(|v| v.into_iter().collect())
}

fn split_all(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let mut s = CsvSplitter::new(bytes, Dialect { delimiter, quote: b'"' }, "p");
    let mut rec = Record::new();
    let mut out = Vec::new();
    while s.next_record(&mut rec).unwrap_or(false) {
        out.push(rec.to_strings());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn splitter_reads_what_the_csv_crate_writes(
        rows in prop::collection::vec(prop::collection::vec(field(), 1..5), 1..20),
        semicolon in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let d = if semicolon { b';' } else { b',' };
        let mut w = csv::WriterBuilder::new()
            .delimiter(d)
            .flexible(true)
            .quote_style(csv::QuoteStyle::Necessary)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(vec![]);
        for r in &rows {
            // A lone empty field would be written as an empty line; the csv crate quotes it.
            w.write_record(r).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let bytes = w.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(split_all(&bytes, d), rows);
    }

    #[test]
    fn splitter_never_panics_on_garbage(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = split_all(&bytes, b',');
    }

    #[test]
    fn amounts_round_trip(cents in -1_000_000_000_000i64..1_000_000_000_000) {
        let m = Money::from_cents(cents);
        prop_assert_eq!(parse_amount(&m.to_string()), Ok(m));
        let (sign, abs) = if cents < 0 { ("-", -cents) } else { ("", cents) };
        let whole = (abs / 100).to_string();
        let grouped: String = whole
            .chars()
            .rev()
            .collect::<Vec<_>>()
            .chunks(3)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(",")
            .chars()
            .rev()
            .collect();
        let text = format!("{sign}¥{grouped}.{:02}", abs % 100);
        prop_assert_eq!(parse_amount(&text), Ok(m));
    }

    #[test]
    fn dates_in_every_style_mean_the_same_day(days in -20_000i32..40_000, secs in 0u32..86_400) {
        let day = Day::from_days(days);
        let d = day.to_naive();
        use chrono::Datelike;
        let (y, m, dd) = (d.year(), d.month(), d.day());
        let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        for text in [
            format!("{day}"),
            format!("{y}/{m}/{dd}"),
            format!("{y}年{m}月{dd}日"),
            format!("{y}-{m:02}-{dd:02} {h:02}:{mi:02}:{s:02}"),
            format!("{y}{m:02}{dd:02}"),
        ] {
            if !(1000..=9999).contains(&y) { continue; }
            let ts = parse_timestamp(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(ts.day, day, "{}", text);
        }
    }
}

/// A random orders file: good rows, bad rows, blank lines, quoted notes with
/// line breaks; in UTF-8, with a header.
fn orders_file() -> impl Strategy<Value = String> {
    let row = (0u8..12, 0u32..40, 0i32..800, -500i64..50_000, 0u32..30, any::<bool>()).prop_map(
        |(kind, user, day, cents, order, quoted)| {
            let date = Day::from_days(19_000 + day);
            let note = if quoted { "\"say \"\"hi\"\",\nnext line\"" } else { "plain" };
            let amount = Money::from_cents(cents);
            match kind {
                0 => String::new(),                                          // blank line
                1 => format!("O{order},,{date},{amount},{note}"),            // no customer
                2 => format!("O{order},U{user},2023-02-30,{amount},{note}"), // no such date
                3 => format!("O{order},U{user},{date},N/A,{note}"),          // not a number
                4 => format!("O{order},U{user}"),                            // too few columns
                _ => format!("O{order},U{user},{date},{amount},{note}"),
            }
        },
    );
    prop::collection::vec(row, 1..120)
        .prop_map(|rows| format!("order_id,user_id,order_time,amount,note\n{}\n", rows.join("\n")))
}

fn run(bytes: &[u8], parts: usize) -> Result<Customers, String> {
    read_in_memory("p.csv", bytes, parts).map(|(_, c)| c).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn parallel_ranges_equal_one_pass_and_every_row_is_counted(text in orders_file(), parts in 2usize..6) {
        let bytes = text.as_bytes();
        let one = run(bytes, 1);
        let many = run(bytes, parts);
        match (one, many) {
            (Ok(one), Ok(many)) => {
                prop_assert!(one.account.reconciles());
                // Every data record is counted: the blank trailing line ends the file, no more.
                let records = split_all(bytes, b',').len() as u64 - 1;
                prop_assert_eq!(one.account.rows_in, records);
                prop_assert_eq!(&one.ids, &many.ids);
                prop_assert_eq!(&one.stats, &many.stats);
                prop_assert_eq!(&one.account, &many.account);
                prop_assert_eq!(&one.rejects, &many.rejects);
                // Distinct orders per customer, counted the naive way.
                let mut naive: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
                for r in split_all(bytes, b',').iter().skip(1) {
                    if r.len() >= 4 && !r[1].is_empty() && parse_timestamp(&r[2]).is_ok() && parse_amount(&r[3]).is_ok() {
                        naive.entry(r[1].clone()).or_default().insert(r[0].clone());
                    }
                }
                for (i, id) in one.ids.iter().enumerate() {
                    let want = naive.get(id).map_or(0, |s| s.len() as u64);
                    prop_assert_eq!(one.stats[i].orders, want, "customer {}", id);
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "one pass {:?} vs ranges {:?}", a.map(|c| c.account), b.map(|c| c.account)),
        }
    }
}

/// A random, messy customers table.
fn customers_table() -> impl Strategy<Value = String> {
    let row = (0u8..10, 0u32..15, 0u8..6, 0u8..5, 0u8..4).prop_map(|(kind, id, phone, gender, province)| {
        let id = if kind == 0 { String::new() } else { format!("C{id}") };
        let phone = ["13800138000", "+86 139-0013-9000", "1234", "", "１３７００１３７０００", "0086 13600136000"]
            [phone as usize];
        let gender = ["男", "F", "male", "", "?"][gender as usize];
        let province = ["广东省", "", "浙江省", "北京市"][province as usize];
        format!("{id},{phone},{gender},{province},2023/{}/5", 1 + kind % 12)
    });
    prop::collection::vec(row, 1..60)
        .prop_map(|rows| format!("客户ID,手机号,性别,省份,注册时间\n{}\n", rows.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn cleaning_accounts_for_every_row_and_is_idempotent(text in customers_table()) {
        use custlens::engine::clean::{recipe::Recipe, run::clean, table::TextTable};
        use custlens::engine::ingest::fields::{auto_map, SourceKind};
        use custlens::engine::ingest::split::{CsvSplitter, Dialect};
        let read = |t: &str| TextTable::read(&mut CsvSplitter::new(t.as_bytes(), Dialect::default(), "p"), "p").map_err(|e| TestCaseError::fail(e.to_string()));
        let table = read(&text)?;
        let mapping = auto_map(SourceKind::Customers, &table.headers);
        let recipe = Recipe::default_for(SourceKind::Customers, &mapping);
        let once = clean(&table, &mapping, &recipe);
        let q = &once.quality;
        prop_assert!(q.reconciles);
        prop_assert_eq!(q.rows_in, table.len() as u64);
        prop_assert_eq!(q.rows_in, q.rows_out + q.set_aside.values().sum::<u64>());
        // Clean the clean table again (without its flags column): nothing more to do.
        let mut again = TextTable::new(table.headers.clone());
        for r in 0..once.clean.len() {
            again.push(once.clean.row_numbers[r], once.clean.row(r).take(table.width()));
        }
        let twice = clean(&again, &mapping, &recipe);
        prop_assert_eq!(twice.quality.rows_out, q.rows_out);
        prop_assert!(twice.changes.is_empty(), "{:?}", twice.changes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn pareto_curve_rises_concavely_and_gini_matches_its_definitions(
        mut spends in prop::collection::vec(-1_000_000i64..100_000_000, 1..80),
        positive in 1i64..100_000_000,
    ) {
        use custlens::engine::analyze::pareto::{pareto, ParetoParams};
        spends.push(positive); // some revenue
        let money: Vec<Money> = spends.iter().map(|&u| Money::from_units(u)).collect();
        let p = pareto(&money, ParetoParams { max_curve_segments: 1_000 }).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let c = &p.curve;
        prop_assert_eq!(c.len(), spends.len() + 1);
        prop_assert_eq!((c[0].customer_share, c[0].revenue_share), (0.0, 0.0));
        let last = c[c.len() - 1];
        prop_assert!((last.customer_share - 1.0).abs() < 1e-12 && (last.revenue_share - 1.0).abs() < 1e-12);
        let slopes: Vec<f64> = c.windows(2).map(|w| (w[1].revenue_share - w[0].revenue_share) / (w[1].customer_share - w[0].customer_share)).collect();
        for s in slopes.windows(2) {
            prop_assert!(s[0] >= 0.0 && s[1] <= s[0] + 1e-9, "not concave: {:?}", s);
        }
        prop_assert!((0.0..1.0).contains(&p.gini), "gini {}", p.gini);
        // G = 2·(area under the Pareto curve) − 1 = 1 − 2·(area under the Lorenz curve).
        let area: f64 = c.windows(2).map(|w| (w[1].customer_share - w[0].customer_share) * (w[0].revenue_share + w[1].revenue_share) / 2.0).sum();
        prop_assert!((p.gini - (2.0 * area - 1.0)).abs() < 1e-9, "{} vs area {}", p.gini, area);
        // G = Σ_i Σ_j |x_i − x_j| / (2 n² μ) with spends clipped at 0.
        let x: Vec<f64> = spends.iter().map(|&u| u.max(0) as f64).collect();
        let n = x.len() as f64;
        let pairs: f64 = x.iter().map(|a| x.iter().map(|b| (a - b).abs()).sum::<f64>()).sum();
        let mean = x.iter().sum::<f64>() / n;
        prop_assert!((p.gini - pairs / (2.0 * n * n * mean)).abs() < 1e-9);
        // Best first: the top 20 % make at least 20 %, and 80 % needs at most 80 % of customers.
        prop_assert!(p.top20_revenue_share >= 0.2 - 1e-12 && p.top20_revenue_share <= 1.0);
        prop_assert!(p.customers_for_80pct_share <= 0.8 + 1e-12 && p.customers_for_80pct_share > 0.0);
        prop_assert!((p.ranking.revenue_share_of_top(p.customers_for_80pct_share) - 0.8).abs() < 1e-9);
    }

    #[test]
    fn crosstab_totals_add_up_and_chi_square_is_symmetric(
        cells in prop::collection::vec((0u8..5, 0u8..4), 2..200),
    ) {
        use custlens::engine::analyze::crosstab::{crosstab, AxisSpec, CrosstabParams};
        use custlens::engine::clean::table::TextTable;
        use custlens::engine::error::AnalysisError;
        let a = ["甲", "乙", "", "丙", " 甲"];
        let b = ["x", "y", "z", ""];
        let mut t = TextTable::new(vec!["a".into(), "b".into()]);
        for (i, (x, y)) in cells.iter().enumerate() {
            t.push(i as u64 + 2, [a[*x as usize], b[*y as usize]]);
        }
        let ab = CrosstabParams { rows: AxisSpec { column: 0, ..AxisSpec::default() }, cols: AxisSpec { column: 1, ..AxisSpec::default() } };
        let ba = CrosstabParams { rows: ab.cols.clone(), cols: ab.rows.clone() };
        match (crosstab(&t, &ab), crosstab(&t, &ba)) {
            (Ok(x), Ok(y)) => {
                let tab = &x.table;
                prop_assert_eq!(tab.total, x.rows_used);
                prop_assert_eq!(x.rows_in, x.rows_used + x.excluded.iter().map(|e| e.rows).sum::<u64>());
                prop_assert_eq!(tab.counts.iter().flatten().sum::<u64>(), tab.total);
                prop_assert!(x.test.chi2 >= 0.0);
                prop_assert!((0.0..=1.0).contains(&x.test.p_value));
                prop_assert!((0.0..=1.0 + 1e-12).contains(&x.test.cramers_v));
                let e_sum: f64 = x.expected.iter().flatten().sum();
                prop_assert!((e_sum - tab.total as f64).abs() < 1e-9 * tab.total as f64);
                for (row, &r) in x.expected.iter().zip(&tab.row_totals) {
                    prop_assert!((row.iter().sum::<f64>() - r as f64).abs() < 1e-9 * r as f64);
                }
                prop_assert!((x.test.chi2 - y.test.chi2).abs() <= 1e-9 * x.test.chi2.max(1.0));
                prop_assert_eq!(x.test.dof, y.test.dof);
                prop_assert_eq!(&x.table.row_labels, &y.table.col_labels);
            }
            (Err(e), Err(_)) => prop_assert!(matches!(e, AnalysisError::SingleValue { .. } | AnalysisError::NoValues { .. } | AnalysisError::NoData), "{e}"),
            (x, y) => prop_assert!(false, "{:?} vs {:?}", x.map(|v| v.test), y.map(|v| v.test)),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn profiles_account_for_every_cell(
        cells in prop::collection::vec(prop::sample::select(vec!["", " ", "x", "17", "18", "25.5", "-3", "1,000", "¥7", "56", "甲", "乙"]), 1..120),
        top in 0usize..5,
        bins in 1usize..12,
    ) {
        use custlens::engine::analyze::distribution::{distribution, ColumnRole, DistributionParams, Summary};
        use custlens::engine::clean::table::TextTable;
        let mut t = TextTable::new(vec!["v".into()]);
        for (i, c) in cells.iter().enumerate() {
            t.push(i as u64 + 2, [*c]);
        }
        let params = DistributionParams { top, bins };
        let blank = cells.iter().filter(|c| c.trim().is_empty()).count() as u64;
        let d = distribution(&t, 0, ColumnRole::Categorical, params).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(d.missing, blank);
        let Summary::Categorical(c) = d.summary else { return Err(TestCaseError::fail("not categorical")) };
        prop_assert!(c.values.len() <= top);
        let listed: u64 = c.values.iter().map(|v| v.count).sum::<u64>() + c.other.as_ref().map_or(0, |o| o.count);
        prop_assert_eq!(listed + blank, cells.len() as u64);
        if blank < cells.len() as u64 {
            let shares: f64 = c.values.iter().map(|v| v.share).sum::<f64>() + c.other.as_ref().map_or(0.0, |o| o.share);
            prop_assert!((shares - 1.0).abs() < 1e-9);
        }
        match distribution(&t, 0, ColumnRole::Age, params) {
            Ok(d) => {
                let Summary::Numeric(n) = d.summary else { return Err(TestCaseError::fail("not numeric")) };
                prop_assert_eq!(n.count + n.unusable + d.missing, cells.len() as u64);
                prop_assert_eq!(n.histogram.iter().map(|b| b.count).sum::<u64>(), n.count);
                prop_assert_eq!(n.histogram.len(), bins);
                let bands = n.age_bands.unwrap_or_default();
                prop_assert_eq!(bands.iter().map(|b| b.count).sum::<u64>(), n.count);
                prop_assert!(n.min <= n.q1 && n.q1 <= n.median && n.median <= n.q3 && n.q3 <= n.max);
                prop_assert!(n.min <= n.mean + 1e-9 && n.mean <= n.max + 1e-9);
            }
            Err(e) => prop_assert!(cells.iter().all(|c| custlens::engine::analyze::bins::number(c).is_none()), "{}", e),
        }
    }
}

/// Rows `(customer, day offset, seconds, step or type)` as a table with the
/// given headers: customer `c{n}`, time 2024-01-01 + day offset.
fn timed_table(
    headers: [&str; 3],
    rows: &[(u8, u16, u32, u8)],
    types: &[&str],
) -> custlens::engine::clean::table::TextTable {
    let mut t = custlens::engine::clean::table::TextTable::new(headers.iter().map(|h| h.to_string()).collect());
    let start = Day::from_ymd(2024, 1, 1).map_or(0, Day::days);
    for (i, &(c, d, secs, k)) in rows.iter().enumerate() {
        let ts = custlens::engine::date::Timestamp { day: Day::from_days(start + i32::from(d)), secs };
        let id = format!("c{c}");
        let time = ts.to_string();
        t.push(i as u64 + 2, [id.as_str(), types[usize::from(k) % types.len()], time.as_str()]);
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn cohorts_account_for_every_customer_and_retention_is_a_share(
        rows in prop::collection::vec((0u8..30, 0u16..400, 0u32..86_400, 0u8..3), 1..150),
        week in any::<bool>(),
        max in 0usize..10,
    ) {
        use custlens::engine::analyze::cohort::{cohorts, CohortParams};
        use custlens::engine::analyze::period::Period;
        use custlens::engine::ingest::fields::{auto_map, SourceKind};
        let t = timed_table(["客户ID", "订单金额", "下单时间"], &rows, &["10", "0", "-5"]);
        let m = auto_map(SourceKind::Orders, &t.headers);
        let period = if week { Period::Week } else { Period::Month };
        let Ok(c) = cohorts(&t, &m, CohortParams { period, max_periods: max }) else {
            prop_assert!(rows.iter().all(|r| r.3 % 3 == 2)); // only refunds
            return Ok(());
        };
        let buyers: std::collections::HashSet<u8> = rows.iter().filter(|r| r.3 % 3 != 2).map(|r| r.0).collect();
        prop_assert_eq!(c.customers as usize, buyers.len());
        prop_assert_eq!(c.cohorts.iter().map(|x| x.customers).sum::<u64>(), c.customers);
        prop_assert_eq!(c.rows_used + c.excluded.iter().map(|e| e.rows).sum::<u64>(), c.rows_in);
        for x in &c.cohorts {
            prop_assert_eq!(x.retained.len(), max + 1);
            prop_assert_eq!(x.retained[0], Some(x.customers));
            for (n, r) in x.retained.iter().zip(&x.retention) {
                prop_assert_eq!(n.is_some(), r.is_some());
                if let (Some(n), Some(r)) = (n, r) {
                    prop_assert!(*n <= x.customers && (0.0..=1.0).contains(r));
                }
            }
            // Observed cells come first: once a period is after the data's end, so are the later ones.
            prop_assert!(x.retained.windows(2).all(|w| w[0].is_some() || w[1].is_none()));
        }
        prop_assert!((0.0..=1.0).contains(&c.repurchase.rate));
        for m in &c.churn_trend {
            prop_assert!(m.churned <= m.active_before);
        }
    }

    #[test]
    fn strict_funnels_never_grow_and_loose_ones_reach_at_least_as_far(
        rows in prop::collection::vec((0u8..20, 0u16..20, 0u32..86_400, 0u8..5), 1..150),
        window in 0u32..10,
    ) {
        use custlens::engine::analyze::funnel::{funnel, FunnelParams, StepOrder};
        use custlens::engine::ingest::fields::{auto_map, SourceKind};
        let t = timed_table(["用户ID", "行为类型", "行为时间"], &rows, &["浏览", "加购", "下单", "支付", "登录"]);
        let m = auto_map(SourceKind::Events, &t.headers);
        let run = |order| funnel(&t, &m, &FunnelParams { window_days: window, order, list_max: 3, ..FunnelParams::default() });
        let (Ok(strict), Ok(loose)) = (run(StepOrder::Strict), run(StepOrder::Loose)) else {
            prop_assert!(rows.iter().all(|r| r.3 != 0)); // nobody browsed
            return Ok(());
        };
        prop_assert_eq!(strict.steps[0].customers, loose.steps[0].customers);
        for f in [&strict, &loose] {
            let n: Vec<u64> = f.steps.iter().map(|s| s.customers).collect();
            prop_assert!(n.windows(2).all(|w| w[0] >= w[1]), "{:?}", n);
            for (k, s) in f.steps.iter().enumerate().skip(1) {
                prop_assert_eq!(s.drop_off, n[k - 1] - n[k]);
                prop_assert_eq!(s.dropped.count, s.drop_off);
                prop_assert_eq!(f.dropped_customers[k].len() as u64, s.drop_off);
                prop_assert!(s.dropped.ids.len() <= 3);
            }
        }
        for (a, b) in strict.steps.iter().zip(&loose.steps) {
            prop_assert!(a.customers <= b.customers);
        }
        for s in strict.steps.iter().skip(1) {
            prop_assert!(s.median_seconds_from_previous.is_none_or(|x| x >= 0.0 && x <= f64::from(window) * 86_400.0));
        }
    }

    #[test]
    fn activity_classes_partition_the_customers(
        rows in prop::collection::vec((0u8..25, 0u16..200, 0u32..86_400, 0u8..2), 1..200),
        as_of in 0u16..260,
        active in 0.0f64..4.0,
        churn in 1u32..120,
    ) {
        use custlens::engine::analyze::activity::{activity, ActivityParams};
        use custlens::engine::ingest::fields::{auto_map, SourceKind};
        let t = timed_table(["用户ID", "行为类型", "行为时间"], &rows, &["登录", "浏览"]);
        let m = auto_map(SourceKind::Events, &t.headers);
        let day = Day::from_days(Day::from_ymd(2024, 1, 1).map_or(0, Day::days) + i32::from(as_of));
        let p = ActivityParams { as_of: Some(day), active_visits_per_week: active, churn_days: churn, ..ActivityParams::default() };
        let Ok(a) = activity(&t, &m, &p) else {
            prop_assert!(rows.iter().all(|r| r.1 >= as_of));
            return Ok(());
        };
        let before: std::collections::HashSet<u8> = rows.iter().filter(|r| r.1 < as_of).map(|r| r.0).collect();
        let c = a.counts;
        prop_assert_eq!(c.customers as usize, before.len());
        prop_assert_eq!(c.active + c.regular + c.silent + c.churned, c.customers);
        let s = a.shares;
        prop_assert!((s.active + s.regular + s.silent + s.churned - 1.0).abs() < 1e-9);
        for p in &a.trend {
            let c = p.counts;
            prop_assert_eq!(c.active + c.regular + c.silent + c.churned, c.customers);
        }
        // Customers only accumulate from one month's end to the next.
        prop_assert!(a.trend.windows(2).all(|w| w[0].counts.customers <= w[1].counts.customers));
    }

    #[test]
    fn nps_and_csat_stay_in_range(
        answers in prop::collection::vec(prop::sample::select(vec!["0", "3", "6", "7", "8", "9", "10", "11", "好", "", "4.5", " 5 "]), 1..80),
    ) {
        use custlens::engine::analyze::satisfaction::survey_scores;
        use custlens::engine::clean::table::TextTable;
        use custlens::engine::ingest::fields::{auto_map, SourceKind};
        let mut t = TextTable::new(vec!["客户ID".into(), "NPS评分".into(), "满意度CSAT".into()]);
        for (i, a) in answers.iter().enumerate() {
            t.push(i as u64 + 2, ["x", a, a]);
        }
        let m = auto_map(SourceKind::Surveys, &t.headers);
        let s = survey_scores(&t, &m).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for score in [s.nps.as_ref(), s.csat.as_ref()].into_iter().flatten() {
            prop_assert_eq!(score.answers + score.blank + score.invalid, answers.len() as u64);
            prop_assert_eq!(score.counts.iter().map(|c| c.count).sum::<u64>(), score.answers);
            prop_assert_eq!(score.value.is_some(), score.answers > 0);
        }
        let nps = s.nps.as_ref().and_then(|n| n.value);
        prop_assert!(nps.is_none_or(|v| (-100.0..=100.0).contains(&v)), "{:?}", nps);
        let csat = s.csat.as_ref().and_then(|n| n.value);
        prop_assert!(csat.is_none_or(|v| (0.0..=1.0).contains(&v)), "{:?}", csat);
    }
}

/// A random small customers table with columns every kind of step works on.
fn recipe_table() -> impl Strategy<Value = Vec<[u8; 7]>> {
    prop::collection::vec(prop::array::uniform7(0u8..6), 0..25)
}

/// Steps of every phase, on fields and on header columns.
fn step_pool() -> Vec<custlens::engine::clean::recipe::Step> {
    use custlens::engine::clean::recipe::*;
    use custlens::engine::ingest::fields::Field;
    use custlens::engine::ingest::profile::ColumnType;
    let header = |h: &str| ColumnRef::Header(h.into());
    let rule = |column, op, value, name: &str, action| Step::Rule { column, op, value, name: name.into(), action };
    vec![
        Step::ExactDuplicates,
        Step::RequireFields { fields: vec![Field::UserId] },
        Step::DuplicateKeys { fields: vec![Field::UserId] },
        Step::Phones { field: Field::Phone },
        Step::Cities { field: Field::City },
        Step::Vocabulary { field: Field::Industry, entries: default_industry_vocabulary() },
        Step::ColumnType { column: header("年龄"), kind: ColumnType::Integer },
        Step::ColumnType { column: header("备注"), kind: ColumnType::Text },
        rule(header("备注"), Op::Contains, RuleValue::Text("测试".into()), "test", Action::SetAside),
        rule(header("年龄"), Op::Gt, RuleValue::Number(40.0), "over_40", Action::Flag),
        rule(Field::Age.into(), Op::Lt, RuleValue::Number(18.0), "minor", Action::SetAside),
        Step::Outliers { column: header("年龄"), method: OutlierMethod::Iqr { k: 1.5 }, action: OutlierAction::Cap },
        Step::Outliers {
            column: Field::Age.into(),
            method: OutlierMethod::Percentile { p: 0.9 },
            action: OutlierAction::SetAside,
        },
        Step::Outliers {
            column: header("年龄"), method: OutlierMethod::Sigma { k: 1.0 }, action: OutlierAction::Flag
        },
        Step::FillMissing { fields: vec![Field::Channel, Field::City], threshold: 0.3, methods: Default::default() },
        Step::FillMissing {
            fields: vec![],
            threshold: 0.05,
            methods: [
                (Field::Age, FillMethod::Median),
                (Field::Channel, FillMethod::Constant { value: "其他".into() }),
            ]
            .into(),
        },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn incremental_cleaning_equals_cleaning_from_scratch(
        cells in recipe_table(),
        a in prop::collection::vec(0usize..16, 0..10),
        b in prop::collection::vec(0usize..16, 0..10),
        keep_standardise in any::<bool>(),
    ) {
        use custlens::engine::clean::{incremental::Cleaner, recipe::{Phase, Recipe}, run::clean, table::TextTable};
        use custlens::engine::ingest::fields::{auto_map, SourceKind};
        const POOLS: [[&str; 6]; 7] = [
            ["C1", "C2", "C3", "", "C1", "C4"],
            ["13800138000", "+86 139-0013-9000", "1234", "", "13700137000", "13800138000"],
            ["深圳市", "深圳", "", "沙市", " 广州 ", "北京市"],
            ["IT", "互联网", "", "农业", "ｒｅｔａｉｌ", "银行"],
            ["20", "45", "", "abc", "1,200", "17"],
            ["APP", "", "官网", "APP", "", "小程序"],
            ["", "测试", "正常 ", "", "", "测试账号"],
        ];
        let rows: Vec<Vec<&str>> = cells.iter().map(|r| (0..7).map(|c| POOLS[c][r[c] as usize]).collect()).collect();
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        let table = TextTable::from_rows(&["客户ID", "手机号", "城市", "所属行业", "年龄", "渠道", "备注"], &rows);
        let mapping = auto_map(SourceKind::Customers, &table.headers);
        let pool = step_pool();
        let recipe_a = Recipe { steps: a.iter().map(|&i| pool[i].clone()).collect() };
        let recipe_b = if keep_standardise {
            // Only row rules and fill steps edited.
            let standardise = recipe_a.steps.iter().filter(|s| s.phase() == Phase::Standardise).cloned();
            let others = b.iter().map(|&i| pool[i].clone()).filter(|s| s.phase() != Phase::Standardise);
            Recipe { steps: standardise.chain(others).collect() }
        } else {
            Recipe { steps: b.iter().map(|&i| pool[i].clone()).collect() }
        };
        let mut cleaner = Cleaner::default();
        let first = cleaner.run(&table, &mapping, &recipe_a);
        prop_assert_eq!(&first, &clean(&table, &mapping, &recipe_a));
        let second = cleaner.run(&table, &mapping, &recipe_b);
        prop_assert_eq!(&second, &clean(&table, &mapping, &recipe_b));
        if keep_standardise {
            prop_assert!(cleaner.reused_standardise());
        }
        for q in [&first.quality, &second.quality] {
            prop_assert!(q.reconciles);
            prop_assert_eq!(q.rows_in, table.len() as u64);
            prop_assert_eq!(q.rows_in, q.rows_out + q.set_aside.values().sum::<u64>());
        }
    }
}
