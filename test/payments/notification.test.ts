import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseNotification, yuanToFen, type ParseResult } from '../../src/payments/notification.ts';
import { SAMPLE_NOTIFICATION } from '../support/payments.ts';

const BASE: Record<string, string> = { ...SAMPLE_NOTIFICATION, sign_type: 'RSA2', sign: 'c2lnbmF0dXJl', receipt_amount: '12.00' };

/** The day after the sample's payment (08:00 in Beijing): parsing never depends on today's date. */
const RECEIVED_AT = new Date('2026-11-25T00:00:00Z');

function parse(overrides: Record<string, unknown> = {}, without: string[] = [], receivedAt = RECEIVED_AT): ParseResult {
  const fields: Record<string, unknown> = { ...BASE, ...overrides };
  for (const field of without) delete fields[field];
  return parseNotification(fields, receivedAt);
}

function assertError(result: ParseResult, field: string, code: string): void {
  assert.equal(result.ok, false, `expected ${code} on ${field}`);
  if (!result.ok) {
    assert.equal(result.field, field);
    assert.equal(result.code, code);
    assert.ok(result.message.includes(field), result.message);
  }
}

test('yuanToFen parses yuan text exactly', () => {
  assert.equal(yuanToFen('12.34'), 1234);
  assert.equal(yuanToFen('5'), 500);
  assert.equal(yuanToFen('0.1'), 10);
  assert.equal(yuanToFen('0.01'), 1);
  assert.equal(yuanToFen('0'), 0);
  assert.equal(yuanToFen('10000000000'), 1e12);
  assert.equal(yuanToFen('10000000000.00'), 1e12);
  for (const bad of ['10000000000.01', '99999999999999', '1.234', '-1', '-0.01', '+1', 'abc', '1e3', '1.', '.5', ' 1', '1 ', '', '1,000', '0x10', 'Infinity', 'NaN', '１']) {
    assert.equal(yuanToFen(bad), null, bad);
  }
});

test('yuanToFen round-trips every fen amount formatted as yuan', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e12 }), (fen) => {
      const text = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
      assert.equal(yuanToFen(text), fen);
      if (fen % 100 === 0) assert.equal(yuanToFen(String(fen / 100)), fen);
      if (fen % 10 === 0) assert.equal(yuanToFen(`${Math.floor(fen / 100)}.${(fen % 100) / 10}`), fen);
    }),
  );
});

test('a complete notification parses, with Beijing times converted to UTC', () => {
  const result = parse({ refund_fee: '2.00', gmt_refund: '2026-11-25 00:00:00', subject: '早餐', buyer_logon_id: '138****0000', fund_bill_list: '[{"amount":"12.34","fundChannel":"ALIPAYACCOUNT"}]' });
  assert.deepEqual(result, {
    ok: true,
    notification: {
      notifyId: '2026112400222100000012345678',
      notifyTime: new Date('2026-11-24T01:30:05Z'),
      notifyType: 'trade_status_sync',
      appId: '2021000000000001',
      tradeNo: '2026112422001400001234567890',
      outTradeNo: 'QR-20261124-0001',
      buyerId: '2088102177000002',
      sellerId: '2088102177000001',
      tradeStatus: 'TRADE_SUCCESS',
      totalAmountFen: 1234,
      receiptAmountFen: 1200,
      refundFeeFen: 200,
      gmtPayment: new Date('2026-11-24T01:30:04Z'),
      gmtRefund: new Date('2026-11-24T16:00:00Z'),
    },
  });
});

test('only the required fields are needed, and empty optional fields count as absent', () => {
  const minimal = { trade_no: 'T_1-a', buyer_id: '2088000000000002', seller_id: '2088000000000001', trade_status: 'TRADE_CLOSED', total_amount: '0.01' };
  const result = parseNotification({ ...minimal, out_trade_no: '', refund_fee: '', notify_time: '' });
  assert.ok(result.ok);
  assert.deepEqual(result.notification, {
    notifyId: null,
    notifyTime: null,
    notifyType: null,
    appId: null,
    tradeNo: 'T_1-a',
    outTradeNo: null,
    buyerId: '2088000000000002',
    sellerId: '2088000000000001',
    tradeStatus: 'TRADE_CLOSED',
    totalAmountFen: 1,
    receiptAmountFen: null,
    refundFeeFen: null,
    gmtPayment: null,
    gmtRefund: null,
  });
});

test('required fields must be present and non-empty', () => {
  for (const field of ['trade_no', 'buyer_id', 'seller_id', 'trade_status', 'total_amount']) {
    assertError(parse({}, [field]), field, 'missing_field');
    assertError(parse({ [field]: '' }), field, 'missing_field');
  }
});

test('trade_no is 1 to 64 letters, digits, underscores or hyphens', () => {
  assert.ok(parse({ trade_no: 'a'.repeat(64) }).ok);
  for (const bad of ['a'.repeat(65), 'T 1', 'T.1', 'T/1', '交易1']) assertError(parse({ trade_no: bad }), 'trade_no', 'invalid_format');
});

test('buyer_id and seller_id are platform user ids: 2088 and 12 digits', () => {
  for (const field of ['buyer_id', 'seller_id']) {
    for (const bad of ['2088123', '20881234567890123', '1088123456789012', '2088abcdefghijkl', ' 2088123456789012']) {
      assertError(parse({ [field]: bad }), field, 'invalid_format');
    }
  }
});

