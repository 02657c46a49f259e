import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { BenchResultsError, loadMeasuredRates, type BenchResult } from '../../src/capacity/index.ts';
import { parseCapacityArgs } from '../../src/cli/capacity.ts';

const run = promisify(execFile);
const RESULTS = path.resolve(import.meta.dirname, '../../bench/results');
let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-capacity-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/carepoints.js', 'capacity', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A copy of the committed results with one file replaced (or removed with null). */
function resultsWith(name: string, text: string | null): string {
  const copy = fs.mkdtempSync(path.join(dir, 'results-'));
  for (const f of fs.readdirSync(RESULTS)) fs.copyFileSync(path.join(RESULTS, f), path.join(copy, f));
  if (text === null) fs.rmSync(path.join(copy, name));
  else fs.writeFileSync(path.join(copy, name), text);
  return copy;
}

const accrual = (): BenchResult => JSON.parse(fs.readFileSync(path.join(RESULTS, 'accrual.json'), 'utf8')) as BenchResult;

test('the committed results give 25 million merchants a plan, each figure with its source', async () => {
  const res = await cli('--merchants', '25000000');
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^capacity for 25,000,000 merchants/);
  for (const line of ['ingestion cores', 'ledger cores', 'recognition cores', 'API cores', 'WAL per day', 'storage per day', 'database nodes']) assert.match(res.stdout, new RegExp(`^${line}`, 'm'));
  assert.match(res.stdout, /accrual\.json batch_realistic_notifications_per_s = [0-9,]+ notifications\/s/);
  assert.match(res.stdout, /peakToAverageRatio = 3×: /);

  const json = await cli('--merchants=25000000', '--json');
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.equal(out.plan.merchants, 25_000_000);
  assert.equal(out.plan.notificationsPerDay, 500_000_000);
  // 500 million a day at 3× the average = 17,361 notifications/s, ÷ the accrual bench's realistic batch rate a core
  const a = accrual();
  const perCore = a.figures.batch_realistic_notifications_per_s!.value / a.machine.cores;
  assert.equal(out.plan.ingestionCores, Math.ceil(((500_000_000 / 86_400) * 3) / perCore));
  assert.equal(out.rates.ingestNotificationsPerCoreS.value, perCore);
});

test('a bench run replaces a figure and the plan follows it', async () => {
  const a = accrual();
  a.figures.batch_realistic_notifications_per_s = { value: 1_000, unit: 'notifications/s' };
  a.machine.cores = 4;
  a.source = 'npm run bench:accrual';
  const res = await cli('--merchants', '86400', '--json', '--results', resultsWith('accrual.json', JSON.stringify(a)));
  assert.equal(res.code, 0, res.stderr);
  // 86,400 merchants × 20 = 20 notifications/s, 60/s at peak ÷ 250/s a core
  assert.equal(JSON.parse(res.stdout).plan.ingestionCores, 1);
  assert.match(JSON.parse(res.stdout).rates.ingestNotificationsPerCoreS.source, /= 1,000 notifications\/s \(\d{4}-\d{2}-\d{2}\) ÷ 4 cores/);
});

test('--credits-per-merchant replaces the upper-bound assumption: fewer credits a day, less storage, and the plan says where the figure came from', async () => {
  const upper = JSON.parse((await cli('--merchants', '25000000', '--json')).stdout);
  const fifth = JSON.parse((await cli('--merchants', '25000000', '--json', '--credits-per-merchant', '4')).stdout);
  assert.equal(upper.assumptions.creditsPerMerchantPerDay.value, 10);
  assert.equal(fifth.assumptions.creditsPerMerchantPerDay.value, 4);
  assert.match(fifth.assumptions.creditsPerMerchantPerDay.why, /--credits-per-merchant/);
  assert.ok(fifth.plan.storageBytesPerDay < upper.plan.storageBytesPerDay, 'less kept a day');
  assert.ok(fifth.plan.dbNodes < upper.plan.dbNodes, `${fifth.plan.dbNodes} nodes against ${upper.plan.dbNodes}`);
  const text = await cli('--merchants', '25000000', '--credits-per-merchant=4');
  assert.match(text.stdout, /creditsPerMerchantPerDay = 4 credits\/merchant\/day: given on the command line/);
});

