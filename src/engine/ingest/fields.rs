//! Canonical fields and the header synonyms that map a file's columns to
//! them (Chinese and English; case, spacing, punctuation, full-width forms
//! and unit suffixes such as `（元）` ignored).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A canonical field of the orders table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    /// The customer the order belongs to.
    UserId,
    /// The order number (several rows may share one: order lines).
    OrderId,
    /// When the order was placed.
    OrderTime,
    /// What was paid (refunds negative).
    Amount,
}

/// How a canonical field is described and recognised.
#[derive(Debug)]
pub struct FieldSpec {
    /// The field.
    pub field: Field,
    /// Whether RFM cannot run without it.
    pub required: bool,
    /// Normalised header spellings that mean this field.
    pub synonyms: &'static [&'static str],
}

/// The orders table's fields, in display order.
pub const ORDER_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        field: Field::UserId,
        required: true,
        synonyms: &[
            "userid",
            "user",
            "customerid",
            "customer",
            "custid",
            "custno",
            "customerno",
            "clientid",
            "memberid",
            "buyerid",
            "uid",
            "客户id",
            "客户编号",
            "客户号",
            "客户编码",
            "客户代码",
            "用户id",
            "用户编号",
            "用户号",
            "会员id",
            "会员编号",
            "会员号",
            "会员卡号",
            "买家id",
            "顾客id",
            "顾客编号",
            "客户",
            "用户",
            "会员",
            "买家",
        ],
    },
    FieldSpec {
        field: Field::OrderId,
        required: false,
        synonyms: &[
            "orderid",
            "orderno",
            "ordernumber",
            "ordercode",
            "order",
            "transactionid",
            "txnid",
            "订单号",
            "订单编号",
            "订单id",
            "订单",
            "单号",
            "交易号",
            "交易单号",
            "交易编号",
            "流水号",
        ],
    },
    FieldSpec {
        field: Field::OrderTime,
        required: true,
        synonyms: &[
            "ordertime",
            "orderdate",
            "orderdatetime",
            "purchasetime",
            "purchasedate",
            "createdat",
            "createtime",
            "paytime",
            "paidat",
            "transactiondate",
            "transactiontime",
            "invoicedate",
            "date",
            "time",
            "datetime",
            "下单时间",
            "下单日期",
            "购买时间",
            "购买日期",
            "订单时间",
            "订单日期",
            "交易时间",
            "交易日期",
            "支付时间",
            "付款时间",
            "成交时间",
            "成交日期",
            "消费时间",
            "消费日期",
            "日期",
            "时间",
        ],
    },
    FieldSpec {
        field: Field::Amount,
        required: true,
        synonyms: &[
            "amount",
            "orderamount",
            "totalamount",
            "total",
            "payment",
            "paymentamount",
            "paidamount",
            "paid",
            "revenue",
            "sales",
            "salesamount",
            "gmv",
            "value",
            "ordervalue",
            "price",
            "金额",
            "订单金额",
            "消费金额",
            "实付金额",
            "支付金额",
            "付款金额",
            "成交金额",
            "交易金额",
            "销售额",
            "销售金额",
            "实收金额",
            "应付金额",
            "订单总额",
            "总金额",
            "总价",
            "消费额",
        ],
    },
];

impl Field {
    /// The canonical name used in mappings, files and the CLI (`user_id`…).
    pub fn key(self) -> &'static str {
        match self {
            Field::UserId => "user_id",
            Field::OrderId => "order_id",
            Field::OrderTime => "order_time",
            Field::Amount => "amount",
        }
    }

    /// Parses a canonical name.
    pub fn from_key(key: &str) -> Option<Field> {
        ORDER_FIELDS.iter().map(|s| s.field).find(|f| f.key() == key.trim())
    }

    /// The spec of this field.
    pub fn spec(self) -> &'static FieldSpec {
        // ORDER_FIELDS lists every variant.
        ORDER_FIELDS.iter().find(|s| s.field == self).unwrap_or(&ORDER_FIELDS[0])
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// How sure an automatic match is, 0–100.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Confidence(pub u8);

/// One field's column choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChoice {
    /// The canonical field.
    pub field: Field,
    /// The chosen column index, if any.
    pub column: Option<usize>,
    /// How sure the automatic choice was (100 when the user chose).
    pub confidence: Confidence,
}

/// Which column feeds each canonical field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// One entry per field of [`ORDER_FIELDS`], in that order.
    pub choices: Vec<FieldChoice>,
}

