/**
 * Every bench ends by writing its headline figures to bench/results/<bench>.json (the schema lives
 * with its reader, `carepoints capacity`): the committed files are the last run's figures, so the
 * capacity plan works on a fresh clone and a new run replaces them. A partial run (BENCH_MIX=worst,
 * BENCH_WEBHOOK_REQUESTS=0…) keeps the figures it did not measure, each marked with its own date.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchResultPath, readBenchResult, type BenchFigure, type BenchName, type BenchResult } from '../src/capacity/index.ts';

const RESULTS_DIR = path.join(import.meta.dirname, 'results');

/** loadAverage1m: the machine's 1-minute load average when the bench started (default: now). */
export function writeBenchResult(bench: BenchName, figures: Record<string, BenchFigure>, loadAverage1m: number = os.loadavg()[0]!): void {
  const file = benchResultPath(RESULTS_DIR, bench);
  const kept = fs.existsSync(file) ? previousFigures(bench, Object.keys(figures)) : {};
  const result: BenchResult = {
    bench,
    measured_at: new Date().toISOString(),
    source: `npm run bench:${bench}`,
    machine: { cores: os.availableParallelism(), cpu_model: os.cpus()[0]?.model ?? 'unknown', load_average_1m: Number(loadAverage1m.toFixed(2)) },
    figures: { ...kept, ...figures },
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`figures written to ${path.relative(process.cwd(), file)}`);
}

function previousFigures(bench: BenchName, measured: readonly string[]): Record<string, BenchFigure> {
  const previous = readBenchResult(RESULTS_DIR, bench);
  const kept = Object.entries(previous.figures).filter(([name]) => !measured.includes(name));
  return Object.fromEntries(kept.map(([name, f]) => [name, { ...f, note: f.note?.startsWith('not measured') ? f.note : `not measured in this run: from ${previous.measured_at} (${previous.source})` }]));
}
