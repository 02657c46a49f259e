import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parseSimulateArgs, SimulateUsageError } from '../../sim/world/options.ts';

const CITIES = ['广州', '北京'];
const BASE = ['--merchants', '100', '--days', '2', '--city', '广州'];

function refusal(args: string[]): SimulateUsageError {
  try {
    parseSimulateArgs(args, CITIES);
  } catch (err) {
    assert.ok(err instanceof SimulateUsageError, String(err));
    return err;
  }
  assert.fail(`accepted ${args.join(' ')}`);
}

test('a well-formed command gives the world, with defaults', () => {
  const options = parseSimulateArgs(['--merchants', '100', '--days', '2', '--city', '广州市', '--fraud-rate', '0.05', '--claim-rate', '1/100', '--seed=42'], CITIES);
  assert.deepEqual(options.worlds, [{ merchants: 100, days: 2, city: '广州', ruleset: 'classic-2019', fraudRate: 0.05, claimRate: 0.01, seed: 42, start: '2026-03-02' }]);
  const compared = parseSimulateArgs([...BASE, '--compare', 'classic-2019,one-yuan-twenty-payers'], CITIES);
  assert.deepEqual(compared.worlds.map((w) => w.ruleset), ['classic-2019', 'one-yuan-twenty-payers']);
  assert.equal(compared.worlds[0]!.seed, compared.worlds[1]!.seed, 'the same world under each');
  assert.equal(options.cityDefaulted, false);
  assert.equal(parseSimulateArgs([...BASE, '--budget-fen', '5000000'], CITIES).worlds[0]!.budgetFen, 5_000_000, "the city's monthly budget");
});

test("a newcomer's first try runs: with no --city the world is the seed programme's 广州, and the options say it was defaulted", () => {
  const options = parseSimulateArgs(['--merchants', '2000', '--days', '2'], CITIES);
  assert.equal(options.worlds[0]!.city, '广州');
  assert.equal(options.cityDefaulted, true);
});

test('nonsense flags are refused with the flag named and a specific message', () => {
  const cases: [string[], string, RegExp][] = [
    [['--days', '2', '--city', '广州'], '--merchants', /required/],
    [[...BASE.slice(0, 1), '0', ...BASE.slice(2)], '--merchants', /from 1 to/],
    [[...BASE.slice(0, 1), '-5', ...BASE.slice(2)], '--merchants', /needs a value|whole number/],
    [[...BASE.slice(0, 1), '1e9', ...BASE.slice(2)], '--merchants', /whole number/],
    [[...BASE.slice(0, 1), '99999999999', ...BASE.slice(2)], '--merchants', /from 1 to 30,000,000/],
    [[...BASE.slice(0, 2), '--days', '0', '--city', '广州'], '--days', /from 1 to/],
    [[...BASE.slice(0, 4), '--city', '纽约'], '--city', /unknown city "纽约"/],
    [[...BASE, '--ruleset', 'generous'], '--ruleset', /unknown ruleset "generous"/],
    [[...BASE, '--compare', 'classic-2019'], '--compare', /two rulesets/],
    [[...BASE, '--compare', 'classic-2019,classic-2019'], '--compare', /different/],
    [[...BASE, '--ruleset', 'classic-2019', '--compare', 'classic-2019,instant-credit'], '--compare', /leave out --ruleset/],
    [[...BASE, '--fraud-rate', '0.9'], '--fraud-rate', /0 to 0.5/],
    [[...BASE, '--fraud-rate', 'lots'], '--fraud-rate', /number/],
    [[...BASE, '--claim-rate', '1/0'], '--claim-rate', /number/],
    [[...BASE, '--seed', '-1'], '--seed', /needs a value|whole number/],
    [[...BASE, '--seed', '3.5'], '--seed', /whole number/],
    [[...BASE, '--start', '2026-02-30'], '--start', /calendar date/],
    [[...BASE, '--budget-fen', '0'], '--budget-fen', /from 1 to/],
    [[...BASE, '--budget-fen', '12.5'], '--budget-fen', /whole number/],
    [[...BASE, '--merchants', '5'], '--merchants', /twice/],
    [[...BASE, '--speed', 'fast'], '--speed', /unknown option/],
    [[...BASE, '--out'], '--out', /needs a value/],
  ];
  for (const [args, flag, message] of cases) {
    const err = refusal(args);
    assert.equal(err.flag, flag, `${args.join(' ')}: ${err.message}`);
    assert.match(err.message, message, args.join(' '));
  }
});

test('--out must be a writable directory or creatable in one, and is not created by checking it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-sim-out-'));
  try {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    assert.match(refusal([...BASE, '--out', file]).message, /not a directory/);
    assert.match(refusal([...BASE, '--out', path.join(dir, 'missing', 'deeper')]).message, /does not exist/);
    const fresh = path.join(dir, 'report');
    assert.equal(parseSimulateArgs([...BASE, '--out', fresh], CITIES).out, fresh);
    assert.equal(fs.existsSync(fresh), false);
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o500 });
    // root writes through mode bits (CI runs as root): the immutable attribute holds root too
    const asRoot = process.getuid?.() === 0;
    if (asRoot) execFileSync('chattr', ['+i', locked]);
    try {
      assert.match(refusal([...BASE, '--out', path.join(locked, 'report')]).message, /not writable/);
    } finally {
      if (asRoot) execFileSync('chattr', ['-i', locked]);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the command exits 2 on bad input, prints why and the usage, and writes nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-sim-cli-'));
  const out = path.join(dir, 'report');
  try {
    const result = await promisify(execFile)(process.execPath, ['bin/carepoints.js', 'simulate', '--merchants', '-3', '--days', '2', '--city', '广州', '--out', out]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--merchants/);
    assert.match(result.stderr, /usage: carepoints simulate/);
    assert.equal(fs.existsSync(out), false, 'nothing written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
