import { apiClient, type CatalogueItem } from '../shared/api.ts';
import type { Claim, Page } from '../shared/claim.ts';
import type { HistoryTransfer } from '../shared/history.ts';

export type { CatalogueItem } from '../shared/api.ts';

export interface Me {
  id: string;
  legalName: string;
  phone: string;
  city: string;
  session: { expiresAt: string; csrfToken?: string };
}

export interface CreditSummary {
  availableFen: number;
  reservedFen: number;
  debtFen: number;
  waiting: { amountFen: number; lots: number; collectBy: string | null };
  expiring: { amountFen: number; withinDays: number; firstExpiresAt: string | null };
  today: { businessDay: string; earningPayers: number; payersPerDay: number };
}

/** A ledger transfer as the API answers it: the history folds them into events (web/shared/history.ts). */
export type Transfer = HistoryTransfer;


export interface CatalogueOrder {
  id: string;
  itemNameZh: string;
  itemNameEn: string;
  quantity: number;
  amountFen: number;
  createdAt: string;
}

export interface MerchantNotification {
  id: string;
  at: string;
  kind: string;
  claimId: string | null;
  zh: string;
  en: string;
  readAt: string | null;
}

let expired: () => void = () => {};
/** The app sets this: a 401 on a signed-in call means the session ended. */
export function onSessionExpired(handler: () => void): void {
  expired = handler;
}

export const http = apiClient({ onUnauthenticated: () => expired() });

/** GET /v1/me/budget: the merchant's city budget this month, if the city has one, and when a paused month earns again. */
export interface BudgetPolicy {
  city: string;
  period: string;
  resumesOn: string;
  budget: { limitFen: number; grantedFen: number; reached: boolean } | null;
}

export const merchantApi = {
  requestCode: (phone: string) => http.request('POST', '/v1/auth/otp', { phone }),
  signIn: (phone: string, code: string) => http.request<{ merchantId: string; csrfToken: string }>('POST', '/v1/auth/sessions', { phone, code, client: 'browser' }),
  signOut: () => http.request<null>('DELETE', '/v1/auth/session'),
  me: () => http.request<Me>('GET', '/v1/me'),
  budget: () => http.request<BudgetPolicy>('GET', '/v1/me/budget'),
  summary: (id: string) => http.request<CreditSummary>('GET', `/v1/merchants/${id}/credit-summary`),
  collect: (id: string) => http.request<{ collectedFen: number }>('POST', `/v1/merchants/${id}/credits:collect`),
  transfers: (id: string, cursor: string | null) => http.request<Page<Transfer>>('GET', `/v1/merchants/${id}/transfers?limit=20${cursor ? `&cursor=${cursor}` : ''}`),
  claims: (cursor: string | null) => http.request<Page<Claim>>('GET', `/v1/claims?limit=20${cursor ? `&cursor=${cursor}` : ''}`),
  claim: (id: string) => http.request<Claim>('GET', `/v1/claims/${id}`),
  submitClaim: (form: FormData, onProgress: (f: number) => void, idempotencyKey: string) => http.upload<Claim>('/v1/claims', form, onProgress, { 'idempotency-key': idempotencyKey }),
  catalogue: () => http.request<{ data: CatalogueItem[] }>('GET', '/v1/catalogue/items'),
  orders: (id: string) => http.request<Page<CatalogueOrder>>('GET', `/v1/merchants/${id}/catalogue-orders?limit=20`),
  order: (id: string, itemId: string, idempotencyKey: string) => http.request<CatalogueOrder>('POST', `/v1/merchants/${id}/catalogue-orders`, { itemId, quantity: 1 }, { 'idempotency-key': idempotencyKey }),
  notifications: (id: string, cursor: string | null) =>
    http.request<Page<MerchantNotification> & { unread: number }>('GET', `/v1/merchants/${id}/notifications?limit=20${cursor ? `&cursor=${cursor}` : ''}`),
  markRead: (id: string, upToId: string) => http.request<{ unread: number }>('POST', `/v1/merchants/${id}/notifications:read`, { upToId }),
  retake: (id: string, form: FormData, onProgress: (f: number) => void) => http.upload<Claim>(`/v1/claims/${id}/photos`, form, onProgress),
  appeal: (id: string, form: FormData, onProgress: (f: number) => void, idempotencyKey: string) =>
    http.upload<Claim>(`/v1/claims/${id}/appeal`, form, onProgress, { 'idempotency-key': idempotencyKey }),
};
