//! A cleaning recipe: an ordered list of steps, saved and reused as JSON.
//! Each kind of table has a default recipe built from the seeds' rules.

use crate::engine::ingest::fields::{Field, Mapping, SourceKind};
use serde::{Deserialize, Serialize};

/// What to do with rows a rule catches.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Take the row out of the clean table, into the set-aside file.
    SetAside,
    /// Keep the row and mark it in the `flags` column.
    Flag,
    /// Keep the row as it is.
    Keep,
}

/// How an outlier is recognised.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum OutlierMethod {
    /// Beyond the box-plot fences: Q1 − k·IQR, Q3 + k·IQR (k usually 1.5).
    Iqr {
        /// The fence multiplier.
        k: f64,
    },
    /// More than k standard deviations from the mean (k usually 3).
    Sigma {
        /// Standard deviations.
        k: f64,
    },
    /// Above the p-quantile (p usually 0.99).
    Percentile {
        /// The quantile, 0–1.
        p: f64,
    },
    /// Above k times the mean (k usually 10).
    MeanMultiple {
        /// The multiple.
        k: f64,
    },
}

/// What to do with an outlier.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierAction {
    /// Take the row out (set aside).
    SetAside,
    /// Replace the value by the nearest bound.
    Cap,
    /// Keep the row and mark it in the `flags` column.
    Flag,
    /// Leave it.
    Keep,
}

/// A comparison in a business rule.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `≠`
    Ne,
}

impl Op {
    /// Whether `a op b`.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
        }
    }
}

/// One cleaning step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Rows that repeat an earlier row cell for cell are removed.
    ExactDuplicates,
    /// Rows whose key repeats an earlier row's are set aside (the first is
    /// kept): the customer id in a customers table, customer + time +
    /// content in an events table, the ticket id in a tickets table.
    DuplicateKeys {
        /// The fields that together form the key.
        fields: Vec<Field>,
    },
    /// Rows with more cells than the header are set aside.
    TooManyFields,
    /// Rows without a value in any of these fields are set aside (待补充),
    /// and so are rows where a required date or amount cannot be read.
    RequireFields {
        /// The key fields.
        fields: Vec<Field>,
    },
    /// Amounts that mark test orders (by default 0 and 999999).
    TestAmounts {
        /// The amount field.
        field: Field,
        /// The amounts, as written in the recipe (`"0"`, `"999999"`).
        values: Vec<String>,
        /// What to do with those rows.
        action: Action,
    },
    /// Dates and date-times rewritten as ISO `YYYY-MM-DD[ HH:MM:SS]`.
    IsoDates {
        /// The date fields.
        fields: Vec<Field>,
    },
    /// Mainland mobile numbers as 11 digits; invalid ones flagged 待验证.
    Phones {
        /// The phone field.
        field: Field,
    },
    /// Gender values as 男 / 女.
    Gender {
        /// The gender field.
        field: Field,
    },
    /// Amounts as plain decimals (`¥1,280.00` → `1280.00`).
    PlainAmounts {
        /// The amount field.
        field: Field,
    },
    /// Numeric outliers of a field, recognised by `method`.
    Outliers {
        /// The field.
        field: Field,
        /// How outliers are recognised.
        method: OutlierMethod,
        /// What happens to them.
        action: OutlierAction,
    },
    /// A business rule: rows where `field op value` holds are caught (e.g.
    /// duration < 0, amount < 0, more than 100 visits).
    Rule {
        /// The field.
        field: Field,
        /// The comparison.
        op: Op,
        /// The number compared with.
        value: f64,
        /// A short name for flags and reasons (`negative_duration`).
        name: String,
        /// What happens to the rows caught.
        action: Action,
    },
    /// ID numbers: 18 digits with a valid check digit, else flagged 待验证.
    IdNumbers {
        /// The field.
        field: Field,
    },
    /// E-mail addresses trimmed, domain lower-cased, invalid ones flagged.
    Emails {
        /// The field.
        field: Field,
    },
    /// Unified social credit codes (GB 32100-2015): 18 characters, upper
    /// case, valid check character; invalid ones flagged 待验证.
    CreditCodes {
        /// The field.
        field: Field,
    },
    /// More than `max` events of one customer on one day (the seeds' "more
    /// than 100 visits a day"): every such row is caught.
    VisitsPerDay {
        /// The most events a customer may have on one day.
        max: u32,
        /// What happens to those rows.
        action: Action,
    },
    /// Provinces as their full official names (`广东` → `广东省`).
    Provinces {
        /// The field.
        field: Field,
    },
    /// Empty cells: under `threshold` of the column missing → the column's
    /// mean (numbers) or most frequent value; otherwise 未知 (unknown).
    FillMissing {
        /// The fields to fill.
        fields: Vec<Field>,
        /// The missing share that switches from filling to 未知 (default 0.05).
        threshold: f64,
    },
}

/// An ordered list of steps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// The steps, applied in order.
    pub steps: Vec<Step>,
}

/// Fields whose empty cells may be filled (never ids, contacts, dates or free text).
const FILLABLE: &[Field] = &[
    Field::Gender,
    Field::Age,
    Field::Province,
    Field::City,
    Field::Industry,
    Field::CompanySize,
    Field::MemberLevel,
    Field::Channel,
    Field::Quantity,
    Field::Category,
    Field::Device,
    Field::Os,
    Field::Duration,
    Field::TicketType,
];

