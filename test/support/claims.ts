import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { generateInvoice, type GenerateOptions, type InvoiceTruth } from '../../sim/invoices/index.ts';
import { startClaimWorkers, type ClaimWorkers } from '../../src/claims/index.ts';
import { CLAIM_CHANNEL, getClaim, type ClaimStatus } from '../../src/claims/index.ts';
import { approveClaim } from '../../src/claims/pipeline.ts';
import type { ClaimVerification } from '../../src/claims/verification-store.ts';
import { insertClaim } from '../../src/claims/store.ts';
import { changeCredit } from '../../src/points/index.ts';
import { businessDay } from '../../src/shared/business-day.ts';
import { createWalletGateway, type SandboxFaults, type SandboxGateway, type WalletGateway } from '../../src/payouts/index.ts';
import { loadHospitalRegistry, type Hospital } from '../../src/hospitals/record.ts';
import { localFileStore } from '../../src/storage/index.ts';
import { createHttpsVerifier, startVerifierSandbox, type VerifierSandbox } from '../../src/verification/index.ts';
import { importEnrolments } from '../../src/merchants/store.ts';
import { createTestApp, type TestApp } from './app.ts';
import { earnAndCollect } from './credit.ts';
import { enrolment, TEST_ID_HASH_KEY } from './fixtures.ts';
import { SANDBOX_APP_ID, startSandboxWallet } from './sandbox-wallet.ts';

export interface ClaimsHarness extends TestApp {
  sandbox: SandboxGateway;
  /** Our client of the sandbox, as the workers use it (transfers, queries, the daily bill). */
  gateway: WalletGateway;
  workers: ClaimWorkers | null;
  filesDir: string;
  /** What a worker in another process needs to reach the same database, files and gateway. */
  workerEnv: Record<string, string>;
  /** The sandbox verification service the workers ask, when the harness was made with `verifier`. */
  verifier: VerifierSandbox | null;
  /** The workers' client of it, for a test that runs a job's step itself. */
  verification: ClaimVerification | null;
}

export const VERIFIER_TOKEN = 'test-verifier-token';

/** The app with the claims routes, a sandbox wallet gateway and the pipeline's workers, all real. */
export async function createClaimsHarness(
  options: {
    faults?: SandboxFaults;
    random?: () => number;
    gatewayTimeoutMs?: number;
    concurrency?: number;
    workers?: boolean;
    hospitalsMaxStaleMs?: number;
    /** Invoices checked with their issuer, the sandbox service's (off by default: the other tests' bills are issued nowhere). */
    verifier?: { dailyLimitPerBill?: number; timeoutMs?: number };
  } = {},
): Promise<ClaimsHarness> {
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-files-'));
  const files = localFileStore(filesDir);
  const t = await createTestApp({ files });
  const { sandbox, keys, env: walletEnv } = await startSandboxWallet(options.faults, options.random);
  const gateway = createWalletGateway({ gatewayUrl: sandbox.url, appId: SANDBOX_APP_ID, appPrivateKeyPem: keys.app.privateKeyPem, gatewayPublicKeyPem: keys.gateway.publicKeyPem, timeoutMs: options.gatewayTimeoutMs ?? 3_000 });
  const verifier = options.verifier ? await startVerifierSandbox({ token: VERIFIER_TOKEN, dailyLimitPerBill: 100 }) : null;
  const verification: ClaimVerification | null = verifier && {
    verifier: createHttpsVerifier({ url: verifier.url, token: VERIFIER_TOKEN, timeoutMs: options.verifier?.timeoutMs ?? 2_000 }),
    limits: { dailyLimitPerBill: options.verifier?.dailyLimitPerBill ?? 5 },
  };
  const workers =
    options.workers === false
      ? null
      : await startClaimWorkers(t.db.pool, {
          files,
          gateway,
          concurrency: options.concurrency ?? 2,
          ...(options.hospitalsMaxStaleMs === undefined ? {} : { hospitalsMaxStaleMs: options.hospitalsMaxStaleMs }),
          ...(verification && { verification }),
        });
  const workerEnv = {
    DATABASE_URL: t.db.url,
    CAREPOINTS_FILES_DIR: filesDir,
    ...walletEnv,
    CAREPOINTS_WALLET_TIMEOUT_MS: String(options.gatewayTimeoutMs ?? 3_000),
  };
  return {
    ...t,
    sandbox,
    gateway,
    workers,
    filesDir,
    workerEnv,
    verifier,
    verification,
    async close() {
      await workers?.stop();
      await verifier?.close();
      await sandbox.close();
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

/** Resolves when the claim reaches one of `statuses`, woken by the claims' own notifications (no polling sleeps). */
export async function waitForClaim(pool: pg.Pool, claimId: string, statuses: readonly ClaimStatus[], timeoutMs = 90_000): Promise<ClaimStatus> {
  const client = await pool.connect();
  try {
    await client.query(`LISTEN ${CLAIM_CHANNEL}`);
    const current = async (): Promise<ClaimStatus | null> => {
      const { rows } = await client.query<{ status: ClaimStatus }>('SELECT status FROM claims WHERE claim_id = $1', [claimId]);
      const status = rows[0]?.status ?? null;
      return status && statuses.includes(status) ? status : null;
    };
    return await new Promise<ClaimStatus>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          void whereClaimIs(pool, claimId)
            .catch((err: Error) => `(its state could not be read: ${err.message})`)
            .then((where) => reject(new Error(`claim ${claimId} did not reach ${statuses.join('|')} within ${timeoutMs} ms: ${where}`))),
        timeoutMs,
      );
      const check = () =>
        void current().then((s) => {
          if (s) {
            clearTimeout(timer);
            resolve(s);
          }
        }, reject);
      client.on('notification', (message) => {
        if (message.payload?.includes(claimId)) check();
      });
      check();
    });
  } finally {
    await client.query(`UNLISTEN ${CLAIM_CHANNEL}`).catch(() => {});
    client.release();
  }
}

