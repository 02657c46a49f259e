import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reminderMessages, reminderText } from '../../src/notifications/reminders.ts';

test('one message per merchant: the sum at stake and the first deadline', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 10, 22, h));
  const messages = reminderMessages([
    { merchantId: 9, amountFen: 200, deadline: at(3) },
    { merchantId: 2, amountFen: 1, deadline: at(5) },
    { merchantId: 9, amountFen: 200, deadline: at(1) },
    { merchantId: 9, amountFen: 150, deadline: at(2) },
  ]);
  assert.deepEqual(messages, [
    { merchantId: 2, amountFen: 1, deadline: at(5) },
    { merchantId: 9, amountFen: 550, deadline: at(1) },
  ]);
});

test('the words say the amount and the deadline in Beijing time, in Chinese and English', () => {
  const deadline = new Date('2026-11-22T15:30:00Z');
  assert.deepEqual(reminderText('lapse', 550, deadline), {
    zh: '您有 ¥5.50 待领取额度将于 2026-11-22 23:30（北京时间）失效，请尽快打开应用领取。',
    en: '¥5.50 of credit waiting for you lapses at 2026-11-22 23:30 (Beijing time) unless you collect it; open the app to collect it.',
  });
  assert.deepEqual(reminderText('expiry', 100_000, new Date('2027-05-21T16:00:00Z')), {
    zh: '提醒：您有 ¥1000.00 额度将于 2027-05-21 到期，请在到期前使用。',
    en: 'Reminder: ¥1000.00 of your credit expires after 2027-05-21; use it before then.',
  });
});
