import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

const zh = {
  app: { title: 'Carepoints 运营后台', language: 'English', signOut: '退出', role: { admin: '管理员', reviewer: '审核员', analyst: '分析员' } },
  nav: { dashboard: '数据看板', queue: '审核队列', merchants: '商户', hospitals: '医院名录', rulesets: '规则', catalogue: '兑换目录', payouts: '打款', operations: '运维' },
  common: { more: '加载更多', none: '暂无数据', required: '必填' },
  merchants: {
    title: '商户查询', search: '钱包用户号、手机号、商户号或姓名开头', find: '查询', hint: '输入查询条件', name: '姓名', phone: '手机号', city: '城市', enrolled: '入驻时间',
    available: '可用额度', reserved: '报销中', debt: '欠款', wallet: '钱包用户号', signals: '风险信号', noSignals: '无', ledger: '额度流水', at: '时间', code: '类型', phase: '阶段', amount: '金额', reference: '来源',
  },
  hospitals: {
    title: '医院名录', hint: '共 {{n}} 家，理赔检查据此判断医院等级与性质', hintAdmin: '共 {{n}} 家，理赔检查据此判断医院等级与性质；修改与导入均记入审计日志', search: '名称、别名或编号', name: '名称', city: '所在地', grade: '等级', ownership: '性质', type: '类型',
    ownerships: { public: '公立', private: '民营' },
    types: { general: '综合', tcm: '中医', maternity: '妇产', dental: '口腔', children: '儿童', cosmetic: '医美', community: '社区', specialty: '专科' },
    edit: '编辑', save: '保存', saved: '已保存，之后的理赔按新信息检查', import: '导入 CSV', imported: '导入完成：新增 {{created}} 家，更新 {{updated}} 家，未变 {{unchanged}} 家',
    refused: '文件未导入：{{message}}', line: '第 {{line}} 行：{{message}}',
  },
  rulesets: {
    title: '积分规则', name: '名称', effectiveFrom: '生效时间', adopted: '已采用', alternative: '备选', inForce: '当前生效', perPayer: '每位付款人（分）', payersPerDay: '每日人数',
    publish: '发布新版本', params: '规则参数（JSON）', adopt: '采用（到生效时间后替换当前规则）', changes: '相对当前规则的变化：', noChanges: '与当前规则相同', badJson: '规则参数不是有效的 JSON 对象', published: '已发布',
  },
  catalogue: {
    title: '兑换目录', add: '新增服务', edit: '编辑', save: '保存', saved: '已保存', nameZh: '中文名称', nameEn: '英文名称', descriptionZh: '中文说明', descriptionEn: '英文说明', price: '价格',
    priceYuan: '价格（元额度）', active: '上架', offered: '上架中', withdrawn: '已下架', badSku: '小写字母、数字和连字符，2–40 位', badPrice: '0.01 至 1000.00 元',
  },
  payouts: { title: '打款', state: '状态', created: '创建时间', merchant: '商户', amount: '金额', attempts: '尝试次数', failure: '失败原因', settled: '完成时间', alerts: '对账提醒' },
  operations: {
    deadJobs: '死信任务', deadJobsHint: '已用尽重试次数的任务。排除原因后可重新执行（重置尝试次数，记入审计日志）。', retry: '重新执行', retried: '任务 {{task}} 已重新排队', parked: '搁置的支付通知', parkedHint: '单独处理失败并被搁置的通知；修复原因后由平台重发（只读）。',
    task: '任务', attempts: '尝试次数', error: '错误', at: '时间', tradeNo: '交易号', source: '来源', times: '次数',
  },
  signIn: { title: '员工登录', username: '用户名', password: '密码', submit: '登录', expired: '登录已过期，请重新登录', required: '必填' },
  queue: {
    title: '审核队列',
    empty: '队列为空',
    submitted: '提交时间',
    age: '等待',
    status: '状态',
    merchant: '商户',
    overdue: '超时',
    open: '审核',
    hint: '快捷键：J/K 上下选择，Enter 打开',
  },
  review: {
    title: '理赔审核',
    fields: '识别字段',
    findings: '检查结果',
    timeline: '时间线',
    invoiceCode: '票据代码',
    invoiceNumber: '票据号码',
    visitDate: '就诊日期',
    hospital: '医院',
    covered: '可报销费用',
    benefit: '拟报销金额',
    approve: '批准 (A)',
    reject: '拒绝 (R)',
    requestPhoto: '要求重拍 (P)',
    amount: '批准金额（元，可选）',
    reason: '原因',
    note: '备注',
    decided: '已处理',
    notReviewable: '此理赔不在审核状态',
    back: '返回队列',
    noImage: '无图片',
    reasons: { reviewed_ok: '核对无误', not_covered: '不在保障范围', wrong_patient: '患者非本人', photo_unreadable: '照片无法辨认', duplicate: '重复报销', suspected_tampering: '疑似篡改' },
  },
  dashboard: {
    title: '数据看板',
    claimsPerDay: '每日理赔',
    automaticRate: '自动决策率',
    timeToMoney: '到账用时分布',
    credits: '额度（元）',
    enrolments: '每日新入驻商户',
    byCity: '商户城市分布',
    claims: '理赔',
    paid: '已到账',
    granted: '发放',
    collected: '领取',
    lapsed: '作废',
    expired: '到期',
    p50: '中位数 {{s}} 秒',
    p90: 'P90 {{s}} 秒',
    rate: '自动决策率 %',
    days: '最近 {{n}} 天',
  },
};

