/**
 * `carepoints` commands as real child processes, for tests that kill them (SIGKILL) or run several
 * against one database: what a deployment does, not an in-process app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/embedded.ts';
import { OPS_KEY, PLATFORM_KEY, PLATFORM_KEYS, REVIEWER_KEY, TEST_PLATFORM_APP_ID } from './app.ts';
import { TEST_ID_HASH_KEY } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const READY_TIMEOUT_MS = 90_000;
/** What a process printed last, for the failure message when it dies or never gets ready. */
const TAIL_CHARS = 4_000;

/** The environment of a production-like process: the test's keys, nothing generated, no web build, no sandbox. */
export function carepointsEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CAREPOINTS_API_KEYS: `ops:${OPS_KEY},platform:${PLATFORM_KEY},reviewer:${REVIEWER_KEY}`,
    CAREPOINTS_PLATFORM_PUBLIC_KEY: PLATFORM_KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    CAREPOINTS_PLATFORM_APP_ID: TEST_PLATFORM_APP_ID,
    CAREPOINTS_ID_HASH_KEY: TEST_ID_HASH_KEY,
    CAREPOINTS_WORKERS: '0',
    ...extra,
  };
}

export class CarepointsProcess {
  private output = '';
  /** Every line that matched `keep` (the tail alone loses lines of a chatty process). */
  readonly kept: string[] = [];
  private readonly keptListeners = new Set<() => void>();
  readonly exited: Promise<number | null>;
  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    keepLines: RegExp | null,
  ) {
    const keep = (chunk: Buffer): void => {
      const text = chunk.toString();
      if (keepLines)
        for (const line of (this.output.slice(this.output.lastIndexOf('\n') + 1) + text).split('\n').slice(0, -1))
          if (keepLines.test(line)) {
            this.kept.push(line);
            for (const listener of this.keptListeners) listener();
          }
      this.output = (this.output + text).slice(-TAIL_CHARS);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // a test run that dies before stopping its children must not leave them running
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    void this.exited.then(() => process.off('exit', killOnExit));
  }

  /** Starts `carepoints <args…>` (CAREPOINTS_DATA_DIR defaults to a fresh temporary directory); lines matching `keep` are all kept. */
  static spawn(name: string, args: string[], env: Record<string, string>, keep: RegExp | null = null): CarepointsProcess {
    const ownDir = env.CAREPOINTS_DATA_DIR ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-proc-'));
    const child = spawn(process.execPath, ['bin/carepoints.js', ...args], { cwd: ROOT, env: { ...env, CAREPOINTS_DATA_DIR: ownDir ?? env.CAREPOINTS_DATA_DIR! }, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = new CarepointsProcess(name, child, keep);
    if (ownDir) void proc.exited.then(() => fs.rmSync(ownDir, { recursive: true, force: true }));
    return proc;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few KiB the process wrote (stdout and stderr). */
  get tail(): string {
    return this.output;
  }

  /** Resolves once `line` appears in its output; rejects if it exits first or the time runs out. */
  async waitFor(pattern: RegExp, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.alive) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Resolves once `enough()` holds over the kept lines of `processes`, checked at each newly kept line
   * (a line still in the pipe when the database already shows its work arrives a moment later).
   */
  static async untilKept(processes: readonly CarepointsProcess[], enough: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    if (enough()) return;
    let listener!: () => void;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        listener = () => {
          if (enough()) resolve();
        };
        for (const p of processes) p.keptListeners.add(listener);
        timer = setTimeout(() => reject(new Error(`the processes' logs did not show it within ${timeoutMs} ms: ${describe()}`)), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      for (const p of processes) p.keptListeners.delete(listener);
    }
  }

  kill(): Promise<number | null> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then the exit code (a clean shutdown is 0); 'hung' and a SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 20_000): Promise<number | null | 'hung'> {
    if (this.alive) this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), graceMs)));
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === 'hung') await this.kill();
    return outcome;
  }
}

/** `carepoints serve` on a free loopback port, returned once /readyz answers 200. */
export class ApiProcess {
  private constructor(
    readonly process: CarepointsProcess,
    readonly url: string,
  ) {}

  static async start(name: string, env: Record<string, string>, keep: RegExp | null = null): Promise<ApiProcess> {
    const chosen = await freePort();
    const proc = CarepointsProcess.spawn(name, ['serve'], { ...env, PORT: String(chosen) }, keep);
    const api = new ApiProcess(proc, `http://127.0.0.1:${chosen}`);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await api.ready())) {
      if (!proc.alive) throw new Error(`${name} exited with ${await proc.exited} before it was ready:\n${proc.tail}`);
      if (Date.now() > deadline) {
        await proc.kill();
        throw new Error(`${name} was not ready within ${READY_TIMEOUT_MS} ms:\n${proc.tail}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return api;
  }

  ready(): Promise<boolean> {
    return fetch(`${this.url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  }
}
