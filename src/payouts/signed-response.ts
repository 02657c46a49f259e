/**
 * The signed answer of a v2 API call: `{"<method>_response":<member JSON>,"sign":"<RSA2 of that JSON
 * text>"}`. The sandbox writes it; the client opens it itself on top of the SDK's own check, because
 * alipay-sdk 4.14 verifies a substring but reads its data with JSON.parse: a genuine signed answer with
 * a second, forged `..._response` member appended after `sign` passes the SDK's check and the SDK
 * returns the forged member (JSON.parse keeps the last duplicate key). Only an answer of exactly this
 * layout, whose member text verifies, is read; its data is parsed from the verified text alone.
 */
import type { KeyObject } from 'node:crypto';
import { signTextRsa2, verifyTextRsa2 } from '../shared/rsa2.ts';

export function signedResponseText(responseKey: string, member: Record<string, unknown>, privateKey: KeyObject): string {
  const memberText = JSON.stringify(member);
  return `{${JSON.stringify(responseKey)}:${memberText},"sign":${JSON.stringify(signTextRsa2(memberText, privateKey))}}`;
}

export type OpenedResponse = { ok: true; member: Record<string, unknown> } | { ok: false; problem: string };

const SIGN_TAIL = /,"sign":"([A-Za-z0-9+/]+={0,2})"\}$/;

export function openSignedResponse(raw: unknown, responseKey: string, publicKey: KeyObject): OpenedResponse {
  if (typeof raw !== 'string') return { ok: false, problem: 'no answer text' };
  const text = raw.trim();
  const head = `{${JSON.stringify(responseKey)}:`;
  const tail = SIGN_TAIL.exec(text);
  if (!text.startsWith(head) || tail === null || tail.index < head.length) {
    return { ok: false, problem: `the answer is not exactly {"${responseKey}":{...},"sign":"..."}` };
  }
  const memberText = text.slice(head.length, tail.index);
  if (!verifyTextRsa2(memberText, tail[1], publicKey)) return { ok: false, problem: 'the answer signature does not verify with the gateway public key' };
  let member: unknown;
  try {
    member = JSON.parse(memberText);
  } catch {
    return { ok: false, problem: 'the signed member is not JSON' };
  }
  if (typeof member !== 'object' || member === null || Array.isArray(member)) return { ok: false, problem: 'the signed member is not a JSON object' };
  return { ok: true, member: member as Record<string, unknown> };
}
