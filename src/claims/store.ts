/**
 * Claims in PostgreSQL: the claim row, its append-only timeline, and what the merchant is told.
 * Every state change appends a timeline event and notifies listeners (pg_notify) in the caller's
 * transaction, so a status is never announced that did not commit.
 */
import type { TimeKey } from '../http/cursor.ts';
import type pg from 'pg';
import { announceNotifications } from '../notifications/index.ts';
import { invariant, onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export const CLAIM_STATUSES = ['submitted', 'recognized', 'in_review', 'photo_requested', 'approved', 'paid', 'rejected', 'appealed', 'appeal_review'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export interface ClaimFile {
  sha256: string;
  mediaType: 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';
  sizeBytes: number;
  role: 'invoice' | 'record';
}

export interface ClaimEvent {
  at: Date;
  status: ClaimStatus;
  code: string;
  zh: string;
  en: string;
  details: Record<string, unknown>;
}

export interface Claim {
  merchantId: number;
  claimId: string;
  status: ClaimStatus;
  submittedAt: Date;
  updatedAt: Date;
  files: ClaimFile[];
  recognition: unknown;
  findings: unknown;
  decision: 'approve' | 'reject' | 'review' | null;
  decidedBy: string | null;
  reasonCodes: string[];
  invoiceCode: string | null;
  invoiceNumber: string | null;
  visitDate: string | null;
  hospitalId: string | null;
  coveredFen: number | null;
  benefitFen: number | null;
  paidFen: number | null;
  phash: string | null;
  /** The claims ruleset version that judged it (null until judged). */
  rulesetId: number | null;
}

interface ClaimRow {
  merchant_id: number;
  claim_id: string;
  status: ClaimStatus;
  submitted_at: Date;
  updated_at: Date;
  files: ClaimFile[];
  recognition: unknown;
  findings: unknown;
  decision: Claim['decision'];
  decided_by: string | null;
  reason_codes: string[];
  invoice_code: string | null;
  invoice_number: string | null;
  visit_date: string | null;
  hospital_id: string | null;
  covered_fen: number | null;
  benefit_fen: number | null;
  paid_fen: number | null;
  phash: string | null;
  ruleset_id: number | null;
}

const CLAIM_COLUMNS = `merchant_id, claim_id::text, status, submitted_at, updated_at, files, recognition, findings, decision, decided_by, reason_codes,
  invoice_code, invoice_number, to_char(visit_date, 'YYYY-MM-DD') AS visit_date, hospital_id, covered_fen, benefit_fen, paid_fen, phash, ruleset_id::int`;

function claimFromRow(r: ClaimRow): Claim {
  return {
    merchantId: r.merchant_id,
    claimId: r.claim_id,
    status: r.status,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
    files: r.files,
    recognition: r.recognition,
    findings: r.findings,
    decision: r.decision,
    decidedBy: r.decided_by,
    reasonCodes: r.reason_codes,
    invoiceCode: r.invoice_code,
    invoiceNumber: r.invoice_number,
    visitDate: r.visit_date,
    hospitalId: r.hospital_id,
    coveredFen: r.covered_fen,
    benefitFen: r.benefit_fen,
    paidFen: r.paid_fen,
    phash: r.phash,
    rulesetId: r.ruleset_id,
  };
}

async function recordFiles(client: pg.PoolClient, files: readonly ClaimFile[]): Promise<void> {
  await client.query(
    `INSERT INTO stored_files (sha256, media_type, size_bytes)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) ON CONFLICT (sha256) DO NOTHING`,
    [files.map((f) => f.sha256), files.map((f) => f.mediaType), files.map((f) => f.sizeBytes)],
  );
}

/** New photos in answer to a request for better ones: they replace the claim's files. */
export async function replaceClaimFiles(client: pg.PoolClient, claim: Pick<Claim, 'merchantId' | 'claimId'>, files: ClaimFile[]): Promise<void> {
  await recordFiles(client, files);
  await client.query('UPDATE claims SET files = $3 WHERE merchant_id = $1 AND claim_id = $2', [claim.merchantId, claim.claimId, JSON.stringify(files)]);
}

export async function insertClaim(client: pg.PoolClient, claim: { merchantId: number; claimId: string; files: ClaimFile[]; submittedAt: Date }): Promise<void> {
  await recordFiles(client, claim.files);
  await client.query(
    `INSERT INTO claims (merchant_id, claim_id, status, submitted_at, updated_at, files) VALUES ($1, $2, 'submitted', $3, $3, $4)`,
    [claim.merchantId, claim.claimId, claim.submittedAt, JSON.stringify(claim.files)],
  );
}

/** A claim by id; with `merchantId`, only that merchant's (another merchant's id reads as absent). */
export async function getClaim(db: Queryable, claimId: string, merchantId?: number, options: { lock?: boolean } = {}): Promise<Claim | null> {
  const { rows } = await db.query<ClaimRow>(
    `SELECT ${CLAIM_COLUMNS} FROM claims WHERE claim_id = $1 AND ($2::bigint IS NULL OR merchant_id = $2)${options.lock ? ' FOR UPDATE' : ''}`,
    [claimId, merchantId ?? null],
  );
  return rows[0] ? claimFromRow(rows[0]) : null;
}

export async function claimTimeline(db: Queryable, merchantId: number, claimId: string): Promise<ClaimEvent[]> {
  const { rows } = await db.query<ClaimEvent>('SELECT at, status, code, zh, en, details FROM claim_events WHERE merchant_id = $1 AND claim_id = $2 ORDER BY event_no', [
    merchantId,
    claimId,
  ]);
  return rows;
}

export const MAX_CLAIMS_PAGE = 100;

export async function listClaims(
  db: Queryable,
  filter: { merchantId?: number; statuses?: readonly ClaimStatus[]; after?: TimeKey; limit: number; oldestFirst?: boolean },
): Promise<Claim[]> {
  // `after` is the last claim of the previous page, in the page's own order (newest first by default)
  const order = filter.oldestFirst ? { compare: '>', direction: 'ASC' } : { compare: '<', direction: 'DESC' };
  const { rows } = await db.query<ClaimRow>(
    `SELECT ${CLAIM_COLUMNS} FROM claims
      WHERE ($1::bigint IS NULL OR merchant_id = $1)
        AND ($2::text[] IS NULL OR status = ANY($2))
        AND ($3::timestamptz IS NULL OR (submitted_at, claim_id) ${order.compare} ($3, $4::uuid))
      ORDER BY submitted_at ${order.direction}, claim_id ${order.direction} LIMIT $5`,
    [filter.merchantId ?? null, filter.statuses ?? null, filter.after?.at ?? null, filter.after?.id ?? null, Math.min(filter.limit, MAX_CLAIMS_PAGE)],
  );
  return rows.map(claimFromRow);
}

/** What a reviewer needs beside each queued claim: the merchant's name, the hospital's name, and the words that sent it here. */
export async function queueContext(
  db: Queryable,
  claims: readonly Claim[],
): Promise<Map<string, { merchantName: string | null; hospitalName: string | null; why: { zh: string; en: string } | null }>> {
  const { rows } = await db.query<{ claim_id: string; legal_name: string | null; hospital_name: string | null; zh: string | null; en: string | null }>(
    `SELECT c.claim_id, m.legal_name, h.name AS hospital_name, e.zh, e.en
       FROM unnest($1::bigint[], $2::uuid[]) AS q(merchant_id, claim_id)
       JOIN claims c ON c.merchant_id = q.merchant_id AND c.claim_id = q.claim_id
       LEFT JOIN merchants m ON m.merchant_id = c.merchant_id
       LEFT JOIN hospitals h ON h.hospital_id = c.hospital_id
       LEFT JOIN LATERAL (SELECT zh, en FROM claim_events ev WHERE ev.merchant_id = c.merchant_id AND ev.claim_id = c.claim_id AND ev.status = c.status
                           ORDER BY ev.event_no DESC LIMIT 1) e ON true`,
    [claims.map((c) => c.merchantId), claims.map((c) => c.claimId)],
  );
  return new Map(rows.map((r) => [r.claim_id, { merchantName: r.legal_name, hospitalName: r.hospital_name, why: r.zh !== null && r.en !== null ? { zh: r.zh, en: r.en } : null }]));
}

export type ClaimUpdate = Partial<
  Pick<Claim, 'recognition' | 'findings' | 'decision' | 'decidedBy' | 'reasonCodes' | 'invoiceCode' | 'invoiceNumber' | 'visitDate' | 'hospitalId' | 'coveredFen' | 'benefitFen' | 'paidFen' | 'phash' | 'rulesetId'>
>;

const UPDATE_COLUMNS: Record<keyof ClaimUpdate, string> = {
  recognition: 'recognition',
  findings: 'findings',
  decision: 'decision',
  decidedBy: 'decided_by',
  reasonCodes: 'reason_codes',
  invoiceCode: 'invoice_code',
  invoiceNumber: 'invoice_number',
  visitDate: 'visit_date',
  hospitalId: 'hospital_id',
  coveredFen: 'covered_fen',
  benefitFen: 'benefit_fen',
  paidFen: 'paid_fen',
  phash: 'phash',
  rulesetId: 'ruleset_id',
};

/**
 * Where a claim may go from each status: what the pipeline, the reviewers and the payouts do, and
 * nothing else, so a bug that would move a paid claim back is refused before anything is written.
 * A claim is inserted as submitted and its first event is the move submitted → submitted.
 */
export const CLAIM_TRANSITIONS: Readonly<Record<ClaimStatus, readonly ClaimStatus[]>> = {
  // the first event; then recognition reads the photos, or asks for new ones
  submitted: ['submitted', 'recognized', 'photo_requested'],
  // the machine's decision (in_review also when its approval is refused)
  recognized: ['approved', 'rejected', 'in_review'],
  // a reviewer's decision
  in_review: ['approved', 'rejected', 'photo_requested'],
  // the merchant sends new photos; a reviewer may still reject, or ask again
  photo_requested: ['submitted', 'rejected', 'photo_requested'],
  // the payout's outcome: paid, or failed and back to a person
  approved: ['paid', 'in_review'],
  paid: [],
  // the merchant's one appeal (appeals.ts refuses a second; claim_appeals' key holds it)
  rejected: ['appealed'],
  // the appeal's photos are read, then the claim waits for a reviewer other than the one who refused
  appealed: ['appeal_review'],
  // that reviewer's decision: no new photo is asked for (the appeal brought its own)
  appeal_review: ['approved', 'rejected'],
};

export function claimMoveAllowed(from: ClaimStatus, to: ClaimStatus): boolean {
  return CLAIM_TRANSITIONS[from].includes(to);
}

/**
 * Whether a move is told to the merchant in a message (issue 23: each claim sent 3–4): the moves that ask
 * for the merchant's patience or action, or settle the claim. Submitted is the merchant's own tap and
 * recognised follows it by seconds; approved is followed by paid, or by in review when the payout fails,
 * and each of those is told; an appeal is told when a person is to decide it (appeal_review, as in
 * review), and its approval is told because it carries the reviewer's required reason. The claim's
 * timeline keeps every event whatever is told.
 */
export function moveToldToMerchant(from: ClaimStatus, to: ClaimStatus): boolean {
  return TOLD_ON_ARRIVAL.has(to) || (from === 'appeal_review' && to === 'approved');
}
const TOLD_ON_ARRIVAL: ReadonlySet<ClaimStatus> = new Set<ClaimStatus>(['in_review', 'photo_requested', 'paid', 'rejected', 'appeal_review']);

/**
 * Moves a claim to `status` with its fields, appends the timeline event, tells the merchant when the move is one they are told of, and
 * notifies live listeners — all in the caller's transaction. Refuses (InvariantError) a move that
 * CLAIM_TRANSITIONS does not list, before writing anything.
 */
export async function transitionClaim(
  client: pg.PoolClient,
  claim: Pick<Claim, 'merchantId' | 'claimId'>,
  status: ClaimStatus,
  event: { code: string; zh: string; en: string; details?: Record<string, unknown> },
  update: ClaimUpdate = {},
): Promise<void> {
  const { rows } = await client.query<{ status: ClaimStatus }>('SELECT status FROM claims WHERE merchant_id = $1 AND claim_id = $2 FOR UPDATE', [claim.merchantId, claim.claimId]);
  const from = onlyRow(rows, `claim ${claim.claimId} to move to ${status}`).status;
  invariant(claimMoveAllowed(from, status), `claim ${claim.claimId} cannot move from ${from} to ${status}`);
  // statement_timestamp, not clock_timestamp: Citus refuses a volatile function in an UPDATE of a distributed table
  const sets = ['status = $3', 'updated_at = statement_timestamp()'];
  const values: unknown[] = [claim.merchantId, claim.claimId, status];
  for (const [key, value] of Object.entries(update) as [keyof ClaimUpdate, unknown][]) {
    values.push(key === 'recognition' || key === 'findings' ? JSON.stringify(value) : value);
    sets.push(`${UPDATE_COLUMNS[key]} = $${values.length}`);
  }
  await client.query(`UPDATE claims SET ${sets.join(', ')} WHERE merchant_id = $1 AND claim_id = $2`, values);
  await client.query(
    `INSERT INTO claim_events (merchant_id, claim_id, event_no, status, code, zh, en, details)
     SELECT $1, $2, coalesce(max(event_no), 0) + 1, $3, $4, $5, $6, $7 FROM claim_events WHERE merchant_id = $1 AND claim_id = $2`,
    [claim.merchantId, claim.claimId, status, event.code, event.zh, event.en, JSON.stringify(event.details ?? {})],
  );
  if (moveToldToMerchant(from, status)) {
    const notice = await client.query<{ merchant_id: string; notification_id: string }>(
      'INSERT INTO merchant_notifications (merchant_id, kind, claim_id, zh, en) VALUES ($1, $2, $3, $4, $5) RETURNING merchant_id, notification_id',
      [claim.merchantId, `claim_${status}`, claim.claimId, event.zh, event.en],
    );
    await announceNotifications(client, notice.rows);
  }
  await client.query('SELECT pg_notify($1, $2)', [CLAIM_CHANNEL, JSON.stringify({ merchantId: claim.merchantId, claimId: claim.claimId, status })]);
}

export const CLAIM_CHANNEL = 'carepoints_claims';
