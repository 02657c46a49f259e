/**
 * Paid claims audited by sample: drawn when a machine-approved claim's payout settles (in its
 * transaction), listed for reviewers oldest first, decided once. An overpayment is recovered from
 * the merchant's credit through the ledger and the merchant is told why, in the decision's credit
 * change (the merchant locked: nothing else moves the merchant's credit meanwhile).
 */
import type { TimeKey } from '../http/cursor.ts';
import type pg from 'pg';
import type { AuditSampling } from '../config/config.ts';
import { announceNotifications } from '../notifications/index.ts';
import { recordAudit, type ActorKind } from '../auth/index.ts';
import { changeCredit, recoverOverpayment, type CreditChange } from '../points/index.ts';
import { auditDraw, type DrawnBecause } from './sampling.ts';
import { overpaidText, type OverpaidReason } from './reasons.ts';
import type { AuditCounts } from './statistics.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export type AuditStatus = 'pending' | 'confirmed' | 'overpaid';

export interface ClaimAudit {
  merchantId: number;
  claimId: string;
  payoutId: string;
  paidFen: number;
  drawnBecause: DrawnBecause;
  drawnAt: Date;
  status: AuditStatus;
  decidedAt: Date | null;
  decidedBy: string | null;
  dueFen: number | null;
  reasonCode: OverpaidReason | null;
  note: string | null;
  recoveredFromCreditFen: number | null;
  recoveredAsDebtFen: number | null;
}

/** A pending audit with what the reviewer needs beside it: the merchant and the claim as decided. */
export interface AuditQueueItem extends ClaimAudit {
  merchantName: string | null;
  benefitFen: number | null;
  coveredFen: number | null;
  visitDate: string | null;
  hospitalId: string | null;
  invoiceCode: string | null;
  invoiceNumber: string | null;
}

const COLUMNS = `a.merchant_id::int AS "merchantId", a.claim_id::text AS "claimId", a.payout_id AS "payoutId", a.paid_fen::int AS "paidFen",
  a.drawn_because AS "drawnBecause", a.drawn_at AS "drawnAt", a.status, a.decided_at AS "decidedAt", a.decided_by AS "decidedBy",
  a.due_fen::int AS "dueFen", a.reason_code AS "reasonCode", a.note, a.recovered_from_credit_fen::int AS "recoveredFromCreditFen",
  a.recovered_as_debt_fen::int AS "recoveredAsDebtFen"`;

/**
 * Called with a payout that succeeded, in the settlement's transaction: a claim the machine approved
 * is drawn when the sampling says so. A replay of the settlement draws the same and writes nothing new.
 */
export async function drawAudit(client: pg.PoolClient, paid: { merchantId: number; claimId: string; payoutId: string; paidFen: number }, sampling: AuditSampling, now: Date): Promise<DrawnBecause | null> {
  const { rows } = await client.query<{ decided_by: string | null }>('SELECT decided_by FROM claims WHERE merchant_id = $1 AND claim_id = $2', [paid.merchantId, paid.claimId]);
  // a reviewer's approval was already a person's look at the claim: the sample is of the machine's
  if (rows[0]?.decided_by !== 'machine') return null;
  const because = auditDraw(paid.claimId, paid.paidFen, sampling);
  if (because === null) return null;
  await client.query(
    `INSERT INTO claim_audits (merchant_id, claim_id, payout_id, paid_fen, drawn_because, drawn_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (merchant_id, claim_id) DO NOTHING`,
    [paid.merchantId, paid.claimId, paid.payoutId, paid.paidFen, because, now],
  );
  return because;
}

/**
 * A paid claim the invoice's issuer contradicted after payment, put on the audit desk whoever approved
 * it (a person weighs the issuer's record before money is taken back). A claim drawn already stays as
 * it was drawn: it is on the desk, or decided. Returns whether this drew it.
 */
