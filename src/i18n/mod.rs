//! Every user-facing text, one file per language (`zh_cn.rs`, `en.rs`).
//! The engine returns typed values; the UI, the CLI and the exports turn
//! them into words here.

mod en;
mod zh_cn;

use crate::engine::analyze::channels::ChannelError;
use crate::engine::analyze::rfm::{Measure, RfmError, SegmentSummary};
use crate::engine::analyze::segment::{RuleError, Segment, SegmentLabel};
use crate::engine::analyze::tags::TagError;
use crate::engine::clean::RejectReason;
use crate::engine::error::{AnalysisError, EngineError, IngestError};
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::ingest::profile::ColumnType;
use crate::engine::privacy::mask::{MaskPreset, MaskRule};
use crate::engine::privacy::PersonalKind;
use serde::{Deserialize, Serialize};

/// A UI language.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Lang {
    /// Both languages.
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// BCP 47 tag: `zh-CN`, `en`.
    pub fn key(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a tag (`zh`, `zh-CN`, `en`, `en-US`…).
    pub fn from_key(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The texts of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::ZhCn => &zh_cn::TEXTS,
            Lang::En => &en::TEXTS,
        }
    }
}

/// A segment's name, definition and suggested action.
#[derive(Debug)]
pub struct SegmentText {
    /// Short name (重要价值…).
    pub name: &'static str,
    /// What puts a customer in it.
    pub rule: &'static str,
    /// What to do with these customers.
    pub action: &'static str,
}

/// Texts of the channels tab (M18).
#[derive(Debug)]
#[allow(missing_docs)] // field names say what each text is for
pub struct ChannelTexts {
    pub lookback_days: &'static str,
    pub revenue_model: &'static str,
    /// Names of the attribution models, in the order of `AttributionModel::ALL`.
    pub models: [&'static str; 4],
    /// Revenue from attribution (`{model}`, `{days}`).
    pub revenue_from_attribution: &'static str,
    pub revenue_from_orders: &'static str,
    pub revenue_from_none: &'static str,
    pub new_from_first_touch: &'static str,
    pub new_from_customers: &'static str,
    pub new_from_none: &'static str,
    pub col_channel: &'static str,
    pub col_period: &'static str,
    pub col_uv: &'static str,
    pub col_clicks: &'static str,
    pub col_orders: &'static str,
    pub col_ctr: &'static str,
    pub col_cvr: &'static str,
    pub col_cost: &'static str,
    pub col_revenue: &'static str,
    pub col_roi: &'static str,
    pub col_new: &'static str,
    pub col_cac: &'static str,
    pub table_title: &'static str,
    pub by_period_title: &'static str,
    pub chart_title: &'static str,
    pub chart_y: &'static str,
    pub attribution_title: &'static str,
    /// `{orders}`, `{revenue}`, `{touched}`, `{direct}`, `{days}`.
    pub attribution_summary: &'static str,
    pub attribution_none: &'static str,
    pub col_orders_credited: &'static str,
    pub col_revenue_credited: &'static str,
    pub col_share: &'static str,
    pub attribution_chart_title: &'static str,
    pub attribution_chart_y: &'static str,
    /// The bucket of orders without a touchpoint in the window.
    pub direct: &'static str,
    /// A table's rows (`{file}`, `{in}`, `{used}`, `{out}`).
    pub rows_note: &'static str,
    pub download_attribution: &'static str,
    pub err_no_input: &'static str,
    /// `{file}`.
    pub err_touchpoints_without_orders: &'static str,
    /// `{file}`.
    pub err_no_orders: &'static str,
}

impl ChannelTexts {
    /// The name of an attribution model.
    pub fn model(&self, m: crate::engine::analyze::channels::AttributionModel) -> &'static str {
        use crate::engine::analyze::channels::AttributionModel as M;
        match m {
            M::FirstTouch => self.models[0],
            M::LastTouch => self.models[1],
            M::Linear => self.models[2],
            M::PositionBased => self.models[3],
        }
    }
}

/// Texts of the tags tab (M10).
#[derive(Debug)]
#[allow(missing_docs)] // field names say what each text is for
pub struct TagTexts {
    pub hint: &'static str,
    pub name: &'static str,
    pub dimension: &'static str,
    pub level: &'static str,
    /// Dimensions: attribute, behaviour, service need, value.
    pub dimensions: [&'static str; 4],
    /// Levels: core, secondary.
    pub levels: [&'static str; 2],
    pub group_all: &'static str,
    pub group_any: &'static str,
    pub metric: &'static str,
    pub window: &'static str,
    pub ticket_type: &'static str,
    pub operator: &'static str,
    pub value: &'static str,
    pub contains: &'static str,
    pub add_condition: &'static str,
    pub remove_condition: &'static str,
    pub add_tag: &'static str,
    pub remove_tag: &'static str,
    pub reset: &'static str,
    pub new_tag: &'static str,
    pub nested_group: &'static str,
    pub advanced: &'static str,
    pub apply_json: &'static str,
    pub export_json: &'static str,
    pub import_json: &'static str,
    pub editor_title: &'static str,
    pub coverage_title: &'static str,
    pub col_tag: &'static str,
    /// A tag needs a table that is not among the sources (`{kind}`).
    pub missing_source: &'static str,
    pub overlap_title: &'static str,
    /// `{tag}`, `{n}`, `{shown}`.
    pub members_title: &'static str,
    pub members_hint: &'static str,
    pub download_members: &'static str,
    pub download_all: &'static str,
    /// `{customers}`, `{as_of}`, `{tagged}`.
    pub summary: &'static str,
    /// Derived metrics by key.
    pub metrics: &'static [(&'static str, &'static str)],
    /// Errors in tag definitions (`{tag}`, `{condition}`, `{metric}`, `{op}`, `{value}`, `{days}`, `{index}`, `{message}`).
    pub err_json: &'static str,
    pub err_blank_name: &'static str,
    pub err_duplicate: &'static str,
    pub err_unknown_metric: &'static str,
    pub err_text_ordered: &'static str,
    pub err_number_needs_number: &'static str,
    pub err_negative_window: &'static str,
    pub err_window_not_allowed: &'static str,
    pub err_no_ticket_type: &'static str,
    pub err_empty_group: &'static str,
    pub err_in_list: &'static str,
}

impl TagTexts {
    /// A tag definition error in this language.
    pub fn error(&self, e: &TagError) -> String {
        let fill = |s: &str, tag: &str, condition: &str, metric: &str| {
            s.replace("{tag}", tag).replace("{condition}", condition).replace("{metric}", metric)
        };
        match e {
            TagError::Json { message } => self.err_json.replace("{message}", message),
            TagError::BlankName { index } => self.err_blank_name.replace("{index}", &index.to_string()),
            TagError::DuplicateName { tag } => self.err_duplicate.replace("{tag}", tag),
            TagError::UnknownMetric { tag, condition, metric } => fill(self.err_unknown_metric, tag, condition, metric),
            TagError::TextOrdered { tag, condition, metric, op } => {
                fill(self.err_text_ordered, tag, condition, metric).replace("{op}", op)
            }
            TagError::NumberNeedsNumber { tag, condition, metric, op, value } => {
                fill(self.err_number_needs_number, tag, condition, metric).replace("{op}", op).replace("{value}", value)
            }
            TagError::NegativeWindow { tag, condition, metric, days } => {
                fill(self.err_negative_window, tag, condition, metric).replace("{days}", &days.to_string())
            }
            TagError::WindowNotAllowed { tag, condition, metric } => {
                fill(self.err_window_not_allowed, tag, condition, metric)
            }
            TagError::NoTicketType { tag, condition } => fill(self.err_no_ticket_type, tag, condition, ""),
            TagError::EmptyGroup { tag, condition } => fill(self.err_empty_group, tag, condition, ""),
            TagError::InList { tag, condition, metric } => fill(self.err_in_list, tag, condition, metric),
        }
    }

    /// The name of a metric: a derived metric's, else the field's, else the key.
    pub fn metric<'a>(&self, t: &Texts, key: &'a str) -> &'a str {
        match self.metrics.iter().find(|(k, _)| *k == key) {
            Some((_, name)) => name,
            None => Field::from_key(key).map_or(key, |f| t.field(f)),
        }
    }
}

