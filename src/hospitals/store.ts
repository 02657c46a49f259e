/**
 * The registry's rows in PostgreSQL (migration 0024). Every change runs in the caller's transaction
 * and starts with `lockRegistry`, which bumps the version row: changes are serialised, and each one
 * tells every process holding a copy that its copy is stale.
 */
import fs from 'node:fs/promises';
import type pg from 'pg';
import { recordAudit } from '../auth/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { DEFAULT_HOSPITALS_CSV, parseHospitalsCsv, type Hospital, type HospitalGrade, type HospitalOwnership, type HospitalType } from './record.ts';
import type { ImportPlan } from './import-plan.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** What an admin may change by hand: the facts the claim checks judge; names come with an import. */
export interface HospitalChange {
  grade?: HospitalGrade;
  ownership?: HospitalOwnership;
  type?: HospitalType;
}

const COLUMNS = 'hospital_id AS id, name, aliases, province, city, grade, ownership, type';

export async function registryVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ version: string }>('SELECT version::text FROM hospital_registry_version');
  return onlyRow(rows, 'the hospital registry version').version;
}

/** Every hospital, by id: a few thousand rows at most (each one a hospital of the programme's cities). */
export async function allHospitals(db: Queryable): Promise<Hospital[]> {
  const { rows } = await db.query<Hospital>(`SELECT ${COLUMNS} FROM hospitals ORDER BY hospital_id`);
  return rows;
}

export async function hospitalsById(db: Queryable, ids: readonly string[]): Promise<Hospital[]> {
  const { rows } = await db.query<Hospital>(`SELECT ${COLUMNS} FROM hospitals WHERE hospital_id = ANY($1::text[]) FOR UPDATE`, [ids]);
  return rows;
}

/** Takes the registry's lock for this transaction and moves its version on; returns the new version. */
export async function lockRegistry(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ version: string }>('UPDATE hospital_registry_version SET version = version + 1 RETURNING version::text');
  return onlyRow(rows, 'the moved-on hospital registry version').version;
}

/** Writes the plan's new and changed hospitals (a single statement, whatever their number). */
export async function writeImport(client: pg.PoolClient, plan: ImportPlan): Promise<void> {
  const rows = [...plan.created, ...plan.updated.map((u) => u.after)];
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO hospitals (hospital_id, name, aliases, province, city, grade, ownership, type)
     SELECT id, name, aliases, province, city, grade, ownership, type
       FROM jsonb_to_recordset($1::jsonb) AS h(id text, name text, aliases text[], province text, city text, grade text, ownership text, type text)
     ON CONFLICT (hospital_id) DO UPDATE SET name = excluded.name, aliases = excluded.aliases, province = excluded.province, city = excluded.city,
       grade = excluded.grade, ownership = excluded.ownership, type = excluded.type, updated_at = excluded.updated_at`,
    [JSON.stringify(rows)],
  );
}

/** Changes one hospital's grade, ownership or type; null when there is no such hospital. */
export async function changeHospital(client: pg.PoolClient, id: string, change: HospitalChange): Promise<{ before: Hospital; after: Hospital } | null> {
  const [before] = await hospitalsById(client, [id]);
  if (!before) return null;
  const next = { ...before, ...change };
  const { rows } = await client.query<Hospital>(`UPDATE hospitals SET grade = $2, ownership = $3, type = $4, updated_at = now() WHERE hospital_id = $1 RETURNING ${COLUMNS}`, [
    id,
    next.grade,
    next.ownership,
    next.type,
  ]);
  return { before, after: onlyRow(rows, `the changed hospital ${id}`) };
}

/**
 * Fills an empty registry from the seed file, once however many processes start together: the
 * version row's lock makes the second one wait, and it then finds the rows there. Hospitals are
 * never deleted, so an empty table means one never seeded.
 */
export async function seedIfEmpty(pool: pg.Pool, file: string = DEFAULT_HOSPITALS_CSV): Promise<void> {
  const { rows } = await pool.query<{ seeded: boolean }>('SELECT EXISTS (SELECT 1 FROM hospitals) AS seeded');
  if (onlyRow(rows, 'whether hospitals are seeded').seeded) return;
  const hospitals = parseHospitalsCsv(await fs.readFile(file, 'utf8'));
  await inTransaction(pool, async (client) => {
    const version = await lockRegistry(client);
    const again = await client.query<{ seeded: boolean }>('SELECT EXISTS (SELECT 1 FROM hospitals) AS seeded');
    if (onlyRow(again.rows, 'whether hospitals are seeded, under the lock').seeded) {
      // another process seeded while this one waited: rolling back leaves its version standing
      throw new AlreadySeeded();
    }
    await writeImport(client, { created: hospitals, updated: [], unchanged: 0 });
    await recordAudit(client, { actorKind: 'system', actorId: 'hospital-registry', action: 'hospital.seed', subjectKind: 'hospital_registry', subjectId: version, details: { created: hospitals.length, file: 'seed/hospitals.csv' } });
  }).catch((err: unknown) => {
    if (!(err instanceof AlreadySeeded)) throw err;
  });
}

/** Rolls the seeding transaction back (its version bump with it) when another process got there first. */
class AlreadySeeded extends Error {}
