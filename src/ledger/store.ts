/**
 * Applies transfer batches to PostgreSQL: one transaction per batch, accounts locked in id order,
 * every touched account (the hot programme funding account included) updated once per batch.
 */
import type pg from 'pg';
import { planBatch, normaliseId, type LedgerSnapshot, type PendingState, type Plan, type TransferRow } from './engine.ts';
import { LedgerInvariantError, MAX_BATCH_TRANSFERS, type Account, type Transfer, type TransferInput, type TransferResult } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ATTEMPTS = 5;

interface AccountRow {
  account_id: number;
  merchant_id: number | null;
  kind: Account['kind'];
  debits_pending: number;
  debits_posted: number;
  credits_pending: number;
  credits_posted: number;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
}

export interface TransferDbRow {
  transfer_id: string;
  seq: number;
  debit_account_id: number;
  credit_account_id: number;
  amount_fen: number;
  code: string;
  phase: Transfer['phase'];
  pending_id: string | null;
  timeout_s: number;
  merchant_id: number | null;
  reference: string | null;
  created_at: Date;
}

export const TRANSFER_COLUMNS = 'transfer_id, seq, debit_account_id, credit_account_id, amount_fen, code, phase, pending_id, timeout_s, merchant_id, reference, created_at';

export function accountFromRow(r: AccountRow): Account {
  return {
    id: r.account_id,
    merchantId: r.merchant_id,
    kind: r.kind,
    debitsPending: r.debits_pending,
    debitsPosted: r.debits_posted,
    creditsPending: r.credits_pending,
    creditsPosted: r.credits_posted,
    debitsMustNotExceedCredits: r.debits_must_not_exceed_credits,
    creditsMustNotExceedDebits: r.credits_must_not_exceed_debits,
  };
}

export function transferFromRow(r: TransferDbRow): Transfer {
  return {
    id: r.transfer_id,
    seq: r.seq,
    debitAccountId: r.debit_account_id,
    creditAccountId: r.credit_account_id,
    amountFen: r.amount_fen,
    code: r.code,
    phase: r.phase,
    pendingId: r.pending_id,
    timeoutS: r.timeout_s,
    merchantId: r.merchant_id,
    reference: r.reference,
    createdAt: r.created_at,
  };
}

function rowOf(t: TransferDbRow): TransferRow {
  const { seq: _seq, createdAt: _createdAt, ...row } = transferFromRow(t);
  return row;
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  const constraint = (err as { constraint?: string }).constraint;
  // a concurrent batch inserted the same transfer id (possibly with other accounts, so not serialised
  // by our locks) or resolved the same pending transfer: re-plan against what it committed
  return code === '40P01' || code === '40001' || (code === '23505' && (constraint === 'ledger_transfers_pkey' || constraint === 'ledger_transfers_resolved_once'));
}

async function loadSnapshot(client: pg.PoolClient, batch: readonly TransferInput[]): Promise<{ snapshot: LedgerSnapshot; stored: Map<string, TransferDbRow> }> {
  const ids = batch.map((t) => normaliseId(t.id)).filter((id) => typeof id === 'string' && UUID.test(id));
  const pendingIds = batch.flatMap((t) => ('pendingId' in t && typeof t.pendingId === 'string' ? [normaliseId(t.pendingId)] : [])).filter((id) => UUID.test(id));

  // Pending transfers are immutable rows: read their accounts before locking.
  const pendingRows = pendingIds.length
    ? (await client.query<TransferDbRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE transfer_id = ANY($1::uuid[])`, [pendingIds])).rows
    : [];
  const accountIds = new Set<number>();
  for (const t of batch) {
    if ('debitAccountId' in t && Number.isSafeInteger(t.debitAccountId)) accountIds.add(t.debitAccountId);
    if ('creditAccountId' in t && Number.isSafeInteger(t.creditAccountId)) accountIds.add(t.creditAccountId);
  }
  for (const p of pendingRows) {
    accountIds.add(p.debit_account_id);
    accountIds.add(p.credit_account_id);
  }
  // Locking in id order: concurrent batches over the same accounts serialise without deadlock.
  const accounts = await client.query<AccountRow & { now: Date }>(
    `SELECT a.*, now() AS now FROM ledger_accounts a WHERE account_id = ANY($1::bigint[]) ORDER BY account_id FOR UPDATE`,
    [[...accountIds]],
  );
  const now = accounts.rows[0]?.now ?? (await client.query<{ now: Date }>('SELECT now()')).rows[0]!.now;

  // Mutable state is read under the locks: whoever resolves these pendings holds the same locks.
  const existing = ids.length
    ? (await client.query<TransferDbRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE transfer_id = ANY($1::uuid[])`, [ids])).rows
    : [];
  const referenced = new Set(pendingRows.map((p) => p.transfer_id));
  for (const e of existing) if (e.pending_id) referenced.add(e.pending_id);
  const states = referenced.size
    ? (
        await client.query<TransferDbRow & { open: boolean; expires_at: Date | null; resolved_phase: string | null }>(
          `SELECT t.transfer_id, t.seq, t.debit_account_id, t.credit_account_id, t.amount_fen, t.code, t.phase, t.pending_id,
                  t.timeout_s, t.merchant_id, t.reference, t.created_at,
                  o.transfer_id IS NOT NULL AS open, o.expires_at, r.phase AS resolved_phase
             FROM ledger_transfers t
             LEFT JOIN ledger_open_pending o ON o.transfer_id = t.transfer_id
             LEFT JOIN ledger_transfers r ON r.pending_id = t.transfer_id
            WHERE t.transfer_id = ANY($1::uuid[])`,
          [[...referenced]],
        )
      ).rows
    : [];
  const pendings = new Map<string, PendingState>();
  for (const s of states) {
    const resolution = s.resolved_phase === 'post' ? 'posted' : s.resolved_phase === 'void' ? 'voided' : 'open';
    pendings.set(s.transfer_id, {
      row: rowOf(s),
      expiresAt: s.phase === 'pending' && s.timeout_s > 0 ? new Date(s.created_at.getTime() + s.timeout_s * 1000) : null,
      resolution,
    });
  }
  return {
    snapshot: {
      now,
      accounts: new Map(accounts.rows.map((r) => [r.account_id, accountFromRow(r)])),
      existing: new Map(existing.map((e) => [e.transfer_id, rowOf(e)])),
      pendings,
    },
    stored: new Map(existing.map((e) => [e.transfer_id, e])),
  };
}

