//! The canonical model: six kinds of source table, each with its canonical
//! fields, and the header synonyms that map a file's columns to them
//! (Chinese and English; case, spacing, punctuation, full-width forms and
//! unit suffixes such as `（元）` ignored).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a table holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SourceKind {
    /// CRM: one row per customer.
    Customers,
    /// Transactions: one row per order (line).
    Orders,
    /// Behaviour log: one row per event.
    Events,
    /// Service desk: one row per ticket.
    Tickets,
    /// Surveys and feedback: one row per answer.
    Surveys,
    /// Marketing: channel totals per period, or per-customer touchpoints.
    Channels,
}

/// A canonical field of some source kind. Serialised as its key (`user_id`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // each variant's meaning is its key and its i18n name
pub enum Field {
    UserId,
    Name,
    Phone,
    Email,
    IdNumber,
    Gender,
    Age,
    BirthDate,
    Province,
    City,
    Address,
    Industry,
    CompanySize,
    MemberLevel,
    Channel,
    RegisterDate,
    CreditCode,
    OrderId,
    OrderTime,
    Amount,
    Quantity,
    ProductId,
    Category,
    Status,
    EventType,
    EventTime,
    Duration,
    Device,
    Os,
    TicketId,
    CreatedAt,
    TicketType,
    ResolutionHours,
    Satisfaction,
    AgentId,
    SurveyDate,
    Nps,
    Csat,
    Ces,
    Comment,
    Period,
    Uv,
    Clicks,
    OrderCount,
    Cost,
    TouchTime,
}

/// A field of a kind, and whether that kind's analyses need it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field.
    pub field: Field,
    /// Whether analyses of this kind cannot run without it.
    pub required: bool,
}

const fn req(field: Field) -> FieldSpec {
    FieldSpec { field, required: true }
}

const fn opt(field: Field) -> FieldSpec {
    FieldSpec { field, required: false }
}

/// The orders table's fields, in display order.
pub const ORDER_FIELDS: &[FieldSpec] = &[
    req(Field::UserId),
    opt(Field::OrderId),
    req(Field::OrderTime),
    req(Field::Amount),
    opt(Field::Quantity),
    opt(Field::ProductId),
    opt(Field::Category),
    opt(Field::Status),
    opt(Field::Channel),
];

const CUSTOMER_FIELDS: &[FieldSpec] = &[
    req(Field::UserId),
    opt(Field::Name),
    opt(Field::Phone),
    opt(Field::Email),
    opt(Field::IdNumber),
    opt(Field::Gender),
    opt(Field::Age),
    opt(Field::BirthDate),
    opt(Field::Province),
    opt(Field::City),
    opt(Field::Address),
    opt(Field::Industry),
    opt(Field::CompanySize),
    opt(Field::MemberLevel),
    opt(Field::Channel),
    opt(Field::RegisterDate),
    opt(Field::CreditCode),
];

const EVENT_FIELDS: &[FieldSpec] = &[
    req(Field::UserId),
    req(Field::EventType),
    req(Field::EventTime),
    opt(Field::ProductId),
    opt(Field::Duration),
    opt(Field::Channel),
    opt(Field::Device),
    opt(Field::Os),
];

const TICKET_FIELDS: &[FieldSpec] = &[
    opt(Field::TicketId),
    req(Field::UserId),
    req(Field::CreatedAt),
    opt(Field::TicketType),
    opt(Field::ResolutionHours),
    opt(Field::Satisfaction),
    opt(Field::AgentId),
];

const SURVEY_FIELDS: &[FieldSpec] = &[
    req(Field::UserId),
    opt(Field::SurveyDate),
    opt(Field::Nps),
    opt(Field::Csat),
    opt(Field::Ces),
    opt(Field::Comment),
];

const CHANNEL_FIELDS: &[FieldSpec] = &[
    req(Field::Channel),
    opt(Field::Period),
    opt(Field::Uv),
    opt(Field::Clicks),
    opt(Field::OrderCount),
    opt(Field::Cost),
    opt(Field::UserId),
    opt(Field::TouchTime),
];

