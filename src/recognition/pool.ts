/**
 * Recognition off the event loop: worker threads, each with the models loaded once, a bounded
 * queue in front of them. The pool is a Recognizer like the in-process one, so callers swap one
 * for the other.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { RecognitionError, type RecognitionErrorCode } from './errors.ts';
import type { Hospital, HospitalRegistry } from './hospitals.ts';
import { checkInputSize, sniffFormat } from './input.ts';
import type { Recognizer, RecognizerOptions } from './recognizer.ts';
import type { RecognitionResult } from './types.ts';
import type { WorkerJob, WorkerRegistry, WorkerReply } from './worker-entry.ts';

export interface RecognizerPoolOptions extends RecognizerOptions {
  /** Worker threads; by default one per two cores (each runs onnxruntime on `threads` cores). */
  readonly workers?: number;
  /** Photos waiting beyond those being read; more are refused with RecognizerBusyError. */
  readonly maxQueued?: number;
}

/** The queue is full: try again later (a job runner retries with backoff). Not the photo's fault. */
export class RecognizerBusyError extends Error {
  constructor(queued: number) {
    super(`the recognizer is busy: ${queued} photos are waiting`);
    this.name = 'RecognizerBusyError';
  }
}

interface Pending {
  readonly job: WorkerJob;
  readonly hospitals: HospitalRegistry | undefined;
  readonly resolve: (result: RecognitionResult) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  busy: Pending | null;
  /** The hospital rows last sent to this worker: a changed registry is sent once, before the next photo. */
  hospitals: readonly Hospital[] | undefined;
}

const DEFAULT_MAX_QUEUED = 32;

/**
 * The product runs its TypeScript through tsx registered in the main thread only: a worker first
 * registers it for itself, then imports its entry module.
 */
const BOOTSTRAP = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(new URL('./worker-entry.ts', import.meta.url).href)});`;

function startWorker(data: object): Promise<{ worker: Worker; modelLoadMs: number }> {
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(BOOTSTRAP)}`), { workerData: data });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new RecognitionError('model_unavailable', `a recognition worker failed to start: ${err.message}`, { cause: err }));
    worker.once('error', onError);
    worker.once('message', (reply: WorkerReply) => {
      worker.off('error', onError);
      if (reply.type === 'ready') resolve({ worker, modelLoadMs: reply.modelLoadMs });
    });
  });
}

export async function createRecognizerPool(options: RecognizerPoolOptions = {}): Promise<Recognizer> {
  const count = options.workers ?? Math.max(1, Math.floor(os.availableParallelism() / 2));
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const hospitals = options.hospitals && 'match' in options.hospitals ? (options.hospitals as HospitalRegistry).hospitals : options.hospitals;
  // Worker data is copied by structured clone: plain hospital rows, not the registry's functions.
  const data = { ...(hospitals && { hospitals }), ...(options.threads && { threads: options.threads }), ...(options.maxInvoiceAgeDays && { maxInvoiceAgeDays: options.maxInvoiceAgeDays }) };
  const started = performance.now();
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(data)));
  const modelLoadMs = Math.round(performance.now() - started);
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  const slots: Slot[] = workers.map(({ worker }) => ({ worker, busy: null, hospitals: undefined }));

  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const pending = queue.shift()!;
      slot.busy = pending;
      if (pending.hospitals && pending.hospitals.hospitals !== slot.hospitals) {
        slot.hospitals = pending.hospitals.hospitals;
        // messages arrive in order: the worker has the registry before it reads the photo
        slot.worker.postMessage({ type: 'hospitals', hospitals: slot.hospitals } satisfies WorkerRegistry);
      }
      slot.worker.postMessage(pending.job, [pending.job.input.buffer as ArrayBuffer]);
    }
  };
  for (const slot of slots) {
    slot.worker.on('message', (reply: WorkerReply) => {
      const pending = slot.busy;
      if (reply.type === 'ready' || !pending || reply.id !== pending.job.id) return;
      slot.busy = null;
      if (reply.type === 'done') pending.resolve(reply.result as RecognitionResult);
      else pending.reject(reply.code ? new RecognitionError(reply.code as RecognitionErrorCode, reply.message) : new Error(reply.message));
      dispatch();
    });
    // A worker that dies takes its photo with it; the others carry on.
    slot.worker.on('exit', (code) => {
      slot.busy?.reject(new Error(`the recognition worker stopped (exit code ${code})`));
      slot.busy = null;
      slots.splice(slots.indexOf(slot), 1);
      if (slots.length === 0) for (const p of queue.splice(0)) p.reject(new Error('no recognition worker is running'));
    });
  }

  return {
    modelLoadMs,
    recognize(input, recognizeOptions = {}) {
      if (closed) return Promise.reject(new Error('the recognizer is closed'));
      try {
        // Bad input is refused here, before it costs a copy to a worker.
        if (!Buffer.isBuffer(input)) throw new RecognitionError('unsupported_format', 'the input must be the bytes of a file');
        checkInputSize(input);
        sniffFormat(input);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      if (slots.length === 0) return Promise.reject(new Error('no recognition worker is running'));
      if (queue.length >= maxQueued) return Promise.reject(new RecognizerBusyError(queue.length));
      const job: WorkerJob = { type: 'recognize', id: nextId++, input: new Uint8Array(input), now: (recognizeOptions.now ?? new Date()).getTime() };
      const result = new Promise<RecognitionResult>((resolve, reject) => {
        queue.push({ job, hospitals: recognizeOptions.hospitals, resolve, reject });
        dispatch();
      });
      const settled: Promise<boolean> = result.then(
        () => inFlight.delete(settled),
        () => inFlight.delete(settled),
      );
      inFlight.add(settled);
      return result;
    },
    async close() {
      closed = true;
      await Promise.all([...inFlight]);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
