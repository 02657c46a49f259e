import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';

/** Sends a text message to a mainland mobile number. Throwing means "not sent". */
export interface SmsProvider {
  send(phone: string, text: string): Promise<void>;
}

/**
 * The development provider: nothing leaves the machine. The text is logged (through the app's pino
 * logger) and, with `outbox` (development builds), written to `dev_sms_outbox`, which the
 * development-only GET /v1/dev/otp reads.
 */
export class DevSmsProvider implements SmsProvider {
  constructor(
    private readonly pool: pg.Pool,
    private readonly log: FastifyBaseLogger,
    private readonly options: { outbox: boolean } = { outbox: true },
  ) {}

  async send(phone: string, text: string): Promise<void> {
    this.log.info({ component: 'dev-sms', phone, text }, 'development SMS (not sent): %s', text);
    if (this.options.outbox) await this.pool.query('INSERT INTO dev_sms_outbox (phone, text) VALUES ($1, $2)', [phone, text]);
  }
}

/** How long the operator's SMS gateway may take to accept a text. */
const SMS_GATEWAY_TIMEOUT_MS = 10_000;

/**
 * The operator's SMS gateway (production): each text is POSTed as JSON { phone, text } with a bearer
 * token; any answer but 2xx means "not sent". The token is never logged.
 */
export class HttpSmsProvider implements SmsProvider {
  constructor(private readonly gateway: { url: string; token: string }) {}

  async send(phone: string, text: string): Promise<void> {
    const answer = await fetch(this.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.gateway.token}` },
      body: JSON.stringify({ phone, text }),
      signal: AbortSignal.timeout(SMS_GATEWAY_TIMEOUT_MS),
    });
    if (!answer.ok) throw new Error(`the SMS gateway answered ${answer.status}`);
  }
}

/**
 * Sends without making the HTTP answer wait: the answer to a code request must not take longer for an
 * enrolled phone than for any other. Failures are logged; `settled()` waits for what is in flight
 * (at close, and for the development endpoint that reads what was sent).
 */
export class SmsDispatcher {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly provider: SmsProvider,
    private readonly log: FastifyBaseLogger,
  ) {}

  dispatch(phone: string, text: string): void {
    const sending: Promise<void> = this.provider
      .send(phone, text)
      .catch((err: unknown) => this.log.error({ err, component: 'sms' }, 'SMS not sent: the sign-in code is lost; the merchant can request another'))
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/** The sign-in text (the code is its only run of six digits). */
export function signInText(code: string, lifetimeMinutes: number): string {
  return `【Carepoints】您的登录验证码是 ${code}，${lifetimeMinutes} 分钟内有效。请勿告诉他人。`;
}