impl SourceKind {
    /// Every kind.
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Customers,
        SourceKind::Orders,
        SourceKind::Events,
        SourceKind::Tickets,
        SourceKind::Surveys,
        SourceKind::Channels,
    ];

    /// Command-line and file name: `customers`, `orders`…
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Customers => "customers",
            SourceKind::Orders => "orders",
            SourceKind::Events => "events",
            SourceKind::Tickets => "tickets",
            SourceKind::Surveys => "surveys",
            SourceKind::Channels => "channels",
        }
    }

    /// Parses [`SourceKind::key`].
    pub fn from_key(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.key() == s.trim())
    }

    /// Whether a table of this kind has `field`.
    pub fn has(self, field: Field) -> bool {
        self.fields().iter().any(|s| s.field == field)
    }

    /// The kind's fields, in display order.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            SourceKind::Customers => CUSTOMER_FIELDS,
            SourceKind::Orders => ORDER_FIELDS,
            SourceKind::Events => EVENT_FIELDS,
            SourceKind::Tickets => TICKET_FIELDS,
            SourceKind::Surveys => SURVEY_FIELDS,
            SourceKind::Channels => CHANNEL_FIELDS,
        }
    }
}

/// Key and header synonyms of every field (normalised: see [`normalise_header`]).
const CATALOG: &[(Field, &str, &[&str])] = &[
    (
        Field::UserId,
        "user_id",
        &[
            "userid",
            "customerid",
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
            "user",
            "customer",
            "客户",
            "用户",
            "会员",
            "买家",
        ],
    ),
    (
        Field::Name,
        "name",
        &["name", "customername", "fullname", "姓名", "客户姓名", "客户名称", "用户名", "联系人", "名称"],
    ),
    (
        Field::Phone,
        "phone",
        &[
            "phone",
            "mobile",
            "mobilephone",
            "tel",
            "telephone",
            "cellphone",
            "手机号",
            "手机",
            "手机号码",
            "联系方式",
            "联系电话",
            "电话",
        ],
    ),
    (Field::Email, "email", &["email", "emailaddress", "mail", "邮箱", "电子邮箱", "电子邮件"]),
    (
        Field::IdNumber,
        "id_number",
        &["idnumber", "idcard", "idno", "身份证号", "身份证", "身份证号码", "证件号", "证件号码"],
    ),
    (Field::Gender, "gender", &["gender", "sex", "性别"]),
    (Field::Age, "age", &["age", "年龄"]),
    (Field::BirthDate, "birth_date", &["birthdate", "birthday", "dateofbirth", "dob", "出生日期", "生日"]),
    (Field::Province, "province", &["province", "state", "region", "省份", "省", "地域", "地区", "所在地区", "区域"]),
    (Field::City, "city", &["city", "城市", "市", "所在城市"]),
    (Field::Address, "address", &["address", "addr", "地址", "详细地址", "收货地址", "联系地址"]),
    (Field::Industry, "industry", &["industry", "sector", "所属行业", "行业"]),
    (
        Field::CompanySize,
        "company_size",
        &["companysize", "employees", "headcount", "企业规模", "公司规模", "规模", "员工人数"],
    ),
    (
        Field::MemberLevel,
        "member_level",
        &["memberlevel", "level", "tier", "vip", "viplevel", "会员等级", "等级", "客户等级", "会员级别"],
    ),
    (
        Field::Channel,
        "channel",
        &[
            "channel",
            "source",
            "sourcechannel",
            "utmsource",
            "渠道",
            "渠道来源",
            "来源",
            "来源渠道",
            "获客渠道",
            "下单渠道",
            "访问渠道",
        ],
    ),
    (
        Field::RegisterDate,
        "register_date",
        &[
            "registerdate",
            "registrationdate",
            "registeredat",
            "signupdate",
            "createdate",
            "注册时间",
            "注册日期",
            "开户日期",
            "入会时间",
            "创建时间",
        ],
    ),
    (
        Field::CreditCode,
        "credit_code",
        &["creditcode", "uscc", "unifiedsocialcreditcode", "统一社会信用代码", "信用代码", "社会信用代码"],
    ),
    (
        Field::OrderId,
        "order_id",
        &[
            "orderid",
            "orderno",
            "ordernumber",
            "ordercode",
            "transactionid",
            "txnid",
            "订单号",
            "订单编号",
            "订单id",
            "单号",
            "交易号",
            "交易单号",
            "交易编号",
            "流水号",
            "order",
            "订单",
        ],
    ),
    (
        Field::OrderTime,
        "order_time",
        &[
            "ordertime",
            "orderdate",
            "orderdatetime",
            "purchasetime",
            "purchasedate",
            "createdat",
            "paytime",
            "paidat",
            "transactiondate",
            "transactiontime",
            "invoicedate",
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
            "date",
            "time",
            "datetime",
            "日期",
            "时间",
        ],
    ),
    (
        Field::Amount,
        "amount",
        &[
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
    ),
    (Field::Quantity, "quantity", &["quantity", "qty", "count", "数量", "购买数量", "件数"]),
    (
        Field::ProductId,
        "product_id",
        &[
            "productid",
            "sku",
            "skuid",
            "itemid",
            "goodsid",
            "商品id",
            "商品编号",
            "产品id",
            "产品编号",
            "商品编码",
            "product",
            "商品",
            "产品",
        ],
    ),
    (
        Field::Category,
        "category",
        &["category", "productcategory", "品类", "类目", "商品类别", "商品品类", "分类", "产品类别"],
    ),
    (
        Field::Status,
        "status",
        &["status", "orderstatus", "refund", "returned", "订单状态", "状态", "退货", "是否退货", "退款状态"],
    ),
    (
        Field::EventType,
        "event_type",
        &["eventtype", "event", "action", "behavior", "behaviour", "行为类型", "行为", "事件", "事件类型", "操作"],
    ),
    (
        Field::EventTime,
        "event_time",
        &[
            "eventtime",
            "eventdate",
            "timestamp",
            "行为时间",
            "事件时间",
            "访问时间",
            "发生时间",
            "time",
            "日期",
            "时间",
        ],
    ),
    (
        Field::Duration,
        "duration_s",
        &["duration", "durations", "staytime", "dwelltime", "停留时长", "浏览时长", "时长", "停留时间"],
    ),
    (Field::Device, "device", &["device", "devicetype", "terminal", "设备", "终端", "设备类型"]),
    (Field::Os, "os", &["os", "platform", "operatingsystem", "操作系统", "系统", "平台"]),
    (Field::TicketId, "ticket_id", &["ticketid", "ticketno", "caseid", "工单号", "工单编号", "工单id", "服务单号"]),
    (
        Field::CreatedAt,
        "created_at",
        &[
            "createdat",
            "createtime",
            "opendate",
            "submittime",
            "创建时间",
            "提交时间",
            "受理时间",
            "发起时间",
            "咨询时间",
        ],
    ),
    (
        Field::TicketType,
        "ticket_type",
        &["tickettype", "type", "issuetype", "category", "咨询类型", "投诉类型", "工单类型", "问题类型", "类型"],
    ),
    (
        Field::ResolutionHours,
        "resolution_hours",
        &["resolutionhours", "resolutiontime", "handlingtime", "解决时长", "处理时长", "解决时间", "处理时间"],
    ),
    (Field::Satisfaction, "satisfaction", &["satisfaction", "rating", "score", "满意度", "满意度评分", "评分", "评价"]),
    (
        Field::AgentId,
        "agent_id",
        &["agentid", "agent", "staffid", "服务人员工号", "客服工号", "工号", "客服", "处理人"],
    ),
    (
        Field::SurveyDate,
        "survey_date",
        &["surveydate", "responsedate", "date", "调研日期", "问卷日期", "填写时间", "提交时间", "日期"],
    ),
    (Field::Nps, "nps", &["nps", "recommend", "likelihoodtorecommend", "推荐意愿", "推荐度", "净推荐值"]),
    (Field::Csat, "csat", &["csat", "satisfaction", "满意度", "满意度评分"]),
    (Field::Ces, "ces", &["ces", "effort", "customereffort", "费力度", "客户费力度"]),
    (
        Field::Comment,
        "comment",
        &[
            "comment",
            "comments",
            "feedback",
            "review",
            "text",
            "remark",
            "评论",
            "反馈",
            "意见",
            "建议",
            "评价内容",
            "留言",
            "备注",
        ],
    ),
    (Field::Period, "period", &["period", "month", "date", "week", "周期", "月份", "日期", "期间"]),
    (Field::Uv, "uv", &["uv", "visitors", "uniquevisitors", "访客数", "访问人数", "独立访客"]),
    (Field::Clicks, "clicks", &["clicks", "click", "点击数", "点击量", "点击"]),
    (Field::OrderCount, "orders", &["orders", "ordercount", "conversions", "订单数", "成交数", "转化数", "下单数"]),
    (Field::Cost, "cost", &["cost", "spend", "adspend", "费用", "成本", "花费", "投放费用", "营销费用"]),
    (Field::TouchTime, "touch_time", &["touchtime", "touchpointtime", "clicktime", "触点时间", "接触时间"]),
];

impl Field {
    fn entry(self) -> &'static (Field, &'static str, &'static [&'static str]) {
        // CATALOG lists every variant (checked by a test).
        CATALOG.iter().find(|e| e.0 == self).unwrap_or(&CATALOG[0])
    }

    /// The canonical name used in mappings, files and the CLI (`user_id`…).
    pub fn key(self) -> &'static str {
        self.entry().1
    }

    /// Normalised header spellings that mean this field.
    pub fn synonyms(self) -> &'static [&'static str] {
        self.entry().2
    }

    /// Parses a canonical name.
    pub fn from_key(key: &str) -> Option<Field> {
        CATALOG.iter().find(|e| e.1 == key.trim()).map(|e| e.0)
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        let key = String::deserialize(d)?;
        Field::from_key(&key).ok_or_else(|| serde::de::Error::custom(format!("unknown field `{key}`")))
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
    /// Whether the user chose it (or a saved choice of the user's was reapplied).
    #[serde(default)]
    pub by_user: bool,
}

