/**
 * Bench result files (bench/results/<bench>.json): each bench writes its headline figures there and
 * `carepoints capacity` reads them back. The files are outside input (edited by hand, committed,
 * overwritten by runs), so every read is checked against the schema with a message naming the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';


const FigureSchema = Type.Object(
  {
    value: Type.Number({ minimum: 0 }),
    unit: Type.String({ minLength: 1, maxLength: 60 }),
    note: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

export const BenchResultSchema = Type.Object(
  {
    bench: Type.Union([Type.Literal('accrual'), Type.Literal('ledger'), Type.Literal('recognition'), Type.Literal('claims'), Type.Literal('sweeps'), Type.Literal('storage'), Type.Literal('reads')]),
    measured_at: Type.String({ format: 'date-time' }),
    /** Where the figures come from: a run of the bench, or (seed files) the README's figures. */
    source: Type.String({ minLength: 1, maxLength: 500 }),
    machine: Type.Object(
      {
        cores: Type.Integer({ minimum: 1, maximum: 4096 }),
        cpu_model: Type.String({ maxLength: 200 }),
        load_average_1m: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    figures: Type.Record(Type.String({ pattern: '^[a-z0-9_]{1,80}$' }), FigureSchema),
  },
  { additionalProperties: false },
);

export type BenchFigure = Static<typeof FigureSchema>;
export type BenchResult = Static<typeof BenchResultSchema>;
export type BenchName = BenchResult['bench'];

const checker = Compile(BenchResultSchema);

export class BenchResultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchResultsError';
  }
}

export function benchResultPath(dir: string, bench: BenchName): string {
  return path.join(dir, `${bench}.json`);
}

/** One bench's result file, checked; a missing, unreadable or malformed file is a BenchResultsError naming it. */
export function readBenchResult(dir: string, bench: BenchName): BenchResult {
  const file = benchResultPath(dir, bench);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new BenchResultsError(e.code === 'ENOENT' ? `${file} is missing: run npm run bench:${bench}, or restore the committed file` : `${file} is not readable JSON: ${e.message}`);
  }
  if (!checker.Check(parsed)) {
    const first = [...checker.Errors(parsed)][0];
    throw new BenchResultsError(`${file}: ${first?.instancePath || '(top)'} ${first?.message ?? 'does not match the bench result schema'}`);
  }
  if (parsed.bench !== bench) throw new BenchResultsError(`${file} holds the results of bench "${parsed.bench}", not "${bench}"`);
  return parsed;
}

/** A figure the plan needs; its absence is named with the file, and a unit other than expected is refused (no silent conversion). */
export function figure(result: BenchResult, dir: string, name: string, unit: string): number {
  const f = result.figures[name];
  const file = benchResultPath(dir, result.bench);
  if (!f) throw new BenchResultsError(`${file} has no figure "${name}" (${unit}): run npm run bench:${result.bench}`);
  if (f.unit !== unit) throw new BenchResultsError(`${file}: figure "${name}" is in ${f.unit}, expected ${unit}`);
  return f.value;
}