/** For a timeout's message: the claim's status and its queued jobs (who holds them, how often tried). */
async function whereClaimIs(pool: pg.Pool, claimId: string): Promise<string> {
  const { rows: claim } = await pool.query('SELECT status, updated_at FROM claims WHERE claim_id = $1', [claimId]);
  const { rows: jobs } = await pool.query(
    `SELECT t.identifier AS task, j.key, j.run_at, j.attempts, j.locked_at, j.locked_by, j.last_error
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE j.payload->>'claimId' = $1`,
    [claimId],
  );
  return JSON.stringify({ claim: claim[0] ?? null, jobs, now: new Date() });
}

let eligible: Promise<Hospital[]> | null = null;

/** Grade-2-or-higher public general hospitals: where a legitimate claim's visit happens. */
export function eligibleHospitals(): Promise<Hospital[]> {
  eligible ??= loadHospitalRegistry().then((r) => r.hospitals.filter((h) => /^[23]/.test(h.grade) && h.ownership === 'public' && h.type === 'general'));
  return eligible;
}

/** A clean outpatient-bill photo for `payerName`, dated within the last 25 days (Shanghai). */
export async function invoicePhoto(seed: number, payerName: string, options: Partial<Omit<GenerateOptions, 'seed' | 'today'>> = {}) {
  return generateInvoice({
    seed,
    variant: 'clean',
    layout: 'outpatient-grid',
    hospitals: await eligibleHospitals(),
    today: businessDay(new Date()),
    ...options,
    overrides: { payerName, ...options.overrides },
  });
}

// The design's covered categories, written out here rather than read from the rules under test.
const COVERED_CATEGORIES: ReadonlySet<string> = new Set([
  'registration', 'consultation', 'western_medicine', 'chinese_patent_medicine', 'chinese_herbal_medicine', 'examination', 'laboratory', 'treatment',
]);

/** Covered charges of a generated invoice, by the programme's rules: covered items, never more than the patient paid. */
export function coveredByTheRules(truth: InvoiceTruth): number {
  const coveredItemsFen = truth.items.filter((item) => COVERED_CATEGORIES.has(item.category)).reduce((sum, item) => sum + item.amountFen, 0);
  const patientPaidFen = truth.payment.personalAccountFen + truth.payment.personalCashFen;
  return Math.min(coveredItemsFen, patientPaidFen);
}

/** A multipart body of files (field name, file name, type, bytes) and text fields. */
export function multipart(parts: { field: string; filename?: string; type?: string; bytes?: Buffer; value?: string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----carepoints${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.bytes ? `form-data; name="${p.field}"; filename="${p.filename ?? 'photo.jpg'}"` : `form-data; name="${p.field}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.bytes ? `Content-Type: ${p.type ?? 'image/jpeg'}\r\n` : ''}\r\n`));
    chunks.push(p.bytes ?? Buffer.from(p.value ?? ''));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/**
 * A claim approved for `amountFen` without recognition (the payout tests start where a decision ends):
 * recorded, then approved in the merchant's transaction with what an approval names (the invoice, the
 * visit day, the covered charges), which reserves the credit and queues the payout.
 */
export async function approvedClaimOf(
  pool: pg.Pool,
  merchant: { merchantId: number; walletUserId: string },
  approval: { amountFen: number; invoiceNumber: string; visitDay: string; decidedBy?: string },
): Promise<{ claimId: string; payoutId: string }> {
  const claimId = crypto.randomUUID();
  await changeCredit(pool, async (change) => {
    const { client } = change;
    await change.lock([merchant.merchantId]);
    await insertClaim(client, { merchantId: merchant.merchantId, claimId, files: [], submittedAt: new Date() });
    // read, as recognition leaves a claim before a decision: only from there may it be approved
    await client.query("UPDATE claims SET status = 'recognized' WHERE merchant_id = $1 AND claim_id = $2", [merchant.merchantId, claimId]);
    const claim = (await getClaim(client, claimId, merchant.merchantId))!;
    await approveClaim(change, claim, {
      benefitFen: approval.amountFen,
      payeeUserId: merchant.walletUserId,
      decidedBy: approval.decidedBy ?? 'test',
      invoiceCode: '33010126',
      invoiceNumber: approval.invoiceNumber,
      visitDate: approval.visitDay,
      coveredFen: approval.amountFen,
    });
  });
  const { rows } = await pool.query<{ payout_id: string }>('SELECT payout_id FROM payouts WHERE merchant_id = $1 AND claim_id = $2', [merchant.merchantId, claimId]);
  return { claimId, payoutId: rows[0]!.payout_id };
}

const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周杰', '吴霞'];

/** Enrols merchant n under a real name (its invoices' patient) and lets it earn and collect `payers` customers' credit 40 days ago (before any generated visit). */
export async function merchantWithCollectedCredit(pool: pg.Pool, n: number, payers = 5): Promise<{ id: number; walletUserId: string; legalName: string }> {
  const input = enrolment(n, { legalName: NAMES[n % NAMES.length]! });
  await importEnrolments(pool, [{ line: 2, input }], TEST_ID_HASH_KEY, { skipDuplicates: false });
  const { rows } = await pool.query<{ merchant_id: number }>('SELECT merchant_id FROM merchants WHERE wallet_user_id = $1', [input.walletUserId]);
  const id = rows[0]!.merchant_id;
  await earnAndCollect(pool, { id, walletUserId: input.walletUserId }, payers, new Date(Date.now() - 40 * 86_400_000));
  return { id, walletUserId: input.walletUserId, legalName: input.legalName };
}