async function writePlan(client: pg.PoolClient, plan: Plan): Promise<Map<string, { seq: number; created_at: Date }>> {
  const written = new Map<string, { seq: number; created_at: Date }>();
  if (plan.inserts.length) {
    const rows = plan.inserts;
    const { rows: inserted } = await client.query<{ transfer_id: string; seq: number; created_at: Date }>(
      `INSERT INTO ledger_transfers (transfer_id, debit_account_id, credit_account_id, amount_fen, code, phase, pending_id, timeout_s, merchant_id, reference)
       SELECT id, debit, credit, amount, code, phase, pending, timeout, merchant, reference
         FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::uuid[], $8::int[], $9::bigint[], $10::text[])
              WITH ORDINALITY AS v(id, debit, credit, amount, code, phase, pending, timeout, merchant, reference, ord)
        ORDER BY ord
       RETURNING transfer_id, seq, created_at`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.debitAccountId),
        rows.map((r) => r.creditAccountId),
        rows.map((r) => r.amountFen),
        rows.map((r) => r.code),
        rows.map((r) => r.phase),
        rows.map((r) => r.pendingId),
        rows.map((r) => r.timeoutS),
        rows.map((r) => r.merchantId),
        rows.map((r) => r.reference),
      ],
    );
    for (const r of inserted) written.set(r.transfer_id, { seq: r.seq, created_at: r.created_at });
  }
  if (plan.deltas.size) {
    const ids = [...plan.deltas.keys()];
    const deltas = [...plan.deltas.values()];
    const { rowCount } = await client.query(
      `UPDATE ledger_accounts a
          SET debits_pending = a.debits_pending + v.dpend, debits_posted = a.debits_posted + v.dpost,
              credits_pending = a.credits_pending + v.cpend, credits_posted = a.credits_posted + v.cpost
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS v(id, dpend, dpost, cpend, cpost)
        WHERE a.account_id = v.id`,
      [ids, deltas.map((d) => d.debitsPending), deltas.map((d) => d.debitsPosted), deltas.map((d) => d.creditsPending), deltas.map((d) => d.creditsPosted)],
    );
    if (rowCount !== ids.length) throw new LedgerInvariantError(`updated ${rowCount} of ${ids.length} locked accounts`);
  }
  if (plan.openPending.length) {
    await client.query(`INSERT INTO ledger_open_pending (transfer_id, expires_at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[])`, [
      plan.openPending.map((p) => p.id),
      plan.openPending.map((p) => p.expiresAt),
    ]);
  }
  if (plan.closePending.length) {
    const { rowCount } = await client.query('DELETE FROM ledger_open_pending WHERE transfer_id = ANY($1::uuid[])', [plan.closePending]);
    if (rowCount !== plan.closePending.length) throw new LedgerInvariantError(`closed ${rowCount} of ${plan.closePending.length} open pending transfers`);
  }
  return written;
}

function results(plan: Plan, written: Map<string, { seq: number; created_at: Date }>, stored: Map<string, TransferDbRow>): TransferResult[] {
  return plan.results.map((r) => {
    if (r.status === 'failed') return r;
    if (r.status === 'created') {
      const w = written.get(r.id);
      if (!w) throw new LedgerInvariantError(`transfer ${r.id} was planned but not written`);
      return { id: r.id, status: 'created', transfer: { ...r.row, seq: w.seq, createdAt: w.created_at } };
    }
    const prior = stored.get(r.id);
    if (prior) return { id: r.id, status: 'exists', transfer: transferFromRow(prior) };
    // a duplicate of a transfer created earlier in this same batch
    const w = written.get(r.id);
    if (!w) throw new LedgerInvariantError(`transfer ${r.id} exists but was not loaded`);
    return { id: r.id, status: 'exists', transfer: { ...r.row, seq: w.seq, createdAt: w.created_at } };
  });
}

/**
 * Applies a batch of up to MAX_BATCH_TRANSFERS transfers atomically and returns one result per
 * transfer, in order. Failed transfers (limits, unknown accounts, conflicts) are reported and
 * skipped; they never abort the others (unless linked).
 */
export async function createTransfers(pool: pg.Pool, batch: readonly TransferInput[]): Promise<TransferResult[]> {
  if (batch.length > MAX_BATCH_TRANSFERS) throw new RangeError(`a batch holds at most ${MAX_BATCH_TRANSFERS} transfers, got ${batch.length}`);
  if (batch.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { snapshot, stored } = await loadSnapshot(client, batch);
      const plan = planBatch(batch, snapshot);
      const written = await writePlan(client, plan);
      await client.query('COMMIT');
      return results(plan, written, stored);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      if (attempt < MAX_ATTEMPTS && isRetryable(err)) continue;
      if ((err as { code?: string }).code === '23514') {
        throw new LedgerInvariantError(`database refused a balance the engine allowed: ${(err as Error).message}`);
      }
      throw err;
    } finally {
      client.release();
    }
  }
}
