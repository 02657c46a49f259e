import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { Compile } from 'typebox/compile';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { enrolmentProblem, normaliseEnrolment } from '../merchants/enrolment.ts';
import { EnrolmentSchema } from '../merchants/schema.ts';
import { importEnrolments, resolveIdHashKey } from '../merchants/store.ts';
import type { EnrolmentInput } from '../merchants/types.ts';

const COLUMNS = ['walletUserId', 'legalName', 'idNumber', 'phone', 'city', 'enrolledAt'] as const;
const MAX_FILE_BYTES = 512 * 1024 * 1024;
const enrolment = Compile(EnrolmentSchema);

export interface RowProblem {
  line: number;
  field: string;
  message: string;
}

/** Parses and validates a whole CSV before anything is written; every bad row is reported. */
export function readEnrolmentCsv(text: string): { rows: { line: number; input: EnrolmentInput }[]; problems: RowProblem[] } {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true, relax_column_count: false }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = COLUMNS.filter((c) => !header.includes(c));
  const extra = header.filter((c) => !(COLUMNS as readonly string[]).includes(c));
  if (records.length && (missing.length || extra.length)) {
    return { rows: [], problems: [{ line: 1, field: missing[0] ?? extra[0]!, message: `header must be ${COLUMNS.join(',')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}` }] };
  }
  const rows: { line: number; input: EnrolmentInput }[] = [];
  const problems: RowProblem[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    if (!enrolment.Check(record)) {
      const first = [...enrolment.Errors(record)][0];
      const field = first?.instancePath.replace(/^\//, '') || 'row';
      problems.push({ line, field, message: `${field} ${first?.message ?? 'is invalid'}` });
      continue;
    }
    const input = record as unknown as EnrolmentInput;
    const problem = enrolmentProblem(input);
    if (problem) problems.push({ line, field: problem.field, message: problem.message });
    else rows.push({ line, input: normaliseEnrolment(input) });
  }
  return { rows, problems };
}

export async function importMerchantsCommand(args: string[]): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--skip-duplicates' && a !== '--dry-run');
  if (!file || unknown.length) {
    console.error(`usage: carepoints import-merchants <file.csv> [--skip-duplicates] [--dry-run]${unknown.length ? `\nunknown option ${unknown[0]}` : ''}`);
    return 2;
  }
  if (!fs.existsSync(file)) {
    console.error(`no such file: ${file}`);
    return 2;
  }
  if (fs.statSync(file).size > MAX_FILE_BYTES) {
    console.error(`${file} is larger than ${MAX_FILE_BYTES} bytes; split it`);
    return 2;
  }
  let parsed: ReturnType<typeof readEnrolmentCsv>;
  try {
    parsed = readEnrolmentCsv(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`${file}: not a readable CSV: ${(err as Error).message}`);
    return 2;
  }
  if (parsed.problems.length) {
    for (const p of parsed.problems.slice(0, 100)) console.error(`${file}:${p.line}: ${p.field}: ${p.message}`);
    console.error(`${parsed.problems.length} invalid row(s); nothing imported`);
    return 1;
  }
  if (args.includes('--dry-run')) {
    console.log(JSON.stringify({ valid: parsed.rows.length, imported: 0, dryRun: true }));
    return 0;
  }
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, log: () => {} });
  try {
    await migrate(db.pool);
    const key = await resolveIdHashKey(db.pool, config.idHashKey);
    const outcome = await importEnrolments(db.pool, parsed.rows, key, { skipDuplicates: args.includes('--skip-duplicates') });
    for (const d of outcome.duplicates.slice(0, 100)) console.error(`${file}:${d.line}: ${d.field}: already enrolled`);
    console.log(JSON.stringify({ imported: outcome.imported, duplicates: outcome.duplicates.length }));
    return outcome.duplicates.length && !args.includes('--skip-duplicates') ? 1 : 0;
  } finally {
    await db.close();
  }
}
