/**
 * The HTTPS client of a commercial verification service: one POST of the platform's fields, a JSON
 * answer checked against the schema. It never retries and never throws for the service's faults: a
 * timeout, a refused connection, a 5xx or an answer it cannot read is `unavailable`, and the caller
 * decides without it. The timeout bounds the whole exchange, so a slow service cannot stall a claim.
 */
import { answerOf, requestProblem, VERIFY_PATH, wireRequestOf, type InvoiceVerifier, type VerifyAnswer, type VerifyRequest } from './protocol.ts';

export interface HttpsVerifierOptions {
  /** The service's base URL (https://…; the sandbox's http://127.0.0.1:… in development and tests). */
  url: string;
  /** Sent as a bearer token. */
  token: string;
  /** The whole exchange, headers and body. */
  timeoutMs: number;
}

/** Explicit limits: an answer larger than this is not read; nobody waits longer than this. */
export const MAX_ANSWER_BYTES = 256 * 1024;
export const MAX_VERIFIER_TIMEOUT_MS = 30_000;

export function createHttpsVerifier(options: HttpsVerifierOptions): InvoiceVerifier {
  if (!/^https?:\/\/\S+$/.test(options.url)) throw new TypeError(`the verification service's url must be http(s), not ${JSON.stringify(options.url)}`);
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > MAX_VERIFIER_TIMEOUT_MS) throw new RangeError(`timeoutMs must be whole in 1..${MAX_VERIFIER_TIMEOUT_MS}`);
  const endpoint = `${options.url.replace(/\/+$/, '')}${VERIFY_PATH}`;
  return {
    async verify(request: VerifyRequest): Promise<VerifyAnswer> {
      const problem = requestProblem(request);
      if (problem) throw new TypeError(problem);
      const signal = AbortSignal.timeout(options.timeoutMs);
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
          body: JSON.stringify(wireRequestOf(request)),
          signal,
        });
        if (res.status >= 500) return { kind: 'unavailable', reason: 'outage', detail: `the service answered HTTP ${res.status}` };
        const text = await textWithin(res, MAX_ANSWER_BYTES);
        if (text === null) return { kind: 'unavailable', reason: 'invalid_answer', detail: `an answer of more than ${MAX_ANSWER_BYTES} bytes` };
        if (res.status !== 200) return { kind: 'unavailable', reason: 'invalid_answer', detail: `the service answered HTTP ${res.status}` };
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return { kind: 'unavailable', reason: 'invalid_answer', detail: 'the answer is not JSON' };
        }
        return answerOf(body);
      } catch (err) {
        if (signal.aborted) return { kind: 'unavailable', reason: 'timeout', detail: `no answer within ${options.timeoutMs} ms` };
        return { kind: 'unavailable', reason: 'outage', detail: `the service could not be reached: ${(err as Error).message}` };
      }
    },
  };
}

/** The body as text, read only up to `maxBytes`: null (and the rest left unread) when it is longer. */
async function textWithin(res: Response, maxBytes: number): Promise<string | null> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    bytes += chunk.value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
