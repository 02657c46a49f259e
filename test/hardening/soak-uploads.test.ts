/**
 * Issue 21's soak: attackers send PDF bombs, text-run bombs, pixel bombs and floods of claims while
 * an honest merchant submits real photos. Nothing answers 5xx, every refusal is named, every honest
 * claim is read, and the process's peak memory stays bounded. CAREPOINTS_SOAK_UPLOADS sets how many
 * uploads the attackers send (`npm run soak:uploads` sends 300 and prints the figures).
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { asOps } from '../support/app.ts';
import { createClaimsHarness, invoicePhoto, multipart, waitForClaim, type ClaimsHarness } from '../support/claims.ts';
import { earnAndCollect } from '../support/credit.ts';
import { enrolMerchants } from '../support/fixtures.ts';
import { imageBomb, streamBomb, textRunBomb } from '../recognition/malicious-pdf.ts';
import { pngChunk } from '../support/png.ts';

const UPLOADS = Number(process.env.CAREPOINTS_SOAK_UPLOADS ?? 40);
const ATTACKERS = 5;
const HONEST_CLAIMS = 3;
/** Generous on a loaded 2-core machine: before the fixes one image bomb alone took 2 GB. */
const MAX_PEAK_GROWTH_BYTES = 512 * 1024 * 1024;
const LEFT_SUBMITTED = ['recognized', 'approved', 'paid', 'rejected', 'in_review', 'photo_requested'] as const;

let h: ClaimsHarness;
before(async () => {
  h = await createClaimsHarness();
});
after(async () => h.close());

/** A PNG whose header claims 20,000 × 20,000 pixels: a decompression bomb's header. */
function pixelBomb(): Buffer {

  const header = Buffer.alloc(13);
  header.writeUInt32BE(20_000, 0);
  header.writeUInt32BE(20_000, 4);
  header.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(20_001 * 4))), pngChunk('IEND', Buffer.alloc(0))]);
}

function submit(merchantId: number, bytes: Buffer, type: string) {
  const body = multipart([
    { field: 'merchantId', value: String(merchantId) },
    { field: 'invoice', filename: type === 'application/pdf' ? 'bill.pdf' : 'invoice.png', type, bytes },
  ]);
  return h.app.inject({ method: 'POST', url: '/v1/claims', headers: { ...asOps, ...body.headers }, payload: body.payload });
}

test(`${UPLOADS} malicious uploads beside ${HONEST_CLAIMS} honest claims: no 5xx, named refusals, bounded memory, honest claims read`, async () => {
  const merchants = await enrolMerchants(h.db.pool, ATTACKERS + 1, 5001);
  for (const m of merchants) await earnAndCollect(h.db.pool, m, 3, new Date(Date.now() - 40 * 86_400_000));
  const honest = merchants.at(-1)!;
  const bombs: [Buffer, string][] = [
    [imageBomb(8, 6000, 6600), 'application/pdf'],
    [streamBomb(300_000_000), 'application/pdf'],
    [textRunBomb(170_000), 'application/pdf'],
    [pixelBomb(), 'image/png'],
  ];
  const [warmUp, ...photos] = await Promise.all(Array.from({ length: HONEST_CLAIMS + 1 }, (_, i) => invoicePhoto(5101 + i, '张伟')));
  // the baseline is a process that has read a claim: the recognition models loaded, the pool warm
  await waitForClaim(h.db.pool, (await submit(honest.id, warmUp!.image, 'image/png')).json().id, LEFT_SUBMITTED);
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();
  const attack = (async () => {
    // in waves of ten parallel uploads, each attacker in turn
    for (let sent = 0; sent < UPLOADS; sent += 10) {
      const wave = await Promise.all(Array.from({ length: Math.min(10, UPLOADS - sent) }, (_, i) => {
        const [bytes, type] = bombs[(sent + i) % bombs.length]!;
        return submit(merchants[(sent + i) % ATTACKERS]!.id, bytes, type);
      }));
      for (const answer of wave) {
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
        if (answer.statusCode !== 201) codes.set(answer.json().error.code, (codes.get(answer.json().error.code) ?? 0) + 1);
      }
    }
  })();
  const waits: number[] = [];
  for (const photo of photos) {
    const submitted = performance.now();
    const answer = await submit(honest.id, photo.image, 'image/png');
    assert.equal(answer.statusCode, 201, answer.body);
    await waitForClaim(h.db.pool, answer.json().id, LEFT_SUBMITTED);
    waits.push((performance.now() - submitted) / 1000);
  }
  await attack;
  const growth = process.resourceUsage().maxRSS * 1024 - peakBefore;
  console.log(
    JSON.stringify({ uploads: UPLOADS, statuses: Object.fromEntries(statuses), refusals: Object.fromEntries(codes), peakMemoryGrowthMiB: Math.round(growth / 2 ** 20), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), slowestHonestWaitSeconds: Math.max(...waits).toFixed(1), honestWaitsSeconds: waits.map((w) => w.toFixed(1)) }),
  );
  for (const status of statuses.keys()) assert.ok(status < 500 || status === 503, `an upload answered ${status}`);
  for (const code of codes.keys()) assert.ok(['too_many_claims_waiting', 'recognition_busy'].includes(code), `refused as ${code}`);
  assert.ok(growth < MAX_PEAK_GROWTH_BYTES, `peak memory grew ${(growth / 2 ** 20).toFixed(0)} MiB`);
  // the attackers' accepted claims all end, each as a retake naming why
  const { rows } = await h.db.pool.query<{ code: string; n: number }>(
    `SELECT e.code, count(*)::int AS n FROM claims c JOIN LATERAL (SELECT code FROM claim_events WHERE claim_id = c.claim_id ORDER BY event_no DESC LIMIT 1) e ON true
      WHERE c.merchant_id = ANY($1) GROUP BY e.code`,
    [merchants.slice(0, ATTACKERS).map((m) => m.id)],
  );
  console.log(JSON.stringify({ attackerClaimOutcomes: rows }));
});
