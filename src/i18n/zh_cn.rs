//! 简体中文.

use super::{SegmentText, Texts};
use crate::engine::clean::RejectReason;

const fn seg(name: &'static str, rule: &'static str, action: &'static str) -> SegmentText {
    SegmentText { name, rule, action }
}

/// 简体中文文本。
pub static TEXTS: Texts = Texts {
    lang_name: "中文",
    app_name: "客镜 CustLens",
    tagline: "客户数据分析工作台",
    privacy_badge: "全部在本机浏览器内处理 · 数据不上传",
    switch_lang: "English",

    step_import: "1 导入订单数据",
    import_hint:
        "支持 CSV(UTF-8 / UTF-8 BOM / GBK,逗号、分号、制表符自动识别)与 Excel(.xlsx/.xls)。",
    choose_file: "选择文件",
    load_sample: "加载示例数据",
    drop_here: "或把文件拖到这里",
    file_info: "文件",
    format: "格式",
    encoding: "编码",
    delimiter: "分隔符",
    sheet: "工作表",
    size: "大小",

    step_mapping: "2 字段映射",
    mapping_hint: "已按表头自动识别,可逐项修改后重新分析。",
    field: "字段",
    column: "对应列",
    sample_values: "示例值",
    confidence: "匹配度",
    not_mapped: "(不使用)",
    required: "必填",
    optional: "可选",
    run: "开始分析",
    missing_fields: "请为以下必填字段选择列:",
    field_user_id: "客户ID",
    field_order_id: "订单号",
    field_order_time: "下单时间",
    field_amount: "订单金额",

    working: "正在分析…",
    reading: "读取与解析",
    merging: "汇总与评分",
    cancel: "取消",
    cancelled: "已取消。",
    error_title: "无法完成",

    step_result: "3 RFM 客户分层",
    customers: "客户数",
    orders: "订单数",
    revenue: "销售额",
    period: "订单时间范围",
    rows_used: "有效行",
    rows_set_aside: "搁置行",
    snapshot: "分析基准日",
    preset: "分层方案",
    preset_classic8: "经典八类(与均值比较)",
    preset_tiers5: "五级价值分层",
    segment: "客户分层",
    customer_share: "客户占比",
    revenue_share: "销售额占比",
    avg_recency: "平均最近消费(天)",
    avg_frequency: "平均消费次数",
    avg_monetary: "平均消费金额",
    rule: "判定规则",
    action: "建议动作",
    breakpoints: "评分分位点",
    breakpoints_hint:
        "按 20%/40%/60%/80% 分位数划分为 1–5 分;数值相同的客户得分相同。R 越近得分越高。",
    recency: "R 最近消费(天)",
    frequency: "F 消费次数",
    monetary: "M 消费金额",
    score: "得分",
    export_csv: "导出客户分层 CSV",
    export_rejects: "导出搁置行 CSV",
    chart_title: "各分层的客户占比与销售额占比",
    chart_x: "占比(%)",
    days: "天",

    rejects_title: "搁置的行",
    rejects_none: "所有行均可使用,没有搁置的行。",
    rejects_truncated: "搁置行过多,仅列出前一部分;计数包含全部行。",
    reconcile: "读入 {in} 行 = 有效 {used} 行 + 搁置 {aside} 行",
    row: "行号",
    reason: "原因",
    value: "原值",
    count: "行数",
    showing_first: "仅显示前 {n} 条",

    segments: [
        seg(
            "重要价值",
            "R 近、F 高、M 高(均高于平均)",
            "提供专属客服与 VIP 权益,新品优先体验,重点维护",
        ),
        seg(
            "重要发展",
            "R 近、F 低、M 高",
            "交叉销售与会员积分激励复购,提升购买频次",
        ),
        seg(
            "重要保持",
            "R 远、F 高、M 高",
            "曾经高频高额但近期未购:主动回访与专属关怀,防止流失",
        ),
        seg(
            "重要挽留",
            "R 远、F 低、M 高",
            "一对一沟通了解原因,发送定向挽回优惠",
        ),
        seg(
            "一般价值",
            "R 近、F 高、M 低",
            "推荐高价值商品与组合套餐,提升客单价",
        ),
        seg(
            "一般发展",
            "R 近、F 低、M 低",
            "新人礼包与首单后引导,促成二次购买",
        ),
        seg(
            "一般保持",
            "R 远、F 高、M 低",
            "低成本唤醒:短信/推送 + 限时优惠",
        ),
        seg("一般挽留", "R 远、F 低、M 低", "低成本批量触达,控制投入"),
        seg(
            "高价值",
            "R、F、M 得分均 ≥ 4",
            "专属客服、优先体验新功能、VIP 折扣;客户经理定期回访",
        ),
        seg(
            "潜力",
            "R ≥ 4、M ≥ 4、F ≤ 3",
            "交叉销售与个性化推荐,推送满减券,提升购买频次",
        ),
        seg("一般", "其余客户", "唤醒营销:优惠券、产品更新通知"),
        seg(
            "流失风险",
            "R、F、M 得分均 ≤ 2",
            "主动触达了解流失原因,发送“回归专属礼”",
        ),
        seg(
            "流失",
            "超过 365 天未购买",
            "流失原因调研,针对性挽留(专属折扣 + 售后保障)",
        ),
    ],
    reject_reasons: [
        (RejectReason::MissingValue, "缺少必填值(待补充)"),
        (RejectReason::InvalidDate, "日期无法识别"),
        (RejectReason::AmbiguousDate, "日期的日/月顺序不明确"),
        (RejectReason::InvalidAmount, "金额不是数字"),
        (RejectReason::MissingColumn, "该行列数不足"),
        (RejectReason::BlankRow, "空行"),
    ],
};
