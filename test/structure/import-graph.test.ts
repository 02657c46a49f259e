import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The folders of src/ import one way (docs/architecture.md "Layers"). Type-only imports vanish at
 * run time and are not counted; every other import is. A circle of folders, or a toolkit folder
 * importing a capability, fails here with the files that do it.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');
/** Folders every capability may use and which use no capability: they import only each other. */
const FOUNDATION = new Set(['shared', 'db', 'jobs', 'config', 'storage', 'recognition', 'http', 'capacity']);
/** Folders that wire capabilities together: nothing in src/ imports them but each other. */
const COMPOSITION = new Set(['server', 'cli']);

interface Edge { from: string; to: string; file: string }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Folder-to-folder edges of value imports, read from the source text. */
function folderEdges(srcDir: string): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(srcDir)) {
    const from = path.relative(srcDir, file).split(path.sep)[0]!;
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms)) {
      if (m[2]) continue;
      const target = path.relative(srcDir, path.resolve(path.dirname(file), m[3]!));
      if (target.startsWith('..')) continue;
      const to = target.split(path.sep)[0]!;
      if (to !== from && !to.endsWith('.ts')) edges.push({ from, to, file: path.relative(srcDir, file) });
    }
  }
  return edges;
}

/** Strongly connected sets of more than one folder (Tarjan). */
function circles(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++; stack.push(v); onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); members.push(w); } while (w !== v);
      if (members.length > 1) found.push(members.sort());
    }
  };
  for (const v of new Set(edges.flatMap((e) => [e.from, e.to]))) if (!index.has(v)) visit(v);
  return found;
}

test('no circle among the folders of src/', () => {
  const edges = folderEdges(SRC);
  const found = circles(edges);
  const why = found.map((c) => `${c.join(', ')}: ${edges.filter((e) => c.includes(e.from) && c.includes(e.to)).map((e) => `${e.file} → ${e.to}`).join('; ')}`);
  assert.deepEqual(why, []);
});

test('the toolkit and foundation folders import no capability, and nothing imports the composition roots', () => {
  const wrong = folderEdges(SRC).filter((e) => (FOUNDATION.has(e.from) && !FOUNDATION.has(e.to)) || (COMPOSITION.has(e.to) && !COMPOSITION.has(e.from)));
  assert.deepEqual(wrong.map((e) => `${e.file} → ${e.to}`), []);
});

test('the check sees a circle when there is one', () => {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'import-graph-'));
  try {
    fs.mkdirSync(path.join(dir, 'a')); fs.mkdirSync(path.join(dir, 'b'));
    fs.writeFileSync(path.join(dir, 'a', 'x.ts'), "import { y } from '../b/y.ts';\nimport type { Z } from '../b/z.ts';\nexport const x = y;\n");
    fs.writeFileSync(path.join(dir, 'b', 'y.ts'), "export const y = 1;\n");
    assert.deepEqual(circles(folderEdges(dir)), []);
    fs.writeFileSync(path.join(dir, 'b', 'z.ts'), "import {\n  x,\n} from '../a/x.ts';\nexport const z = x;\n");
    assert.deepEqual(circles(folderEdges(dir)), [['a', 'b']]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
