/**
 * `npm run bench:recognition`: recognises generated invoice photos (BENCH_PER_VARIANT of each
 * readable variant, 30 by default: 270 images, far shots and 640-px photos included) and prints, per
 * variant, field accuracy against the ground truth, the fully-correct rate, latency p50/p95 and how
 * many photos were wrongly refused as unusable, and of those how many were answered "no invoice found"
 * (not_an_invoice: the print was read but not taken for an invoice; the CLI's `no_invoice_found`); then, for BENCH_UNUSABLE_PER_VARIANT (15) photos of
 * each unusable variant, whether the first quality reason is the right one; then model load time and
 * peak memory, and machine-readable lines. BENCH_SEED changes the invoices; BENCH_VARIANTS=far,dark
 * runs a subset; BENCH_LAYOUT=pharmacy-receipt draws every readable invoice in that layout.
 */
import os from 'node:os';
import { loadHospitalRegistry } from '../src/hospitals/record.ts';
import { createRecognizer } from '../src/recognition/index.ts';
import { writeBenchResult } from './results.ts';
import { generateInvoice, INVOICE_LAYOUTS, INVOICE_VARIANTS, scoreInvoice, UNUSABLE_VARIANTS, type FieldScore, type UnusableVariant } from '../sim/invoices/index.ts';

const PER_VARIANT = Number(process.env.BENCH_PER_VARIANT ?? 30);
const PER_UNUSABLE = Number(process.env.BENCH_UNUSABLE_PER_VARIANT ?? 15);
const SEED = Number(process.env.BENCH_SEED ?? 1000);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
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
console.log(`models loaded and warmed in ${recognizer.modelLoadMs} ms; ${PER_VARIANT} invoices per variant, seed ${SEED}`);
// Latency is wall time on a shared machine: the load average and this process's CPU time per
// invoice tell whether other processes inflated it.
const loadAtStart = os.loadavg()[0]!;

const rows: { variant: string; fieldAccuracy: number; full: number; p50: number; p95: number; cpuP50: number; n: number; refused: number; noInvoice: number }[] = [];
const missedFields = new Map<string, number>();
for (const [v, variant] of INVOICE_VARIANTS.entries()) {
  if (ONLY && !ONLY.includes(variant)) continue;
  const latencies: number[] = [];
  const cpuMs: number[] = [];
  let fields = 0;
  let correct = 0;
  let fullyCorrect = 0;
  let refused = 0;
  let noInvoice = 0;
  for (let i = 0; i < PER_VARIANT; i++) {
    const seed = SEED + v * 10_000 + i;
    const generated = await generateInvoice({ seed, variant, layout: LAYOUT, hospitals: registry.hospitals, today });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { invoice, quality } = await recognizer.recognize(generated.image, { now });
    if (quality && !quality.usable) {
      refused++;
      if (quality.reasons[0]?.code === 'not_an_invoice') noInvoice++;
      if (VERBOSE) console.log(`  seed ${seed} ${variant} refused: ${quality.reasons.map((r) => r.message).join('; ')}`);
    }
    latencies.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    const scores: FieldScore[] = scoreInvoice(generated.truth, invoice);
    const wrong = scores.filter((s) => !s.correct);
    fields += scores.length;
    correct += scores.length - wrong.length;
    if (wrong.length === 0) fullyCorrect++;
    for (const w of wrong) {
      missedFields.set(`${variant}/${w.field}`, (missedFields.get(`${variant}/${w.field}`) ?? 0) + 1);
      if (VERBOSE) console.log(`  seed ${seed} ${variant} ${generated.truth.layout} ${w.field}: expected ${JSON.stringify(w.expected)} got ${JSON.stringify(w.actual)}`);
    }
  }
  latencies.sort((a, b) => a - b);
  cpuMs.sort((a, b) => a - b);
  rows.push({
    variant,
    fieldAccuracy: (100 * correct) / fields,
    full: fullyCorrect / PER_VARIANT,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    cpuP50: percentile(cpuMs, 50),
    n: PER_VARIANT,
    refused,
    noInvoice,
  });
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
const degraded = rows.filter((r) => r.variant !== 'clean');
const degradedAccuracy = degraded.reduce((s, r) => s + r.fieldAccuracy, 0) / degraded.length;
console.log(`degraded mean field accuracy ${degradedAccuracy.toFixed(1)}%`);
console.log(`model load ${recognizer.modelLoadMs} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; 1-min load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0]!.toFixed(2)} at end on ${os.availableParallelism()} cores`);
if (missedFields.size > 0) console.log(`misread fields: ${[...missedFields].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(', ')}`);
for (const r of rows) {
  console.log(`bench=recognition variant=${r.variant} field_accuracy=${r.fieldAccuracy.toFixed(1)} full=${r.full.toFixed(2)} p50_ms=${r.p50.toFixed(0)} p95_ms=${r.p95.toFixed(0)} cpu_p50_ms=${r.cpuP50.toFixed(0)} refused=${r.refused} no_invoice_found=${r.noInvoice}`);
}
for (const q of qualityRows) console.log(`bench=recognition unusable=${q.variant} expected=${q.expected} right=${q.correct} n=${q.n}`);
if (qualityRows.length > 0) {
  const right = qualityRows.reduce((s, q) => s + q.correct, 0);
  const total = qualityRows.reduce((s, q) => s + q.n, 0);
  console.log(`bench=recognition quality_reasons_right=${((100 * right) / total).toFixed(1)} refused_usable=${rows.reduce((s, r) => s + r.refused, 0)} no_invoice_found=${rows.reduce((s, r) => s + r.noInvoice, 0)} of=${rows.reduce((s, r) => s + r.n, 0)}`);
}
console.log(`bench=recognition model_load_ms=${recognizer.modelLoadMs} peak_rss_mib=${(process.resourceUsage().maxRSS / 1024).toFixed(0)}`);
if (rows.length > 0) {
  // the median of the variants' p50s: each variant weighs the same however many photos it had
  const medianOf = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  writeBenchResult(
    'recognition',
    {
      cpu_ms_per_photo_p50: { value: Math.round(medianOf(rows.map((r) => r.cpuP50))), unit: 'ms', note: `median of the variants' CPU p50 (both onnxruntime threads); variants ${rows.map((r) => r.variant).join(', ')}` },
      wall_ms_per_photo_p50: { value: Math.round(medianOf(rows.map((r) => r.p50))), unit: 'ms', note: "median of the variants' wall-time p50" },
      ...(degraded.length > 0 && { degraded_field_accuracy_percent: { value: Number(degradedAccuracy.toFixed(1)), unit: '%', note: 'mean field accuracy of the degraded variants' } }),
      model_load_ms: { value: recognizer.modelLoadMs, unit: 'ms' },
      peak_rss_mib: { value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MiB' },
    },
    loadAtStart,
  );
}
