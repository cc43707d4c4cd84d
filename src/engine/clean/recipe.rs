//! A cleaning recipe: an ordered list of steps, saved and reused as JSON.
//! Each kind of table has a default recipe built from the seeds' rules, and
//! [`Recipe::check`] says what in a recipe does not fit a file.

use crate::engine::ingest::fields::{Field, Mapping, SourceKind};
use crate::engine::ingest::profile::ColumnType;
use crate::engine::money::{parse_amount, trim_text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A column a step works on: a canonical field, wherever the file has it,
/// or else a column by its header (compared trimmed). In JSON a field key
/// (`"amount"`) or any other header text (`"区域"`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// The column mapped to this field.
    Field(Field),
    /// The column with this header.
    Header(String),
}

impl ColumnRef {
    /// The column's index among `headers`, if the file has it.
    pub fn resolve(&self, headers: &[String], mapping: &Mapping) -> Option<usize> {
        match self {
            ColumnRef::Field(f) => mapping.column(*f).filter(|&c| c < headers.len()),
            ColumnRef::Header(h) => {
                let want = trim_text(h);
                headers.iter().position(|x| trim_text(x) == want)
            }
        }
    }

    /// The field key or the header, as flags name the column (`amount:outlier`).
    pub fn label(&self) -> String {
        match self {
            ColumnRef::Field(f) => f.key().to_string(),
            ColumnRef::Header(h) => trim_text(h).to_string(),
        }
    }

    /// The field, when the column is named by one.
    pub fn field(&self) -> Option<Field> {
        match self {
            ColumnRef::Field(f) => Some(*f),
            ColumnRef::Header(_) => None,
        }
    }
}

impl From<Field> for ColumnRef {
    fn from(f: Field) -> ColumnRef {
        ColumnRef::Field(f)
    }
}

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
    /// The cell's text contains the value's text.
    Contains,
}

impl Op {
    /// Whether `a op b` (never for [`Op::Contains`], which compares text).
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
            Op::Contains => false,
        }
    }

    /// Whether `a op b` for text: equal, not equal, contains; the orderings
    /// do not compare text (never true; [`Recipe::check`] reports them).
    pub fn holds_text(self, a: &str, b: &str) -> bool {
        match self {
            Op::Eq => a == b,
            Op::Ne => a != b,
            Op::Contains => a.contains(b),
            Op::Lt | Op::Le | Op::Gt | Op::Ge => false,
        }
    }

    /// The operator as written in a recipe (`lt`, `contains`).
    pub fn key(self) -> &'static str {
        match self {
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Contains => "contains",
        }
    }

    /// Whether the operator orders values (`<`, `<=`, `>`, `>=`).
    pub fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// What a business rule compares a cell with. In JSON a number (`0`) or a
/// string (`"测试"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RuleValue {
    /// Compared numerically with cells read as amounts (cells that are not
    /// numbers are not caught); with [`Op::Contains`], as text.
    Number(f64),
    /// Compared with the trimmed cell as text: [`Op::Eq`], [`Op::Ne`], [`Op::Contains`].
    Text(String),
}

impl RuleValue {
    /// Whether a rule `cell op self` catches `cell`. Empty cells are never caught.
    pub fn catches(&self, op: Op, cell: &str) -> bool {
        let cell = trim_text(cell);
        if cell.is_empty() {
            return false;
        }
        match self {
            RuleValue::Number(x) if op == Op::Contains => cell.contains(&x.to_string()),
            RuleValue::Number(x) => parse_amount(cell).is_ok_and(|m| op.holds(m.to_f64(), *x)),
            RuleValue::Text(t) => op.holds_text(cell, trim_text(t)),
        }
    }
}

impl From<f64> for RuleValue {
    fn from(x: f64) -> RuleValue {
        RuleValue::Number(x)
    }
}

/// How one column's empty cells are filled. In JSON `{"method":"median"}`,
/// `{"method":"constant","value":"无"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum FillMethod {
    /// Under the step's threshold missing, the mean (numbers) or the most
    /// frequent value (categories); at or above it, 未知 (unknown).
    #[default]
    Auto,
    /// The mean of the values that are numbers.
    Mean,
    /// The median of the values that are numbers.
    Median,
    /// The most frequent value (ties: the first seen).
    Mode,
    /// 未知 (unknown).
    Unknown,
    /// A value of the user's.
    Constant {
        /// The value written into empty cells.
        value: String,
    },
    /// Not filled.
    Leave,
}

