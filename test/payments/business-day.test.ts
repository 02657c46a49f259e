/** Business days are Asia/Shanghai calendar days (UTC+8): hand-computed instants around midnight. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, addMonths, businessDay, businessDayStart, businessHour } from '../../src/shared/business-day.ts';

test('the Shanghai day of an instant turns at 16:00 UTC, the same on every call', () => {
  for (let round = 0; round < 2; round++) {
    assert.equal(businessDay(new Date('2026-11-25T15:59:59.999Z')), '2026-11-25');
    assert.equal(businessDay(new Date('2026-11-25T16:00:00Z')), '2026-11-26');
    assert.equal(businessDay(new Date('2024-02-28T16:00:00Z')), '2024-02-29');
    assert.equal(businessDay(new Date('2025-12-31T16:00:00Z')), '2026-01-01');
    assert.equal(businessDay(new Date('1969-12-31T15:59:59Z')), '1969-12-31');
    assert.equal(businessDay(new Date('1969-12-31T16:00:00Z')), '1970-01-01');
  }
});

test('a day starts at 16:00 UTC the day before; hours, days and months count in Shanghai', () => {
  assert.equal(businessDayStart('2026-11-26').toISOString(), '2026-11-25T16:00:00.000Z');
  assert.equal(businessHour(new Date('2026-11-25T17:30:00Z')), 1);
  assert.equal(addDays('2026-02-28', 1), '2026-03-01');
  assert.equal(addDays('2026-01-01', -1), '2025-12-31');
  assert.equal(addMonths('2026-08-31', 6), '2027-02-28');
});
