import type pg from 'pg';
import { recordAudit } from './audit.ts';
import { maskPhone } from './mask.ts';
import { checkCode, consumeCode, countFailedAttempt, countRateEvent, retryAfterSeconds, type CodeCheck } from './otp.ts';
import { createSession, type Session, type SessionClient } from './sessions.ts';
import type { AuthSettings } from './settings.ts';

export interface SignInInput {
  phone: string;
  code: string;
  client: SessionClient;
  /** Needed only when the phone is enrolled for several merchants. */
  merchantId?: number;
  /** The client's rate-limit key (see rateKeyOfAddress). */
  address: string;
  /** The client's address as seen, for the session and the audit log. */
  ip: string;
  now: Date;
}

export type SignInOutcome =
  | { ok: true; session: Session & { token: string } }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number }
  | { ok: false; reason: 'missing' | 'expired' | 'exhausted' }
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'choose_merchant'; merchantIds: number[] }
  | { ok: false; reason: 'merchant_not_found' };

/**
 * Phone + code → a session, in one transaction: the code is checked (a wrong one counted), consumed,
 * the session written and the sign-in audited; a failure is audited and counted against the address.
 */
export async function signIn(pool: pg.Pool, settings: AuthSettings, input: SignInInput): Promise<SignInOutcome> {
  const { phone, now, address } = input;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const wait = await retryAfterSeconds(client, 'sign_in_ip', address, settings.limits.failedSignInsPerAddress, now);
    if (wait !== null) {
      await client.query('ROLLBACK');
      return { ok: false, reason: 'rate_limited', retryAfterSeconds: wait };
    }
    let check: CodeCheck = await checkCode(client, settings.otpKey, phone, input.code, now);
    const merchantIds = await settings.merchantIdsByPhone(client, phone);
    // a code that matches for a phone with no merchant (enrolment since withdrawn) is as good as wrong
    if (check.status === 'match' && merchantIds.length === 0) check = { status: 'wrong', attemptsLeft: await countFailedAttempt(client, phone) };

    if (check.status === 'match') {
      let merchantId: number | undefined;
      if (input.merchantId !== undefined) {
        if (!merchantIds.includes(input.merchantId)) {
          await client.query('ROLLBACK');
          return { ok: false, reason: 'merchant_not_found' };
        }
        merchantId = input.merchantId;
      } else if (merchantIds.length > 1) {
        await client.query('ROLLBACK');
        return { ok: false, reason: 'choose_merchant', merchantIds };
      } else {
        merchantId = merchantIds[0]!;
      }
      await consumeCode(client, phone);
      const session = await createSession(client, { merchantId, client: input.client, address: input.ip, now });
      await recordAudit(client, {
        at: now,
        actorKind: 'merchant',
        actorId: merchantId,
        action: 'auth.sign_in',
        subjectKind: 'session',
        subjectId: session.sessionId,
        details: { client: input.client, ip: input.ip, expiresAt: session.expiresAt.toISOString() },
      });
      await client.query('COMMIT');
      return { ok: true, session };
    }

    await countRateEvent(client, 'sign_in_ip', address, now);
    await recordAudit(client, {
      at: now,
      actorKind: 'anonymous',
      actorId: input.ip.slice(0, 200) || 'unknown',
      action: 'auth.sign_in_failed',
      // the phone itself stays out of the append-only log: the merchant when there is exactly one, else the masked number
      ...(merchantIds.length === 1 ? { subjectKind: 'merchant', subjectId: merchantIds[0]! } : { subjectKind: 'phone', subjectId: maskPhone(phone) }),
      details: { reason: check.status, ...(check.status === 'wrong' ? { attemptsLeft: check.attemptsLeft } : {}), client: input.client },
    });
    await client.query('COMMIT');
    return check.status === 'wrong' ? { ok: false, reason: 'wrong', attemptsLeft: check.attemptsLeft } : { ok: false, reason: check.status };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