/// When a step runs: steps run in three phases (see
/// [`crate::engine::clean::run::clean`]), in recipe order within a phase.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Values rewritten to standard forms.
    Standardise,
    /// Rows set aside or flagged.
    Rows,
    /// Empty cells of the rows kept filled.
    Fill,
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
    /// Numeric outliers of a column, recognised by `method`.
    Outliers {
        /// The column (JSON key `column`; `field` in older recipes).
        #[serde(alias = "field")]
        column: ColumnRef,
        /// How outliers are recognised.
        method: OutlierMethod,
        /// What happens to them.
        action: OutlierAction,
    },
    /// A business rule: rows where `column op value` holds are caught (e.g.
    /// duration < 0, amount < 0, channel = 测试).
    Rule {
        /// The column (JSON key `column`; `field` in older recipes).
        #[serde(alias = "field")]
        column: ColumnRef,
        /// The comparison.
        op: Op,
        /// The number or text compared with.
        value: RuleValue,
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
    /// Empty cells of the rows kept, each column by its method (by default
    /// [`FillMethod::Auto`]: under `threshold` of the column missing → the
    /// column's mean (numbers) or most frequent value; otherwise 未知).
    FillMissing {
        /// The fields to fill.
        fields: Vec<Field>,
        /// The missing share that switches from filling to 未知 (default 0.05).
        threshold: f64,
        /// A method per field; fields listed here are filled too.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        methods: BTreeMap<Field, FillMethod>,
    },
    /// Variant spellings (compared trimmed, full-width as half-width, Latin
    /// letters in any case) replaced by one name (`IT` → `信息技术`).
    Vocabulary {
        /// The field.
        field: Field,
        /// Variant → name.
        entries: BTreeMap<String, String>,
    },
    /// City names without the trailing 市 (`深圳市` → `深圳`), trimmed.
    Cities {
        /// The field.
        field: Field,
    },
    /// A column read as a type: dates in ISO, integers and decimals as plain
    /// numbers, yes/no as `true` / `false`, other types trimmed; values that
    /// do not parse are flagged `<column>:待验证`.
    ColumnType {
        /// The column.
        column: ColumnRef,
        /// Its type.
        kind: ColumnType,
    },
}