const en: typeof zh = {
  app: { title: 'Carepoints console', language: '中文', signOut: 'Sign out', role: { admin: 'Admin', reviewer: 'Reviewer', analyst: 'Analyst' } },
  nav: { dashboard: 'Dashboard', queue: 'Review queue', merchants: 'Merchants', hospitals: 'Hospitals', rulesets: 'Rulesets', catalogue: 'Catalogue', payouts: 'Payouts', operations: 'Operations' },
  common: { more: 'Load more', none: 'Nothing here', required: 'Required' },
  merchants: {
    title: 'Merchant search', search: 'Wallet user id, phone, merchant id or start of name', find: 'Search', hint: 'Enter what to search for', name: 'Name', phone: 'Phone', city: 'City', enrolled: 'Enrolled',
    available: 'Available', reserved: 'Held by claims', debt: 'Debt', wallet: 'Wallet user id', signals: 'Signals', noSignals: 'None', ledger: 'Credit history', at: 'Time', code: 'Code', phase: 'Phase', amount: 'Amount', reference: 'Reference',
  },
  hospitals: {
    title: 'Hospital registry', hint: '{{n}} hospitals: the claim checks judge grade and ownership by this registry', hintAdmin: '{{n}} hospitals: the claim checks judge grade and ownership by this registry; every change and import is audited', search: 'Name, alias or id', name: 'Name', city: 'Location', grade: 'Grade', ownership: 'Ownership', type: 'Type',
    ownerships: { public: 'Public', private: 'Private' },
    types: { general: 'General', tcm: 'Traditional Chinese medicine', maternity: 'Maternity', dental: 'Dental', children: "Children's", cosmetic: 'Cosmetic', community: 'Community', specialty: 'Specialty' },
    edit: 'Edit', save: 'Save', saved: 'Saved: claims checked from now on use it', import: 'Import CSV', imported: 'Imported: {{created}} added, {{updated}} updated, {{unchanged}} unchanged',
    refused: 'The file was not imported: {{message}}', line: 'Line {{line}}: {{message}}',
  },
  rulesets: {
    title: 'Rulesets', name: 'Name', effectiveFrom: 'Effective from', adopted: 'Adopted', alternative: 'Alternative', inForce: 'In force', perPayer: 'Per payer (fen)', payersPerDay: 'Payers a day',
    publish: 'Publish a version', params: 'Rule parameters (JSON)', adopt: 'Adopt (replaces the rules in force at the effective time)', changes: 'Changes from the rules in force:', noChanges: 'Same as the rules in force', badJson: 'The parameters are not a JSON object', published: 'Published',
  },
  catalogue: {
    title: 'Catalogue', add: 'Add a service', edit: 'Edit', save: 'Save', saved: 'Saved', nameZh: 'Name (Chinese)', nameEn: 'Name (English)', descriptionZh: 'Description (Chinese)', descriptionEn: 'Description (English)', price: 'Price',
    priceYuan: 'Price (yuan of credit)', active: 'Offered', offered: 'Offered', withdrawn: 'Withdrawn', badSku: 'Lower-case letters, digits and dashes, 2–40', badPrice: '0.01 to 1000.00 yuan',
  },
  payouts: { title: 'Payouts', state: 'State', created: 'Created', merchant: 'Merchant', amount: 'Amount', attempts: 'Attempts', failure: 'Failure', settled: 'Settled', alerts: 'Reconciliation alerts' },
  operations: {
    deadJobs: 'Dead-lettered jobs', deadJobsHint: 'Jobs that used every retry. Once the cause is fixed, run one again (its attempts are reset; audited).', retry: 'Retry', retried: 'Job {{task}} is queued again', parked: 'Parked payment notifications', parkedHint: 'Notifications that failed on their own and were set aside; fix the cause and the platform sends them again (read-only).',
    task: 'Task', attempts: 'Attempts', error: 'Error', at: 'Time', tradeNo: 'Trade number', source: 'Source', times: 'Times',
  },
  signIn: { title: 'Staff sign-in', username: 'Username', password: 'Password', submit: 'Sign in', expired: 'Your session has expired: please sign in again', required: 'Required' },
  queue: {
    title: 'Review queue',
    empty: 'The queue is empty',
    submitted: 'Submitted',
    age: 'Waiting',
    status: 'Status',
    merchant: 'Merchant',
    overdue: 'Overdue',
    open: 'Review',
    hint: 'Keys: J/K to move, Enter to open',
  },
  review: {
    title: 'Claim review',
    fields: 'Extracted fields',
    findings: 'Findings',
    timeline: 'Timeline',
    invoiceCode: 'Invoice code',
    invoiceNumber: 'Invoice number',
    visitDate: 'Visit date',
    hospital: 'Hospital',
    covered: 'Covered charges',
    benefit: 'Proposed amount',
    approve: 'Approve (A)',
    reject: 'Reject (R)',
    requestPhoto: 'Ask for a photo (P)',
    amount: 'Amount to approve (yuan, optional)',
    reason: 'Reason',
    note: 'Note',
    decided: 'Done',
    notReviewable: 'This claim is not waiting for review',
    back: 'Back to the queue',
    noImage: 'No image',
    reasons: { reviewed_ok: 'Checked, correct', not_covered: 'Not covered', wrong_patient: 'Patient is not the merchant', photo_unreadable: 'Photo unreadable', duplicate: 'Duplicate', suspected_tampering: 'Suspected tampering' },
  },
  dashboard: {
    title: 'Dashboard',
    claimsPerDay: 'Claims per day',
    automaticRate: 'Automatic decisions',
    timeToMoney: 'Time to money',
    credits: 'Credit (CNY)',
    enrolments: 'Enrolments per day',
    byCity: 'Merchants by city',
    claims: 'Claims',
    paid: 'Paid',
    granted: 'Granted',
    collected: 'Collected',
    lapsed: 'Lapsed',
    expired: 'Expired',
    p50: 'median {{s}} s',
    p90: 'p90 {{s}} s',
    rate: 'automatic %',
    days: 'last {{n}} days',
  },
};

const KEY = 'carepoints.console.language';
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
  lng: localStorage.getItem(KEY) ?? 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18n.language;

export function switchLanguage(): void {
  const next = i18n.language.startsWith('zh') ? 'en' : 'zh-CN';
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  void i18n.changeLanguage(next);
}
export default i18n;