test('bad flags are refused with the reason', () => {
  const cases: [string[], RegExp][] = [
    [[], /--merchants is required/],
    [['--merchants'], /--merchants needs a value/],
    [['--merchants', '0'], /--merchants must be a whole number from 1 to 1,000,000,000, got "0"/],
    [['--merchants', '1000000001'], /got "1000000001"/],
    [['--merchants', '2.5'], /got "2.5"/],
    [['--merchants', '-3'], /got "-3"/],
    [['--merchants', '1e6'], /got "1e6"/],
    [['--merchants', 'many'], /got "many"/],
    [['--merchants', '10', '--merchants', '20'], /--merchants is given twice/],
    [['--merchants', '10', '--verbose'], /unknown option "--verbose"/],
    [['--merchants', '10', '--json=yes'], /unknown option "--json=yes"/],
    [['--merchants', '10', '--results'], /--results needs a value/],
    [['--merchants', '10', '--results='], /--results needs a value/],
    [['--merchants', '10', '--credits-per-merchant', '21'], /--credits-per-merchant must be a number from 0 to 20 .* got "21"/],
    [['--merchants', '10', '--credits-per-merchant', '4.125'], /got "4.125"/],
    [['--merchants', '10', '--credits-per-merchant', '-1'], /--credits-per-merchant needs a value|got "-1"/],
    [['--merchants', '10', '--credits-per-merchant', 'four'], /got "four"/],
    [['--merchants', '10', '--credits-per-merchant', '4', '--credits-per-merchant=5'], /--credits-per-merchant is given twice/],
  ];
  for (const [args, message] of cases) {
    const parsed = parseCapacityArgs(args);
    assert.ok('problem' in parsed, args.join(' '));
    assert.match(parsed.problem, message, args.join(' '));
  }
  assert.deepEqual(parseCapacityArgs(['--merchants=1000000000', '--results', 'x', '--json']), { merchants: 1_000_000_000, creditsPerMerchant: null, resultsDir: path.resolve('x'), json: true });
  assert.equal((parseCapacityArgs(['--merchants', '5', '--credits-per-merchant=4']) as { creditsPerMerchant: number }).creditsPerMerchant, 4);
  assert.equal((parseCapacityArgs(['--merchants', '1']) as { resultsDir: string }).resultsDir, RESULTS, "the project's results wherever it runs from");
});

test('the CLI exits 2 on a bad flag, printing the reason and the usage', async () => {
  const res = await cli('--merchants', '0');
  assert.equal(res.code, 2);
  assert.match(res.stderr, /--merchants must be a whole number from 1 to 1,000,000,000, got "0"\nusage: carepoints capacity/);
  assert.equal(res.stdout, '');
});

test('missing or malformed result files are named with what is wrong; the CLI exits 2', async () => {
  assert.throws(() => loadMeasuredRates(path.join(dir, 'nowhere')), /nowhere is not a directory of bench results/);
  const cases: [string, string | null, RegExp][] = [
    ['storage.json', null, /storage\.json is missing: run npm run bench:storage/],
    ['ledger.json', '{"bench": "ledger"', /ledger\.json is not readable JSON/],
    ['claims.json', JSON.stringify({ ...accrual(), bench: 'claims', figures: {} }), /claims\.json has no figure "claims_per_s" \(claims\/s\)/],
    ['sweeps.json', JSON.stringify({ ...accrual(), bench: 'ledger' }), /sweeps\.json holds the results of bench "ledger"/],
    ['accrual.json', JSON.stringify({ ...accrual(), measured_at: 'yesterday' }), /accrual\.json: \/measured_at/],
    ['accrual.json', JSON.stringify({ ...accrual(), figures: { webhook_requests_per_s: { value: -1, unit: 'requests/s' } } }), /accrual\.json: \/figures\/webhook_requests_per_s\/value/],
    ['accrual.json', JSON.stringify({ ...accrual(), figures: { ...accrual().figures, webhook_requests_per_s: { value: 1, unit: 'requests/min' } } }), /"webhook_requests_per_s" is in requests\/min, expected requests\/s/],
  ];
  for (const [file, text, message] of cases) {
    assert.throws(() => loadMeasuredRates(resultsWith(file, text)), (err: unknown) => err instanceof BenchResultsError && message.test(err.message), file);
  }
  const res = await cli('--merchants', '10', '--results', resultsWith('ledger.json', '{"bench": "ledger"'));
  assert.equal(res.code, 2);
  assert.match(res.stderr, /ledger\.json is not readable JSON/);
});