/// Which column feeds each canonical field of a kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The table's kind.
    pub kind: SourceKind,
    /// One entry per field of the kind, in its display order.
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
            c.by_user = true;
        }
    }

    /// Required fields without a column.
    pub fn missing_required(&self) -> Vec<Field> {
        self.kind.fields().iter().filter(|s| s.required && self.column(s.field).is_none()).map(|s| s.field).collect()
    }

    /// Whether every required field is mapped with at least `min` confidence.
    pub fn is_confident(&self, min: Confidence) -> bool {
        self.kind
            .fields()
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

impl Mapping {
    /// The columns the user chose (as opposed to guessed), as field → header:
    /// what is saved to be reapplied to a file with the same headers.
    pub fn user_choices(&self, headers: &[String]) -> Vec<(Field, String)> {
        self.choices
            .iter()
            .filter(|c| c.by_user)
            .filter_map(|c| c.column.and_then(|i| headers.get(i)).map(|h| (c.field, h.clone())))
            .collect()
    }
}

/// A signature of a header row: files whose headers normalise the same get
/// the same signature (for saved mappings; it holds no cell of data).
pub fn header_signature(headers: &[String]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for header in headers {
        h.update(normalise_header(header).as_bytes());
        h.update(&[0xFF]);
    }
    format!("{:016x}", h.digest())
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

/// Maps headers to the fields of `kind`: an exact synonym scores 100, a
/// header containing a synonym (or contained in one) 60; each column feeds
/// at most one field, best scores first (then the more specific synonym,
/// then the leftmost column).
pub fn auto_map(kind: SourceKind, headers: &[String]) -> Mapping {
    let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let specs = kind.fields();
    // (score, synonym rank, field index, column)
    let mut candidates: Vec<(u8, usize, usize, usize)> = Vec::new();
    for (fi, spec) in specs.iter().enumerate() {
        for (ci, h) in norm.iter().enumerate() {
            if let Some((score, rank)) = match_score(spec.field, h) {
                candidates.push((score, rank, fi, ci));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.3.cmp(&b.3)));
    let mut choices: Vec<FieldChoice> = specs
        .iter()
        .map(|s| FieldChoice { field: s.field, column: None, confidence: Confidence(0), by_user: false })
        .collect();
    let mut used = vec![false; headers.len()];
    for (score, _, fi, ci) in candidates {
        if choices[fi].column.is_none() && !used[ci] {
            choices[fi].column = Some(ci);
            choices[fi].confidence = Confidence(score);
            used[ci] = true;
        }
    }
    Mapping { kind, choices }
}

/// How well a normalised header names `field`: (score, synonym rank).
fn match_score(field: Field, h: &str) -> Option<(u8, usize)> {
    if h.is_empty() {
        return None;
    }
    field
        .synonyms()
        .iter()
        .enumerate()
        .filter_map(|(rank, s)| {
            if h == *s {
                Some((100, rank))
            } else if s.chars().count() >= 2 && (h.contains(s) || (h.chars().count() >= 3 && s.contains(h))) {
                Some((60, rank))
            } else {
                None
            }
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
}

/// Guesses a table's kind from its headers: the kind whose required fields
/// are all found and whose fields match best (ties go to the earlier kind in
/// [`SourceKind::ALL`] order, orders before events…).
pub fn detect_kind(headers: &[String]) -> SourceKind {
    let score = |kind: SourceKind| -> (bool, u32) {
        let m = auto_map(kind, headers);
        let specific: u32 = m
            .choices
            .iter()
            .filter(|c| c.column.is_some() && c.field != Field::UserId)
            .map(|c| u32::from(c.confidence.0))
            .sum();
        // A customer id alone says nothing about the kind.
        let complete = m.missing_required().is_empty() && specific > 0;
        (complete, specific)
    };
    let mut best = (SourceKind::Orders, score(SourceKind::Orders));
    for kind in SourceKind::ALL {
        let s = score(kind);
        if s > best.1 {
            best = (kind, s);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_choices_and_header_signatures() {
        let headers: Vec<String> = ["cust", "when", "paid"].iter().map(|s| s.to_string()).collect();
        let mut m = auto_map(SourceKind::Orders, &headers);
        assert!(m.user_choices(&headers).is_empty(), "nothing chosen yet");
        m.set(Field::Amount, Some(2));
        assert_eq!(m.user_choices(&headers), vec![(Field::Amount, "paid".to_string())]);
        let same: Vec<String> = ["Cust ", "WHEN", "paid"].iter().map(|s| s.to_string()).collect();
        assert_eq!(header_signature(&headers), header_signature(&same));
        assert_ne!(header_signature(&headers), header_signature(&headers[..2]));
    }

    use super::*;

    fn cols(headers: &[&str]) -> Vec<Option<usize>> {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let m = auto_map(SourceKind::Orders, &h);
        [Field::UserId, Field::OrderId, Field::OrderTime, Field::Amount].iter().map(|&f| m.column(f)).collect()
    }

    #[test]
    fn chinese_headers() {
        assert_eq!(cols(&["订单号", "客户ID", "下单时间", "订单金额（元）"]), vec![Some(1), Some(0), Some(2), Some(3)]);
        assert_eq!(cols(&["用户编号", "购买日期", "消费金额", "备注"]), vec![Some(0), None, Some(1), Some(2)]);
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
    fn every_field_is_in_the_catalog_and_every_kind_needs_a_key() {
        for kind in SourceKind::ALL {
            for spec in kind.fields() {
                assert_eq!(Field::from_key(spec.field.key()), Some(spec.field), "{:?}", spec.field);
            }
            assert!(kind.fields().iter().any(|s| s.required));
            assert_eq!(SourceKind::from_key(kind.key()), Some(kind));
        }
    }

    #[test]
    fn kinds_are_detected_from_headers() {
        let k = |h: &[&str]| detect_kind(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(k(&["客户ID", "姓名", "手机号", "性别", "省份", "注册时间"]), SourceKind::Customers);
        assert_eq!(k(&["订单号", "客户ID", "下单时间", "订单金额"]), SourceKind::Orders);
        assert_eq!(k(&["user_id", "event_type", "event_time", "duration"]), SourceKind::Events);
        assert_eq!(k(&["工单号", "客户ID", "创建时间", "投诉类型", "满意度"]), SourceKind::Tickets);
        assert_eq!(k(&["客户ID", "NPS", "CES", "评论"]), SourceKind::Surveys);
        assert_eq!(k(&["渠道", "月份", "UV", "点击数", "订单数", "费用"]), SourceKind::Channels);
        // Too little to tell: orders, the kind the analyses read.
        assert_eq!(k(&["cust", "when", "paid", "item"]), SourceKind::Orders);
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
        let mut m = auto_map(SourceKind::Orders, &h);
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
