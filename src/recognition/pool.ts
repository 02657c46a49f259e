/**
 * Recognition off the event loop: worker threads, each with the models loaded once, a bounded
 * queue in front of them. The pool is a Recognizer like the in-process one, so callers swap one
 * for the other.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { RecognitionError, type RecognitionErrorCode } from './errors.ts';
import type { Hospital } from '../hospitals/record.ts';
import type { HospitalRegistry } from './hospitals.ts';
import { checkInputSize, sniffFormat } from './input.ts';
import type { Recognizer, RecognizerOptions } from './recognizer.ts';
import type { RecognitionResult } from './types.ts';
import type { WorkerJob, WorkerRegistry, WorkerReply } from './worker-entry.ts';

export interface RecognizerPoolOptions extends RecognizerOptions {
  /** Worker threads; by default one per two cores (each runs onnxruntime on `threads` cores). */
  readonly workers?: number;
  /** Photos waiting beyond those being read; more are refused with RecognizerBusyError. */
  readonly maxQueued?: number;
  /**
   * Time one document may take in a worker (seconds); past it the worker is stopped, the document
   * refused as `recognition_timeout`, and a fresh worker takes its place. Honest photos take 1–5 s.
   */
  readonly maxSecondsPerDocument?: number;
  /** V8 heap of each worker (MiB): a document that needs more ends its worker, not the process. */
  readonly maxWorkerHeapMb?: number;
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
  /** Ends the busy document's time budget. */
  deadline: NodeJS.Timeout | null;
  /** Why the worker is ending, for the document it takes with it. */
  ending: RecognitionError | null;
  /** The hospital rows last sent to this worker: a changed registry is sent once, before the next photo. */
  hospitals: readonly Hospital[] | undefined;
}

const DEFAULT_MAX_QUEUED = 32;
const DEFAULT_MAX_SECONDS_PER_DOCUMENT = 60;
const DEFAULT_MAX_WORKER_HEAP_MB = 1024;

/**
 * The product runs its TypeScript through tsx registered in the main thread only: a worker first
 * registers it for itself, then imports its entry module.
 */
const BOOTSTRAP = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(new URL('./worker-entry.ts', import.meta.url).href)});`;

function startWorker(data: object, maxHeapMb: number): Promise<{ worker: Worker; modelLoadMs: number }> {
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(BOOTSTRAP)}`), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
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
  const maxHeapMb = options.maxWorkerHeapMb ?? DEFAULT_MAX_WORKER_HEAP_MB;
  const maxMs = (options.maxSecondsPerDocument ?? DEFAULT_MAX_SECONDS_PER_DOCUMENT) * 1000;
  const started = performance.now();
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(data, maxHeapMb)));
  const modelLoadMs = Math.round(performance.now() - started);
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  const slots: Slot[] = [];
  /** Workers being started in place of ended ones: documents wait for them. */
  let starting = 0;

  /** Stops a worker whose document went past its budget; its exit hands the document its refusal. */
  const stop = (slot: Slot, reason: RecognitionError): void => {
    slot.ending = reason;
    void slot.worker.terminate();
  };

  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.busy || slot.ending || queue.length === 0) continue;
      const pending = queue.shift()!;
      slot.busy = pending;
      slot.deadline = setTimeout(() => stop(slot, new RecognitionError('recognition_timeout', `reading the document took longer than ${maxMs / 1000} s (maxSecondsPerDocument)`)), maxMs);
      if (pending.hospitals && pending.hospitals.hospitals !== slot.hospitals) {
        slot.hospitals = pending.hospitals.hospitals;
        // messages arrive in order: the worker has the registry before it reads the photo
        slot.worker.postMessage({ type: 'hospitals', hospitals: slot.hospitals } satisfies WorkerRegistry);
      }
      slot.worker.postMessage(pending.job, [pending.job.input.buffer as ArrayBuffer]);
    }
  };
  const finish = (slot: Slot): Pending | null => {
    const pending = slot.busy;
    if (slot.deadline) clearTimeout(slot.deadline);
    slot.busy = null;
    slot.deadline = null;
    return pending;
  };

  const adopt = (worker: Worker): void => {
    const slot: Slot = { worker, busy: null, deadline: null, ending: null, hospitals: undefined };
    slots.push(slot);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready' || !slot.busy || reply.id !== slot.busy.job.id) return;
      const pending = finish(slot)!;
      if (reply.type === 'done') pending.resolve(reply.result as RecognitionResult);
      else pending.reject(reply.code ? new RecognitionError(reply.code as RecognitionErrorCode, reply.message) : new Error(reply.message));
      dispatch();
    });
    // past its heap limit a worker ends with this error: the document it was reading is the cause
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') slot.ending ??= new RecognitionError('document_too_large', `reading the document needed more than ${maxHeapMb} MiB (maxWorkerHeapMb)`);
    });
    // A worker that ends takes its document with it (refused by name when the document was the
    // cause, failed otherwise: the job is retried); a fresh worker takes its place.
    worker.on('exit', (code) => {
      finish(slot)?.reject(slot.ending ?? new Error(`the recognition worker stopped (exit code ${code})`));
      slots.splice(slots.indexOf(slot), 1);
      if (closed) return;
      starting++;
      startWorker(data, maxHeapMb).then(
        ({ worker: fresh }) => {
          starting--;
          if (closed) void fresh.terminate();
          else {
            adopt(fresh);
            dispatch();
          }
        },
        (err: Error) => {
          starting--;
          if (slots.length === 0 && starting === 0) for (const p of queue.splice(0)) p.reject(err);
        },
      );
    });
  };
  for (const { worker } of workers) adopt(worker);

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
      if (slots.length === 0 && starting === 0) return Promise.reject(new Error('no recognition worker is running'));
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
