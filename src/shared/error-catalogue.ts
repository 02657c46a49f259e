/**
 * Every error code the API can answer, with what a person reads for it in each language. The apps
 * show these (never the API's own English `message`, which is for developers); the API documentation
 * lists the codes from here; a test fails when the API can answer a code that is missing here.
 */
export interface ErrorWords {
  readonly zh: string;
  readonly en: string;
}

export const ERROR_CATALOGUE = {
  // the ledger's refusals of a transfer (POST /v1/ledger/transfers and its batch, for operators)
  id_invalid: { zh: '转账编号无效。', en: 'The transfer id is not valid.' },
  code_invalid: { zh: '转账类型无效。', en: 'The transfer code is not valid.' },
  reference_invalid: { zh: '转账来源无效。', en: 'The transfer reference is not valid.' },
  amount_invalid: { zh: '转账金额无效。', en: 'The transfer amount is not valid.' },
  timeout_invalid: { zh: '预留时限无效。', en: 'The reservation timeout is not valid.' },
  timeout_reserved_for_pending_transfer: { zh: '只有预留转账可以设置时限。', en: 'Only a reservation may have a timeout.' },
  accounts_must_be_different: { zh: '转出和转入账户不能相同。', en: 'The debit and credit accounts must differ.' },
  debit_account_not_found: { zh: '找不到转出账户。', en: 'No such debit account.' },
  credit_account_not_found: { zh: '找不到转入账户。', en: 'No such credit account.' },
  accounts_belong_to_different_merchants: { zh: '两个账户属于不同商户，不能相互转账。', en: 'The two accounts belong to different merchants.' },
  account_kind_not_allowed: { zh: '商户额度只能随额度批次变动，不能直接转账。', en: "A merchant's credit moves only with its credit lots, not by a direct transfer." },
  exceeds_credits: { zh: '转出账户余额不足。', en: 'The debit account does not hold enough.' },
  exceeds_debits: { zh: '转入账户超出允许的余额。', en: 'The credit account would hold more than it may.' },
  exceeds_account_limit: { zh: '超出账户限额。', en: "Over the account's limit." },
  pending_transfer_not_found: { zh: '找不到这笔预留。', en: 'No such reservation.' },
  pending_transfer_not_pending: { zh: '这笔转账不是预留。', en: 'That transfer is not a reservation.' },
  pending_transfer_already_posted: { zh: '这笔预留已确认。', en: 'That reservation is already confirmed.' },
  pending_transfer_already_voided: { zh: '这笔预留已撤回。', en: 'That reservation is already released.' },
  pending_transfer_expired: { zh: '这笔预留已超时。', en: 'That reservation has timed out.' },
  exceeds_pending_transfer_amount: { zh: '超出预留金额。', en: 'More than the reservation holds.' },
  exists_with_different_fields: { zh: '同一编号的转账已存在且内容不同。', en: 'A transfer with this id exists with other details.' },
  linked_event_failed: { zh: '同一组中另一笔转账失败，本笔未执行。', en: 'Another transfer of the linked group failed, so this one was not made.' },
  linked_event_chain_open: { zh: '关联转账组没有结束。', en: 'The linked group of transfers is not closed.' },
  // refusals written as a body of their own
  import_refused: { zh: '文件未导入，请按所列各行修改后重新导入。', en: 'The file was not imported: correct the lines listed and import it again.' },
  parked: { zh: '这条收款通知处理失败，已搁置待运维处理。', en: 'This payment notification failed and was set aside for operators.' },
  // requests
  bad_request: { zh: '请求无法处理，请稍后再试。', en: 'The request could not be handled. Please try again.' },
  bad_url: { zh: '网址无效。', en: 'The address is not valid.' },
  malformed_body: { zh: '提交的内容无法读取，请重新提交。', en: 'What was sent cannot be read. Please send it again.' },
  request_timeout: { zh: '网络太慢，请求超时，请重试。', en: 'The connection was too slow and the request timed out. Please try again.' },
  payload_too_large: { zh: '提交的内容太大。', en: 'What was sent is too large.' },
  uri_too_long: { zh: '网址太长。', en: 'The address is too long.' },
  headers_too_large: { zh: '请求太大，请清除浏览器数据后重试。', en: 'The request is too large. Clear the browser data and try again.' },
  unsupported_media_type: { zh: '不支持这种内容格式。', en: 'This kind of content is not accepted.' },
  route_not_found: { zh: '没有这个页面或接口。', en: 'There is no such page.' },
  internal_error: { zh: '系统出了点问题，请稍后再试。', en: 'Something went wrong on our side. Please try again later.' },
  database_unavailable: { zh: '系统暂时繁忙，请稍后再试。', en: 'The service is busy for a moment. Please try again shortly.' },
  rate_limited: { zh: '操作太频繁，请稍后再试。', en: 'Too many tries. Please wait a little and try again.' },
  invalid_characters: { zh: '内容中有无法识别的字符，请检查后重试。', en: 'Some characters cannot be accepted. Please check and try again.' },
  invalid_field: { zh: '填写的内容不符合要求，请检查后重试。', en: 'Something entered is not valid. Please check and try again.' },
  invalid_type: { zh: '填写的内容格式不对，请检查后重试。', en: 'Something entered has the wrong form. Please check and try again.' },
  missing_field: { zh: '有必填项没有填写。', en: 'Something required is missing.' },
  unknown_field: { zh: '提交了无法识别的内容。', en: 'Something sent is not recognised.' },
  invalid_cursor: { zh: '列表已更新，请刷新后重试。', en: 'The list has changed. Please refresh it.' },
  invalid_idempotency_key: { zh: '请求标识无效，请刷新后重试。', en: 'The request cannot be recognised. Please refresh and try again.' },
  idempotency_key_reused: { zh: '这次操作与之前的不一致，请刷新后重试。', en: 'This differs from the earlier attempt. Please refresh and try again.' },
  // signing in
  unauthenticated: { zh: '请先登录。', en: 'Please sign in first.' },
  forbidden: { zh: '您没有权限进行此操作。', en: 'You are not allowed to do this.' },
  csrf_token_invalid: { zh: '页面已过期，请刷新后重试。', en: 'The page has expired. Please refresh it and try again.' },
  wrong_credentials: { zh: '用户名或密码不正确。', en: 'Wrong username or password.' },
  otp_invalid: { zh: '验证码不正确，请重新输入。', en: 'That code is not right. Please enter it again.' },
  otp_expired: { zh: '验证码已失效，请重新获取。', en: 'The code is no longer valid. Please get a new one.' },
  otp_attempts_exhausted: { zh: '输错次数过多，此验证码已作废，请在可以重发时重新获取。', en: 'Too many wrong tries: this code is void. Get a new one when resending is possible.' },
  otp_not_found: { zh: '没有发送给这个手机号的验证码。', en: 'No code was sent to this phone.' },
  merchant_choice_required: { zh: '这个手机号登记了多个商户，请选择要登录的商户。', en: 'This phone is enrolled for several merchants. Please choose one.' },
  merchant_id_required: { zh: '请选择为哪个商户提交。', en: 'Please choose the merchant to submit for.' },
  staff_user_exists: { zh: '这个用户名已被使用。', en: 'This username is taken.' },
  // merchants, credit and the catalogue
  merchant_not_found: { zh: '找不到这个商户。', en: 'No such merchant.' },
  merchant_already_enrolled: { zh: '这个商户已经登记过了。', en: 'This merchant is already enrolled.' },
  account_not_found: { zh: '找不到这个账户。', en: 'No such account.' },
  notification_not_found: { zh: '找不到这条消息。', en: 'No such message.' },
  no_credit: { zh: '您现在没有可用的报销额度。收款后领取的额度才能用于报销。', en: 'You have no credit to use yet. Credit your customers earn you can be used once you collect it.' },
  insufficient_credit: { zh: '可用额度不够。', en: 'Not enough credit available.' },
  item_not_found: { zh: '找不到这项服务。', en: 'No such service.' },
  item_unavailable: { zh: '这项服务已下架。', en: 'This service is no longer offered.' },
  order_not_found: { zh: '找不到这笔兑换。', en: 'No such order.' },
  sku_taken: { zh: '这个编号已被使用。', en: 'This SKU is taken.' },
  // claims and their files
  claim_not_found: { zh: '找不到这笔报销。', en: 'No such claim.' },
  claim_not_in_review: { zh: '这笔报销已经处理过了。', en: 'This claim has been dealt with already.' },
  claim_not_waiting_for_photo: { zh: '这笔报销现在不需要补拍照片。', en: 'This claim is not waiting for a new photo.' },
  // appeals of a refused claim
  claim_not_rejected: { zh: '只有未通过的报销才能申诉。', en: 'Only a refused claim can be appealed.' },
  already_appealed: { zh: '这笔报销已经申诉过，每笔只能申诉一次。', en: 'This claim was appealed already: a refusal can be appealed once.' },
  appeal_too_late: { zh: '已超过申诉期限（审核未通过后 30 天内）。', en: 'The time to appeal has passed (30 days after the refusal).' },
  appeal_message_required: { zh: '请写明申诉理由。', en: 'Please say why you appeal.' },
  appeal_same_reviewer: { zh: '您是拒绝这笔报销的审核员，申诉须由另一位审核员处理。', en: 'You refused this claim: its appeal is decided by another reviewer.' },
  appeal_no_photo_request: { zh: '申诉按商户提交的照片处理：请批准或驳回。', en: 'An appeal is decided on the photos it brought: approve or reject it.' },
  appeal_reason_required: { zh: '请填写给商户的理由：申诉结果会连同理由告知商户。', en: 'Write the reason for the merchant: they are told the decision with it.' },
  audit_not_found: { zh: '这笔报销没有被抽中审核。', en: 'This claim was not drawn for audit.' },
  audit_already_decided: { zh: '这笔审核已经处理过了。', en: 'This audit has been decided already.' },
  audit_due_not_below_paid: { zh: '应付金额必须低于已付金额；没有多付请选择"确认无误"。', en: 'The amount due must be below what was paid; if nothing was overpaid, confirm the claim.' },
  audit_note_required: { zh: '选择"其他原因"时请写明原因，商户会看到。', en: 'With "another reason", write the reason: the merchant will read it.' },
  amount_above_rules: { zh: '金额超出了规则允许的上限。', en: 'The amount is above what the rules allow.' },
  invoice_already_reimbursed: { zh: '这张票据已经报销过了，每张票据只能报销一次。', en: 'This invoice has been reimbursed already: each invoice is reimbursed once.' },
  invoice_missing: { zh: '请上传票据：1 至 6 张照片，或一份电子票据 PDF。', en: 'Please add the invoice: 1 to 6 photos of its pages, or its PDF e-bill.' },
  mixed_invoice_files: { zh: '请只上传一份 PDF 电子票据，或只上传照片，不要混在一起。', en: 'Send either one PDF e-bill or photos, not both.' },
  too_many_files: { zh: '最多上传 6 页票据。', en: 'At most 6 invoice pages.' },
  unknown_file_field: { zh: '上传的文件无法识别用途。', en: 'An uploaded file is not where it belongs.' },
  file_empty: { zh: '文件是空的或太小，不像一张照片。', en: 'The file is empty or too small to be a photo.' },
  file_too_large: { zh: '文件太大，请换一张较小的照片。', en: 'The file is too large. Please choose a smaller photo.' },
  file_not_found: { zh: '找不到这个文件。', en: 'No such file.' },
  unsupported_file_type: { zh: '这不是可以读取的照片或 PDF。请上传 JPEG、PNG 照片或 PDF 电子票据。', en: 'This is not a photo or PDF that can be read. Please send a JPEG or PNG photo or a PDF e-bill.' },
  too_many_streams: { zh: '打开的实时页面太多，请关闭一些后再试。', en: 'Too many live pages are open. Close some and try again.' },
  too_many_claims_waiting: { zh: '您已有几笔报销正在识别，请等它们处理完再提交。', en: 'Several of your claims are still being read. Please wait for them before sending another.' },
  recognition_busy: { zh: '现在提交的人很多，请稍后再试。', en: 'Many claims are being read right now. Please try again shortly.' },
  // a reviewer's decision, bound by the same rules as the machine's
  invoice_key_required: { zh: '请填写票据代码和票据号码（每张票据只能报销一次）。', en: 'Please give the invoice code and number (each invoice is reimbursed once).' },
  visit_date_required: { zh: '请填写就诊日期（开票日期）：当天的额度决定报销上限。', en: 'Please give the visit date: the credit on that day limits the amount.' },
  hospital_required: { zh: '请填写医院名录中的医院编号。', en: "Please give the hospital's registry id." },
  hospital_not_in_registry: { zh: '医院名录中没有这个编号。', en: 'There is no such hospital id in the registry.' },
  covered_required: { zh: '请填写可报销费用（扣除各项基金支付）。', en: 'Please give the covered charges (after what any fund paid).' },
  claim_not_eligible: { zh: '按规则这笔报销不能批准。', en: 'By the rules this claim cannot be approved.' },
  nothing_to_reimburse: { zh: '按规则可报销金额为零。', en: 'By the rules there is nothing to reimburse.' },
  nothing_read: { zh: '没有识别出票据内容，请让商户补拍照片。', en: 'Nothing of the invoice was read: ask the merchant for a new photo.' },
  already_reimbursed: { zh: '这张票据已经报销过了，每张票据只能报销一次。', en: 'This invoice has been reimbursed already: each invoice is reimbursed once.' },
  photo_already_reimbursed: { zh: '这张照片已经用于报销，每张照片只能报销一次。', en: 'This photo has been reimbursed already: each photo is paid once.' },
  photo_unreadable: { zh: '照片无法读取，请让商户补拍。', en: 'The photo cannot be read: ask the merchant for a new one.' },
  // the registry, rules and operations
  invalid_ruleset: { zh: '规则参数不符合要求，请检查后重试。', en: 'The ruleset is not valid. Please check it.' },
  ruleset_name_taken: { zh: '这个名字已用于另一类规则，请换一个名字。', en: 'That name belongs to another kind of ruleset. Choose another name.' },
  ruleset_time_taken: { zh: '这个生效时间已有规则，请换一个时间。', en: 'A ruleset already takes effect at that time. Choose another.' },
  hospital_not_found: { zh: '医院名录中没有这家医院。', en: 'No such hospital in the registry.' },
  budget_exists: { zh: '这个城市这个月已经有预算了。', en: 'This city has a budget for that month already.' },
  budget_period_over: { zh: '这个月已经过去，不能再设预算。', en: 'That month is over: it can no longer have a budget.' },
  job_not_dead: { zh: '这个任务不在失败列表中。', en: 'This job is not on the failed list.' },
  // payment notifications (the platform's, not a person's)
  invalid_signature: { zh: '签名验证失败。', en: 'The signature does not verify.' },
  missing_signature: { zh: '缺少签名。', en: 'The signature is missing.' },
  unsupported_sign_type: { zh: '不支持的签名类型。', en: 'Unsupported signature type.' },
  wrong_app_id: { zh: '应用编号不符。', en: 'The app id does not match.' },
  webhook_not_configured: { zh: '收款通知尚未配置。', en: 'Payment notifications are not configured.' },
  ingest_busy: { zh: '收款通知处理繁忙，请稍后重发。', en: 'Payment notifications are busy. Please send again shortly.' },
  ingest_unavailable: { zh: '收款通知暂时无法接收，请稍后重发。', en: 'Payment notifications cannot be taken just now. Please send again shortly.' },
  invalid_format: { zh: '字段格式不对。', en: 'A field has the wrong format.' },
  invalid_amount: { zh: '金额无效。', en: 'The amount is not valid.' },
  invalid_date: { zh: '日期无效。', en: 'The date is not valid.' },
  implausible_date: { zh: '日期不合理。', en: 'The date is not plausible.' },
  unknown_status: { zh: '交易状态无法识别。', en: 'The trade status is not recognised.' },
} as const satisfies Record<string, ErrorWords>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

/** What a person reads for an API error code in `language` (zh… or en…); null for a code not in the catalogue. */
export function errorWords(code: string, language: string): string | null {
  if (!isErrorCode(code)) return null;
  return language.startsWith('zh') ? ERROR_CATALOGUE[code].zh : ERROR_CATALOGUE[code].en;
}