impl Step {
    /// The step's name, as its JSON `step` tag (`fill_missing`).
    pub fn name(&self) -> &'static str {
        match self {
            Step::ExactDuplicates => "exact_duplicates",
            Step::DuplicateKeys { .. } => "duplicate_keys",
            Step::TooManyFields => "too_many_fields",
            Step::RequireFields { .. } => "require_fields",
            Step::TestAmounts { .. } => "test_amounts",
            Step::IsoDates { .. } => "iso_dates",
            Step::Phones { .. } => "phones",
            Step::Gender { .. } => "gender",
            Step::PlainAmounts { .. } => "plain_amounts",
            Step::Outliers { .. } => "outliers",
            Step::Rule { .. } => "rule",
            Step::IdNumbers { .. } => "id_numbers",
            Step::Emails { .. } => "emails",
            Step::CreditCodes { .. } => "credit_codes",
            Step::VisitsPerDay { .. } => "visits_per_day",
            Step::Provinces { .. } => "provinces",
            Step::FillMissing { .. } => "fill_missing",
            Step::Vocabulary { .. } => "vocabulary",
            Step::Cities { .. } => "cities",
            Step::ColumnType { .. } => "column_type",
        }
    }

    /// When the step runs.
    pub fn phase(&self) -> Phase {
        match self {
            Step::IsoDates { .. }
            | Step::Phones { .. }
            | Step::Gender { .. }
            | Step::PlainAmounts { .. }
            | Step::IdNumbers { .. }
            | Step::Emails { .. }
            | Step::CreditCodes { .. }
            | Step::Provinces { .. }
            | Step::Vocabulary { .. }
            | Step::Cities { .. }
            | Step::ColumnType { .. } => Phase::Standardise,
            Step::ExactDuplicates
            | Step::DuplicateKeys { .. }
            | Step::TooManyFields
            | Step::RequireFields { .. }
            | Step::TestAmounts { .. }
            | Step::Outliers { .. }
            | Step::Rule { .. }
            | Step::VisitsPerDay { .. } => Phase::Rows,
            Step::FillMissing { .. } => Phase::Fill,
        }
    }

    /// The columns the step reads, in order (none for whole-row steps).
    pub fn columns(&self) -> Vec<ColumnRef> {
        let fields = |fs: &[Field]| fs.iter().map(|&f| ColumnRef::Field(f)).collect();
        match self {
            Step::ExactDuplicates | Step::TooManyFields => Vec::new(),
            Step::DuplicateKeys { fields: fs } | Step::RequireFields { fields: fs } | Step::IsoDates { fields: fs } => {
                fields(fs)
            }
            Step::TestAmounts { field, .. }
            | Step::Phones { field }
            | Step::Gender { field }
            | Step::PlainAmounts { field }
            | Step::IdNumbers { field }
            | Step::Emails { field }
            | Step::CreditCodes { field }
            | Step::Provinces { field }
            | Step::Vocabulary { field, .. }
            | Step::Cities { field } => vec![ColumnRef::Field(*field)],
            Step::Outliers { column, .. } | Step::Rule { column, .. } | Step::ColumnType { column, .. } => {
                vec![column.clone()]
            }
            Step::VisitsPerDay { .. } => fields(&[Field::UserId, Field::EventTime]),
            Step::FillMissing { .. } => self.fill_methods().into_iter().map(|(f, _)| ColumnRef::Field(f)).collect(),
        }
    }

    /// For [`Step::FillMissing`], each field to fill with its method: the
    /// `fields` in order, then fields that only have a method; empty for
    /// other steps.
    pub fn fill_methods(&self) -> Vec<(Field, FillMethod)> {
        let Step::FillMissing { fields, methods, .. } = self else { return Vec::new() };
        let method = |f: &Field| methods.get(f).cloned().unwrap_or_default();
        let mut out: Vec<(Field, FillMethod)> = fields.iter().map(|f| (*f, method(f))).collect();
        out.extend(methods.iter().filter(|(f, _)| !fields.contains(f)).map(|(f, m)| (*f, m.clone())));
        out
    }

    /// What in the step does not fit a file with `headers` mapped as `mapping`.
    fn problems(&self, headers: &[String], mapping: &Mapping) -> Vec<RecipeProblemKind> {
        let mut out: Vec<RecipeProblemKind> = Vec::new();
        for column in self.columns() {
            if column.resolve(headers, mapping).is_some() {
                continue;
            }
            let problem = match column {
                ColumnRef::Field(field) => RecipeProblemKind::FieldNotMapped { field },
                ColumnRef::Header(header) => RecipeProblemKind::UnknownColumn { header },
            };
            if !out.contains(&problem) {
                out.push(problem);
            }
        }
        let range = |parameter: &str, value: f64, ok: bool, allowed: &str| {
            (!ok).then(|| RecipeProblemKind::OutOfRange {
                parameter: parameter.to_string(),
                value,
                allowed: allowed.to_string(),
            })
        };
        let problem = match self {
            Step::Rule { op, value: RuleValue::Text(text), .. } if op.is_ordering() => {
                Some(RecipeProblemKind::TextOrdering { op: *op, value: text.clone() })
            }
            Step::FillMissing { threshold, .. } => {
                range("threshold", *threshold, (0.0..=1.0).contains(threshold), "0 to 1")
            }
            Step::Outliers { method: OutlierMethod::Percentile { p }, .. } => {
                range("p", *p, *p > 0.0 && *p < 1.0, "between 0 and 1")
            }
            Step::Outliers {
                method: OutlierMethod::Iqr { k } | OutlierMethod::Sigma { k } | OutlierMethod::MeanMultiple { k },
                ..
            } => range("k", *k, *k > 0.0 && k.is_finite(), "above 0"),
            _ => None,
        };
        out.extend(problem);
        out
    }
}

/// Something in a recipe that does not fit a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipeProblem {
    /// Index of the step in [`Recipe::steps`] (shown counting from 1).
    pub step: usize,
    /// The step's name ([`Step::name`]).
    pub step_name: String,
    /// What is wrong.
    pub kind: RecipeProblemKind,
}

/// What is wrong with a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RecipeProblemKind {
    /// No column has this header: the step skips it (a warning).
    UnknownColumn {
        /// The header the recipe names.
        header: String,
    },
    /// The field has no column in this file: the step skips it (a warning).
    FieldNotMapped {
        /// The field.
        field: Field,
    },
    /// A text value compared with `<`, `<=`, `>` or `>=` (an error).
    TextOrdering {
        /// The comparison.
        op: Op,
        /// The text.
        value: String,
    },
    /// A threshold or parameter outside its range (an error).
    OutOfRange {
        /// The parameter (`threshold`, `p`, `k`).
        parameter: String,
        /// Its value in the recipe.
        value: f64,
        /// The values allowed, in words.
        allowed: String,
    },
}

impl RecipeProblem {
    /// Whether the recipe cannot run as written (else a warning: a missing
    /// column or field only means the step skips it for this file).
    pub fn is_error(&self) -> bool {
        self.kind.is_error()
    }
}

