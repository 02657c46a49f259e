/**
 * One recognition worker thread: loads the models once, then answers { id, input, now } messages
 * one at a time with { id, result } or { id, error }. A { hospitals } message replaces the registry
 * the issuer is matched against, for the photos after it (the pool sends it when the registry changed).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RecognitionError } from './errors.ts';
import type { Hospital } from '../hospitals/record.ts';
import { createHospitalRegistry, type HospitalRegistry } from './hospitals.ts';
import { createRecognizer } from './recognizer.ts';

export interface WorkerJob {
  readonly type: 'recognize';
  readonly id: number;
  readonly input: Uint8Array;
  readonly now: number;
}

export interface WorkerRegistry {
  readonly type: 'hospitals';
  readonly hospitals: readonly Hospital[];
}

export type WorkerReply =
  | { readonly type: 'ready'; readonly modelLoadMs: number }
  | { readonly type: 'done'; readonly id: number; readonly result: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly code: string | null; readonly message: string };

const port = parentPort!;
const options = workerData as { hospitals?: readonly Hospital[]; threads?: number; maxInvoiceAgeDays?: number };
const recognizer = await createRecognizer(options);
port.postMessage({ type: 'ready', modelLoadMs: recognizer.modelLoadMs } satisfies WorkerReply);
let hospitals: HospitalRegistry | undefined;
port.on('message', (job: WorkerJob | WorkerRegistry) => {
  if (job.type === 'hospitals') {
    hospitals = createHospitalRegistry(job.hospitals);
    return;
  }
  const input = Buffer.from(job.input.buffer, job.input.byteOffset, job.input.byteLength);
  recognizer.recognize(input, { now: new Date(job.now), ...(hospitals && { hospitals }) }).then(
    (result) => port.postMessage({ type: 'done', id: job.id, result } satisfies WorkerReply),
    (err: unknown) => port.postMessage({ type: 'failed', id: job.id, code: err instanceof RecognitionError ? err.code : null, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  );
});