/// Texts of the comparison tab (M24).
#[derive(Debug)]
#[allow(missing_docs)] // field names say what each text is for
pub struct CompareTexts {
    pub tab: &'static str,
    pub metric: &'static str,
    /// Names of the metrics, in the order of `compare::Metric::ALL`.
    pub metrics: [&'static str; 12],
    pub period: &'static str,
    pub mode: &'static str,
    pub mode_mom: &'static str,
    pub mode_yoy: &'static str,
    pub mode_before_after: &'static str,
    pub range_from: &'static str,
    pub range_to: &'static str,
    pub date: &'static str,
    pub window_days: &'static str,
    pub col_period: &'static str,
    pub col_value: &'static str,
    pub col_base_period: &'static str,
    pub col_base: &'static str,
    pub col_change: &'static str,
    pub col_change_pct: &'static str,
    /// Axis units: money, count, share, score.
    pub unit_money: &'static str,
    /// Money in ten thousands, for large values on a chart axis.
    pub unit_money_10k: &'static str,
    pub unit_count: &'static str,
    pub unit_share: &'static str,
    pub unit_score: &'static str,
    pub chart_title: &'static str,
    pub chart_value: &'static str,
    pub chart_base: &'static str,
    pub daily_chart_title: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub window_value: &'static str,
    pub daily_mean: &'static str,
    pub daily_sd: &'static str,
    pub change: &'static str,
    pub change_pct: &'static str,
    pub daily_mean_change: &'static str,
    pub up: &'static str,
    pub down: &'static str,
    /// The test used (`{t}`, `{df}`, `{p}`).
    pub test_welch: &'static str,
    pub significant: &'static str,
    pub not_significant: &'static str,
    pub no_test_ratio: &'static str,
    pub no_test_days: &'static str,
    pub no_test_variance: &'static str,
    /// A window outside the data (`{window}`, `{first}`, `{last}`).
    pub not_covered: &'static str,
    /// Where the rows come from (`{file}`, `{first}`, `{last}`).
    pub data_span: &'static str,
    /// `{from}`, `{to}`.
    pub err_invalid_range: &'static str,
    /// `{days}`, `{max}`.
    pub err_invalid_window: &'static str,
    /// Heading of the comparison beside an over-time analysis.
    pub inline_title: &'static str,
    pub inline_hint: &'static str,
}

impl CompareTexts {
    /// The name of a metric.
    pub fn metric_name(&self, m: crate::engine::analyze::compare::Metric) -> &'static str {
        let i = crate::engine::analyze::compare::Metric::ALL.iter().position(|&x| x == m).unwrap_or(0);
        self.metrics[i]
    }

    /// The axis unit of a metric's values.
    pub fn unit(&self, u: crate::engine::analyze::compare::Unit) -> &'static str {
        use crate::engine::analyze::compare::Unit;
        match u {
            Unit::Money => self.unit_money,
            Unit::Count => self.unit_count,
            Unit::Share => self.unit_share,
            Unit::Score => self.unit_score,
        }
    }
}

/// All texts of one language.
#[derive(Debug)]
#[allow(missing_docs)] // field names say what each text is for
pub struct Texts {
    pub lang_name: &'static str,
    pub app_name: &'static str,
    pub tagline: &'static str,
    pub privacy_badge: &'static str,
    pub switch_lang: &'static str,

    pub step_import: &'static str,
    pub import_hint: &'static str,
    pub choose_file: &'static str,
    pub load_sample: &'static str,
    pub drop_here: &'static str,
    pub file_info: &'static str,
    pub format: &'static str,
    pub encoding: &'static str,
    pub delimiter: &'static str,
    pub sheet: &'static str,
    pub size: &'static str,

    pub step_mapping: &'static str,
    pub mapping_hint: &'static str,
    /// Note: cells of merged regions filled with the region's value (`{n}`).
    pub merged_cells_filled: &'static str,
    /// Warning: formula cells without a saved value (`{n}`, `{cells}`).
    pub uncalculated_formulas: &'static str,
    /// Button opening a source's columns.
    pub source_columns: &'static str,
    /// Hint above a source's columns.
    pub source_columns_hint: &'static str,
    /// Mapping hint for a table that is cleaned, not scored.
    pub mapping_hint_clean: &'static str,
    pub field: &'static str,
    pub column: &'static str,
    pub sample_values: &'static str,
    pub confidence: &'static str,
    pub not_mapped: &'static str,
    pub required: &'static str,
    pub optional: &'static str,
    pub run: &'static str,
    pub missing_fields: &'static str,

