/**
 * The batch API's senders in their own process (as a payment platform's would be, so that building
 * and sending bodies does not share the server's event loop): one sender per file, each file a JSON
 * array of notification batches, POSTed in order, one at a time a sender, all senders at once.
 * Prints one JSON line: the seconds from the first request to the last answer, and every batch's
 * latency in milliseconds. Used by bench/accrual.ts.
 *   tsx bench/support/batch-senders.ts <url> <bearer-key> <batches-file> [<batches-file> ...]
 */
import fs from 'node:fs';

const [url, key, ...files] = process.argv.slice(2);
if (!url || !key || files.length === 0) throw new Error('usage: batch-senders.ts <url> <bearer-key> <batches-file> [...]');
const senders = files.map((file) => (JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[]).map((batch) => JSON.stringify(batch)));
const latenciesMs: number[] = [];
const start = performance.now();
await Promise.all(
  senders.map(async (bodies) => {
    for (const body of bodies) {
      const sent = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
      if (res.status !== 200) throw new Error(`batch API answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      latenciesMs.push(performance.now() - sent);
    }
  }),
);
console.log(JSON.stringify({ seconds: (performance.now() - start) / 1000, latenciesMs }));
