import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHospitalRegistry } from '../../src/hospitals/record.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { prepareWorld } from '../../sim/run/database.ts';
import { silentProgress } from '../../sim/run/progress.ts';
import type { SimulationEnvironment } from '../../sim/run/simulate.ts';
import { cityHospitals } from '../../sim/world/claims.ts';
import type { World } from '../../sim/world/world.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestWorld {
  db: TestDatabase;
  /** A silent run's environment: the city's hospitals, a file store of its own, never stopping. */
  env: SimulationEnvironment;
  /** Drops the database and the files. */
  close(): Promise<void>;
}

/** A world's own fresh database, prepared for simulateWorld, and where its photos go. */
export async function freshTestWorld(world: World): Promise<TestWorld> {
  const db = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-sim-'));
  await prepareWorld(db.pool, world);
  const registry = await loadHospitalRegistry();
  return {
    db,
    env: { progress: silentProgress, hospitals: cityHospitals(registry.hospitals, world.city), files: localFileStore(dir), stopping: () => false },
    async close() {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
