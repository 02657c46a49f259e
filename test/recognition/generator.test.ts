import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAmountInWords, formatAmountInWords } from '../../src/recognition/amount-words.ts';
import { generateInvoice, INVOICE_LAYOUTS, INVOICE_VARIANTS } from '../../sim/invoices/index.ts';
import { seedRegistry, TODAY } from './support.ts';

test('the invoice generator is deterministic from its seed', async () => {
  const hospitals = (await seedRegistry()).hospitals;
  for (const variant of ['perspective', 'shading'] as const) {
    const a = await generateInvoice({ seed: 42, variant, hospitals, today: TODAY });
    const b = await generateInvoice({ seed: 42, variant, hospitals, today: TODAY });
    assert.ok(a.image.equals(b.image), variant);
    assert.deepEqual(a.truth, b.truth);
  }
  const other = await generateInvoice({ seed: 43, variant: 'clean', hospitals, today: TODAY });
  const first = await generateInvoice({ seed: 42, variant: 'clean', hospitals, today: TODAY });
  assert.notDeepEqual(other.truth, first.truth);
});

test('ground truth is self-consistent for every layout and variant', async () => {
  const registry = await seedRegistry();
  for (const [i, layout] of INVOICE_LAYOUTS.entries()) {
    for (const [j, variant] of INVOICE_VARIANTS.entries()) {
      const { truth, image, format } = await generateInvoice({ seed: 100 + i * 10 + j, variant, layout, hospitals: registry.hospitals, today: TODAY });
      assert.equal(format, variant === 'clean' ? 'png' : 'jpeg');
      assert.ok(image.length > 10_000);
      assert.equal(truth.layout, layout);
      assert.equal(truth.items.reduce((s, item) => s + item.amountFen, 0), truth.totalFen);
      assert.equal(truth.payment.poolingFundFen + truth.payment.personalAccountFen + truth.payment.personalCashFen, truth.totalFen);
      assert.equal(parseAmountInWords(formatAmountInWords(truth.totalFen)), truth.totalFen);
      assert.ok(truth.issueDate < TODAY && truth.issueDate >= '2026-02-20', truth.issueDate);
      if (layout === 'pharmacy-receipt') {
        assert.equal(truth.hospitalId, null);
      } else {
        assert.equal(registry.byId(truth.hospitalId!)?.name, truth.issuerName);
        assert.match(truth.invoiceCode!, /^\d{8}$/);
        assert.match(truth.invoiceNumber, /^\d{10}$/);
      }
    }
  }
});
