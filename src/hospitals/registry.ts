/**
 * The registry a process works with: the database's, held in memory and built once per version.
 * Whether it is stale costs one read of the version row, done at most every `maxStaleMs`: the claim
 * workers take a change within seconds without a query per photo; the API, which shows an admin the
 * edit just made, passes 0.
 */
import type pg from 'pg';
import { createHospitalRegistry, type HospitalRegistry } from '../recognition/index.ts';
import { allHospitals, registryVersion, seedIfEmpty } from './store.ts';

/** How long the claim workers go on with a registry before they look for a newer one. */
export const DEFAULT_REGISTRY_MAX_STALE_MS = 5_000;

export interface HospitalRegistrySource {
  /** The registry as of at most `maxStaleMs` ago; the first call seeds an empty registry from seed/hospitals.csv. */
  current(): Promise<HospitalRegistry>;
}

export function databaseHospitalRegistry(pool: pg.Pool, options: { maxStaleMs?: number } = {}): HospitalRegistrySource {
  const maxStaleMs = options.maxStaleMs ?? DEFAULT_REGISTRY_MAX_STALE_MS;
  let held: { version: string; registry: HospitalRegistry; checkedAt: number } | null = null;
  let refreshing: Promise<HospitalRegistry> | null = null;

  const refresh = async (): Promise<HospitalRegistry> => {
    const checkedAt = performance.now();
    // the version is read before the rows: a copy may be newer than its version says (then it is
    // built once more), never older
    let version = await registryVersion(pool);
    if (held?.version === version) {
      held.checkedAt = checkedAt;
      return held.registry;
    }
    let hospitals = await allHospitals(pool);
    if (hospitals.length === 0) {
      await seedIfEmpty(pool);
      version = await registryVersion(pool);
      hospitals = await allHospitals(pool);
    }
    held = { version, registry: createHospitalRegistry(hospitals), checkedAt };
    return held.registry;
  };

  return {
    current() {
      if (held && performance.now() - held.checkedAt < maxStaleMs) return Promise.resolve(held.registry);
      // callers at the same moment share one read
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
  };
}
