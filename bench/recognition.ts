/**
 * `npm run bench:recognition`: recognises generated invoice photos (BENCH_PER_VARIANT of each
 * degradation, 30 by default: 210 images) and prints, per variant, field accuracy against the ground
 * truth, the fully-correct rate and latency p50/p95, then model load time and peak memory, and one
 * machine-readable line per variant. BENCH_SEED changes the invoices.
 */
import os from 'node:os';
import { loadHospitalRegistry } from '../src/recognition/hospitals.ts';
import { createRecognizer } from '../src/recognition/index.ts';
import { generateInvoice, INVOICE_VARIANTS, scoreInvoice, type FieldScore } from '../sim/invoices/index.ts';

const PER_VARIANT = Number(process.env.BENCH_PER_VARIANT ?? 30);
const SEED = Number(process.env.BENCH_SEED ?? 1000);
const VERBOSE = process.env.BENCH_VERBOSE === '1';
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

const rows: { variant: string; fieldAccuracy: number; full: number; p50: number; p95: number; cpuP50: number; n: number }[] = [];
const missedFields = new Map<string, number>();
for (const [v, variant] of INVOICE_VARIANTS.entries()) {
  const latencies: number[] = [];
  const cpuMs: number[] = [];
  let fields = 0;
  let correct = 0;
  let fullyCorrect = 0;
  for (let i = 0; i < PER_VARIANT; i++) {
    const seed = SEED + v * 10_000 + i;
    const generated = await generateInvoice({ seed, variant, hospitals: registry.hospitals, today });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { invoice } = await recognizer.recognize(generated.image, { now });
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
  });
}
await recognizer.close();

console.log('\nvariant       images  field accuracy  fully correct  p50 ms  p95 ms  CPU p50 ms');
for (const r of rows) {
  console.log(
    `${r.variant.padEnd(13)} ${String(r.n).padStart(6)}  ${r.fieldAccuracy.toFixed(1).padStart(13)}%  ${(100 * r.full).toFixed(0).padStart(12)}%  ${r.p50.toFixed(0).padStart(6)}  ${r.p95.toFixed(0).padStart(6)}  ${r.cpuP50.toFixed(0).padStart(10)}`,
  );
}
const degraded = rows.filter((r) => r.variant !== 'clean');
const degradedAccuracy = degraded.reduce((s, r) => s + r.fieldAccuracy, 0) / degraded.length;
console.log(`degraded mean field accuracy ${degradedAccuracy.toFixed(1)}%`);
console.log(`model load ${recognizer.modelLoadMs} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; 1-min load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0]!.toFixed(2)} at end on ${os.availableParallelism()} cores`);
if (missedFields.size > 0) console.log(`misread fields: ${[...missedFields].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(', ')}`);
for (const r of rows) {
  console.log(`bench=recognition variant=${r.variant} field_accuracy=${r.fieldAccuracy.toFixed(1)} full=${r.full.toFixed(2)} p50_ms=${r.p50.toFixed(0)} p95_ms=${r.p95.toFixed(0)}`);
}
console.log(`bench=recognition model_load_ms=${recognizer.modelLoadMs} peak_rss_mib=${(process.resourceUsage().maxRSS / 1024).toFixed(0)}`);