    pub working: &'static str,
    pub reading: &'static str,
    pub merging: &'static str,
    pub cancel: &'static str,
    pub cancelled: &'static str,
    pub error_title: &'static str,

    pub step_result: &'static str,
    pub customers: &'static str,
    pub orders: &'static str,
    pub revenue: &'static str,
    pub period: &'static str,
    pub rows_used: &'static str,
    pub rows_set_aside: &'static str,
    pub snapshot: &'static str,
    pub preset: &'static str,
    pub preset_classic8: &'static str,
    pub preset_tiers5: &'static str,
    pub segment: &'static str,
    pub customer_share: &'static str,
    pub revenue_share: &'static str,
    pub avg_recency: &'static str,
    pub avg_frequency: &'static str,
    pub avg_monetary: &'static str,
    pub rule: &'static str,
    pub action: &'static str,
    pub breakpoints: &'static str,
    pub breakpoints_hint: &'static str,
    pub recency: &'static str,
    pub frequency: &'static str,
    pub monetary: &'static str,
    pub score: &'static str,
    pub export_csv: &'static str,
    pub export_rejects: &'static str,
    pub chart_title: &'static str,
    pub chart_x: &'static str,
    pub days: &'static str,

    pub rejects_title: &'static str,
    pub rejects_none: &'static str,
    pub rejects_truncated: &'static str,
    pub reconcile: &'static str,
    pub row: &'static str,
    pub reason: &'static str,
    pub value: &'static str,
    pub count: &'static str,
    pub showing_first: &'static str,

    pub err_empty: &'static str,
    pub err_binary: &'static str,
    pub err_no_rows: &'static str,
    pub err_read: &'static str,
    pub err_excel: &'static str,
    pub err_unmapped: &'static str,
    pub err_no_such_column: &'static str,
    pub err_overflow: &'static str,
    pub err_json_line: &'static str,
    pub err_unclosed_quote: &'static str,
    pub err_header_too_long: &'static str,
    pub err_too_large: &'static str,
    pub err_no_data: &'static str,
    pub err_snapshot: &'static str,
    pub err_no_positive_spend: &'static str,
    pub err_no_such_table_column: &'static str,
    pub err_no_values: &'static str,
    pub err_single_value: &'static str,
    pub err_invalid_bins: &'static str,
    pub err_unmapped_field: &'static str,
    pub err_invalid_steps: &'static str,
    pub err_no_such_event: &'static str,
    pub err_no_score_columns: &'static str,
    pub err_no_source: &'static str,

