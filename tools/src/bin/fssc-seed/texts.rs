//! What people write: titles, descriptions, messages and the files they attach.

use crate::{
    catalogue::TypeInfo,
    world::{CITIES, SUPPLIERS},
};
use app::time::CENTER_TIME_ZONE;
use chrono::{DateTime, Datelike, Utc};
use sha2::{Digest, Sha256};
use tools::rng::Rng;

pub(crate) const AGENT_MESSAGES: &[&str] = &[
    "您好，单据已收到，正在审核中。",
    "已核对发票信息，金额无误，继续处理。",
    "审批流程已提交，预计今天内完成。",
    "您好，付款已排入本周付款计划。",
    "已与开户行确认账户信息，请稍候。",
    "您好，系统权限已提交IT部门开通。",
];
pub(crate) const CLIENT_MESSAGES: &[&str] = &[
    "请问目前处理到哪一步了？",
    "这笔款项比较急，麻烦尽快处理，谢谢！",
    "补充说明：该费用已经部门负责人口头同意。",
    "好的，谢谢。",
    "附件中的发票是电子发票，原件无需邮寄。",
];
pub(crate) const NOTES: &[&str] = &[
    "供应商上月有一笔重复付款，注意核对。",
    "金额超过审批权限，需财务经理复核。",
    "该子公司本月预算余额不足，已提醒客户经理。",
    "发票已在税务系统查验通过。",
];
pub(crate) const ASKS: &[&str] = &[
    "请补充经部门负责人签字的审批单扫描件。",
    "发票抬头与公司全称不一致，请提供正确的发票。",
    "请提供合同首页及签字页。",
    "请说明该笔费用对应的成本中心。",
    "收款账号与供应商主数据不一致，请确认。",
];
pub(crate) const PROVIDES: &[&str] = &[
    "已补充审批单，请查收。",
    "重新开具的发票已上传。",
    "成本中心为 CC-1001。",
    "已确认，收款账号以附件中的银行回函为准。",
];
pub(crate) const RESOLUTIONS: &[&str] = &[
    "已审核通过并完成入账。",
    "款项已于今日支付，请留意到账情况。",
    "发票已开具，电子版已发送至您的邮箱。",
    "主数据已更新。",
    "权限已开通，请重新登录系统。",
    "已答复，如有疑问请再次提交。",
];
pub(crate) const REJECTIONS: &[(&str, &str)] = &[
    ("missing_documents", "缺少必要的原始单据，请补齐后重新提交。"),
    ("invalid_invoice", "发票查验不通过，请联系开票方重开。"),
    ("over_budget", "该项支出超出本年度预算。"),
    ("not_approved", "缺少有效审批。"),
    ("duplicate", "与之前提交的申请重复。"),
    ("out_of_scope", "该事项不属于财务共享中心服务范围。"),
];
pub(crate) const WITHDRAWALS: &[&str] = &["提交错了，重新提交。", "业务取消。", "已线下处理。"];
pub(crate) const TRANSFERS: &[&str] = &["该事项应由其他小组处理。", "涉及税务问题，转税务组。"];

pub(crate) fn slot_label(slot: Option<&str>) -> &'static str {
    match slot {
        Some("invoice") => "发票",
        Some("approval") => "审批单",
        Some("contract") => "合同",
        Some("supporting") => "支持文件",
        Some("workpaper") => "底稿",
        Some("screenshot") => "截图",
        _ => "附件",
    }
}

/// Title, description and form values of a request of type `ty`.
pub(crate) fn texts(rng: &mut Rng, ty: &TypeInfo, created: DateTime<Utc>, reference: &str) -> (String, String, String) {
    let local = created.with_timezone(&CENTER_TIME_ZONE);
    let month = local.month();
    let supplier = *rng.pick(SUPPLIERS);
    let city = *rng.pick(CITIES);
    let title = match ty.code.as_str() {
        "expense_reimbursement" => match rng.below(4) {
            0 => format!("{month}月{city}出差差旅费报销"),
            1 => format!("{month}月业务招待费报销"),
            2 => "办公用品采购报销".to_string(),
            _ => format!("{month}月培训费报销"),
        },
        "payment_request" => format!("支付{supplier}{month}月货款"),
        "urgent_payment" => format!("紧急支付{supplier}预付款"),
        "invoice" => match rng.below(3) {
            0 => format!("为{supplier}开具增值税专用发票"),
            1 => format!("查验{supplier}发票"),
            _ => "红字发票申请".to_string(),
        },
        "fund_transfer" => format!("{month}月资金调拨"),
        "tax" => match rng.below(2) {
            0 => format!("{month}月增值税申报咨询"),
            _ => "企业所得税汇算清缴问题".to_string(),
        },
        "ledger_close" => format!("{}年{month}月月结调整", local.year()),
        "master_data" => match rng.below(2) {
            0 => format!("新增供应商 {supplier}"),
            _ => format!("变更{supplier}银行账户"),
        },
        "system_access" => match rng.below(3) {
            0 => "ERP系统权限申请".to_string(),
            1 => "费控系统无法登录".to_string(),
            _ => "影像系统上传失败".to_string(),
        },
        "general_query" => match rng.below(2) {
            0 => "关于差旅报销标准的咨询".to_string(),
            _ => format!("查询{supplier}付款进度"),
        },
        other => format!("{other} {reference}"),
    };
    let description = format!(
        "{title}。相关单据见附件，请审核。如有问题请联系我，分机 {}。",
        8000 + rng.below(2000)
    );
    let mut values = serde_json::Map::new();
    for field in &ty.fields {
        if !field.required && rng.chance(0.5) {
            continue;
        }
        let value = match field.kind.as_str() {
            "amount" => {
                let cents = 10_000 + rng.below(5_000_000);
                serde_json::json!({ "amount": format!("{}.{:02}", cents / 100, cents % 100), "currency": "CNY" })
            }
            "date" => serde_json::json!(local.date_naive().format("%Y-%m-%d").to_string()),
            "choice" if !field.choices.is_empty() => serde_json::json!(rng.pick(&field.choices)),
            "invoice_number" => serde_json::json!(format!("{:010}{:010}", rng.below(10_000_000_000), rng.below(10_000_000_000))),
            "long_text" => serde_json::json!(format!("{title}，详见附件。")),
            _ => serde_json::json!(match field.key.as_str() {
                "cost_center" => format!("CC-{}", 1000 + rng.below(50)),
                "period" => local.format("%Y-%m").to_string(),
                _ => supplier.to_string(),
            }),
        };
        values.insert(field.key.clone(), value);
    }
    (title, description, serde_json::Value::Object(values).to_string())
}

/// A small file that starts like a PDF, as the upload check requires.
pub(crate) fn pdf_bytes(rng: &mut Rng, size: usize, reference: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    bytes.extend_from_slice(format!("1 0 obj << /Title ({reference}) >> endobj\n").as_bytes());
    bytes.extend_from_slice(b"2 0 obj << /Length 0 >> stream\n");
    let trailer = b"\nendstream\n%%EOF\n";
    while bytes.len() + 8 + trailer.len() <= size {
        bytes.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    bytes.resize(size.saturating_sub(trailer.len()).max(bytes.len()), b' ');
    bytes.extend_from_slice(trailer);
    bytes
}

/// SHA-256 of a file in lower-case hex, as the upload endpoint records it.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}
