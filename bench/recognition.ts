/**
 * `npm run bench:recognition`: recognises generated invoice photos (BENCH_PER_VARIANT of each
 * readable variant, 30 by default: 270 images, far shots and 640-px photos included) and prints, per
 * variant, field accuracy against the ground truth, the fully-correct rate, latency p50/p95 and how
 * many photos were wrongly refused as unusable, and of those how many were answered "no invoice found"
 * (not_an_invoice: the print was read but not taken for an invoice; the CLI's `no_invoice_found`); then, for BENCH_UNUSABLE_PER_VARIANT (15) photos of
 * each unusable variant, whether the first quality reason is the right one; then model load time and
 * peak memory, and machine-readable lines. BENCH_SEED changes the invoices; BENCH_VARIANTS=far,dark
 * runs a subset; BENCH_LAYOUT=pharmacy-receipt draws every readable invoice in that layout.
 * Baseline in the same run: each readable photo is also read by the pipeline as it was before
 * issue 26 (onnxruntime's threads spinning between ops), alternating which goes first, so that each
 * figure has its ratio on a shared machine; BENCH_BASELINE=0 skips it.
 */
import os from 'node:os';
import { loadHospitalRegistry } from '../src/hospitals/record.ts';
import { createRecognizer, type Recognizer } from '../src/recognition/index.ts';
import { writeBenchResult } from './results.ts';
import { generateInvoice, INVOICE_LAYOUTS, INVOICE_VARIANTS, scoreInvoice, UNUSABLE_VARIANTS, type FieldScore, type UnusableVariant } from '../sim/invoices/index.ts';

const PER_VARIANT = Number(process.env.BENCH_PER_VARIANT ?? 30);
const PER_UNUSABLE = Number(process.env.BENCH_UNUSABLE_PER_VARIANT ?? 15);
const SEED = Number(process.env.BENCH_SEED ?? 1000);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const BASELINE = process.env.BENCH_BASELINE !== '0';
// A comma-separated subset of the variants (e.g. BENCH_VARIANTS=far,lowres640); all by default.
const ONLY = process.env.BENCH_VARIANTS?.split(',').filter((v) => v !== '');
const LAYOUT = INVOICE_LAYOUTS.find((l) => l === process.env.BENCH_LAYOUT);
if (process.env.BENCH_LAYOUT !== undefined && LAYOUT === undefined) {
  console.error(`BENCH_LAYOUT must be one of ${INVOICE_LAYOUTS.join(', ')}; got "${process.env.BENCH_LAYOUT}"`);
  process.exit(2);
}
const now = new Date();
const today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const registry = await loadHospitalRegistry();
const recognizer = await createRecognizer({ hospitals: registry });
const baseline = BASELINE ? await createRecognizer({ hospitals: registry, spinning: true }) : null;
console.log(`models loaded and warmed in ${recognizer.modelLoadMs} ms; ${PER_VARIANT} invoices per variant, seed ${SEED}${baseline ? '; each also read by the baseline' : ''}`);
// Latency is wall time on a shared machine: the load average and this process's CPU time per
// invoice tell whether other processes inflated it.
const loadAtStart = os.loadavg()[0]!;

interface Tally {
  latencies: number[];
  cpuMs: number[];
  fields: number;
  correct: number;
  fullyCorrect: number;
  refused: number;
  noInvoice: number;
}
interface Measured {
  fieldAccuracy: number;
  full: number;
  p50: number;
  p95: number;
  cpuP50: number;
  refused: number;
  noInvoice: number;
}
const tally = (): Tally => ({ latencies: [], cpuMs: [], fields: 0, correct: 0, fullyCorrect: 0, refused: 0, noInvoice: 0 });
function measured(t: Tally): Measured {
  const latencies = [...t.latencies].sort((a, b) => a - b);
  const cpuMs = [...t.cpuMs].sort((a, b) => a - b);
  return {
    fieldAccuracy: (100 * t.correct) / t.fields,
    full: t.fullyCorrect / t.latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    cpuP50: percentile(cpuMs, 50),
    refused: t.refused,
    noInvoice: t.noInvoice,
  };
}