    pub preview_title: &'static str,
    pub preview_hint: &'static str,
    pub col_header: &'static str,
    pub col_type: &'static str,
    pub col_parses: &'static str,
    pub col_missing: &'static str,
    pub col_distinct: &'static str,
    pub column_types: [(ColumnType, &'static str); 8],

    pub clean_title: &'static str,
    pub clean_hint: &'static str,
    pub kind_label: &'static str,
    pub kinds: [(SourceKind, &'static str); 6],
    pub detected_as: &'static str,
    pub run_clean: &'static str,
    pub clean_reconcile: &'static str,
    pub set_aside_by_reason: &'static str,
    pub changes_by_rule: &'static str,
    pub flags_title: &'static str,
    pub none: &'static str,
    pub columns_title: &'static str,
    pub missing_before: &'static str,
    pub missing_after: &'static str,
    pub changes_count: &'static str,
    pub downloads: &'static str,
    pub mapping_reapplied: &'static str,
    pub forget_mapping: &'static str,
    pub privacy_title: &'static str,
    pub privacy_hint: &'static str,
    pub role_label: &'static str,
    pub role_admin: &'static str,
    pub role_sales: &'static str,
    pub role_marketing: &'static str,
    pub role_service: &'static str,
    pub mask_label: &'static str,
    pub show_raw: &'static str,
    pub audit_title: &'static str,
    pub audit_show_raw: &'static str,
    pub audit_mask: &'static str,
    pub check_title: &'static str,
    pub check_hint: &'static str,
    pub check_list: &'static str,
    pub check_try: &'static str,
    pub check_blocked: &'static str,
    pub check_open: &'static str,
    pub check_same_origin: &'static str,
    pub ws_title: &'static str,
    pub ws_hint: &'static str,
    pub ws_passphrase: &'static str,
    pub ws_save: &'static str,
    pub ws_open: &'static str,
    pub ws_saved: &'static str,
    pub ws_opened: &'static str,
    pub ws_short: &'static str,
    pub ws_nothing: &'static str,
    pub ws_malformed: &'static str,
    pub ws_rfm_invalid: &'static str,
    pub ws_rfm_blank_action: &'static str,
    pub pareto_title: &'static str,
    pub pareto_hint: &'static str,
    pub pareto_top20: &'static str,
    pub pareto_c80: &'static str,
    pub gini: &'static str,
    pub pareto_chart_title: &'static str,
    pub pareto_chart_x: &'static str,
    pub pareto_chart_y: &'static str,
    pub pareto_ranking: &'static str,
    pub crosstab_title: &'static str,
    pub crosstab_hint: &'static str,
    pub crosstab_rows: &'static str,
    pub crosstab_cols: &'static str,
    pub crosstab_bins: &'static str,
    pub crosstab_show: &'static str,
    pub show_counts: &'static str,
    pub show_row_pct: &'static str,
    pub show_col_pct: &'static str,
    pub show_expected: &'static str,
    pub run_crosstab: &'static str,
    pub total: &'static str,
    pub chi2_result: &'static str,
    pub significant: &'static str,
    pub not_significant: &'static str,
    pub expected_warning: &'static str,
    pub excluded_rows: &'static str,
    pub reason_blank: &'static str,
    pub reason_not_a_number: &'static str,
    pub reason_out_of_range: &'static str,
    pub sources_title: &'static str,
    pub sources_hint: &'static str,
    pub add_sources: &'static str,
    pub load_sample_sources: &'static str,
    pub sources_working: &'static str,
    pub col_file: &'static str,
    pub col_rows: &'static str,
    pub source_rows: &'static str,
    pub remove: &'static str,
    pub unify_summary: &'static str,
    pub links_title: &'static str,
    pub link_direct: &'static str,
    pub link_matched: &'static str,
    pub link_orphan: &'static str,
    pub merges_title: &'static str,
    pub merge_apply: &'static str,
    pub merge_undo: &'static str,
    pub col_keep: &'static str,
    pub col_merge: &'static str,
    pub col_name: &'static str,
    pub col_phone: &'static str,
    pub matches_title: &'static str,
    pub match_undo: &'static str,
    pub match_restore: &'static str,
    pub undone_title: &'static str,
    pub col_id: &'static str,
    pub col_customer: &'static str,
    pub col_via: &'static str,
    pub conflicts_title: &'static str,
    pub orphans_title: &'static str,
    pub unified_preview_title: &'static str,
    pub via_phone: &'static str,
    pub via_email: &'static str,
    pub via_credit_code: &'static str,
    pub list_truncated: &'static str,
    pub analyses_title: &'static str,
    pub analyses_hint: &'static str,
    pub tab_cohorts: &'static str,
    pub tab_satisfaction: &'static str,
    pub tab_funnel: &'static str,
    pub tab_activity: &'static str,
    pub tab_channels: &'static str,
    pub tab_tags: &'static str,
    /// The channels tab.
    pub channels: ChannelTexts,
    /// The tags tab.
    pub tagging: TagTexts,
    pub analysis_from: &'static str,
    pub run_analysis: &'static str,
    pub analysis_rows: &'static str,
    pub cohort_period: &'static str,
    pub period_month: &'static str,
    pub period_week: &'static str,
    pub cohort_max_periods: &'static str,
    pub cohort_col: &'static str,
    pub retention_title: &'static str,
    pub average: &'static str,
    pub repurchase_rate: &'static str,
    pub median_interval: &'static str,
    pub mean_interval: &'static str,
    pub churn_title: &'static str,
    pub churn_chart_y: &'static str,
    pub col_month: &'static str,
    pub col_active_before: &'static str,
    pub col_churned: &'static str,
    pub col_rate: &'static str,
    pub sla_hours: &'static str,
    pub csat: &'static str,
    pub nps: &'static str,
    pub ces: &'static str,
    pub ticket_rating: &'static str,
    pub answers: &'static str,
    pub sat_trend_title: &'static str,
    pub sat_chart_y: &'static str,
    pub ticket_types_title: &'static str,
    pub col_ticket_type: &'static str,
    pub col_tickets: &'static str,
    pub col_share: &'static str,
    pub resolution_title: &'static str,
    pub resolution_chart_x: &'static str,
    pub resolution_stats: &'static str,
    pub within_sla: &'static str,
    pub funnel_steps: &'static str,
    pub funnel_types: &'static str,
    pub window_days: &'static str,
    pub order_label: &'static str,
    pub order_strict: &'static str,
    pub order_loose: &'static str,
    pub funnel_chart_title: &'static str,
    pub col_step: &'static str,
    pub col_conv_prev: &'static str,
    pub col_conv_start: &'static str,
    pub col_drop: &'static str,
    pub col_drop_rate: &'static str,
    pub col_median_time: &'static str,
    pub dropped_title: &'static str,
    pub dropped_shown: &'static str,
    pub export_dropped: &'static str,
    pub active_per_week: &'static str,
    pub silent_per_month: &'static str,
    pub churn_days: &'static str,
    pub as_of: &'static str,
    pub class_active: &'static str,
    pub class_regular: &'static str,
    pub class_silent: &'static str,
    pub class_churned: &'static str,
    pub activity_chart_title: &'static str,
    pub download_table: &'static str,
    pub seconds_short: &'static str,
    pub minutes_short: &'static str,
    pub hours_short: &'static str,
    pub rules: &'static [(&'static str, &'static str)],

    pub fields: &'static [(Field, &'static str)],
    pub segments: [SegmentText; Segment::COUNT],
    pub reject_reasons: &'static [(RejectReason, &'static str)],

