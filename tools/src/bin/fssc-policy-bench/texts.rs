//! What the policy pages say: Chinese finance policies (reimbursement, travel, invoices, tax,
//! payments, loans, approvals) of about 3,000 characters, in Markdown with numbered headings,
//! lists and now and then a table, and for some pages an English text too.
//!
//! Everything comes from a fixed vocabulary and sentence patterns filled by [`Rng`], so a page
//! and a version always read the same. Versions of one page share most of their sentences: a
//! new version changes some of them, as an editor revising a policy does.

use tools::rng::Rng;

/// A kind of policy: its titles, where it lives in the category tree, its headings and what
/// its sentences talk about.
pub(crate) struct Topic {
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// The code of its category (see the policy column's migration).
    pub category: &'static str,
    pub tags: &'static [&'static str],
    /// Middle sections, in order; 总则 comes first and 附则 last on every page.
    pub headings: &'static [&'static str],
    pub sentences: &'static [&'static str],
    pub english: &'static [&'static str],
}

pub(crate) const TOPICS: &[Topic] = &[
    Topic {
        title_zh: "员工差旅费用报销标准",
        title_en: "Employee travel expense reimbursement standard",
        category: "travel",
        tags: &["差旅", "报销", "住宿费", "交通费"],
        headings: &["适用范围", "出差审批", "城市间交通费", "住宿费标准", "伙食补助与市内交通", "差旅借款", "报销时限与单据", "特殊情况处理"],
        sentences: &[
            "员工因公出差，应在出发前通过{S}提交出差申请单，经{P}审批后方可出行。",
            "{C}、{C}等一线城市住宿费每人每晚不超过{NS}元，其他城市每人每晚不超过{NS}元。",
            "出差人员乘坐火车的，可乘坐高铁二等座；乘坐飞机的，原则上乘坐经济舱。",
            "住宿费须取得增值税专用发票，抬头为公司全称并注明税号，不得拆分开具。",
            "伙食补助按出差自然天数计算，每人每天{NS}元，包干使用，无需提供发票。",
            "市内交通费按每人每天{NS}元的标准包干，出差期间因公使用网约车的，凭行程单据实报销。",
            "员工出差结束后{T}内，应将机票行程单、火车票、住宿发票和住宿清单一并提交报账。",
            "同一出差事项由多人同行的，原则上由一人统一报销，并在报销单中列明同行人员。",
            "未经审批擅自出差或超标准发生的费用，由出差人员自行承担。",
            "出差期间顺道探亲或办理私事的，其间发生的交通费和住宿费不予报销。",
            "出差人员应优先通过公司差旅平台预订机票和酒店，平台订单由{O}按月统一结算。",
            "因航班延误、天气等不可抗力导致超标准住宿的，应在报销单中说明原因，经{P}签字确认。",
            "境外出差的住宿费和伙食补助标准，按{O}另行发布的境外差旅标准执行。",
            "出差借款应在出差结束后{T}内报账冲销，逾期未冲销的，由{O}从当月工资中扣回。",
            "高级管理人员出差乘坐飞机公务舱的，须事先报{P}批准。",
        ],
        english: &[
            "Employees travelling on business must submit a travel request in {ES} before departure and obtain approval from their {EP}.",
            "Hotel costs in first-tier cities are reimbursed up to CNY {NS} per night; elsewhere the limit is CNY {NS} per night.",
            "Economy class is the rule for flights; second class for high-speed trains.",
            "The hotel invoice must be a VAT special invoice made out to the company's full name with its tax number.",
            "The meal allowance is CNY {NS} per day of travel and needs no receipts.",
            "Travel expense claims must be submitted within {ET} after the trip, with itineraries, tickets, hotel invoices and the hotel folio.",
            "Costs above the standard without prior approval are borne by the traveller.",
        ],
    },
    Topic {
        title_zh: "发票管理办法",
        title_en: "Invoice management rules",
        category: "tax",
        tags: &["发票", "增值税专用发票", "税务", "查验"],
        headings: &["发票的取得", "发票的审核与查验", "增值税专用发票", "电子发票", "发票的开具", "红字发票", "发票的保管与归档", "违规责任"],
        sentences: &[
            "各单位取得的发票应与实际经营业务相符，抬头为公司全称，并注明纳税人识别号。",
            "增值税专用发票应在开具之日起{DD}日内在增值税发票综合服务平台完成勾选认证。",
            "{O}收到发票后，应通过{S}查验发票真伪，查验结果打印后附于报销单之后。",
            "电子发票以原始电子文件为准，报销时须上传PDF或OFD格式文件，不得以截图代替。",
            "同一张电子发票只能报销一次，{S}自动校验发票代码和发票号码，重复报销的予以退回。",
            "发票内容填写不全、字迹不清、印章不全或与实际业务不符的，{O}不予受理。",
            "需开具红字发票的，经办人应提交红字发票信息表，由{O}在{T}内办理。",
            "对外开具发票时，应核对购买方名称、税号、地址电话和开户行及账号，确保信息准确。",
            "取得的增值税普通发票不得抵扣进项税额，采购时应优先要求供应商开具增值税专用发票。",
            "丢失已开具增值税专用发票的，应取得开票方加盖发票专用章的记账联复印件，并附情况说明。",
            "发票及相关凭证应按月装订成册，由{O}统一保管，保管期限为{Y}年。",
            "虚开、代开或者使用虚假发票报销的，一经查实，追回款项并按公司规定严肃处理。",
            "金额超过{N}元的发票，报销时须附合同或订单及验收单。",
            "餐饮、娱乐等消费取得的发票，应在发票背面注明事由、参加人员和人数。",
        ],
        english: &[
            "Every invoice must match a real transaction and name the company in full with its taxpayer identification number.",
            "VAT special invoices must be confirmed for deduction within {DD} days of issue.",
            "Invoices are checked for authenticity in {ES}; the result is attached to the claim.",
            "An electronic invoice is accepted as its original PDF or OFD file, never as a screenshot.",
            "An invoice can be claimed only once; duplicates are rejected automatically.",
            "Invoices above CNY {N} require the contract or purchase order and the acceptance note.",
        ],
    },
    Topic {
        title_zh: "借款与还款规定",
        title_en: "Employee advances and repayment",
        category: "payments",
        tags: &["借款", "还款", "备用金", "冲销"],
        headings: &["借款范围", "借款申请与审批", "借款额度", "借款的支付", "报账冲销", "逾期借款", "备用金管理"],
        sentences: &[
            "员工因公出差、临时采购或业务周转需要预借款项的，可申请借款。",
            "借款人应通过{S}填写借款单，写明借款事由、金额和预计还款日期，经{P}审批。",
            "单笔借款金额超过{N}元的，须经{P}和{P}共同审批。",
            "前次借款未清的，原则上不得再次借款，特殊情况须经{P}批准。",
            "借款原则上通过网上银行转入借款人工资卡，不支付现金。",
            "借款人应在业务结束后{T}内持报销单据办理报账冲销，多退少补。",
            "借款逾期{DD}日未还的，{O}将发出催还通知，并抄送借款人所在部门负责人。",
            "逾期{DD}日以上仍未归还的，由{O}从借款人当月工资中扣回。",
            "员工离职前应结清全部借款，未结清的，人力资源部不予办理离职手续。",
            "各部门备用金实行定额管理，额度由{O}核定，年末须全部归还。",
            "备用金仅用于零星支出，单笔支出不得超过{NS}元。",
            "{O}每月末编制借款余额表，对超期借款逐笔跟踪。",
        ],
        english: &[
            "Employees may ask for an advance for business travel, small purchases or urgent business needs.",
            "An advance request states the purpose, amount and expected repayment date and is approved in {ES}.",
            "Advances above CNY {N} need the approval of the {EP} and the finance manager.",
            "Advances are settled with expense claims within {ET} after the trip; any balance is repaid.",
            "Overdue advances are deducted from salary after a reminder.",
        ],
    },
    Topic {
        title_zh: "业务招待费管理办法",
        title_en: "Business entertainment expenses",
        category: "expenses",
        tags: &["招待费", "业务招待", "审批"],
        headings: &["招待费的范围", "招待标准", "事前审批", "报销要求", "预算控制", "监督检查"],
        sentences: &[
            "业务招待费是指为生产经营业务合理需要而发生的宴请、工作餐及礼品支出。",
            "招待活动应事先填写招待申请单，注明招待对象、人数、事由和预计金额，经{P}审批。",
            "宴请标准为每人每餐不超过{NS}元，陪同人员原则上不超过招待对象人数。",
            "报销招待费须提供发票、招待申请单和消费清单，发票背面须注明招待事由。",
            "招待费实行预算管理，超出年度预算的，须经{P}审批后方可列支。",
            "不得以招待费名义报销个人消费，不得在招待费中列支礼品卡、购物卡。",
            "{O}每季度对招待费支出进行统计分析，并向{P}报告。",
            "招待费税前扣除按税法规定执行，{O}负责年度汇算时的纳税调整。",
            "单次招待金额超过{N}元的，须附招待对象名单。",
            "招待用酒原则上由公司统一采购，不得在外另行购买高档酒水。",
            "同一招待对象在同一季度内多次接待的，应在申请中说明理由。",
            "招待费应通过公务卡或对公转账支付，原则上不使用现金结算。",
            "{P}对本部门招待费的真实性负责，{O}负责招待费的审核和统计。",
        ],
        english: &[
            "Entertainment must be approved beforehand, stating the guests, their number, the purpose and the expected cost.",
            "Meals are limited to CNY {NS} per person.",
            "Claims need the invoice, the approved request and the itemised bill.",
        ],
    },
    Topic {
        title_zh: "付款审批流程说明",
        title_en: "Payment approval procedure",
        category: "payments",
        tags: &["付款", "审批", "付款申请"],
        headings: &["付款范围", "付款申请", "审批权限", "付款审核", "付款安排", "紧急付款", "付款查询"],
        sentences: &[
            "对外付款须以合同、订单或其他有效结算依据为基础，由经办部门发起付款申请。",
            "付款申请单应列明收款单位全称、开户行、银行账号、付款金额和付款事由。",
            "单笔付款金额在{N}元以下的，由部门负责人审批；超过{N}元的，还须经{P}审批。",
            "{O}收到付款申请后，审核合同条款、发票和验收单据，{T}内完成审核。",
            "收款账户与供应商主数据不一致的，{O}暂停付款，经核实后方可支付。",
            "{O}每周二、周四集中安排付款，月末最后两个工作日不安排常规付款。",
            "紧急付款须在付款申请中说明原因，经{P}批准后当日安排支付。",
            "付款完成后，经办人可在{S}中查询付款状态并下载银行回单。",
            "预付款超过合同金额{R}%的，须经{P}审批，并在合同中约定预付款的抵扣方式。",
            "质保金应在质保期满且无质量问题后，凭{P}签字的确认单支付。",
        ],
        english: &[
            "Payments are based on a contract, purchase order or other valid basis and are requested by the department concerned.",
            "Payments up to CNY {N} are approved by the head of department; above that, also by the {EP}.",
            "Payment runs are on Tuesdays and Thursdays; urgent payments need a reason and approval.",
            "Payment status and bank slips can be looked up in {ES}.",
        ],
    },
    Topic {
        title_zh: "增值税专用发票认证与抵扣指引",
        title_en: "Confirming and deducting VAT special invoices",
        category: "tax",
        tags: &["增值税", "进项税额", "抵扣", "认证"],
        headings: &["适用范围", "勾选认证", "不得抵扣的情形", "进项税额转出", "申报与核对", "异常发票处理"],
        sentences: &[
            "取得增值税专用发票后，应在开具之日起{DD}日内完成勾选认证。",
            "用于集体福利或者个人消费的购进货物，其进项税额不得从销项税额中抵扣。",
            "{O}每月{TD}前完成当月发票的勾选确认，并与进项税额明细账核对一致。",
            "已抵扣进项税额的货物发生非正常损失的，应在当期作进项税额转出。",
            "旅客运输服务取得注明旅客身份信息的电子客票行程单，可按规定计算抵扣进项税额。",
            "收到税务机关异常凭证通知的，{O}应暂停抵扣，并联系销售方核实处理。",
            "增值税纳税申报由{O}统一办理，各子公司应在每月{TD}前提交申报资料。",
            "进项税额抵扣台账应按月打印，经{P}签字后归档。",
            "海关进口增值税专用缴款书应在{DD}日内通过{S}进行稽核比对。",
            "销售方开具的发票项目名称与合同约定不一致的，应退回重开，不得抵扣。",
            "{O}应在每月申报前核对进项税额、销项税额和应交增值税明细账。",
            "农产品收购发票按规定计算抵扣进项税额，须附收购清单和付款凭证。",
            "不动产进项税额的抵扣按税法规定执行，由{O}单独建立台账。",
        ],
        english: &[
            "VAT special invoices must be confirmed for deduction within {DD} days of issue.",
            "Input VAT on goods used for staff welfare or personal consumption is not deductible.",
            "Abnormal invoices reported by the tax bureau are suspended from deduction until resolved.",
        ],
    },
    Topic {
        title_zh: "费用报销操作指南",
        title_en: "How to submit an expense claim",
        category: "how-to",
        tags: &["报销", "费控系统", "操作指南"],
        headings: &["登录费控系统", "填写报销单", "上传附件", "提交审批", "单据寄送", "查询进度", "常见退单原因"],
        sentences: &[
            "登录{S}后，在首页点击新建报销单，选择报销类型和费用所属成本中心。",
            "逐项填写费用明细，金额应与发票金额一致，币种默认为人民币。",
            "发票和其他单据扫描或拍照上传，每个附件不超过{M}MB，须清晰完整。",
            "报销单提交后，系统自动发送至{P}审批，审批结果将通过邮件通知。",
            "纸质原始单据应在提交后{T}内粘贴整齐，寄送至{O}。",
            "报销进度可在{S}的我的单据中查询，显示为已付款即表示款项已支付。",
            "报销单被退回的，应根据退回意见补充或修改后重新提交。",
            "常见退单原因包括：发票抬头错误、缺少审批单、金额与发票不符、超过报销时限。",
            "同一笔费用不得拆分成多张报销单提交，以规避审批权限。",
        ],
        english: &[
            "Sign in to {ES}, choose New claim, and pick the expense type and cost centre.",
            "Each line's amount must equal its invoice; attachments must be complete and legible.",
            "Claims go to the {EP} for approval; the result arrives by email.",
            "Common reasons for return: wrong invoice header, missing approval, amount not matching the invoice, late submission.",
        ],
    },
    Topic {
        title_zh: "预算控制与费用审批权限规定",
        title_en: "Budget control and approval limits",
        category: "expenses",
        tags: &["预算", "审批权限", "费用控制"],
        headings: &["预算编制", "预算执行", "审批权限表", "超预算审批", "预算调整", "考核"],
        sentences: &[
            "各部门应于每年{TY}前编制下一年度费用预算，报{O}汇总审核。",
            "费用支出实行预算控制，无预算或超预算的支出原则上不予报销。",
            "确需超预算支出的，应提交超预算申请，说明原因和金额，经{P}审批。",
            "审批人应对费用的真实性、必要性和合理性负责，不得越权审批。",
            "预算执行情况由{O}按月通报，执行率偏差超过{R}%的，须作出书面说明。",
            "年度中预算需要调整的，每年只受理一次，由{O}统一组织。",
            "同一事项的费用不得拆分审批，分次报销的金额合并计算审批权限。",
            "审批权限按金额分级：{N}元以下由部门负责人审批，{N}元以上由{P}审批。",
            "预算编制应遵循量入为出、统筹兼顾的原则，不得虚列支出。",
            "{O}在{S}中设置预算控制规则，超出预算的单据系统自动拦截。",
            "资本性支出与费用性支出应分别编制预算，不得相互挤占。",
            "预算执行结果纳入部门年度绩效考核，考核结果与绩效奖金挂钩。",
            "审批人休假或出差期间，可授权他人代为审批，但授权期限不得超过{T}。",
        ],
        english: &[
            "Spending without a budget, or beyond it, is not reimbursed without the approval of the {EP}.",
            "Approvers answer for the reality, necessity and reasonableness of the costs they approve.",
            "Splitting one matter into several claims to stay below an approval limit is not allowed.",
        ],
    },
    Topic {
        title_zh: "合同付款与结算管理办法",
        title_en: "Contract payments and settlement",
        category: "payments",
        tags: &["合同", "付款", "结算", "质保金"],
        headings: &["合同审核", "预付款", "进度款", "验收与结算", "质保金", "合同变更"],
        sentences: &[
            "合同签订前须经法务、财务会签，合同中应明确付款条件、付款方式和发票类型。",
            "预付款比例原则上不超过合同金额的{R}%，超过的须经{P}审批。",
            "进度款按合同约定的节点支付，付款时须附进度确认单和相应发票。",
            "合同履行完毕后，经办部门应组织验收，验收合格后办理结算。",
            "质保金一般为合同金额的{R}%，质保期满无质量问题的，凭确认单支付。",
            "合同金额、付款条件发生变更的，须签订补充协议后方可按变更后的条件付款。",
            "{O}建立合同付款台账，逐笔登记已付金额和未付余额。",
            "收款方名称必须与合同签订方一致，不得向第三方付款。",
            "合同约定分期付款的，每期付款前应核对前期付款和发票取得情况。",
            "合同终止或解除的，经办部门应及时通知{O}停止付款，并办理结算。",
            "涉及外币结算的合同，付款汇率按付款当日银行挂牌汇率执行。",
            "{O}每季度与主要供应商核对往来余额，发现差异及时查明原因。",
        ],
        english: &[
            "Contracts must state payment terms, method and invoice type, and be countersigned by legal and finance.",
            "Advance payments are normally limited to {R}% of the contract value.",
            "Payments go only to the party that signed the contract, never to a third party.",
        ],
    },
    Topic {
        title_zh: "会议费与培训费管理规定",
        title_en: "Meeting and training expenses",
        category: "expenses",
        tags: &["会议费", "培训费", "报销"],
        headings: &["会议分类", "会议费标准", "培训计划", "培训费标准", "报销要求"],
        sentences: &[
            "会议应严格控制规模和天数，能合并召开的应合并召开，能视频召开的不集中召开。",
            "会议费综合定额标准为每人每天{NS}元，包括住宿费、伙食费和会议室租金。",
            "培训费实行计划管理，年度培训计划由人力资源部编制，报{P}审批。",
            "报销会议费须提供会议通知、签到表、会议费结算单及发票。",
            "外部培训费用超过{N}元的，员工应签订培训服务协议。",
            "不得借会议、培训名义组织旅游或与会议、培训无关的参观活动。",
            "{O}对会议费、培训费执行情况每半年检查一次。",
            "会议应提前{T}报送会议计划，列明会议名称、内容、人数、天数和经费预算。",
            "会议期间不得安排宴请，不得组织与会议无关的活动，不得发放纪念品。",
            "参加外部培训的人员，应在培训结束后{T}内提交培训总结。",
            "内部培训讲师课酬按每课时{NS}元的标准执行。",
            "培训结束后{T}内，经办人应持培训通知、签到表和发票办理报销。",
        ],
        english: &[
            "Meetings are kept small and short; video meetings are preferred.",
            "The all-in rate for meetings is CNY {NS} per person per day.",
            "Claims need the meeting notice, attendance list, settlement statement and invoices.",
        ],
    },
    Topic {
        title_zh: "服务时限与受理范围说明",
        title_en: "Service scope and time limits",
        category: "service",
        tags: &["服务时限", "受理范围", "共享中心"],
        headings: &["受理范围", "受理方式", "处理时限", "退回与补充", "咨询与投诉"],
        sentences: &[
            "财务共享服务中心受理各子公司的费用报销、付款、开票、税务咨询和主数据维护等业务。",
            "各类申请应通过共享服务平台提交，邮件和电话提交的申请不予受理。",
            "费用报销单据齐全的，共享中心在{T}内完成审核。",
            "付款申请审核通过后，按付款计划在{T}内完成支付。",
            "资料不全的申请将被退回，补充资料后处理时限重新计算。",
            "对处理结果有异议的，可在共享服务平台中补充说明，或联系{P}。",
            "月末结账期间（每月最后三个工作日），非紧急业务顺延处理。",
            "共享中心的服务时间为工作日上午九时至下午五时，节假日不受理业务。",
            "紧急业务可在申请中勾选加急，共享中心优先处理，但每月加急次数有限。",
            "共享中心按月发布服务报告，通报各子公司的单据数量、退单率和处理时长。",
            "各子公司应指定财务联络人，负责与共享中心沟通协调。",
        ],
        english: &[
            "The shared services center handles expense claims, payments, invoicing, tax questions and master data for every subsidiary.",
            "Requests are made in {ES} only; requests by email or phone are not accepted.",
            "Complete expense claims are reviewed within {ET}.",
        ],
    },
    Topic {
        title_zh: "报销常见问题解答",
        title_en: "Expense claims: questions and answers",
        category: "faq",
        tags: &["常见问题", "报销", "发票"],
        headings: &["发票问题", "差旅问题", "审批问题", "付款问题", "系统问题"],
        sentences: &[
            "问：电子发票可以打印后报销吗？答：应上传原始电子文件，打印件仅作为附件。",
            "问：发票抬头写错了怎么办？答：请联系开票方作废或开具红字发票后重新开具。",
            "问：出差期间的网约车费用能报销吗？答：因公使用的，凭发票和行程单据实报销。",
            "问：审批人出差无法审批怎么办？答：审批人可在{S}中设置代理审批人。",
            "问：报销款什么时候到账？答：审核通过后{T}内支付至工资卡。",
            "问：超过报销时限的单据还能报销吗？答：须说明原因并经{P}审批。",
            "问：系统提示发票重复怎么办？答：请核对是否已报销，如确未报销，请联系{O}。",
            "问：住宿超标准了怎么办？答：超出部分由个人承担，特殊情况经审批后可据实报销。",
            "问：丢失了火车票怎么办？答：可在铁路客服平台开具报销凭证，或提交情况说明经审批后报销。",
            "问：报销单被退回了怎么办？答：按退回意见补充资料后，在原单据上重新提交即可。",
            "问：增值税专用发票和普通发票有什么区别？答：专用发票可以抵扣进项税额，普通发票不能抵扣。",
            "问：借款还没还清能再借吗？答：原则上不能，特殊情况须经{P}批准。",
            "问：外币发票怎么报销？答：按费用发生当日的汇率折算为人民币报销，并附汇率说明。",
        ],
        english: &[
            "Q: Can I print an electronic invoice? A: Upload the original file; a printout is only an attachment.",
            "Q: When will I be paid? A: Within {ET} after the claim is approved.",
            "Q: The system says my invoice is a duplicate. A: Check whether it was claimed before, then ask the {EP}.",
        ],
    },
    Topic {
        title_zh: "资金调拨管理办法",
        title_en: "Intra-group fund transfers",
        category: "payments",
        tags: &["资金", "调拨", "资金计划"],
        headings: &["资金计划", "调拨申请", "审批与执行", "账户管理", "资金监控"],
        sentences: &[
            "各子公司应于每月{TD}前报送下月资金计划，{O}据此统筹安排资金。",
            "计划外资金调拨须提交调拨申请，说明用途和金额，经{P}审批。",
            "单笔调拨金额超过{N}元的，须经{P}审批。",
            "银行账户的开立、变更和撤销须经{O}审批，严禁出租、出借银行账户。",
            "{O}每日监控各账户资金余额，发现异常及时报告。",
            "资金调拨通过网上银行办理，制单、复核、审批应由不同人员完成。",
            "闲置资金应统一归集至集团资金池，由{O}统筹使用。",
            "子公司对外担保、借款须报{P}审批，严禁擅自对外提供借款。",
            "银行预留印鉴应分开保管，财务专用章与法人名章不得由同一人保管。",
            "{O}每月末编制银行存款余额调节表，未达账项超过{T}的应查明原因。",
            "大额资金支付实行双人复核，单笔超过{N}元的须经{P}电话确认。",
        ],
        english: &[
            "Each subsidiary submits next month's cash plan before the deadline.",
            "Unplanned transfers need a request stating purpose and amount, approved by the {EP}.",
        ],
    },
    Topic {
        title_zh: "个人所得税代扣代缴说明",
        title_en: "Individual income tax withholding",
        category: "tax",
        tags: &["个人所得税", "代扣代缴", "税务"],
        headings: &["代扣范围", "专项附加扣除", "劳务报酬", "申报与缴纳", "年度汇算"],
        sentences: &[
            "公司作为扣缴义务人，按月代扣代缴员工工资薪金所得的个人所得税。",
            "员工享受专项附加扣除的，应通过个人所得税APP填报，并于每年{TY}前确认。",
            "支付外部人员劳务报酬的，按劳务报酬所得预扣预缴个人所得税。",
            "个人所得税扣缴申报由{O}在次月十五日内完成。",
            "员工需要完税证明的，可在个人所得税APP中自行下载。",
            "年度汇算由员工本人办理，公司可提供收入和扣缴明细。",
            "员工取得的全年一次性奖金，按税法规定选择单独计税或并入综合所得计税。",
            "公司发放的通讯补贴、交通补贴和过节费，应并入当月工资薪金计算个人所得税。",
            "外籍员工的住房补贴、子女教育费等津补贴，按税法规定享受免税优惠。",
            "员工对扣缴税款有异议的，可向{O}查询，也可向主管税务机关申诉。",
        ],
        english: &[
            "The company withholds individual income tax on salaries every month.",
            "Special additional deductions are declared by employees in the tax app.",
        ],
    },
    Topic {
        title_zh: "员工通讯费与交通补贴标准",
        title_en: "Phone and commuting allowances",
        category: "expenses",
        tags: &["通讯费", "交通补贴", "补贴标准"],
        headings: &["适用人员", "通讯费标准", "交通补贴标准", "发放方式", "调整与停发"],
        sentences: &[
            "通讯费按岗位级别核定，每人每月{NS}元至{NS}元不等，随工资发放。",
            "交通补贴每人每月{NS}元，已配备公务用车的人员不再享受。",
            "新入职员工自入职次月起享受，离职员工自离职当月起停发。",
            "补贴标准由人力资源部会同{O}制定，报{P}批准后执行。",
            "通讯费和交通补贴按税法规定并入工资薪金计算个人所得税。",
            "员工岗位调整的，自调整次月起按新岗位标准发放。",
            "长期外派人员在外派期间的交通补贴，按外派地标准另行核定。",
            "员工休假超过{T}的，休假期间停发交通补贴。",
            "因工作需要使用私车公用的，按实际公里数每公里{NS}分的标准给予补助。",
            "补贴发放情况由{O}按季度复核，多发的从下月工资中扣回。",
        ],
        english: &[
            "Phone allowances depend on grade, CNY {NS} to {NS} a month, paid with salary.",
            "The commuting allowance is CNY {NS} a month; staff with a company car do not receive it.",
        ],
    },
];