const DATES: &[Field] = &[
    Field::OrderTime,
    Field::RegisterDate,
    Field::BirthDate,
    Field::EventTime,
    Field::CreatedAt,
    Field::SurveyDate,
    Field::TouchTime,
];

/// Whether `field` holds dates.
pub fn is_date(field: Field) -> bool {
    DATES.contains(&field)
}

impl Recipe {
    /// The default recipe for a table of `kind` mapped as `mapping`.
    pub fn default_for(kind: SourceKind, mapping: &Mapping) -> Recipe {
        let mapped = |f: Field| mapping.column(f).is_some();
        let mut steps = vec![
            Step::ExactDuplicates,
            Step::TooManyFields,
            Step::RequireFields { fields: kind.fields().iter().filter(|s| s.required).map(|s| s.field).collect() },
        ];
        if let Some(fields) = duplicate_key(kind, mapping) {
            steps.push(Step::DuplicateKeys { fields });
        }
        if kind == SourceKind::Orders && mapped(Field::Amount) {
            steps.push(Step::TestAmounts {
                field: Field::Amount,
                values: vec!["0".into(), "999999".into()],
                action: Action::SetAside,
            });
        }
        let dates: Vec<Field> = DATES.iter().copied().filter(|&f| mapped(f)).collect();
        if !dates.is_empty() {
            steps.push(Step::IsoDates { fields: dates });
        }
        if mapped(Field::Phone) {
            steps.push(Step::Phones { field: Field::Phone });
        }
        if mapped(Field::IdNumber) {
            steps.push(Step::IdNumbers { field: Field::IdNumber });
        }
        if mapped(Field::Email) {
            steps.push(Step::Emails { field: Field::Email });
        }
        if mapped(Field::CreditCode) {
            steps.push(Step::CreditCodes { field: Field::CreditCode });
        }
        if mapped(Field::Province) {
            steps.push(Step::Provinces { field: Field::Province });
        }
        if mapped(Field::Gender) {
            steps.push(Step::Gender { field: Field::Gender });
        }
        if mapped(Field::Amount) {
            steps.push(Step::PlainAmounts { field: Field::Amount });
        }
        // The seeds' business rules, flagged for a person to look at.
        let rule =
            |field, op, value, name: &str| Step::Rule { field, op, value, name: name.into(), action: Action::Flag };
        if mapped(Field::Duration) {
            steps.push(rule(Field::Duration, Op::Lt, 0.0, "negative_duration"));
            if kind == SourceKind::Events {
                steps.push(rule(Field::Duration, Op::Lt, 3.0, "view_under_3s"));
            }
        }
        if kind == SourceKind::Events && mapped(Field::UserId) && mapped(Field::EventTime) {
            steps.push(Step::VisitsPerDay { max: 100, action: Action::Flag });
        }
        if kind == SourceKind::Orders && mapped(Field::Amount) {
            steps.push(Step::Outliers {
                field: Field::Amount,
                method: OutlierMethod::MeanMultiple { k: 10.0 },
                action: OutlierAction::Flag,
            });
        }
        let fill: Vec<Field> = FILLABLE.iter().copied().filter(|&f| mapped(f)).collect();
        if !fill.is_empty() {
            steps.push(Step::FillMissing { fields: fill, threshold: 0.05 });
        }
        Recipe { steps }
    }

    /// Reads a recipe from JSON.
    pub fn from_json(text: &str) -> Result<Recipe, String> {
        serde_json::from_str(text).map_err(|e| format!("the recipe is not valid: {e}"))
    }

    /// The recipe as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The fields that identify a record of `kind`, when they are mapped: the
/// customer id (customers), the ticket id (tickets), customer + time + type
/// (+ product) of an event. Orders have none: order lines share an order id.
fn duplicate_key(kind: SourceKind, mapping: &Mapping) -> Option<Vec<Field>> {
    let mapped = |f: Field| mapping.column(f).is_some();
    let key = match kind {
        SourceKind::Customers => vec![Field::UserId],
        SourceKind::Tickets => vec![Field::TicketId],
        SourceKind::Events => {
            let mut k = vec![Field::UserId, Field::EventTime, Field::EventType];
            if mapped(Field::ProductId) {
                k.push(Field::ProductId);
            }
            k
        }
        SourceKind::Orders | SourceKind::Surveys | SourceKind::Channels => return None,
    };
    key.iter().all(|&f| mapped(f)).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::auto_map;

    #[test]
    fn default_orders_recipe_round_trips() {
        let headers: Vec<String> = ["订单号", "客户ID", "下单时间", "订单金额"].iter().map(|s| s.to_string()).collect();
        let r = Recipe::default_for(SourceKind::Orders, &auto_map(SourceKind::Orders, &headers));
        assert!(matches!(r.steps[0], Step::ExactDuplicates));
        assert!(r.steps.iter().any(|s| matches!(s, Step::TestAmounts { action: Action::SetAside, .. })));
        assert_eq!(Recipe::from_json(&r.to_json()), Ok(r));
        let json = r#"{"steps":[{"step":"exact_duplicates"},{"step":"phones","field":"phone"},
            {"step":"outliers","field":"amount","method":{"method":"iqr","k":1.5},"action":"cap"},
            {"step":"rule","field":"duration_s","op":"lt","value":0,"name":"negative_duration","action":"set_aside"}]}"#;
        assert_eq!(Recipe::from_json(json).map(|r| r.steps.len()), Ok(4));
        assert!(Recipe::from_json("{").is_err());
    }
}
