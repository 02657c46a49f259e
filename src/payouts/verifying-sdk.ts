/**
 * alipay-sdk with a second, strict response check (see signed-response.ts). One instance per call:
 * the SDK hands no raw text back from exec(), so the instance keeps what its check opened.
 */
import type { KeyObject } from 'node:crypto';
import { AlipaySdk, type AlipaySdkConfig } from 'alipay-sdk';
import { openSignedResponse, type OpenedResponse } from './signed-response.ts';

export class UnverifiedResponseError extends Error {
  override name = 'UnverifiedResponseError';
}

export class VerifyingAlipaySdk extends AlipaySdk {
  /** What the last response check opened; null when exec() never reached the check. */
  opened: OpenedResponse | null = null;
  readonly #gatewayKey: KeyObject;

  constructor(config: AlipaySdkConfig, gatewayKey: KeyObject) {
    super(config);
    this.#gatewayKey = gatewayKey;
  }

  // exec({ validateSign: true }) calls this with the raw answer text before returning any data.
  override checkResponseSign(responseDataRaw: string, responseKey: string, serverSign: string, traceId: string): void {
    this.opened = openSignedResponse(responseDataRaw, responseKey, this.#gatewayKey);
    if (!this.opened.ok) throw new UnverifiedResponseError(this.opened.problem);
    super.checkResponseSign(responseDataRaw, responseKey, serverSign, traceId);
  }
}