    pub personal_kinds: [(PersonalKind, &'static str); 6],
    /// Recipe editor texts by key: `step_<name>`, `action_…`, `method_…`,
    /// `fill_…` and the editor's labels.
    pub recipe: &'static [(&'static str, &'static str)],
    /// Privacy texts by key: `mask_rule_<rule>`, `mask_preset_<preset>` and
    /// `…_desc`, warnings (`warn_…`), how a column was detected
    /// (`detected_by_…`), vault errors (`vault_…`) and `small_cell_other`.
    pub privacy: &'static [(&'static str, &'static str)],
    /// Texts of the analyses card by key (`filter_…`).
    pub analysis: &'static [(&'static str, &'static str)],
    /// The profiles tab's name.
    pub tab_profiles: &'static str,
    /// The profiles tab (M6).
    pub profiles: ProfileTexts,
    /// Texts of the RFM editor, heat map and migration (M8).
    pub rfm: RfmTexts,
    /// The comparison tab (M24).
    pub compare: CompareTexts,
    /// Customer lists behind figures and saving them as tags, by key (`list_…`, `save_…`, `err_…`).
    pub drill: &'static [(&'static str, &'static str)],
}

/// The text of `key` in a keyed table; the key itself when unknown.
fn lookup<'a>(table: &'static [(&'static str, &'static str)], key: &'a str) -> &'a str {
    table.iter().find(|(k, _)| *k == key).map_or(key, |(_, t)| t)
}

/// Texts of the profiles tab (M6).
#[derive(Debug)]
#[allow(missing_docs)] // field names say what each text is for
pub struct ProfileTexts {
    pub hint: &'static str,
    /// Names of the dimensions, in the order of `Dimension::ALL`.
    pub dimensions: [&'static str; 11],
    /// Names of the city tiers, in the order of `CityTier::ALL`.
    pub tiers: [&'static str; 4],
    /// Names of the measures with their unit, in the order of `Measure::ALL`.
    pub measures: [&'static str; 4],
    /// Weekdays, Monday first.
    pub weekdays: [&'static str; 7],
    pub dimensions_label: &'static str,
    pub top: &'static str,
    pub bins: &'static str,
    pub age_bands: &'static str,
    pub show_dimension: &'static str,
    pub show_measure: &'static str,
    /// `{customers}`, `{in_crm}`, `{buyers}`.
    pub summary: &'static str,
    /// `{as_of}`.
    pub ages_as_of: &'static str,
    /// `{n}`.
    pub rows_without_customer: &'static str,
    pub col_value: &'static str,
    pub col_customers: &'static str,
    pub col_share: &'static str,
    /// `{n}` values.
    pub other: &'static str,
    pub unknown: &'static str,
    pub dimension_title: &'static str,
    pub dimension_chart_x: &'static str,
    pub numbers_title: &'static str,
    pub col_measure: &'static str,
    pub col_count: &'static str,
    pub col_mean: &'static str,
    pub col_std: &'static str,
    pub col_min: &'static str,
    pub col_q1: &'static str,
    pub col_median: &'static str,
    pub col_q3: &'static str,
    pub col_max: &'static str,
    pub aov: &'static str,
    /// `{measure}`.
    pub histogram_title: &'static str,
    pub histogram_chart_title: &'static str,
    pub histogram_y_customers: &'static str,
    pub histogram_y_orders: &'static str,
    pub heat_title: &'static str,
    /// `{file}`, `{n}`, `{out}`.
    pub heat_from_events: &'static str,
    /// `{file}`, `{n}`, `{out}`.
    pub heat_from_orders: &'static str,
    pub heat_none: &'static str,
    pub heat_x: &'static str,
    pub heat_y: &'static str,
    /// `{max}`.
    pub heat_legend: &'static str,
    pub heat_events: &'static str,
    pub heat_orders: &'static str,
    pub heat_customers: &'static str,
    pub download_numbers: &'static str,
    pub download_histograms: &'static str,
    pub download_heatmap: &'static str,
    pub err_no_customers: &'static str,
    /// `{edges}`.
    pub err_age_bands: &'static str,
    /// `{bins}`, `{top}`.
    pub err_counts: &'static str,
}

impl ProfileTexts {
    /// The name of a dimension.
    pub fn dimension(&self, d: crate::engine::analyze::profiles::Dimension) -> &'static str {
        use crate::engine::analyze::profiles::Dimension;
        Dimension::ALL.iter().position(|&x| x == d).map_or("", |i| self.dimensions[i])
    }

    /// The name of a measure, with its unit.
    pub fn measure(&self, m: crate::engine::analyze::profiles::Measure) -> &'static str {
        use crate::engine::analyze::profiles::Measure;
        Measure::ALL.iter().position(|&x| x == m).map_or("", |i| self.measures[i])
    }

    /// A value of a dimension as shown: city tiers named in this language, the rest as they are.
    pub fn value(&self, d: crate::engine::analyze::profiles::Dimension, v: &str) -> String {
        use crate::engine::analyze::profiles::{CityTier, Dimension};
        match CityTier::ALL.iter().position(|t| t.label() == v) {
            Some(i) if d == Dimension::CityTier => self.tiers[i].to_string(),
            _ => v.to_string(),
        }
    }

    /// A profiles error in this language.
    pub fn error(&self, e: &crate::engine::analyze::profiles::ProfileError) -> String {
        use crate::engine::analyze::profiles::ProfileError;
        match e {
            ProfileError::NoCustomers => self.err_no_customers.to_string(),
            ProfileError::AgeBands { edges } => self.err_age_bands.replace("{edges}", edges),
            ProfileError::Counts { bins, top } => {
                self.err_counts.replace("{bins}", &bins.to_string()).replace("{top}", &top.to_string())
            }
        }
    }
}

impl Texts {
    /// A role's name.
    pub fn role(&self, r: crate::engine::privacy::roles::Role) -> &'static str {
        use crate::engine::privacy::roles::Role;
        match r {
            Role::Admin => self.role_admin,
            Role::Sales => self.role_sales,
            Role::Marketing => self.role_marketing,
            Role::Service => self.role_service,
        }
    }

    /// Name, rule and action of a segment.
    pub fn segment(&self, s: Segment) -> &SegmentText {
        &self.segments[s.index()]
    }

    /// Description of a reject reason.
    pub fn reject_reason(&self, r: RejectReason) -> &'static str {
        self.reject_reasons.iter().find(|(k, _)| *k == r).map_or("", |(_, t)| t)
    }

    /// An engine error in this language, with its file, column and values.
    pub fn error(&self, e: &EngineError) -> String {
        let field = |k: &str| Field::from_key(k).map_or_else(|| k.to_string(), |f| self.field(f).to_string());
        match e {
            EngineError::Ingest(i) => match i {
                IngestError::Empty { file } => self.err_empty.replace("{file}", file),
                IngestError::Binary { file, offset } => {
                    self.err_binary.replace("{file}", file).replace("{offset}", &offset.to_string())
                }
                IngestError::NoRows { file } => self.err_no_rows.replace("{file}", file),
                IngestError::Read { file, message } => {
                    self.err_read.replace("{file}", file).replace("{message}", message)
                }
                IngestError::Excel { file, message } => {
                    self.err_excel.replace("{file}", file).replace("{message}", message)
                }
                IngestError::Unmapped { file, field: f, columns } => self
                    .err_unmapped
                    .replace("{file}", file)
                    .replace("{field}", &field(f))
                    .replace("{columns}", columns),
                IngestError::NoSuchColumn { file, field: f, column, columns } => self
                    .err_no_such_column
                    .replace("{file}", file)
                    .replace("{field}", &field(f))
                    .replace("{column}", column)
                    .replace("{columns}", columns),
                IngestError::Overflow { file, customer } => {
                    self.err_overflow.replace("{file}", file).replace("{customer}", customer)
                }
                IngestError::JsonLine { file, line, message } => self
                    .err_json_line
                    .replace("{file}", file)
                    .replace("{line}", &line.to_string())
                    .replace("{message}", message),
                IngestError::UnclosedQuote { file, row } => {
                    self.err_unclosed_quote.replace("{file}", file).replace("{row}", &row.to_string())
                }
                IngestError::HeaderTooLong { file, bytes } => {
                    self.err_header_too_long.replace("{file}", file).replace("{bytes}", &bytes.to_string())
                }
                IngestError::TooLarge { file, needed_mb, limit_mb } => self
                    .err_too_large
                    .replace("{file}", file)
                    .replace("{needed_mb}", &needed_mb.to_string())
                    .replace("{limit_mb}", &limit_mb.to_string()),
            },
            EngineError::Analysis(a) => match a {
                AnalysisError::NoData => self.err_no_data.to_string(),
                AnalysisError::NotForRole { role } => {
                    self.privacy_text("not_for_role").replace("{role}", self.role(*role))
                }
                AnalysisError::SnapshotTooEarly { snapshot, last_order } => {
                    self.err_snapshot.replace("{snapshot}", snapshot).replace("{last_order}", last_order)
                }
                AnalysisError::NoPositiveSpend => self.err_no_positive_spend.to_string(),
                AnalysisError::NoSuchColumn { column, columns } => {
                    self.err_no_such_table_column.replace("{column}", column).replace("{columns}", columns)
                }
                AnalysisError::NoValues { column } => self.err_no_values.replace("{column}", column),
                AnalysisError::SingleValue { column, value } => {
                    self.err_single_value.replace("{column}", column).replace("{value}", value)
                }
                AnalysisError::InvalidBins { column } => self.err_invalid_bins.replace("{column}", column),
                AnalysisError::UnmappedField { field: f, columns } => {
                    self.err_unmapped_field.replace("{field}", &field(f)).replace("{columns}", columns)
                }
                AnalysisError::InvalidSteps { steps } => self.err_invalid_steps.replace("{steps}", steps),
                AnalysisError::NoSuchEvent { step, types } => {
                    self.err_no_such_event.replace("{step}", step).replace("{types}", types)
                }
                AnalysisError::NoScoreColumns { columns } => self.err_no_score_columns.replace("{columns}", columns),
                AnalysisError::NoSource { kinds } => {
                    let names: Vec<&str> = kinds.iter().map(|&k| self.kind(k)).collect();
                    self.err_no_source.replace("{kinds}", &names.join(" / "))
                }
                AnalysisError::InvalidRange { from, to } => {
                    self.compare.err_invalid_range.replace("{from}", from).replace("{to}", to)
                }
                AnalysisError::InvalidWindow { days, max } => self
                    .compare
                    .err_invalid_window
                    .replace("{days}", &days.to_string())
                    .replace("{max}", &max.to_string()),
            },
            EngineError::Workspace(w) => match w {
                crate::engine::workspace::WorkspaceError::Vault(v) => self.privacy_text(v.key()).to_string(),
                crate::engine::workspace::WorkspaceError::Malformed(m) => self.ws_malformed.replace("{message}", m),
                crate::engine::workspace::WorkspaceError::Rfm(r) => self.ws_rfm_invalid.replace(
                    "{message}",
                    &match r {
                        crate::engine::workspace::RfmSettingsError::Params(e) => self.rfm.error(e),
                        crate::engine::workspace::RfmSettingsError::BlankActionKey => {
                            self.ws_rfm_blank_action.to_string()
                        }
                    },
                ),
            },
            EngineError::Channels(c) => match c {
                ChannelError::NoInput => self.channels.err_no_input.to_string(),
                ChannelError::TouchpointsWithoutOrders { file } => {
                    self.channels.err_touchpoints_without_orders.replace("{file}", file)
                }
                ChannelError::Unmapped { file, field: f, columns } => self
                    .err_unmapped
                    .replace("{file}", file)
                    .replace("{field}", &field(f))
                    .replace("{columns}", columns),
                ChannelError::NoOrders { file } => self.channels.err_no_orders.replace("{file}", file),
            },
            EngineError::Tags(e) => self.tagging.error(e),
            EngineError::Profiles(e) => self.profiles.error(e),
            EngineError::Rfm(e) => self.rfm.error(e),
            EngineError::Members(e) => self.member_error(e),
        }
    }

    /// The name of a source kind.
    pub fn kind(&self, k: SourceKind) -> &'static str {
        self.kinds.iter().find(|(x, _)| *x == k).map_or("", |(_, n)| n)
    }

    /// What a cleaning rule (`iso_date`…) or flag does, in words; the key itself when unknown.
    pub fn rule<'a>(&self, key: &'a str) -> &'a str {
        self.rules.iter().find(|(k, _)| *k == key).map_or(key, |(_, n)| n)
    }

    /// The name of a column type.
    pub fn column_type(&self, t: ColumnType) -> &'static str {
        self.column_types.iter().find(|(k, _)| *k == t).map_or("", |(_, n)| n)
    }

    /// The name of a canonical field.
    pub fn field(&self, f: Field) -> &'static str {
        self.fields.iter().find(|(k, _)| *k == f).map_or_else(|| f.key(), |(_, t)| t)
    }

    /// The name of a kind of personal data.
    pub fn personal_kind(&self, k: PersonalKind) -> &'static str {
        self.personal_kinds.iter().find(|(x, _)| *x == k).map_or_else(|| k.key(), |(_, n)| n)
    }

    /// A recipe editor text by key (see [`Texts::recipe`]); the key itself when unknown.
    pub fn recipe_text<'a>(&self, key: &'a str) -> &'a str {
        lookup(self.recipe, key)
    }

    /// An analyses card text by key (see [`Texts::analysis`]); the key itself when unknown.
    pub fn analysis_text<'a>(&self, key: &'a str) -> &'a str {
        lookup(self.analysis, key)
    }

    /// A customer-list text by key (see [`Texts::drill`]); the key itself when unknown.
    pub fn drill_text<'a>(&self, key: &'a str) -> &'a str {
        lookup(self.drill, key)
    }

    /// A customer-list error in this language.
    pub fn member_error(&self, e: &crate::engine::analyze::members::MemberError) -> String {
        use crate::engine::analyze::members::MemberError as M;
        let d = |k: &'static str| self.drill_text(k);
        match e {
            M::Syntax { text, expected } => d("err_syntax").replace("{text}", text).replace("{expected}", expected),
            M::NoCohort { cohort, cohorts } => {
                d("err_no_cohort").replace("{cohort}", cohort).replace("{cohorts}", cohorts)
            }
            M::NotObserved { cohort, offset, max } => d("err_not_observed")
                .replace("{cohort}", cohort)
                .replace("{offset}", &offset.to_string())
                .replace("{max}", &max.to_string()),
            M::NoDimension { dimension, dimensions } => {
                d("err_no_dimension").replace("{dimension}", dimension).replace("{dimensions}", dimensions)
            }
            M::NoRow { dimension, value, rows } => {
                d("err_no_row").replace("{dimension}", dimension).replace("{value}", value).replace("{rows}", rows)
            }
            M::NoSegment { segment, segments } => {
                d("err_no_segment").replace("{segment}", segment).replace("{segments}", segments)
            }
            M::Analysis(a) => self.error(&EngineError::Analysis(a.clone())),
            M::NoCell => d("err_no_cell").to_string(),
            M::SmallGroup { customers, k } => {
                d("err_small_group").replace("{customers}", &customers.to_string()).replace("{k}", &k.to_string())
            }
        }
    }

    /// A privacy text by key (see [`Texts::privacy`]); the key itself when unknown.
    pub fn privacy_text<'a>(&self, key: &'a str) -> &'a str {
        lookup(self.privacy, key)
    }

    /// What a masking rule does.
    pub fn mask_rule(&self, r: MaskRule) -> String {
        let key = format!("mask_rule_{}", r.key());
        let text = self.privacy.iter().find(|(k, _)| *k == key).map_or(r.key(), |(_, t)| t);
        match r {
            MaskRule::Custom(p) => text
                .replace("{first}", &p.keep_first.to_string())
                .replace("{last}", &p.keep_last.to_string())
                .replace("{char}", &p.mask_char.to_string()),
            _ => text.to_string(),
        }
    }

    /// A masking preset's name and description.
    pub fn mask_preset(&self, p: MaskPreset) -> (&'static str, &'static str) {
        let find = |key: String| self.privacy.iter().find(|(k, _)| *k == key).map_or("", |(_, t)| *t);
        (find(format!("mask_preset_{}", p.key())), find(format!("mask_preset_{}_desc", p.key())))
    }
}