const rows: ({ variant: string; n: number; baseline: Measured | null } & Measured)[] = [];
const missedFields = new Map<string, number>();
for (const [v, variant] of INVOICE_VARIANTS.entries()) {
  if (ONLY && !ONLY.includes(variant)) continue;
  const current = tally();
  const before = tally();
  for (let i = 0; i < PER_VARIANT; i++) {
    const seed = SEED + v * 10_000 + i;
    const generated = await generateInvoice({ seed, variant, layout: LAYOUT, hospitals: registry.hospitals, today });
    const runs: [Recognizer, Tally][] = baseline ? [[recognizer, current], [baseline, before]] : [[recognizer, current]];
    // alternate which pipeline goes first: neither always meets the machine as the other left it
    if (i % 2 === 1) runs.reverse();
    for (const [reader, t] of runs) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const { invoice, quality } = await reader.recognize(generated.image, { now });
      const cpu = process.cpuUsage(cpu0);
      t.latencies.push(performance.now() - t0);
      t.cpuMs.push((cpu.user + cpu.system) / 1000);
      const label = reader === baseline ? ' (baseline)' : '';
      if (quality && !quality.usable) {
        t.refused++;
        if (quality.reasons[0]?.code === 'not_an_invoice') t.noInvoice++;
        if (VERBOSE) console.log(`  seed ${seed} ${variant}${label} refused: ${quality.reasons.map((r) => r.message).join('; ')}`);
      }
      const scores: FieldScore[] = scoreInvoice(generated.truth, invoice);
      const wrong = scores.filter((s) => !s.correct);
      t.fields += scores.length;
      t.correct += scores.length - wrong.length;
      if (wrong.length === 0) t.fullyCorrect++;
      for (const w of wrong) {
        if (reader === recognizer) missedFields.set(`${variant}/${w.field}`, (missedFields.get(`${variant}/${w.field}`) ?? 0) + 1);
        if (VERBOSE) console.log(`  seed ${seed} ${variant}${label} ${generated.truth.layout} ${w.field}: expected ${JSON.stringify(w.expected)} got ${JSON.stringify(w.actual)}`);
      }
    }
  }
  rows.push({ variant, n: PER_VARIANT, ...measured(current), baseline: baseline ? measured(before) : null });
}

// Unusable photos: the first quality reason must be the one the generator's variant stands for.
const qualityRows: { variant: UnusableVariant; expected: string; correct: number; n: number; got: Map<string, number> }[] = [];
for (const [v, [variant, expected]] of (Object.entries(UNUSABLE_VARIANTS) as [UnusableVariant, string][]).entries()) {
  if ((ONLY && !ONLY.includes(variant)) || PER_UNUSABLE === 0) continue;
  const row = { variant, expected, correct: 0, n: PER_UNUSABLE, got: new Map<string, number>() };
  for (let i = 0; i < PER_UNUSABLE; i++) {
    const seed = SEED + 500_000 + v * 10_000 + i;
    const generated = await generateInvoice({ seed, variant, hospitals: registry.hospitals, today });
    const { quality } = await recognizer.recognize(generated.image, { now });
    const first = quality?.reasons[0]?.code ?? 'usable';
    row.got.set(first, (row.got.get(first) ?? 0) + 1);
    if (first === expected) row.correct++;
    else if (VERBOSE) console.log(`  seed ${seed} ${variant}: expected ${expected}, got ${first} ${JSON.stringify(quality?.measures)}`);
  }
  qualityRows.push(row);
}
await recognizer.close();
await baseline?.close();