export async function drawForVerification(client: pg.PoolClient, paid: { merchantId: number; claimId: string; payoutId: string; paidFen: number }, now: Date): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO claim_audits (merchant_id, claim_id, payout_id, paid_fen, drawn_because, drawn_at) VALUES ($1, $2, $3, $4, 'verification', $5)
     ON CONFLICT (merchant_id, claim_id) DO NOTHING`,
    [paid.merchantId, paid.claimId, paid.payoutId, paid.paidFen, now],
  );
  return rowCount === 1;
}

/** Pending audits, oldest drawn first, after the (drawnAt, claimId) cursor. */
export async function listPendingAudits(db: Queryable, page: { after?: TimeKey | undefined; limit: number }): Promise<AuditQueueItem[]> {
  const { rows } = await db.query<AuditQueueItem>(
    `SELECT ${COLUMNS}, m.legal_name AS "merchantName", c.benefit_fen::int AS "benefitFen", c.covered_fen::int AS "coveredFen",
            to_char(c.visit_date, 'YYYY-MM-DD') AS "visitDate", c.hospital_id AS "hospitalId", c.invoice_code AS "invoiceCode", c.invoice_number AS "invoiceNumber"
       FROM claim_audits a
       JOIN claims c ON c.merchant_id = a.merchant_id AND c.claim_id = a.claim_id
       LEFT JOIN merchants m ON m.merchant_id = a.merchant_id
      WHERE a.status = 'pending' AND ($1::timestamptz IS NULL OR (a.drawn_at, a.claim_id) > ($1, $2::uuid))
      ORDER BY a.drawn_at, a.claim_id LIMIT $3`,
    [page.after?.at ?? null, page.after?.id ?? null, page.limit],
  );
  return rows;
}

export async function getAudit(db: Queryable, claimId: string): Promise<ClaimAudit | null> {
  const { rows } = await db.query<ClaimAudit>(`SELECT ${COLUMNS} FROM claim_audits a WHERE a.claim_id = $1`, [claimId]);
  return rows[0] ?? null;
}

export type AuditDecision = { outcome: 'confirmed' } | { outcome: 'overpaid'; dueFen: number; reasonCode: OverpaidReason; note: string | null };

/** Why a decision is refused: the audit is decided already, or the amount due is not below what was paid. */
export class AuditRefused extends Error {
  constructor(
    readonly code: 'audit_already_decided' | 'audit_due_not_below_paid',
    message: string,
  ) {
    super(message);
    this.name = 'AuditRefused';
  }
}

/**
 * Decides a pending audit of merchant `merchantId`'s claim. Overpaid: the difference is recovered
 * (available credit first, the rest as debt) and the merchant is told why. Returns the audit as decided.
 */
export async function decideAudit(pool: pg.Pool, audit: { merchantId: number; claimId: string }, decision: AuditDecision, by: { actorKind: ActorKind; actorId: string; now: Date }): Promise<ClaimAudit> {
  return changeCredit(pool, async (change) => {
    const decided = await decide(change, audit, decision, by);
    await recordAudit(change.client, { actorKind: by.actorKind, actorId: by.actorId, action: `claim_audit.${decided.status}`, subjectKind: 'claim', subjectId: audit.claimId, details: { ...decision } });
    return decided;
  });
}

async function decide(change: CreditChange, audit: { merchantId: number; claimId: string }, decision: AuditDecision, by: { actorId: string; now: Date }): Promise<ClaimAudit> {
  const { client } = change;
  await change.lock([audit.merchantId]);
  const { rows } = await client.query<ClaimAudit>(`SELECT ${COLUMNS} FROM claim_audits a WHERE a.merchant_id = $1 AND a.claim_id = $2`, [audit.merchantId, audit.claimId]);
  const current = rows[0];
  if (!current) throw new Error(`no audit of claim ${audit.claimId} of merchant ${audit.merchantId}`);
  if (current.status !== 'pending') throw new AuditRefused('audit_already_decided', `the audit of claim ${audit.claimId} was decided ${current.status} already`);
  if (decision.outcome === 'confirmed') {
    await client.query("UPDATE claim_audits SET status = 'confirmed', decided_at = $3, decided_by = $4 WHERE merchant_id = $1 AND claim_id = $2", [audit.merchantId, audit.claimId, by.now, by.actorId]);
    return { ...current, status: 'confirmed', decidedAt: by.now, decidedBy: by.actorId };
  }
  if (decision.dueFen >= current.paidFen) throw new AuditRefused('audit_due_not_below_paid', `the claim paid ${current.paidFen} fen: an overpayment means less was due, not ${decision.dueFen} fen`);
  const recovery = await recoverOverpayment(change, { merchantId: audit.merchantId, claimId: audit.claimId, owedFen: current.paidFen - decision.dueFen });
  await client.query(
    `UPDATE claim_audits SET status = 'overpaid', decided_at = $3, decided_by = $4, due_fen = $5, reason_code = $6, note = $7, recovered_from_credit_fen = $8, recovered_as_debt_fen = $9
      WHERE merchant_id = $1 AND claim_id = $2`,
    [audit.merchantId, audit.claimId, by.now, by.actorId, decision.dueFen, decision.reasonCode, decision.note, recovery.fromCreditFen, recovery.asDebtFen],
  );
  const text = overpaidText({ paidFen: current.paidFen, dueFen: decision.dueFen, ...recovery, reasonCode: decision.reasonCode, note: decision.note });
  const written = await client.query<{ merchant_id: string; notification_id: string }>(
    `INSERT INTO merchant_notifications (merchant_id, at, kind, claim_id, zh, en, amount_fen) VALUES ($1, $2, 'claim_audit_overpaid', $3, $4, $5, $6)
     RETURNING merchant_id, notification_id`,
    [audit.merchantId, by.now, audit.claimId, text.zh, text.en, current.paidFen - decision.dueFen],
  );
  await announceNotifications(client, written.rows);
  return {
    ...current,
    status: 'overpaid',
    decidedAt: by.now,
    decidedBy: by.actorId,
    dueFen: decision.dueFen,
    reasonCode: decision.reasonCode,
    note: decision.note,
    recoveredFromCreditFen: recovery.fromCreditFen,
    recoveredAsDebtFen: recovery.asDebtFen,
  };
}

/**
 * The counts the statistics are computed from (statistics.ts). Two statements a distributed database
 * runs on every shard at once: the audits by stratum, and the paid machine-approved claims the random
 * sample stands for (those not drawn by amount), found by a join on the merchant's key.
 */
export async function auditCounts(db: Queryable): Promise<AuditCounts> {
  const { rows: strata } = await db.query<{ drawn_because: 'sample' | 'amount'; decided: number; overpaid: number; overpaid_fen: string; pending: number }>(
    `SELECT drawn_because, count(*) FILTER (WHERE status <> 'pending')::int AS decided, count(*) FILTER (WHERE status = 'overpaid')::int AS overpaid,
            coalesce(sum(paid_fen - due_fen) FILTER (WHERE status = 'overpaid'), 0)::text AS overpaid_fen, count(*) FILTER (WHERE status = 'pending')::int AS pending
       FROM claim_audits GROUP BY drawn_because`,
  );
  const { rows: population } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM claims c
       LEFT JOIN claim_audits a ON a.merchant_id = c.merchant_id AND a.claim_id = c.claim_id AND a.drawn_because = 'amount'
      WHERE c.status = 'paid' AND c.decided_by = 'machine' AND a.claim_id IS NULL`,
  );
  const stratum = (name: 'sample' | 'amount') => {
    const r = strata.find((x) => x.drawn_because === name);
    return { decided: r?.decided ?? 0, overpaid: r?.overpaid ?? 0, overpaidFen: Number(r?.overpaid_fen ?? 0) };
  };
  return {
    samplePopulation: onlyRow(population, 'the count of paid machine-approved claims').n,
    sample: stratum('sample'),
    census: stratum('amount'),
    pending: strata.reduce((sum, r) => sum + r.pending, 0),
  };
}