/// Texts of the RFM editor: breakpoints, the 0–100 score, segment rules,
/// actions, the R × F heat map and the migration (M8).
#[derive(Debug)]
#[allow(missing_docs)] // field names say what each text is for
pub struct RfmTexts {
    /// Names of R, F, M in the order of `Measure::ALL`.
    pub measures: [&'static str; 3],
    pub breaks_hint: &'static str,
    pub breaks_apply: &'static str,
    pub breaks_reset: &'static str,
    pub breaks_user: &'static str,
    pub breaks_quintiles: &'static str,
    pub scale100: &'static str,
    pub scale100_on: &'static str,
    pub scale100_hint: &'static str,
    pub weights: &'static str,
    pub mean_score100: &'static str,
    pub rules_custom: &'static str,
    pub rules_title: &'static str,
    pub rules_hint: &'static str,
    pub rules_from_preset: &'static str,
    pub rules_apply: &'static str,
    pub rules_load: &'static str,
    pub rules_save: &'static str,
    pub actions_hint: &'static str,
    pub actions_reset: &'static str,
    pub export_segments: &'static str,
    pub heat_title: &'static str,
    pub heat_hint: &'static str,
    pub heat_chart_title: &'static str,
    pub axis_r: &'static str,
    pub axis_f: &'static str,
    pub mean_spend: &'static str,
    pub cell_title: &'static str,
    pub cell_download: &'static str,
    pub col_id: &'static str,
    pub mig_title: &'static str,
    pub mig_hint: &'static str,
    pub mig_from: &'static str,
    pub mig_to: &'static str,
    pub mig_run: &'static str,
    pub mig_new: &'static str,
    pub mig_none: &'static str,
    pub mig_corner: &'static str,
    pub mig_total: &'static str,
    pub mig_summary: &'static str,
    pub mig_download: &'static str,
    pub mig_bad_date: &'static str,
    pub err_breaks: &'static str,
    pub err_weights: &'static str,
    pub err_migration_order: &'static str,
    pub err_rules_json: &'static str,
    pub err_rule_blank: &'static str,
    pub err_rule_duplicate: &'static str,
    pub err_rule_bounds: &'static str,
    pub err_rule_scale100: &'static str,
}

impl RfmTexts {
    /// The name of a measure.
    pub fn measure(&self, m: Measure) -> &'static str {
        self.measures[Measure::ALL.iter().position(|&x| x == m).unwrap_or(0)]
    }

