/** The appeal's rules, against hand-written expectations: once, within 30 days of the refusal, decided by another reviewer with a reason. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appealDecisionRefusal, appealRefusal } from '../../src/claims/appeal-rules.ts';

const refusedAt = new Date('2031-05-01T08:00:00Z');
const rejected = { status: 'rejected' as const, updatedAt: refusedAt };

test('a refused claim is appealed once, until 30 days after the refusal', () => {
  assert.equal(appealRefusal(rejected, false, new Date('2031-05-01T08:00:01Z')), null);
  assert.equal(appealRefusal(rejected, false, new Date('2031-05-31T08:00:00Z')), null, 'the 30th day, to the second');
  assert.equal(appealRefusal(rejected, false, new Date('2031-05-31T08:00:01Z'))?.code, 'appeal_too_late');
  assert.deepEqual(appealRefusal(rejected, true, new Date('2031-05-02T00:00:00Z')), { status: 409, code: 'already_appealed', field: 'id', message: 'this claim was appealed already: a refusal is contested once' });
  for (const status of ['submitted', 'in_review', 'photo_requested', 'approved', 'paid', 'appealed', 'appeal_review'] as const) {
    assert.equal(appealRefusal({ status, updatedAt: refusedAt }, false, refusedAt)?.code, 'claim_not_rejected', status);
  }
});

test('whoever refused never decides the appeal; the others approve or reject it, with words for the merchant', () => {
  const appeal = { refusedBy: 'reviewer:key-a' };
  assert.equal(appealDecisionRefusal(appeal, { actorId: 'reviewer:key-a', action: 'approve', messageToMerchant: '已核实' })?.status, 403);
  assert.equal(appealDecisionRefusal(appeal, { actorId: 'reviewer:key-a', action: 'reject', messageToMerchant: '维持' })?.code, 'appeal_same_reviewer');
  assert.equal(appealDecisionRefusal(appeal, { actorId: 'reviewer:key-b', action: 'request_photo', messageToMerchant: '重拍' })?.code, 'appeal_no_photo_request');
  assert.equal(appealDecisionRefusal(appeal, { actorId: 'reviewer:key-b', action: 'approve' })?.code, 'appeal_reason_required');
  assert.equal(appealDecisionRefusal(appeal, { actorId: 'reviewer:key-b', action: 'reject', messageToMerchant: '维持原结果' }), null);
  assert.equal(appealDecisionRefusal({ refusedBy: 'machine' }, { actorId: 'reviewer:key-a', action: 'approve', messageToMerchant: '已核实' }), null, 'a machine refusal: any reviewer');
});
