/**
 * Applies transfer batches to PostgreSQL: one transaction per batch, accounts locked in id order,
 * every touched account (the hot programme funding account included) updated once per batch.
 */
import type pg from 'pg';
import { intArray, textArray } from '../db/arrays.ts';
import { ensureHistoryDays } from '../db/history.ts';
import { addDays, businessDay } from '../shared/business-day.ts';
import { onlyRow } from '../shared/assert.ts';
import { ACCOUNT_ID_STRIDE, accountKeyParams, BY_ACCOUNT_KEY, PROGRAMME_MERCHANT_ID } from './account-ids.ts';
import { isProgrammeOwner } from './programme-buckets.ts';
import { planBatch, normaliseId, type BatchPolicy, type LedgerSnapshot, type PendingState, type Plan, type TransferRow } from './engine.ts';
import { LedgerInvariantError, MAX_BATCH_TRANSFERS, type Account, type Transfer, type TransferInput, type TransferResult } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ATTEMPTS = 5;

interface AccountRow {
  account_id: number;
  /** 0 for the programme's own accounts */
  merchant_id: number;
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
  /** 0 for the programme's own transfers (the key holds no null) */
  merchant_id: number;
  reference: string | null;
  created_at: Date;
}

const ACCOUNT_COLUMNS =
  'account_id, merchant_id, kind, debits_pending, debits_posted, credits_pending, credits_posted, debits_must_not_exceed_credits, credits_must_not_exceed_debits';

export const TRANSFER_COLUMNS = 'transfer_id, seq, debit_account_id, credit_account_id, amount_fen, code, phase, pending_id, timeout_s, merchant_id, reference, created_at';

/** The merchant an account belongs to: none for the programme's own (merchant 0's and its buckets'). */
function accountOwner(merchantId: number): number | null {
  return isProgrammeOwner(merchantId) ? null : merchantId;
}

export function accountFromRow(r: AccountRow): Account {
  return {
    id: r.account_id,
    merchantId: accountOwner(r.merchant_id),
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
    merchantId: r.merchant_id === PROGRAMME_MERCHANT_ID ? null : r.merchant_id,
    reference: r.reference,
    createdAt: r.created_at,
  };
}

/**
 * Transfers by id: the global key (ledger_transfer_ids) says where each lives, then only the days it
 * names are read, by key (the days are bound values, so the other days' partitions are neither
 * planned nor locked). An id whose day has been archived (its partition detached) is refused: it
 * exists, and must never be taken for new.
 */
async function transfersById(client: pg.PoolClient, ids: readonly string[]): Promise<TransferDbRow[]> {
  if (ids.length === 0) return [];
  const { rows: keys } = await client.query<{ transfer_id: string; merchant_id: number; seq: number; history_day: string }>(
    'SELECT transfer_id, merchant_id, seq, history_day::text FROM ledger_transfer_ids WHERE transfer_id = ANY($1::uuid[])',
    [textArray([...ids])],
  );
  if (keys.length === 0) return [];
  const { rows } = await client.query<TransferDbRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers
      WHERE history_day = ANY($1::date[]) AND (merchant_id, seq) IN (SELECT * FROM unnest($2::bigint[], $3::bigint[]))`,
    [textArray([...new Set(keys.map((k) => k.history_day))]), intArray(keys.map((k) => k.merchant_id)), intArray(keys.map((k) => k.seq))],
  );
  if (rows.length !== keys.length) {
    const found = new Set(rows.map((r) => r.transfer_id));
    const archived = keys.find((k) => !found.has(k.transfer_id))!;
    throw new LedgerInvariantError(`transfer ${archived.transfer_id} of ${archived.history_day} is not in the ledger's live history (its day archived?): it cannot be looked up or made again`);
  }
  return rows;
}