/// Sentences any finance policy may hold.
const GENERAL: &[&str] = &[
    "为规范{X}管理，加强内部控制，提高资金使用效益，根据国家有关法律法规和集团财务管理制度，制定本办法。",
    "本办法适用于集团总部及各子公司，{O}负责本办法的组织实施和监督检查。",
    "各级审批人应按照审批权限履行审批职责，对所审批事项的真实性和合规性负责。",
    "经办人应如实填写{D}，并对所附单据的真实性、完整性负责。",
    "{O}在审核中发现单据不全或不符合规定的，应一次性告知需补充的资料。",
    "所有{X}原则上通过{S}在线办理，纸质单据作为原始凭证归档保管。",
    "单据审核通过后，{O}按照会计准则编制记账凭证，并于当月入账。",
    "会计凭证、账簿和财务报告等会计档案按规定保管，保管期限不少于{Y}年。",
    "对违反本办法的，{O}有权拒绝办理，并视情节轻重通报批评或追究责任。",
    "各子公司可根据本办法制定实施细则，但标准不得高于本办法的规定。",
    "{P}应定期检查{X}执行情况，发现问题及时整改。",
    "涉及{X}的争议事项，由{O}会同相关部门研究处理。",
    "金额在{N}元以上的支出，须事先取得{P}的书面批准。",
    "{D}须由经办人、证明人和{P}签字，缺少签字的不予受理。",
    "因系统故障无法在线提交的，可先行线下审批，系统恢复后{T}内补录。",
    "跨年度的费用应在当年{TY}前完成报销，逾期原则上不再受理。",
    "各单位应加强{X}的事前控制，不得先支出后补办审批手续。",
    "{O}按月编制{X}分析报告，报送{P}。",
    "各子公司财务负责人对本单位{X}的合规性负总责。",
    "{O}应当建立{X}台账，做到账账相符、账实相符。",
    "经办人调离岗位的，应在离岗前办理交接手续，交接清单由{P}签字确认。",
    "原始凭证有涂改、挖补的，一律退回，由出具单位重新出具。",
    "以外币计价的{X}，按业务发生当日中国人民银行公布的汇率中间价折算。",
    "共享中心通过{S}对单据进行影像扫描，影像与纸质原件不一致的以原件为准。",
    "内控审计部每年对{X}开展专项检查，检查结果报{P}。",
    "员工对审核结果有异议的，可在{T}内通过{S}提出复核申请。",
    "为提高效率，金额在{NS}元以下的小额{X}可实行简易审批。",
    "{O}应定期对{X}数据进行分析，提出管理改进建议。",
    "本办法所称\"以上\"包含本数，\"以下\"不包含本数。",
    "涉及关联交易的{X}，按集团关联交易管理制度另行审批。",
];