    /// An RFM parameter error in this language.
    pub fn error(&self, e: &RfmError) -> String {
        match e {
            RfmError::Analysis(a) => EngineError::Analysis(a.clone()).to_string(),
            RfmError::Rules(r) => self.rule_error(r),
            RfmError::Breaks { measure, breaks } => {
                self.err_breaks.replace("{measure}", self.measure(*measure)).replace("{breaks}", breaks)
            }
            RfmError::Weights { r, f, m } => self.err_weights.replace("{r}", r).replace("{f}", f).replace("{m}", m),
            RfmError::MigrationOrder { from, to } => {
                self.err_migration_order.replace("{from}", from).replace("{to}", to)
            }
        }
    }

    /// A segment rule error in this language.
    pub fn rule_error(&self, e: &RuleError) -> String {
        match e {
            RuleError::Json { message } => self.err_rules_json.replace("{message}", message),
            RuleError::BlankName { index } => self.err_rule_blank.replace("{index}", &index.to_string()),
            RuleError::DuplicateName { rule } => self.err_rule_duplicate.replace("{rule}", rule),
            RuleError::BadBounds { rule, measure, bounds, scale } => self
                .err_rule_bounds
                .replace("{rule}", rule)
                .replace("{measure}", measure)
                .replace("{bounds}", bounds)
                .replace("{scale}", scale),
            RuleError::NeedsScale100 { rule } => self.err_rule_scale100.replace("{rule}", rule),
        }
    }
}

impl Texts {
    /// A segment's name: the built-in one's in this language, or the user's.
    pub fn segment_name<'a>(&'a self, l: &'a SegmentLabel) -> &'a str {
        match l {
            SegmentLabel::Builtin(s) => self.segment(*s).name,
            SegmentLabel::Named(n) => n,
        }
    }

