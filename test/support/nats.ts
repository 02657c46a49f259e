/**
 * A private nats-server with JetStream for one test file (or a cluster of three): its own free
 * loopback ports and temporary stores, so tests never touch the system server on 4222 nor each other.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const NATS_SERVER = '/usr/sbin/nats-server';
const START_TIMEOUT_MS = 10_000;

export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort();
  const node = await startNode(['-a', '127.0.0.1', '-p', String(port), '-js'], port);
  return { url: node.url, stop: node.stop };
}

export interface NatsNode extends NatsServer {
  /** SIGKILL: no goodbye to its clients or peers; its store stays for a restart. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and store (it catches up with the cluster). */
  restart(): Promise<void>;
  readonly running: boolean;
}

export interface NatsCluster {
  /** All nodes' client URLs, comma-separated: what `carepoints ingest --nats` takes. */
  urls: string;
  nodes: NatsNode[];
  stop(): Promise<void>;
}

/**
 * Three (or `size`) JetStream nodes on loopback, routed to each other as one cluster, returned once
 * JetStream has a meta leader (before that, streams cannot be created).
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
  const name = `carepoints-test-${process.pid}`;
  const argsOf = (i: number): string[] => ['-a', '127.0.0.1', '-p', String(ports[i]!.client), '-js', '--server_name', `n${i + 1}`, '--cluster_name', name, '--cluster', `nats://127.0.0.1:${ports[i]!.route}`, '--routes', routes];
  const nodes = await Promise.all(ports.map(async (p, i) => restartable(argsOf(i), p.client)));
  const cluster = { urls: nodes.map((n) => n.url).join(','), nodes, stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))) };
  try {
    await jetStreamReady(cluster.urls);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

async function restartable(args: string[], port: number): Promise<NatsNode> {
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-nats-'));
  let current: RunningNode | null = await startNode(args, port, storeDir);
  return {
    url: `nats://127.0.0.1:${port}`,
    get running() {
      return current !== null;
    },
    async kill() {
      await current?.kill();
      current = null;
    },
    async restart() {
      current ??= await startNode(args, port, storeDir);
    },
    async stop() {
      await current?.kill();
      current = null;
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

async function jetStreamReady(servers: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS * 3;
  const nc = await connect({ servers: servers.split(',') });
  try {
    for (;;) {
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the NATS cluster has no JetStream leader: ${(err as Error).message}`, { cause: err });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await nc.close();
  }
}

interface RunningNode {
  url: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** One nats-server process; `storeDir` given: kept when it stops (the caller owns it). */
async function startNode(args: string[], port: number, storeDir?: string): Promise<RunningNode> {
  if (!fs.existsSync(NATS_SERVER)) {
    throw new Error(`${NATS_SERVER} is missing: npm test installs it (Debian package nats-server)`);
  }
  const ownStore = storeDir === undefined;
  const store = storeDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-nats-'));
  const child = spawn(NATS_SERVER, [...args, '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // A test run that dies without calling stop() must not leave a server behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
    if (ownStore) fs.rmSync(store, { recursive: true, force: true });
  };
  const stop = (): Promise<void> => end('SIGTERM');

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await greets(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, stop, kill: () => end('SIGKILL') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Ready means the server sends its INFO greeting, which it does only once it serves clients. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (data) => done(data.toString().startsWith('INFO')));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}
