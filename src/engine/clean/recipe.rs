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

/// One cleaning step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Rows that repeat an earlier row cell for cell are removed.
    ExactDuplicates,
    /// Rows with more cells than the header are set aside.
    TooManyFields,
    /// Rows without a value in any of these fields are set aside (待补充).
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

impl Recipe {
    /// The default recipe for a table of `kind` mapped as `mapping`.
    pub fn default_for(kind: SourceKind, mapping: &Mapping) -> Recipe {
        let mapped = |f: Field| mapping.column(f).is_some();
        let mut steps = vec![
            Step::ExactDuplicates,
            Step::TooManyFields,
            Step::RequireFields { fields: kind.fields().iter().filter(|s| s.required).map(|s| s.field).collect() },
        ];
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
        if mapped(Field::Gender) {
            steps.push(Step::Gender { field: Field::Gender });
        }
        if mapped(Field::Amount) {
            steps.push(Step::PlainAmounts { field: Field::Amount });
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
        let json = r#"{"steps":[{"step":"exact_duplicates"},{"step":"phones","field":"phone"}]}"#;
        assert_eq!(Recipe::from_json(json).map(|r| r.steps.len()), Ok(2));
        assert!(Recipe::from_json("{").is_err());
    }
}