    /// A segment's suggested action: its rule's, else the built-in one's, else none.
    pub fn segment_action<'a>(&'a self, s: &'a SegmentSummary) -> &'a str {
        match (&s.action, &s.segment) {
            (Some(a), _) => a,
            (None, SegmentLabel::Builtin(b)) => self.segment(*b).action,
            (None, SegmentLabel::Named(_)) => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::segment::SegmentPreset;

    #[test]
    fn every_language_names_every_segment_and_reason() {
        for lang in Lang::ALL {
            let t = lang.texts();
            for p in SegmentPreset::ALL {
                for s in p.segments() {
                    assert!(!t.segment(s).name.is_empty());
                    assert!(!t.segment(s).action.is_empty());
                }
            }
            for r in RejectReason::ALL {
                assert!(!t.reject_reason(r).is_empty(), "{lang:?} {r:?}");
            }
        }
    }

    #[test]
    fn invalid_rfm_settings_of_a_workspace_are_named_in_each_language() {
        use crate::engine::analyze::rfm::Measure;
        use crate::engine::workspace::{RfmSettingsError, WorkspaceError};
        let breaks = RfmError::Breaks { measure: Measure::Frequency, breaks: "3, 2, 1, 0".into() };
        let e = EngineError::Workspace(WorkspaceError::Rfm(RfmSettingsError::Params(breaks)));
        assert_eq!(
            Lang::ZhCn.texts().error(&e),
            "工作区保存的 RFM 设置无效:频次 F 的分界点 3, 2, 1, 0 无效:请填写 4 个有限数字,且后一个大于前一个"
        );
        let blank = EngineError::Workspace(WorkspaceError::Rfm(RfmSettingsError::BlankActionKey));
        assert_eq!(
            Lang::En.texts().error(&blank),
            "The RFM settings kept in the workspace are not valid: a suggested action has no segment name"
        );
    }

    #[test]
    fn every_field_of_every_kind_has_a_name() {
        use crate::engine::ingest::fields::SourceKind;
        for lang in Lang::ALL {
            for kind in SourceKind::ALL {
                for spec in kind.fields() {
                    assert!(lang.texts().fields.iter().any(|(f, _)| *f == spec.field), "{lang:?} {:?}", spec.field);
                }
            }
        }
    }

    #[test]
    fn segment_table_order_matches_enum() {
        // Texts list segments in enum order; spot-check both ends.
        assert_eq!(Lang::ZhCn.texts().segment(Segment::ImportantValue).name, "重要价值");
        assert_eq!(Lang::ZhCn.texts().segment(Segment::Lost).name, "流失");
        assert_eq!(Lang::En.texts().segment(Segment::Lost).name, "Lost");
    }

    #[test]
    fn errors_in_both_languages_name_the_file_and_field() {
        let e: EngineError =
            IngestError::Unmapped {
                file: "订单.csv".into(), field: "order_time".into(), columns: "cust, when".into()
            }
            .into();
        let zh = Lang::ZhCn.texts().error(&e);
        assert!(zh.contains("订单.csv") && zh.contains("下单时间") && zh.contains("cust, when"), "{zh}");
        let en = Lang::En.texts().error(&e);
        assert!(en.contains("订单.csv") && en.contains("Order time"), "{en}");
        let e: EngineError =
            AnalysisError::SnapshotTooEarly { snapshot: "2024-01-01".into(), last_order: "2024-03-31".into() }.into();
        assert!(Lang::ZhCn.texts().error(&e).contains("2024-03-31"));
    }

    #[test]
    fn channel_and_tag_errors_in_both_languages() {
        use crate::engine::analyze::tags::DERIVED_METRICS;
        let e: EngineError = ChannelError::TouchpointsWithoutOrders { file: "触点.csv".into() }.into();
        assert!(Lang::ZhCn.texts().error(&e).contains("触点.csv") && Lang::En.texts().error(&e).contains("orders"));
        let e: EngineError = TagError::TextOrdered {
            tag: "广东".into(),
            condition: "2".into(),
            metric: "province".into(),
            op: ">=".into(),
        }
        .into();
        let (zh, en) = (Lang::ZhCn.texts().error(&e), Lang::En.texts().error(&e));
        assert!(zh.contains("广东") && zh.contains(">=") && zh.contains("第 2 个条件"), "{zh}");
        assert!(en.contains("condition 2") && !en.contains('{'), "{en}");
        for lang in Lang::ALL {
            let t = lang.texts();
            for m in DERIVED_METRICS {
                assert_ne!(t.tagging.metric(t, m), m, "{lang:?} {m}");
            }
            assert_eq!(t.tagging.metric(t, "province"), t.field(Field::Province));
        }
    }

    #[test]
    fn keyed_tables_have_the_same_keys_in_every_language() {
        let keys = |t: &'static [(&'static str, &'static str)]| {
            let mut k: Vec<&str> = t.iter().map(|(k, _)| *k).collect();
            k.sort_unstable();
            k
        };
        let (zh, en) = (Lang::ZhCn.texts(), Lang::En.texts());
        assert_eq!(keys(zh.recipe), keys(en.recipe));
        assert_eq!(keys(zh.privacy), keys(en.privacy));
        assert_eq!(keys(zh.analysis), keys(en.analysis));
    }

    #[test]
    fn every_privacy_key_has_text() {
        use crate::engine::privacy::detect::DetectedBy;
        use crate::engine::privacy::mask::{KeepPattern, MaskWarning};
        use crate::engine::privacy::vault::VaultError;
        let mut keys: Vec<String> = vec!["small_cell_other".into()];
        let mut rules: Vec<MaskRule> = vec![MaskRule::Full, MaskRule::Custom(KeepPattern::default())];
        for k in PersonalKind::ALL {
            rules.extend_from_slice(MaskRule::for_kind(k));
        }
        keys.extend(rules.iter().map(|r| format!("mask_rule_{}", r.key())));
        for p in MaskPreset::ALL {
            keys.push(format!("mask_preset_{}", p.key()));
            keys.push(format!("mask_preset_{}_desc", p.key()));
        }
        keys.extend(MaskWarning::ALL.iter().map(|w| w.key().to_string()));
        let by = [DetectedBy::Mapping(Field::Phone), DetectedBy::Header, DetectedBy::Content, DetectedBy::User];
        keys.extend(by.iter().map(|b| b.key().to_string()));
        keys.extend(VaultError::examples().iter().map(|e| e.key().to_string()));
        for lang in Lang::ALL {
            let t = lang.texts();
            for k in &keys {
                assert!(t.privacy.iter().any(|(x, _)| x == k), "{lang:?} lacks {k}");
            }
            for k in PersonalKind::ALL {
                assert_ne!(t.personal_kind(k), k.key(), "{lang:?} {k:?}");
            }
        }
        let r = MaskRule::Custom(KeepPattern { keep_first: 3, keep_last: 4, mask_char: '#' });
        assert!(Lang::ZhCn.texts().mask_rule(r).contains('3') && Lang::En.texts().mask_rule(r).contains('#'));
    }

    #[test]
    fn lang_tags() {
        assert_eq!(Lang::from_key("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_key("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_key("fr"), None);
    }
}
