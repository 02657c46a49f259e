/**
 * Builds the merchant app and the console (web/) into web/dist when their sources changed since the
 * last build: `npm start` and `npm test` call it, so nobody runs a separate build command. A stamp (a
 * hash of the sources and the locked dependency versions) decides; the build goes to a temporary
 * directory first and is swapped in whole, so a server never serves half a build.
 * Run directly (`tsx src/http/web-build.ts [--force]`) it prints what it did.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '../..');
const webDir = path.join(root, 'web');
export const WEB_DIST = path.join(webDir, 'dist');
const STAMP_FILE = '.build-stamp';
/** Server-side modules the web apps import (pure helpers): a change to them is a change to the apps. */
const SHARED_SOURCES = ['src/shared/money.ts', 'src/shared/error-catalogue.ts', 'package-lock.json'];

function sourceFiles(): string[] {
  const files = (fs.readdirSync(webDir, { recursive: true }) as string[])
    .filter((f) => !f.startsWith('dist') && !f.includes('node_modules'))
    .map((f) => path.join(webDir, f))
    .filter((f) => fs.statSync(f).isFile());
  return [...files, ...SHARED_SOURCES.map((f) => path.join(root, f))].filter((f) => fs.existsSync(f)).sort();
}

export function sourceStamp(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles()) hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function builtStamp(): string | null {
  try {
    return fs.readFileSync(path.join(WEB_DIST, STAMP_FILE), 'utf8').trim();
  } catch {
    return null;
  }
}

/** The JavaScript a phone downloads before the merchant app shows: the entry script and its preloads, gzipped. */
export function merchantFirstLoadGzipBytes(dist = WEB_DIST): number {
  const html = fs.readFileSync(path.join(dist, 'merchant', 'index.html'), 'utf8');
  const scripts = new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!));
  let total = 0;
  for (const script of scripts) total += gzipSync(fs.readFileSync(path.join(dist, script))).length;
  return total;
}

const COMPRESSIBLE = /\.(js|css|svg|html|json)$/;

/**
 * Brotli and gzip copies beside every text file, made once at build time: the server sends them as they
 * are. Brotli quality 9, not 11: 8% larger, five times faster, so a first `npm start` stays quick.
 */
function precompress(dist: string): void {
  for (const name of fs.readdirSync(dist, { recursive: true }) as string[]) {
    const file = path.join(dist, name);
    if (!COMPRESSIBLE.test(name) || !fs.statSync(file).isFile()) continue;
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
    fs.writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  }
}

export interface WebBuild {
  built: boolean;
  seconds: number;
  merchantFirstLoadGzipBytes: number;
}

/** Builds when stale (or forced); returns what happened. */
export async function ensureWebBuild(options: { force?: boolean; log?: (message: string) => void } = {}): Promise<WebBuild> {
  const started = performance.now();
  const stamp = sourceStamp();
  if (!options.force && builtStamp() === stamp) return { built: false, seconds: 0, merchantFirstLoadGzipBytes: merchantFirstLoadGzipBytes() };
  options.log?.('building the web apps (web/ changed since the last build)');
  const { build } = await import('vite');
  const staging = `${WEB_DIST}.staging-${process.pid}`;
  await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  precompress(staging);
  fs.writeFileSync(path.join(staging, STAMP_FILE), stamp + '\n');
  const retired = `${WEB_DIST}.old-${process.pid}`;
  if (fs.existsSync(WEB_DIST)) fs.renameSync(WEB_DIST, retired);
  fs.renameSync(staging, WEB_DIST);
  fs.rmSync(retired, { recursive: true, force: true });
  return { built: true, seconds: (performance.now() - started) / 1000, merchantFirstLoadGzipBytes: merchantFirstLoadGzipBytes() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await ensureWebBuild({ force: process.argv.includes('--force'), log: console.log });
  console.log(
    `${result.built ? `built in ${result.seconds.toFixed(1)} s` : 'up to date'}; merchant app first load: ${(result.merchantFirstLoadGzipBytes / 1024).toFixed(1)} KB of JavaScript gzipped`,
  );
}
