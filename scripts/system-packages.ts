/**
 * The Debian packages the tests (not the product) need: a private nats-server for the JetStream tests,
 * Chromium for PDF e-bills and browser tests, CJK fonts for generated invoice photos. `npm test` calls
 * this first, so a newcomer's plain `npm test` brings them: it installs what is missing when it can
 * (root with apt-get), and otherwise stops with one sentence saying what to install.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

interface SystemPackage {
  name: string;
  /** A file the package installs: present means installed, whatever the package manager says. */
  file: string;
}

const PACKAGES: readonly SystemPackage[] = [
  { name: 'nats-server', file: '/usr/sbin/nats-server' },
  { name: 'chromium', file: '/usr/bin/chromium' },
  { name: 'fonts-noto-cjk', file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc' },
  { name: 'fonts-wqy-zenhei', file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc' },
];

function missingPackages(): string[] {
  return PACKAGES.filter((p) => !fs.existsSync(p.file)).map((p) => p.name);
}

function apt(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('apt-get', args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** Returns a sentence saying what is still missing, or null when everything the tests need is here. */
export function ensureSystemPackages(log: (line: string) => void = console.log): string | null {
  const missing = missingPackages();
  if (missing.length === 0) return null;
  const command = `apt-get install --no-install-recommends ${missing.join(' ')}`;
  const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canInstall) return `the tests need the Debian packages ${missing.join(', ')}: install them as root (${command}) and run npm test again`;
  log(`installing the Debian packages the tests need (once): ${missing.join(' ')}`);
  const update = apt(['update', '-qq']);
  const install = update.ok ? apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]) : update;
  const still = missingPackages();
  if (install.ok && still.length === 0) return null;
  const tail = install.output.trim().split('\n').slice(-3).join(' / ');
  return `could not install the Debian packages ${still.join(', ')} the tests need (${tail}): run ${command} as root and run npm test again`;
}
