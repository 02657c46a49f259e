import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export type ActorKind = 'merchant' | 'staff' | 'system' | 'anonymous';

/** One audit row: who (actor) did what (action, e.g. `auth.sign_in`, `claim.approve`) to what (subject). */
export interface AuditEntry {
  actorKind: ActorKind;
  /** Merchant id, staff "role:keyId", system component name, or an anonymous caller's address. */
  actorId: string | number | null;
  /** Dotted lower-case words: `<area>.<verb>`, e.g. `auth.sign_in`, `claim.reject`. */
  action: string;
  subjectKind?: string | null;
  subjectId?: string | number | null;
  /** A JSON object: reasons, amounts, before/after values. Never secrets. */
  details?: Record<string, unknown>;
  /** Defaults to the database's clock. */
  at?: Date;
}

export interface AuditRecord {
  auditId: number;
  at: Date;
}

/** PostgreSQL's jsonb refuses the NUL character: a string that carries one is stored with U+FFFD instead. */
function jsonWithoutNul(value: unknown): string {
  return JSON.stringify(value ?? {}).replaceAll('\\u0000', '\\ufffd');
}

/**
 * Appends one row to the append-only audit log. Pass the transaction's client so that the record
 * commits (or rolls back) with the change it describes.
 */
export async function recordAudit(client: Queryable, entry: AuditEntry): Promise<AuditRecord> {
  const { rows } = await client.query<{ audit_id: number; at: Date }>(
    `INSERT INTO audit_log (at, actor_kind, actor_id, action, subject_kind, subject_id, details)
     VALUES (coalesce($1::timestamptz, now()), $2, $3, $4, $5, $6, $7::jsonb)
     RETURNING audit_id, at`,
    [
      entry.at ?? null,
      entry.actorKind,
      entry.actorId === null ? null : String(entry.actorId),
      entry.action,
      entry.subjectKind ?? null,
      entry.subjectId === undefined || entry.subjectId === null ? null : String(entry.subjectId),
      jsonWithoutNul(entry.details),
    ],
  );
  const row = onlyRow(rows, 'the inserted audit entry');
  return { auditId: row.audit_id, at: row.at };
}

/** The audit actor of an authenticated request (see `authenticate`); anonymous (by address) otherwise. */
export function actorOf(request: FastifyRequest): { actorKind: ActorKind; actorId: string } {
  const p = request.principal;
  if (p?.kind === 'merchant') return { actorKind: 'merchant', actorId: String(p.merchantId) };
  if (p?.kind === 'staff') return { actorKind: 'staff', actorId: `${p.role}:${p.keyId}` };
  return { actorKind: 'anonymous', actorId: request.ip || 'unknown' };
}