impl Mapping {
    /// The column chosen for `field`.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.choices.iter().find(|c| c.field == field).and_then(|c| c.column)
    }

    /// Sets (or clears) the column of `field`, as the user's own choice.
    pub fn set(&mut self, field: Field, column: Option<usize>) {
        if let Some(c) = self.choices.iter_mut().find(|c| c.field == field) {
            c.column = column;
            c.confidence = Confidence(100);
        }
    }

    /// Required fields without a column.
    pub fn missing_required(&self) -> Vec<Field> {
        ORDER_FIELDS.iter().filter(|s| s.required && self.column(s.field).is_none()).map(|s| s.field).collect()
    }

    /// Whether every required field is mapped with at least `min` confidence.
    pub fn is_confident(&self, min: Confidence) -> bool {
        ORDER_FIELDS
            .iter()
            .filter(|s| s.required)
            .all(|s| self.choices.iter().any(|c| c.field == s.field && c.column.is_some() && c.confidence >= min))
    }

    /// Applies `canonical=header` overrides (from the CLI or saved mappings).
    pub fn apply_overrides(&mut self, overrides: &[(Field, String)], headers: &[String]) -> Result<(), String> {
        for (field, header) in overrides {
            let want = normalise_header(header);
            let col = headers
                .iter()
                .position(|h| h == header)
                .or_else(|| headers.iter().position(|h| normalise_header(h) == want))
                .ok_or_else(|| header.clone())?;
            self.set(*field, Some(col));
        }
        Ok(())
    }
}

/// Lower-cases, turns full-width letters and digits into ASCII, and drops
/// spaces, punctuation and bracketed units: `订单金额（元）` → `订单金额`,
/// `Customer ID` → `customerid`.
pub fn normalise_header(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let mut depth = 0;
    for c in h.trim().trim_start_matches('\u{feff}').chars() {
        let c = match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        };
        match c {
            '(' | '[' | '【' | '<' | '《' => depth += 1,
            ')' | ']' | '】' | '>' | '》' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// Maps headers to the orders fields: an exact synonym scores 100, a header
/// containing a synonym (or contained in one) 60; each column feeds at most
/// one field, best scores first (then the more specific synonym, then the
/// leftmost column).
pub fn auto_map(headers: &[String]) -> Mapping {
    let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    // (score, synonym rank, field index, column)
    let mut candidates: Vec<(u8, usize, usize, usize)> = Vec::new();
    for (fi, spec) in ORDER_FIELDS.iter().enumerate() {
        for (ci, h) in norm.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            let best = spec
                .synonyms
                .iter()
                .enumerate()
                .filter_map(|(rank, s)| {
                    if h == s {
                        Some((100, rank))
                    } else if s.chars().count() >= 2
                        && (h.contains(s) || (h.chars().count() >= 3 && s.contains(h.as_str())))
                    {
                        Some((60, rank))
                    } else {
                        None
                    }
                })
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            if let Some((score, rank)) = best {
                candidates.push((score, rank, fi, ci));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.3.cmp(&b.3)));
    let mut choices: Vec<FieldChoice> =
        ORDER_FIELDS.iter().map(|s| FieldChoice { field: s.field, column: None, confidence: Confidence(0) }).collect();
    let mut used = vec![false; headers.len()];
    for (score, _, fi, ci) in candidates {
        if choices[fi].column.is_none() && !used[ci] {
            choices[fi].column = Some(ci);
            choices[fi].confidence = Confidence(score);
            used[ci] = true;
        }
    }
    Mapping { choices }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(headers: &[&str]) -> Vec<Option<usize>> {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let m = auto_map(&h);
        ORDER_FIELDS.iter().map(|s| m.column(s.field)).collect()
    }

    #[test]
    fn chinese_headers() {
        assert_eq!(cols(&["订单号", "客户ID", "下单时间", "订单金额（元）"]), vec![Some(1), Some(0), Some(2), Some(3)]);
        assert_eq!(cols(&["用户编号", "购买日期", "消费金额", "商品"]), vec![Some(0), None, Some(1), Some(2)]);
    }

    #[test]
    fn english_headers_ignore_case_and_spacing() {
        assert_eq!(
            cols(&["Order ID", "Customer_ID", "Order Time", "Amount"]),
            vec![Some(1), Some(0), Some(2), Some(3)]
        );
        assert_eq!(
            cols(&["order_id", "user_id", "order_time", "amount", "channel"]),
            vec![Some(1), Some(0), Some(2), Some(3)]
        );
        assert_eq!(cols(&["ＵＳＥＲ＿ＩＤ", "date", "total"]), vec![Some(0), None, Some(1), Some(2)]);
    }

    #[test]
    fn each_column_used_once() {
        // "订单日期" contains "订单" (order id synonym) but is an exact time synonym.
        assert_eq!(cols(&["客户ID", "订单日期", "金额"]), vec![Some(0), None, Some(1), Some(2)]);
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalise_header(" Customer ID "), "customerid");
        assert_eq!(normalise_header("订单金额（元）"), "订单金额");
        assert_eq!(normalise_header("\u{feff}Amount (CNY)"), "amount");
    }

    #[test]
    fn overrides_and_missing() {
        let h: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let mut m = auto_map(&h);
        assert_eq!(m.missing_required(), vec![Field::UserId, Field::OrderTime, Field::Amount]);
        assert!(m
            .apply_overrides(
                &[(Field::UserId, "a".into()), (Field::OrderTime, "b".into()), (Field::Amount, "c".into())],
                &h
            )
            .is_ok());
        assert!(m.missing_required().is_empty());
        assert!(m.is_confident(Confidence(90)));
        assert_eq!(m.apply_overrides(&[(Field::Amount, "zz".into())], &h), Err("zz".to_string()));
    }
}
