/**
 * Runs work on batches with a bounded number in flight: two by default, one per core of the
 * machine, so that PostgreSQL applies one batch while this process prepares the next. Stops taking
 * new batches once `stopping` says so, and lets those in flight finish.
 */
export async function inFlightWindow<T>(batches: Iterable<T>, work: (batch: T) => Promise<void>, stopping: () => boolean, width = 2): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  for (const batch of batches) {
    if (stopping() || failure) break;
    const tracked: Promise<void> = work(batch)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= width) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
}

export function* chunksOf<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