console.log('\nvariant       images  field accuracy  fully correct  p50 ms  p95 ms  CPU p50 ms  refused  no invoice');
for (const r of rows) {
  console.log(
    `${r.variant.padEnd(13)} ${String(r.n).padStart(6)}  ${r.fieldAccuracy.toFixed(1).padStart(13)}%  ${(100 * r.full).toFixed(0).padStart(12)}%  ${r.p50.toFixed(0).padStart(6)}  ${r.p95.toFixed(0).padStart(6)}  ${r.cpuP50.toFixed(0).padStart(10)}  ${String(r.refused).padStart(7)}  ${String(r.noInvoice).padStart(10)}`,
  );
}
if (qualityRows.length > 0) {
  console.log('\nunusable      images  expected reason      right  first reasons given');
  for (const q of qualityRows) {
    console.log(`${q.variant.padEnd(13)} ${String(q.n).padStart(6)}  ${q.expected.padEnd(19)} ${String(q.correct).padStart(5)}  ${[...q.got].map(([k, n]) => `${k}×${n}`).join(', ')}`);
  }
}
if (baseline) {
  console.log('\nbaseline in the same run (onnxruntime threads spinning, as before issue 26): before → now, ratio now / before');
  console.log('variant       field accuracy %   p50 ms                  CPU p50 ms');
  for (const r of rows) {
    const b = r.baseline!;
    const pair = (was: number, is: number): string => `${was.toFixed(0).padStart(5)} → ${is.toFixed(0).padStart(5)} (${(is / was).toFixed(2)})`;
    console.log(`${r.variant.padEnd(13)} ${b.fieldAccuracy.toFixed(1).padStart(5)} → ${r.fieldAccuracy.toFixed(1).padStart(5)}     ${pair(b.p50, r.p50)}    ${pair(b.cpuP50, r.cpuP50)}`);
  }
}
const degraded = rows.filter((r) => r.variant !== 'clean');
const degradedAccuracy = degraded.reduce((s, r) => s + r.fieldAccuracy, 0) / degraded.length;
console.log(`degraded mean field accuracy ${degradedAccuracy.toFixed(1)}%`);
// the median of the variants' p50s: each variant weighs the same however many photos it had
const medianOf = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
if (rows.length > 0) {
  const target = (variant: string): number => (variant === 'clean' ? 99.5 : variant.startsWith('far') ? 97 : 98);
  const below = rows.filter((r) => r.fieldAccuracy < target(r.variant) || r.noInvoice > 0);
  const ratio = (now: number, before: number | undefined): string => (before === undefined ? '' : ` (before issue 26 ${before.toFixed(0)} ms, ratio ${(now / before).toFixed(2)})`);
  const wall = medianOf(rows.map((r) => r.p50));
  const cpu = medianOf(rows.map((r) => r.cpuP50));
  console.log('\nissue 26 figures (median of the variants\' p50s)');
  console.log(`  one photo, p50      ${wall.toFixed(0)} ms${ratio(wall, baseline ? medianOf(rows.map((r) => r.baseline!.p50)) : undefined)}; target ≤ 500 ms`);
  console.log(`  CPU per photo, p50  ${cpu.toFixed(0)} ms${ratio(cpu, baseline ? medianOf(rows.map((r) => r.baseline!.cpuP50)) : undefined)}; target ≤ 800 ms`);
  console.log(`  field accuracy under target (far ≥ 97%, clean ≥ 99.5%, others ≥ 98%; no readable photo answered no invoice): ${below.map((r) => `${r.variant} ${r.fieldAccuracy.toFixed(1)}%${r.noInvoice > 0 ? ` (${r.noInvoice} no invoice)` : ''}`).join(', ') || 'none'}`);
}
console.log(`model load ${recognizer.modelLoadMs} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; 1-min load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0]!.toFixed(2)} at end on ${os.availableParallelism()} cores`);
if (missedFields.size > 0) console.log(`misread fields: ${[...missedFields].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(', ')}`);
for (const r of rows) {
  const b = r.baseline;
  console.log(
    `bench=recognition variant=${r.variant} field_accuracy=${r.fieldAccuracy.toFixed(1)} full=${r.full.toFixed(2)} p50_ms=${r.p50.toFixed(0)} p95_ms=${r.p95.toFixed(0)} cpu_p50_ms=${r.cpuP50.toFixed(0)} refused=${r.refused} no_invoice_found=${r.noInvoice}` +
      (b ? ` baseline_field_accuracy=${b.fieldAccuracy.toFixed(1)} baseline_p50_ms=${b.p50.toFixed(0)} baseline_cpu_p50_ms=${b.cpuP50.toFixed(0)}` : ''),
  );
}
for (const q of qualityRows) console.log(`bench=recognition unusable=${q.variant} expected=${q.expected} right=${q.correct} n=${q.n}`);
if (qualityRows.length > 0) {
  const right = qualityRows.reduce((s, q) => s + q.correct, 0);
  const total = qualityRows.reduce((s, q) => s + q.n, 0);
  console.log(`bench=recognition quality_reasons_right=${((100 * right) / total).toFixed(1)} refused_usable=${rows.reduce((s, r) => s + r.refused, 0)} no_invoice_found=${rows.reduce((s, r) => s + r.noInvoice, 0)} of=${rows.reduce((s, r) => s + r.n, 0)}`);
}
console.log(`bench=recognition model_load_ms=${recognizer.modelLoadMs} peak_rss_mib=${(process.resourceUsage().maxRSS / 1024).toFixed(0)}`);
if (rows.length > 0) {
  writeBenchResult(
    'recognition',
    {
      cpu_ms_per_photo_p50: { value: Math.round(medianOf(rows.map((r) => r.cpuP50))), unit: 'ms', note: `median of the variants' CPU p50 (both onnxruntime threads); variants ${rows.map((r) => r.variant).join(', ')}` },
      wall_ms_per_photo_p50: { value: Math.round(medianOf(rows.map((r) => r.p50))), unit: 'ms', note: "median of the variants' wall-time p50" },
      ...(baseline && {
        baseline_cpu_ms_per_photo_p50: { value: Math.round(medianOf(rows.map((r) => r.baseline!.cpuP50))), unit: 'ms', note: 'the same for the pipeline before issue 26 (spinning threads), same photos, same run' },
        baseline_wall_ms_per_photo_p50: { value: Math.round(medianOf(rows.map((r) => r.baseline!.p50))), unit: 'ms', note: 'the same for the pipeline before issue 26, same photos, same run' },
      }),
      ...(degraded.length > 0 && { degraded_field_accuracy_percent: { value: Number(degradedAccuracy.toFixed(1)), unit: '%', note: 'mean field accuracy of the degraded variants' } }),
      model_load_ms: { value: recognizer.modelLoadMs, unit: 'ms' },
      peak_rss_mib: { value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MiB' },
    },
    loadAtStart,
  );
}
