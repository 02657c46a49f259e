/**
 * A load generator in its own process (so that it does not share the server's event loop): autocannon
 * against one URL, each request's body taken in turn from a file of bodies (one a line), or none.
 * Prints autocannon's figures as one JSON line. Used by bench/accrual.ts for the webhook and its
 * baseline (a bare GET /healthz, the HTTP floor of the same server and generator).
 *   tsx bench/support/http-load.ts <url> <connections> <requests> [bodies-file]
 */
import fs from 'node:fs';
import autocannon from 'autocannon';

const [url, connectionsArg, requestsArg, bodiesFile] = process.argv.slice(2);
const connections = Number(connectionsArg);
const amount = Number(requestsArg);
if (!url || !Number.isInteger(connections) || connections < 1 || !Number.isInteger(amount) || amount < connections) {
  throw new Error('usage: http-load.ts <url> <connections ≥ 1> <requests ≥ connections> [bodies-file]');
}
const bodies = bodiesFile ? fs.readFileSync(bodiesFile, 'utf8').split('\n').filter(Boolean) : [];
let next = 0;
const result = await autocannon({
  url,
  connections,
  amount,
  requests: [
    bodies.length
      ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }
      : { method: 'GET' },
  ],
});
console.log(JSON.stringify({ ok2xx: result['2xx'], non2xx: result.non2xx, errors: result.errors, seconds: result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99 }));