/// Sections any policy may have, after its topic's own.
const GENERIC_HEADINGS: &[&str] = &["职责分工", "审批权限", "单据要求", "办理流程", "信息系统", "监督检查", "档案管理", "责任追究"];
/// Headings of subsections.
const SUB_HEADINGS: &[&str] = &["基本要求", "办理流程", "单据要求", "审批要求", "注意事项", "例外情形", "时限要求"];

const CLOSING: &[&str] = &[
    "本办法由{O}负责解释。",
    "本办法自发布之日起施行，原有规定与本办法不一致的，以本办法为准。",
    "各子公司应在本办法发布后{T}内完成内部宣贯。",
];

// Word classes that fill the patterns' slots.
const PEOPLE: &[&str] = &[
    "部门负责人", "财务经理", "财务总监", "总经理", "分管副总经理", "子公司财务负责人", "客户经理", "预算管理员",
    "审核会计", "费用会计", "应付会计", "出纳", "税务会计", "资金主管", "共享中心主任", "人力资源部负责人",
];
const ORGS: &[&str] = &[
    "财务共享服务中心", "集团财务部", "费用组", "应付组", "税务组", "资金组", "总账组", "内控审计部",
    "人力资源部", "采购部", "行政部", "各子公司财务部",
];
const DOCUMENTS: &[&str] = &[
    "报销单", "出差申请单", "借款单", "付款申请单", "审批单", "验收单", "入库单", "合同", "订单", "银行回单",
    "住宿清单", "机票行程单", "火车票", "会议通知", "签到表", "招待申请单", "调拨申请单", "费用明细表",
];
const SYSTEMS: &[&str] = &["费控系统", "共享服务平台", "ERP系统", "影像系统", "网上银行", "增值税发票综合服务平台", "差旅平台"];
const CITIES: &[&str] = &["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "重庆", "天津", "苏州", "厦门", "青岛", "长沙", "郑州"];
const MATTERS: &[&str] = &[
    "费用报销", "差旅费", "借款", "付款", "发票", "招待费", "会议费", "培训费", "资金", "预算", "合同结算", "税务",
    "办公费", "通讯费", "车辆使用费", "咨询费",
];
/// Periods: "{T}内".
const TIME_LIMITS: &[&str] = &["两个工作日", "三个工作日", "五个工作日", "十个工作日", "十日", "十五日", "三十日", "一个月"];
/// Days of the month: "每月{TD}前".
const MONTH_DAYS: &[&str] = &["五日", "十日", "十五日", "二十日", "二十五日"];
/// Days of the year: "每年{TY}前".
const YEAR_DAYS: &[&str] = &["十月三十一日", "十一月十五日", "十一月三十日", "十二月十日", "十二月二十日"];
/// Thresholds and limits.
const AMOUNTS: &[u32] = &[1000, 2000, 3000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];
/// Rates per night, day, meal or month.
const SMALL_AMOUNTS: &[u32] = &[60, 80, 100, 120, 150, 200, 260, 300, 350, 400, 450, 500, 550, 600, 800];
const DAYS: &[u32] = &[30, 60, 90, 180, 360];
const YEARS: &[u32] = &[10, 15, 30];
const RATES: &[u32] = &[5, 10, 20, 30];
const MEGABYTES: &[u32] = &[5, 10, 20];
const E_SYSTEMS: &[&str] = &["the expense system", "the shared services portal", "the ERP system", "online banking"];
const E_PEOPLE: &[&str] = &["head of department", "finance manager", "chief financial officer", "client manager"];
const E_TIME: &[&str] = &["five working days", "ten days", "thirty days", "one month"];

const NUMERALS: &[&str] = &[
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六",
];
const SUBSECTIONS: &[&str] = &["（一）", "（二）", "（三）", "（四）"];

/// One version of a page.
pub(crate) struct Text {
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    pub tags: Vec<String>,
}

/// Fills the `{…}` slots of a pattern.
fn fill(pattern: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closed slot");
        let word: String = match &rest[open + 1..close] {
            "P" => rng.pick(PEOPLE).to_string(),
            "O" => rng.pick(ORGS).to_string(),
            "DD" => rng.pick(DAYS).to_string(),
            "D" => rng.pick(DOCUMENTS).to_string(),
            "S" => rng.pick(SYSTEMS).to_string(),
            "C" => rng.pick(CITIES).to_string(),
            "X" => rng.pick(MATTERS).to_string(),
            "T" => rng.pick(TIME_LIMITS).to_string(),
            "N" => rng.pick(AMOUNTS).to_string(),
            "NS" => rng.pick(SMALL_AMOUNTS).to_string(),
            "TD" => rng.pick(MONTH_DAYS).to_string(),
            "TY" => rng.pick(YEAR_DAYS).to_string(),
            "Y" => rng.pick(YEARS).to_string(),
            "R" => rng.pick(RATES).to_string(),
            "M" => rng.pick(MEGABYTES).to_string(),
            "ES" => rng.pick(E_SYSTEMS).to_string(),
            "EP" => rng.pick(E_PEOPLE).to_string(),
            "ET" => rng.pick(E_TIME).to_string(),
            other => panic!("unknown slot {other}"),
        };
        out.push_str(&word);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Sentence patterns dealt in a shuffled order, so that a page repeats none until it has used
/// them all.
struct Deck {
    patterns: Vec<&'static str>,
    next: usize,
}

impl Deck {
    fn new(patterns: &[&'static str], rng: &mut Rng) -> Deck {
        let mut patterns = patterns.to_vec();
        rng.shuffle(&mut patterns);
        Deck { patterns, next: 0 }
    }

    fn deal(&mut self, rng: &mut Rng) -> &'static str {
        if self.next == self.patterns.len() {
            rng.shuffle(&mut self.patterns);
            self.next = 0;
        }
        self.next += 1;
        self.patterns[self.next - 1]
    }
}

/// Writes one page's sentences. `base` is the page's own stream; in a revision (`edit`) some
/// sentences are replaced, so that versions differ as revisions do while `base` stays in step.
struct Writer {
    topic: &'static Topic,
    base: Rng,
    edit: Rng,
    revised: bool,
    own: Deck,
    general: Deck,
}

impl Writer {
    /// A topic sentence mostly, a general one sometimes.
    fn sentence(&mut self) -> String {
        let deck = if self.base.chance(0.65) { &mut self.own } else { &mut self.general };
        let original = fill(deck.deal(&mut self.base), &mut self.base);
        if self.revised && self.edit.chance(0.15) {
            let patterns = if self.edit.chance(0.65) { self.topic.sentences } else { GENERAL };
            fill(*self.edit.pick(patterns), &mut self.edit)
        } else {
            original
        }
    }

    fn table(&mut self) -> String {
        let base = &mut self.base;
        let mut out = String::new();
        if self.topic.category == "travel" {
            out.push_str("| 城市类别 | 城市 | 住宿费（元/人·晚） | 伙食补助（元/人·天） |\n| --- | --- | ---: | ---: |\n");
            let mut cities = CITIES.to_vec();
            base.shuffle(&mut cities);
            let mut cities = cities.into_iter();
            for (class, count, hotel, meals) in [("一类", 4, 600, 100), ("二类", 5, 450, 80), ("三类", 4, 350, 60)] {
                let names: Vec<&str> = cities.by_ref().take(count).collect();
                out.push_str(&format!("| {class}城市 | {} | {} | {} |\n", names.join("、"), hotel + 50 * base.below(3), meals));
            }
        } else {
            out.push_str("| 金额区间（元） | 审批人 | 处理时限 |\n| --- | --- | --- |\n");
            let mut low = 0;
            for step in [5_000, 50_000, 200_000] {
                out.push_str(&format!("| {low} 至 {step} | {} | {} |\n", base.pick(PEOPLE), base.pick(TIME_LIMITS)));
                low = step;
            }
            out.push_str(&format!("| {low} 以上 | 总经理 | {} |\n", base.pick(TIME_LIMITS)));
        }
        out
    }

    /// A section's text: paragraphs, a numbered list, sometimes subsections or a table.
    fn section(&mut self, with_table: bool, out: &mut String) {
        match self.base.below(4) {
            0 => {
                for i in 1..=4 + self.base.below(4) {
                    out.push_str(&format!("{i}. {}\n", self.sentence()));
                }
                out.push('\n');
            }
            1 => {
                let mut headings = SUB_HEADINGS.to_vec();
                self.base.shuffle(&mut headings);
                let count = 2 + self.base.below(3);
                for (sub, heading) in SUBSECTIONS.iter().zip(headings).take(count) {
                    out.push_str(&format!("### {sub}{heading}\n\n"));
                    for _ in 0..2 + self.base.below(2) {
                        out.push_str(&self.sentence());
                    }
                    out.push_str("\n\n");
                }
            }
            _ => {
                for _ in 0..2 + self.base.below(2) {
                    for _ in 0..2 + self.base.below(3) {
                        out.push_str(&self.sentence());
                    }
                    out.push_str("\n\n");
                }
                if self.base.chance(0.5) {
                    for _ in 0..2 + self.base.below(3) {
                        out.push_str(&format!("- {}\n", self.sentence()));
                    }
                    out.push('\n');
                }
            }
        }
        if with_table {
            out.push_str(&self.table());
            out.push('\n');
        }
    }
}

/// The page's own random stream; its first draw is the page's topic.
fn page_rng(seed: u64, page: usize) -> Rng {
    Rng::new(seed ^ (page as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// What page `page` is about, whatever its version.
pub(crate) fn topic_of(seed: u64, page: usize) -> &'static Topic {
    &TOPICS[page_rng(seed, page).below(TOPICS.len())]
}

/// Version `version` (from 1) of page `page` (from 1). Pages with `english` have an English
/// title and body as well.
pub(crate) fn page_text(seed: u64, page: usize, version: usize, english: bool) -> Text {
    let mut base = page_rng(seed, page);
    let topic = &TOPICS[base.below(TOPICS.len())];
    let target = 2_700 + base.below(600);
    let table_at = if base.chance(0.4) { Some(1 + base.below(3)) } else { None };
    let mut headings: Vec<&str> = topic.headings.to_vec();
    let mut generic = GENERIC_HEADINGS.to_vec();
    base.shuffle(&mut generic);
    headings.extend(generic);
    let own = Deck::new(topic.sentences, &mut base);
    let general = Deck::new(GENERAL, &mut base);
    let edit = Rng::new(seed ^ ((page as u64) << 20) ^ version as u64 ^ 0xED17);
    let mut writer = Writer { topic, base, edit, revised: version > 1, own, general };

    let title_zh = format!("{} 第{page:04}号", topic.title_zh);
    let mut body = String::with_capacity(target * 4);
    let opening = fill(GENERAL[0], &mut writer.base);
    body.push_str(&format!("## 一、总则\n\n{opening}{}\n\n", writer.sentence()));
    // Sections follow the topic's headings, then general ones, until the body is long enough.
    let mut n = 1;
    while body.chars().count() < target && n <= headings.len() && n + 1 < NUMERALS.len() {
        body.push_str(&format!("## {}、{}\n\n", NUMERALS[n], headings[n - 1]));
        writer.section(table_at == Some(n), &mut body);
        n += 1;
    }
    body.push_str(&format!("## {}、附则\n\n", NUMERALS[n]));
    for closing in CLOSING {
        body.push_str(&fill(closing, &mut writer.base));
    }
    body.push_str(&format!("\n\n（第{version}版）\n"));

    let base = &mut writer.base;
    let (title_en, body_en) = if english {
        let mut text = String::new();
        let mut deck = Deck::new(topic.english, base);
        for (i, heading) in ["Scope", "Rules", "Documents", "Approval", "Final provisions"].iter().enumerate() {
            text.push_str(&format!("## {}. {heading}\n\n", i + 1));
            for _ in 0..2 + base.below(2) {
                text.push_str(&fill(deck.deal(base), base));
                text.push(' ');
            }
            text.push_str("\n\n");
        }
        text.push_str(&format!("(Version {version})\n"));
        (format!("{} No. {page:04}", capitalise(topic.title_en)), text)
    } else {
        (String::new(), String::new())
    };
    let tags = topic.tags.iter().take(2 + base.below(topic.tags.len() - 1)).map(|t| t.to_string()).collect();
    Text { title_zh, title_en, body_zh: body, body_en, tags }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_same_for_the_same_page_and_about_three_thousand_characters() {
        let a = page_text(7, 12, 1, true);
        let b = page_text(7, 12, 1, true);
        assert_eq!(a.body_zh, b.body_zh);
        let chars = a.body_zh.chars().count();
        assert!((2_500..4_200).contains(&chars), "{chars}");
        assert!(!a.body_en.is_empty() && a.title_en.ends_with("No. 0012"));
        let c = page_text(7, 12, 2, true);
        assert_ne!(a.body_zh, c.body_zh, "a new version changes something");
    }
}