test('every documented trade status is accepted and anything else is unknown_status', () => {
  for (const status of ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED']) {
    const result = parse({ trade_status: status });
    assert.ok(result.ok && result.notification.tradeStatus === status);
  }
  for (const bad of ['trade_success', 'TRADE_PENDING', 'SUCCESS']) assertError(parse({ trade_status: bad }), 'trade_status', 'unknown_status');
});

test('total_amount must be a positive yuan amount with at most two decimals', () => {
  for (const bad of ['0', '0.00', '-1.00', '1.234', 'abc', '1e2']) assertError(parse({ total_amount: bad }), 'total_amount', 'invalid_amount');
});

test('receipt_amount and refund_fee are yuan amounts between zero and the total', () => {
  for (const field of ['receipt_amount', 'refund_fee']) {
    const zero = parse({ [field]: '0.00' });
    assert.ok(zero.ok);
    const all = parse({ [field]: '12.34' });
    assert.ok(all.ok);
    for (const bad of ['12.35', '-0.01', '1.001', 'x']) assertError(parse({ [field]: bad }), field, 'invalid_amount');
  }
});

test('dates are yyyy-MM-dd HH:mm:ss and must exist', () => {
  for (const field of ['gmt_payment', 'gmt_refund', 'notify_time']) {
    for (const bad of ['2026-02-30 10:00:00', '2026-13-01 10:00:00', '2026-11-24 24:00:00', '2026-11-24 10:60:00', '2026-11-24 10:00:60', '2026-11-24T10:00:00', '2026-11-24', '2026/11/24 10:00:00', '2026-11-24 10:00:00Z', '0050-01-01 10:00:00']) {
      assertError(parse({ [field]: bad }), field, 'invalid_date');
    }
  }
  const leap = parse({ gmt_payment: '2028-02-29 07:59:59' }, [], new Date('2028-03-01T00:00:00Z'));
  assert.ok(leap.ok);
  assert.deepEqual(leap.notification.gmtPayment, new Date('2028-02-28T23:59:59Z'));
});

test('times must lie within 3 years before and 10 minutes after receipt (issue 13: year 9999 earned credit that never lapsed)', () => {
  for (const field of ['gmt_payment', 'gmt_refund', 'notify_time']) {
    for (const bad of ['9999-12-31 23:59:59', '0100-01-01 00:00:00', '2026-11-25 08:10:01', '2023-11-23 07:59:59']) assertError(parse({ [field]: bad }), field, 'implausible_date');
    for (const good of ['2026-11-25 08:10:00', '2023-11-23 08:00:00']) assert.ok(parse({ [field]: good }).ok, `${field} ${good}`);
  }
});

test('amounts have no leading zeros (issue 13: "01.00" was accepted)', () => {
  for (const bad of ['01.00', '00.01', '001']) assertError(parse({ total_amount: bad }), 'total_amount', 'invalid_amount');
  assert.ok(parse({ total_amount: '0.01', receipt_amount: '0.01' }).ok);
});

test('gmt_payment is required once the trade has succeeded or finished', () => {
  assertError(parse({}, ['gmt_payment']), 'gmt_payment', 'missing_field');
  assertError(parse({ trade_status: 'TRADE_FINISHED' }, ['gmt_payment']), 'gmt_payment', 'missing_field');
  assert.ok(parse({ trade_status: 'WAIT_BUYER_PAY' }, ['gmt_payment']).ok);
  assert.ok(parse({ trade_status: 'TRADE_CLOSED' }, ['gmt_payment']).ok);
});

test('every value must be a string, including fields that are otherwise ignored', () => {
  assertError(parse({ total_amount: 12.34 }), 'total_amount', 'invalid_type');
  assertError(parse({ trade_no: null }), 'trade_no', 'invalid_type');
  assertError(parse({ refund_fee: 0 }), 'refund_fee', 'invalid_type');
  assertError(parse({ fund_bill_list: [{ amount: '12.34' }] }), 'fund_bill_list', 'invalid_type');
  assertError(parse({ passback_params: { a: 1 } }), 'passback_params', 'invalid_type');
});

test('other documented notification fields are tolerated', () => {
  const extra = {
    charset: 'utf-8',
    version: '1.0',
    auth_app_id: '2021000000000001',
    buyer_logon_id: '159****5620',
    seller_email: 'shop@example.com',
    subject: '收款',
    body: '',
    gmt_create: '2026-11-24 09:30:00',
    gmt_close: '2026-11-24 09:40:00',
    invoice_amount: '12.34',
    point_amount: '0.00',
    buyer_pay_amount: '12.34',
    fund_bill_list: '[{"amount":"12.34","fundChannel":"ALIPAYACCOUNT"}]',
    passback_params: 'merchantBizType%3d3C',
    out_biz_no: 'R-1',
    voucher_detail_list: '[]',
  };
  assert.ok(parse(extra).ok);
});

test('a NUL character is refused naming the field (PostgreSQL text cannot hold it)', () => {
  const result = parseNotification({ ...SAMPLE_NOTIFICATION, out_trade_no: 'a\u0000b' });
  assert.deepEqual(result.ok ? null : [result.field, result.code], ['out_trade_no', 'invalid_characters']);
});