impl RecipeProblemKind {
    /// Whether the problem stops the recipe (see [`RecipeProblem::is_error`]).
    pub fn is_error(&self) -> bool {
        matches!(self, RecipeProblemKind::TextOrdering { .. } | RecipeProblemKind::OutOfRange { .. })
    }
}

impl fmt::Display for RecipeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} ({}): {}", self.step + 1, self.step_name, self.kind)
    }
}

impl fmt::Display for RecipeProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipeProblemKind::UnknownColumn { header } => {
                write!(f, "no column `{header}` in this file; the step skips it")
            }
            RecipeProblemKind::FieldNotMapped { field } => {
                write!(f, "field `{field}` is not mapped to a column of this file; the step skips it")
            }
            RecipeProblemKind::TextOrdering { op, value } => {
                write!(f, "text `{value}` compared with `{}`; text compares only with eq, ne or contains", op.key())
            }
            RecipeProblemKind::OutOfRange { parameter, value, allowed } => {
                write!(f, "{parameter} = {value} is out of range (allowed: {allowed})")
            }
        }
    }
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
        if mapped(Field::City) {
            steps.push(Step::Cities { field: Field::City });
        }
        if mapped(Field::Industry) {
            steps.push(Step::Vocabulary { field: Field::Industry, entries: default_industry_vocabulary() });
        }
        if mapped(Field::Gender) {
            steps.push(Step::Gender { field: Field::Gender });
        }
        if mapped(Field::Amount) {
            steps.push(Step::PlainAmounts { field: Field::Amount });
        }
        // The seeds' business rules, flagged for a person to look at.
        let rule = |field, op, value: f64, name: &str| Step::Rule {
            column: ColumnRef::Field(field),
            op,
            value: RuleValue::Number(value),
            name: name.into(),
            action: Action::Flag,
        };
        // A negative amount may be a refund: flagged for a person to look at, not removed.
        if kind == SourceKind::Orders && mapped(Field::Amount) {
            steps.push(rule(Field::Amount, Op::Lt, 0.0, "negative_amount"));
        }
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
                column: ColumnRef::Field(Field::Amount),
                method: OutlierMethod::MeanMultiple { k: 10.0 },
                action: OutlierAction::Flag,
            });
        }
        let fill: Vec<Field> = FILLABLE.iter().copied().filter(|&f| mapped(f)).collect();
        if !fill.is_empty() {
            steps.push(Step::FillMissing { fields: fill, threshold: 0.05, methods: BTreeMap::new() });
        }
        Recipe { steps }
    }

    /// What in the recipe does not fit a file with `headers` mapped as
    /// `mapping`, step by step: errors (the recipe cannot run as written)
    /// and warnings (a column the file lacks, which its step skips).
    pub fn check(&self, headers: &[String], mapping: &Mapping) -> Vec<RecipeProblem> {
        self.steps
            .iter()
            .enumerate()
            .flat_map(|(i, step)| {
                step.problems(headers, mapping).into_iter().map(move |kind| RecipeProblem {
                    step: i,
                    step_name: step.name().to_string(),
                    kind,
                })
            })
            .collect()
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

/// Common ways of writing an industry (Chinese and English), each with the
/// one name the default recipe gives it.
pub fn default_industry_vocabulary() -> BTreeMap<String, String> {
    const NAMES: &[(&str, &[&str])] = &[
        (
            "信息技术",
            &["IT", "互联网", "信息技术", "软件", "计算机", "科技", "Internet", "Software", "Technology", "Tech"],
        ),
        ("制造业", &["制造", "制造业", "工业", "Manufacturing"]),
        ("零售", &["零售", "零售业", "商超", "电商", "Retail", "E-commerce"]),
        ("金融", &["金融", "银行", "保险", "证券", "Finance", "Banking", "Insurance"]),
        ("教育", &["教育", "培训", "Education"]),
        ("医疗健康", &["医疗", "医药", "健康", "医疗健康", "Health", "Healthcare", "Medical"]),
        ("房地产", &["房地产", "地产", "Real Estate"]),
        ("物流运输", &["物流", "运输", "快递", "Logistics", "Transportation"]),
        ("餐饮", &["餐饮", "餐饮业", "Catering", "F&B", "Restaurant"]),
        ("政府与公共事业", &["政府", "事业单位", "公共事业", "Government", "Public Sector"]),
        ("能源", &["能源", "电力", "Energy"]),
        ("文化传媒", &["传媒", "媒体", "文化", "广告", "Media", "Advertising"]),
    ];
    NAMES.iter().flat_map(|(name, variants)| variants.iter().map(|v| (v.to_string(), name.to_string()))).collect()
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
        // A negative amount may be a refund: flagged, not removed.
        assert!(r.steps.iter().any(
            |s| matches!(s, Step::Rule { name, op: Op::Lt, action: Action::Flag, .. } if name == "negative_amount")
        ));
        assert_eq!(Recipe::from_json(&r.to_json()), Ok(r));
        let json = r#"{"steps":[{"step":"exact_duplicates"},{"step":"phones","field":"phone"},
            {"step":"outliers","field":"amount","method":{"method":"iqr","k":1.5},"action":"cap"},
            {"step":"rule","field":"duration_s","op":"lt","value":0,"name":"negative_duration","action":"set_aside"}]}"#;
        assert_eq!(Recipe::from_json(json).map(|r| r.steps.len()), Ok(4));
        assert!(Recipe::from_json("{").is_err());
    }

    #[test]
    fn new_steps_round_trip_and_old_keys_read() {
        let json = r#"{"steps":[
            {"step":"rule","column":"备注","op":"contains","value":"测试","name":"test","action":"set_aside"},
            {"step":"outliers","field":"amount","method":{"method":"percentile","p":0.99},"action":"flag"},
            {"step":"fill_missing","fields":["city"],"threshold":0.05,
             "methods":{"age":{"method":"median"},"channel":{"method":"constant","value":"其他"}}},
            {"step":"vocabulary","field":"industry","entries":{"IT":"信息技术"}},
            {"step":"cities","field":"city"},
            {"step":"column_type","column":"积分","kind":"Integer"}]}"#;
        let r = Recipe::from_json(json).expect("recipe");
        assert_eq!(
            r.steps[0],
            Step::Rule {
                column: ColumnRef::Header("备注".into()),
                op: Op::Contains,
                value: RuleValue::Text("测试".into()),
                name: "test".into(),
                action: Action::SetAside
            }
        );
        assert!(matches!(&r.steps[1], Step::Outliers { column: ColumnRef::Field(Field::Amount), .. }));
        assert_eq!(
            r.steps[2].fill_methods(),
            vec![
                (Field::City, FillMethod::Auto),
                (Field::Age, FillMethod::Median),
                (Field::Channel, FillMethod::Constant { value: "其他".into() })
            ]
        );
        assert!(matches!(&r.steps[5], Step::ColumnType { kind: ColumnType::Integer, .. }));
        assert_eq!(Recipe::from_json(&r.to_json()), Ok(r.clone()));
        assert!(r.to_json().contains(r#""column": "amount""#), "written with the new key");
        let phases: Vec<Phase> = r.steps.iter().map(Step::phase).collect();
        use Phase::*;
        assert_eq!(phases, vec![Rows, Rows, Fill, Standardise, Standardise, Standardise]);
    }

    #[test]
    fn check_names_steps_and_tells_errors_from_warnings() {
        let headers: Vec<String> = ["客户ID", "下单时间", "订单金额", "备注"].iter().map(|s| s.to_string()).collect();
        let mapping = auto_map(SourceKind::Orders, &headers);
        let json = r#"{"steps":[
            {"step":"exact_duplicates"},
            {"step":"rule","column":"备注","op":"gt","value":"a","name":"x","action":"flag"},
            {"step":"rule","column":"区域","op":"eq","value":"华东","name":"y","action":"flag"},
            {"step":"phones","field":"phone"},
            {"step":"outliers","column":"amount","method":{"method":"percentile","p":1.5},"action":"flag"},
            {"step":"outliers","column":"amount","method":{"method":"iqr","k":0},"action":"flag"},
            {"step":"fill_missing","fields":[],"threshold":-0.1},
            {"step":"rule","column":"amount","op":"lt","value":0,"name":"neg","action":"flag"}]}"#;
        let problems = Recipe::from_json(json).expect("recipe").check(&headers, &mapping);
        let shown: Vec<(usize, bool)> = problems.iter().map(|p| (p.step, p.is_error())).collect();
        assert_eq!(shown, vec![(1, true), (2, false), (3, false), (4, true), (5, true), (6, true)]);
        assert_eq!(problems[1].kind, RecipeProblemKind::UnknownColumn { header: "区域".into() });
        assert_eq!(problems[2].kind, RecipeProblemKind::FieldNotMapped { field: Field::Phone });
        assert_eq!(problems[3].to_string(), "step 5 (outliers): p = 1.5 is out of range (allowed: between 0 and 1)");
        assert_eq!(
            problems[0].to_string(),
            "step 2 (rule): text `a` compared with `gt`; text compares only with eq, ne or contains"
        );
        let default = Recipe::default_for(SourceKind::Orders, &mapping);
        assert_eq!(default.check(&headers, &mapping), vec![]);
    }
}