/** Whether a transfer id is taken (by a transfer of any day). */
export async function transferExists(db: Pick<pg.Pool, 'query'> | pg.PoolClient, id: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM ledger_transfer_ids WHERE transfer_id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

function rowOf(t: TransferDbRow): TransferRow {
  const { seq: _seq, createdAt: _createdAt, ...row } = transferFromRow(t);
  return row;
}

/** A pending transfer this batch resolves was resolved by a concurrent transaction first. */
class ConcurrentResolution extends Error {
  readonly code = '40001';
  constructor(count: number) {
    super(`${count} pending transfer(s) were resolved concurrently`);
    this.name = 'ConcurrentResolution';
  }
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  // deadlock, serialization failure (a pending transfer resolved concurrently included), or a
  // concurrent transaction inserted the same key (a transfer id, a payment): run again against what
  // it committed
  return code === '40P01' || code === '40001' || code === '23505';
}

type AccountMeta = Pick<Account, 'id' | 'merchantId' | 'kind' | 'debitsMustNotExceedCredits' | 'creditsMustNotExceedDebits'>;

/**
 * An account's owner, kind and limits never change (a trigger forbids it), so they are cached per
 * pool; only the balances a limit check needs are read per batch. Bounded: cleared when full.
 */
const accountMetaCache = new WeakMap<pg.Pool, Map<number, AccountMeta>>();
const MAX_CACHED_ACCOUNTS = 1_000_000;

async function accountMeta(client: pg.PoolClient, pool: pg.Pool, ids: Iterable<number>): Promise<Map<number, AccountMeta>> {
  let cache = accountMetaCache.get(pool);
  if (!cache) accountMetaCache.set(pool, (cache = new Map()));
  let missing = [...ids].filter((id) => !cache.has(id));
  if (missing.length) {
    if (cache.size + missing.length > MAX_CACHED_ACCOUNTS) {
      cache.clear();
      missing = [...new Set(ids)]; // everything this batch names, not only what was missing before the clear
    }
    const { rows } = await client.query<AccountRow>(
      `SELECT account_id, merchant_id, kind, debits_must_not_exceed_credits, credits_must_not_exceed_debits FROM ledger_accounts WHERE ${BY_ACCOUNT_KEY}`,
      accountKeyParams(missing),
    );
    for (const r of rows) {
      cache.set(r.account_id, { id: r.account_id, merchantId: accountOwner(r.merchant_id), kind: r.kind, debitsMustNotExceedCredits: r.debits_must_not_exceed_credits, creditsMustNotExceedDebits: r.credits_must_not_exceed_debits });
    }
  }
  return cache;
}

/**
 * Every named account that exists, with real balances for those a limit check may read (a debited
 * account that limits debits, a credited one that limits credits); the others carry zero balances,
 * which is enough because the engine only computes deltas for them (on the locked retry, all are read).
 */
async function loadAccounts(client: pg.PoolClient, pool: pg.Pool, batch: readonly TransferInput[], accountIds: Set<number>, lock: boolean): Promise<Map<number, Account>> {
  const meta = await accountMeta(client, pool, accountIds);
  // The locked retry follows a CHECK the optimistic attempt broke, perhaps an account's side limit
  // (MAX_ACCOUNT_SIDE_FEN), which every account has: then every balance is read, so the engine decides it.
  const checked = new Set<number>(lock ? accountIds : []);
  for (const t of batch) {
    if (!('debitAccountId' in t)) continue;
    if (meta.get(t.debitAccountId)?.debitsMustNotExceedCredits) checked.add(t.debitAccountId);
    if (meta.get(t.creditAccountId)?.creditsMustNotExceedDebits) checked.add(t.creditAccountId);
  }
  const balances = new Map<number, AccountRow>();
  if (checked.size) {
    // the locked read is a no-op UPDATE: Citus routes it to every shard it names, where it refuses
    // SELECT … FOR UPDATE across shards; on one PostgreSQL the index scan locks in key order
    const { rows } = await client.query<AccountRow>(
      lock
        ? `UPDATE ledger_accounts SET created_at = created_at WHERE ${BY_ACCOUNT_KEY} RETURNING ${ACCOUNT_COLUMNS}`
        : `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE ${BY_ACCOUNT_KEY}`,
      accountKeyParams([...checked]),
    );
    for (const r of rows) balances.set(r.account_id, r);
  }
  const accounts = new Map<number, Account>();
  for (const id of accountIds) {
    const m = meta.get(id);
    if (!m) continue;
    const row = balances.get(id);
    accounts.set(
      id,
      row
        ? accountFromRow(row)
        : { id, merchantId: m.merchantId, kind: m.kind, debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0, debitsMustNotExceedCredits: m.debitsMustNotExceedCredits, creditsMustNotExceedDebits: m.creditsMustNotExceedDebits },
    );
  }
  return accounts;
}

/**
 * How the closed ones among these pending transfers were resolved. A pending transfer is open while
 * ledger_open_pending holds it; only a closed one is looked for among the posts and voids (which
 * may be on any later day: each later day's small index of resolutions is probed).
 */
async function resolutionsOf(client: pg.PoolClient, pendings: readonly TransferDbRow[]): Promise<Map<string, PendingState['resolution']>> {
  const candidates = pendings.filter((p) => p.phase === 'pending');
  if (candidates.length === 0) return new Map();
  const { rows: open } = await client.query<{ transfer_id: string }>('SELECT transfer_id FROM ledger_open_pending WHERE transfer_id = ANY($1::uuid[])', [
    textArray(candidates.map((p) => p.transfer_id)),
  ]);
  const openIds = new Set(open.map((o) => o.transfer_id));
  const closed = candidates.filter((p) => !openIds.has(p.transfer_id));
  if (closed.length === 0) return new Map();
  // a post or void is made on the day of its pending transfer or later: earlier days are not read
  const { rows } = await client.query<{ pending_id: string; phase: 'post' | 'void' }>(
    `SELECT r.pending_id, r.phase FROM unnest($1::bigint[], $2::uuid[]) AS v(merchant, pending)
       JOIN ledger_transfers r ON r.merchant_id = v.merchant AND r.pending_id = v.pending
      WHERE r.history_day >= $3::date`,
    [intArray(closed.map((p) => p.merchant_id)), textArray(closed.map((p) => p.transfer_id)), closed.map((p) => businessDay(p.created_at)).sort()[0]],
  );
  return new Map(rows.map((r) => [r.pending_id, r.phase === 'post' ? 'posted' : 'voided']));
}

async function loadSnapshot(client: pg.PoolClient, pool: pg.Pool, batch: readonly TransferInput[], lock: boolean): Promise<{ snapshot: LedgerSnapshot; stored: Map<string, TransferDbRow> }> {
  const ids = batch.map((t) => normaliseId(t.id)).filter((id) => typeof id === 'string' && UUID.test(id));
  const pendingIds = batch.flatMap((t) => ('pendingId' in t && typeof t.pendingId === 'string' ? [normaliseId(t.pendingId)] : [])).filter((id) => UUID.test(id));

  // Pending transfers are immutable rows: read their accounts before locking.
  const pendingRows = await transfersById(client, pendingIds);
  const accountIds = new Set<number>();
  for (const t of batch) {
    if ('debitAccountId' in t && Number.isSafeInteger(t.debitAccountId)) accountIds.add(t.debitAccountId);
    if ('creditAccountId' in t && Number.isSafeInteger(t.creditAccountId)) accountIds.add(t.creditAccountId);
  }
  for (const p of pendingRows) {
    accountIds.add(p.debit_account_id);
    accountIds.add(p.credit_account_id);
  }
  // Optimistic first attempt: balances are read without row locks (row locks are writes, one per
  // account). Decisions stay sound because every effect is a delta applied under the UPDATE's own row
  // lock and re-checked by the database's CHECKs; if a concurrent batch made one fail, the retry locks
  // the accounts with limits in id order (no deadlock) and decides on settled balances.
  const accounts = await loadAccounts(client, pool, batch, accountIds, lock);
  const now = onlyRow((await client.query<{ now: Date }>('SELECT now()')).rows, 'the transaction time').now;

  // A concurrent insert of the same id is caught by ledger_transfer_ids' key at insert time, and a
  // concurrent resolution of the same pending transfer by ledger_open_pending (writePlan); both retry.
  const existing = await transfersById(client, ids);
  const referenced = new Map(pendingRows.map((p) => [p.transfer_id, p]));
  const notLoaded = [...new Set(existing.flatMap((e) => (e.pending_id && !referenced.has(e.pending_id) ? [e.pending_id] : [])))];
  for (const p of await transfersById(client, notLoaded)) referenced.set(p.transfer_id, p);
  const resolutions = await resolutionsOf(client, [...referenced.values()]);
  const pendings = new Map<string, PendingState>();
  for (const p of referenced.values()) {
    pendings.set(p.transfer_id, {
      row: rowOf(p),
      expiresAt: p.phase === 'pending' && p.timeout_s > 0 ? new Date(p.created_at.getTime() + p.timeout_s * 1000) : null,
      resolution: resolutions.get(p.transfer_id) ?? 'open',
    });
  }
  return {
    snapshot: {
      now,
      accounts,
      existing: new Map(existing.map((e) => [e.transfer_id, rowOf(e)])),
      pendings,
    },
    stored: new Map(existing.map((e) => [e.transfer_id, e])),
  };
}

async function updateBalances(client: pg.PoolClient, ids: number[], plan: Plan): Promise<void> {
  if (ids.length === 0) return;
  const deltas = ids.map((id) => plan.deltas.get(id)!);
  const { rowCount } = await client.query(
    `UPDATE ledger_accounts a
        SET debits_pending = a.debits_pending + v.dpend, debits_posted = a.debits_posted + v.dpost,
            credits_pending = a.credits_pending + v.cpend, credits_posted = a.credits_posted + v.cpost
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS v(id, dpend, dpost, cpend, cpost)
      WHERE a.merchant_id = v.id / ${ACCOUNT_ID_STRIDE} AND a.account_id = v.id`,
    [intArray(ids), intArray(deltas.map((d) => d.debitsPending)), intArray(deltas.map((d) => d.debitsPosted)), intArray(deltas.map((d) => d.creditsPending)), intArray(deltas.map((d) => d.creditsPosted))],
  );
  if (rowCount !== ids.length) throw new LedgerInvariantError(`updated ${rowCount} of ${ids.length} accounts`);
}

async function writePlan(client: pg.PoolClient, plan: Plan, snapshot: LedgerSnapshot): Promise<Map<string, number>> {
  const written = new Map<string, number>();
  if (plan.inserts.length) {
    const rows = plan.inserts;
    const base = onlyRow((await client.query<{ base: number }>("SELECT nextval('ledger_transfer_seq') AS base")).rows, 'the next transfer sequence number').base;
    const day = businessDay(snapshot.now);
    // One statement writes the day's rows and their global keys; a concurrent transaction that made
    // one of these ids first fails the key (23505), and the batch runs again against it.
    await client.query(
      `WITH written AS (
         INSERT INTO ledger_transfers (seq, transfer_id, debit_account_id, credit_account_id, amount_fen, code, phase, pending_id, timeout_s, merchant_id, reference, history_day)
         SELECT $11::bigint + ord - 1, id, debit, credit, amount, code, phase, pending, timeout, merchant, reference, $12::date
           FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::uuid[], $8::int[], $9::bigint[], $10::text[])
                WITH ORDINALITY AS v(id, debit, credit, amount, code, phase, pending, timeout, merchant, reference, ord)
         RETURNING transfer_id, merchant_id, seq)
       INSERT INTO ledger_transfer_ids (transfer_id, merchant_id, seq, history_day)
       SELECT transfer_id, merchant_id, seq, $12::date FROM written`,
      [
        textArray(rows.map((r) => r.id)),
        intArray(rows.map((r) => r.debitAccountId)),
        intArray(rows.map((r) => r.creditAccountId)),
        intArray(rows.map((r) => r.amountFen)),
        textArray(rows.map((r) => r.code)),
        textArray(rows.map((r) => r.phase)),
        textArray(rows.map((r) => r.pendingId)),
        intArray(rows.map((r) => r.timeoutS)),
        intArray(rows.map((r) => r.merchantId ?? PROGRAMME_MERCHANT_ID)),
        textArray(rows.map((r) => r.reference)),
        base,
        day,
      ],
    );
    rows.forEach((r, i) => written.set(r.id, base + i));
  }
  const ids = [...plan.deltas.keys()].sort((a, b) => a - b);
  const isHot = (id: number) => snapshot.accounts.get(id)!.merchantId === null;
  await updateBalances(client, ids.filter((id) => !isHot(id)), plan);
  if (plan.openPending.length) {
    await client.query(`INSERT INTO ledger_open_pending (transfer_id, expires_at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[])`, [
      plan.openPending.map((p) => p.id),
      plan.openPending.map((p) => p.expiresAt),
    ]);
  }
  if (plan.closePending.length) {
    // Resolved at most once: a concurrent transaction that closed one first leaves fewer rows to
    // delete (after waiting for it), and the batch runs again, finding it resolved.
    const { rowCount } = await client.query('DELETE FROM ledger_open_pending WHERE transfer_id = ANY($1::uuid[])', [plan.closePending]);
    if (rowCount !== plan.closePending.length) throw new ConcurrentResolution(plan.closePending.length - (rowCount ?? 0));
  }
  // The hot programme accounts last: their row locks are then held only until the commit that
  // follows, and every batch takes its locks in the same order (merchant accounts, then programme
  // accounts, each by id), so concurrent batches cannot deadlock.
  await updateBalances(client, ids.filter(isHot), plan);
  return written;
}

function stamped(row: TransferRow, seq: number, createdAt: Date): Transfer {
  return {
    id: row.id,
    seq,
    debitAccountId: row.debitAccountId,
    creditAccountId: row.creditAccountId,
    amountFen: row.amountFen,
    code: row.code,
    phase: row.phase,
    pendingId: row.pendingId,
    timeoutS: row.timeoutS,
    merchantId: row.merchantId,
    reference: row.reference,
    createdAt,
  };
}

function results(plan: Plan, written: Map<string, number>, now: Date, stored: Map<string, TransferDbRow>): TransferResult[] {
  return plan.results.map((r) => {
    if (r.status === 'failed') return r;
    if (r.status === 'created') {
      const seq = written.get(r.id);
      if (seq === undefined) throw new LedgerInvariantError(`transfer ${r.id} was planned but not written`);
      return { id: r.id, status: 'created', transfer: stamped(r.row, seq, now) };
    }
    const prior = stored.get(r.id);
    if (prior) return { id: r.id, status: 'exists', transfer: transferFromRow(prior) };
    // a duplicate of a transfer created earlier in this same batch
    const seq = written.get(r.id);
    if (seq === undefined) throw new LedgerInvariantError(`transfer ${r.id} exists but was not loaded`);
    return { id: r.id, status: 'exists', transfer: stamped(r.row, seq, now) };
  });
}

/**
 * The planner hints every ledger transaction sets (see inLedgerTransaction): a batch reads by key, so
 * index lookups joined by nested loops, never a scan of a whole table, a parallel plan or JIT
 * compilation. The statistics of a young partition (a new day, a new quarter) lag far behind its
 * rows, and estimates made from them would otherwise call for all three. On Citus, one connection per
 * node: a ledger transaction writes tables with foreign keys to reference tables (payments to
 * rulesets) after reading many shards, which Citus allows only so (without Citus the setting is an
 * unused placeholder).
 */
export const LEDGER_TRANSACTION_SETTINGS =
  'SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off; ' +
  "SET LOCAL citus.multi_shard_modify_mode = 'sequential'";

/**
 * Applies a batch inside the caller's open transaction (which has run LEDGER_TRANSACTION_SETTINGS),
 * so that other writes (payments, credit lots) commit or roll back with the transfers. The caller
 * owns retries: database errors propagate.
 */
export async function applyTransfers(session: LedgerSession, batch: readonly TransferInput[], options: { lock: boolean } & BatchPolicy): Promise<TransferResult[]> {
  if (batch.length > MAX_BATCH_TRANSFERS) throw new RangeError(`a batch holds at most ${MAX_BATCH_TRANSFERS} transfers, got ${batch.length}`);
  if (batch.length === 0) return [];
  const { client } = session;
  const { snapshot, stored } = await loadSnapshot(client, session.pool, batch, options.lock);
  const plan = planBatch(batch, snapshot, options);
  const written = await writePlan(client, plan, snapshot);
  return results(plan, written, snapshot.now, stored);
}

/** Whether a failed ledger transaction should simply run again (and whether to take locks). */
function ledgerRetry(err: unknown, lockedAlready: boolean): 'again' | 'again_locked' | 'no' {
  if (isRetryable(err)) return 'again';
  if ((err as { code?: string }).code === '23514' && !lockedAlready) return 'again_locked';
  return 'no';
}

/**
 * Applies a batch of up to MAX_BATCH_TRANSFERS transfers atomically and returns one result per
 * transfer, in order. Failed transfers (limits, unknown accounts, conflicts) are reported and
 * skipped; they never abort the others (unless linked). `recordOutcome` runs in the same transaction
 * after the batch applied (e.g. its audit record), so it commits or rolls back with the transfers.
 */
export async function createTransfers(
  pool: pg.Pool,
  batch: readonly TransferInput[],
  policy: BatchPolicy = {},
  recordOutcome?: (client: pg.PoolClient, results: readonly TransferResult[]) => Promise<void>,
): Promise<TransferResult[]> {
  if (batch.length > MAX_BATCH_TRANSFERS) throw new RangeError(`a batch holds at most ${MAX_BATCH_TRANSFERS} transfers, got ${batch.length}`);
  if (batch.length === 0) return [];
  return inLedgerTransaction(pool, async (session) => {
    const results = await applyTransfers(session, batch, { ...policy, lock: session.locked });
    await recordOutcome?.(session.client, results);
    return results;
  });
}

/**
 * Today's history partitions, and either side of today for a database clock a little off this
 * process's, before a ledger transaction (known days are remembered, so this rarely asks). A caller
 * that writes transfers in a transaction of its own calls it first.
 */
export async function ensureLedgerDays(pool: pg.Pool): Promise<void> {
  const today = businessDay(new Date());
  await ensureHistoryDays(pool, [addDays(today, -1), today, addDays(today, 1)]);
}

/**
 * Runs `work` in a ledger transaction, retrying when a concurrent transaction collided with it; a
 * CHECK violation is retried once with account locks (a concurrent batch moved a balance we decided
 * on), and a second one is a bug.
 */
/**
 * The ledger's handle on one transaction: its connection, the pool whose account cache it reads, and
 * whether this attempt is the locked retry that follows a balance the database refused.
 */
export interface LedgerSession {
  readonly client: pg.PoolClient;
  readonly pool: pg.Pool;
  readonly locked: boolean;
}

export async function inLedgerTransaction<T>(pool: pg.Pool, work: (session: LedgerSession) => Promise<T>): Promise<T> {
  await ensureLedgerDays(pool);
  let lock = false;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      // Batches join thousands of ids against the accounts: index lookups, never a hash of the whole table.
      await client.query(`BEGIN; ${LEDGER_TRANSACTION_SETTINGS}`);
      const result = await work({ client, pool, locked: lock });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      const retry = attempt < MAX_ATTEMPTS ? ledgerRetry(err, lock) : 'no';
      if (retry === 'again') continue;
      if (retry === 'again_locked') {
        lock = true;
        continue;
      }
      if ((err as { code?: string }).code === '23514') {
        throw new LedgerInvariantError(`database refused a balance the engine allowed: ${(err as Error).message}`);
      }
      throw err;
    } finally {
      client.release();
    }
  }
}
