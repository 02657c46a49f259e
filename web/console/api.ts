import type { Dashboard } from '../../src/reports/dashboard.ts';
import { apiClient, type CatalogueItem } from '../shared/api.ts';
import type { Claim } from '../shared/claim.ts';

/** The dashboard as the server's report builds it (type-only: nothing of it reaches the bundle). */
export type { Dashboard } from '../../src/reports/dashboard.ts';
export type { AuditStatistics } from '../../src/audits/statistics.ts';
import type { AuditStatistics } from '../../src/audits/statistics.ts';
import type { DeferredCheck as ServerDeferredCheck, VerificationSummary } from '../../src/claims/verification-store.ts';
import type { CacheState } from '../../src/verification/store.ts';
/** What the invoices' issuers said (GET /v1/verifications/summary), and the cache and daily limit. */
export type VerificationFigures = VerificationSummary & { cache: CacheState };
import type { OverpaidReason } from '../../src/audits/reasons.ts';
export type { CatalogueItem } from '../shared/api.ts';

export type StaffRole = 'admin' | 'reviewer' | 'analyst';
export interface StaffSession {
  staff: { id: string; username: string; displayName: string; role: StaffRole };
  expiresAt: string;
  csrfToken: string;
}
export interface QueueItem {
  claim: Claim;
  ageSeconds: number;
  overdue: boolean;
  merchantName: string | null;
  hospitalName: string | null;
  why: { zh: string; en: string } | null;
}
/** Waiting for a reviewer's decision, or for the merchant's new photo. */
export type QueueStatus = 'in_review' | 'photo_requested' | 'appeal_review';
export interface Decision {
  action: 'approve' | 'reject' | 'request_photo';
  reasonCode: string;
  amountFen?: number;
  /** Internal: the audit log keeps it; the merchant never sees it. */
  note?: string;
  /** Shown to the merchant in the claim's timeline. */
  messageToMerchant?: string;
  /** approve: what the machine could not read, as printed (the rules judge them like any reading). */
  invoiceCode?: string;
  invoiceNumber?: string;
  visitDate?: string;
  hospitalId?: string;
  coveredFen?: number;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}
export interface Merchant {
  id: string;
  legalName: string;
  phone: string;
  city: string;
  walletUserId: string;
  enrolledAt: string;
}
export interface Transfer {
  id: string;
  amountFen: number;
  code: string;
  phase: string;
  reference: string | null;
  createdAt: string;
}
export interface CreditSummary {
  availableFen: number;
  reservedFen: number;
  debtFen: number;
  waiting: { amountFen: number };
  expiring: { amountFen: number };
}
export interface Hospital {
  id: string;
  name: string;
  aliases: string[];
  province: string;
  city: string;
  grade: string;
  ownership: string;
  type: string;
}
export type HospitalChange = Partial<Pick<Hospital, 'grade' | 'ownership' | 'type'>>;
export interface HospitalImport {
  created: number;
  updated: number;
  unchanged: number;
}
/** A refused import's faults, by line of the file. */
export interface ImportLineError {
  line: number;
  message: string;
}
export type AccrualRules = Record<string, unknown>;
export interface Ruleset {
  id: number;
  name: string;
  version: number;
  effectiveFrom: string;
  adopted: boolean;
  rules: AccrualRules;
}
/** The parameters of a claims ruleset the console shows (the API returns all of src/claims/rules.ts). */
export interface ClaimRuleset extends Omit<Ruleset, 'rules'> {
  rules: { perClaimCapFen: number; maxVisitAgeDays: number; eligibleGrades: string[]; exclusions: { reason: string; zh: string; en: string }[] };
}
export interface Payout {
  id: string;
  merchantId: string;
  claimId: string;
  amountFen: number;
  state: string;
  attempts: number;
  failureCode: string | null;
  createdAt: string;
  settledAt: string | null;
}
export interface Alert {
  id: string;
  kind: string;
  subject: string;
  at: string;
  resolvedAt: string | null;
}
export interface DeadJob {
  id: string;
  task: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}
export interface ParkedNotification {
  id: string;
  tradeNo: string;
  source: string;
  error: string;
  times: number;
  lastParkedAt: string;
}

const page = (cursor: string | null) => (cursor ? `&cursor=${cursor}` : '');

let expired: () => void = () => {};
/** GET /v1/liability: the liability by day and city, its expected cost and forecast. */
export interface Liability {
  claimRatio: number | null;
  refreshedAt: string | null;
  days: { day: string; pendingFen: number; availableFen: number; reservedFen: number; outstandingFen: number; expectedCostFen: number | null; grantedFen: number; claimedFen: number; lostFen: number }[];
  cities: { city: string; day: string; pendingFen: number; availableFen: number; reservedFen: number; outstandingFen: number; claimRatio: number | null; expectedCostFen: number | null }[];
  forecast: { day: string; outstandingFen: number; expectedCostFen: number | null }[];
}

/** A city's budget for a month, as GET /v1/budgets lists it. */
export interface CityBudget {
  id: string;
  city: string;
  period: string;
  limitFen: number;
  grantedFen: number;
  alertPercents: number[];
  reachedAt: string | null;
  alerts: { percent: number; at: string }[];
  createdAt: string;
  createdBy: string;
}

/** A paid claim drawn for audit, as GET /v1/audits lists it. */
export interface AuditItem {
  audit: { merchantId: number; claimId: string; payoutId: string; paidFen: number; drawnBecause: 'sample' | 'amount' | 'verification'; drawnAt: string; status: 'pending' | 'confirmed' | 'overpaid' };
  merchantName: string | null;
  benefitFen: number | null;
  visitDate: string | null;
  invoiceCode: string | null;
  invoiceNumber: string | null;
}
/** A claim decided without its issuer, as GET /v1/verifications/deferred lists it (its instants as JSON gives them). */
export type DeferredCheck = Omit<ServerDeferredCheck, 'checkedAt' | 'settledAt'> & { checkedAt: string; settledAt: string | null };
export type AuditDecision = { outcome: 'confirmed' } | { outcome: 'overpaid'; dueFen: number; reasonCode: OverpaidReason; note?: string };

export function onSessionExpired(handler: () => void): void {
  expired = handler;
}

// the header tells the server to use the console's cookie even where a merchant cookie is present too
export const http = apiClient({ extraHeaders: { 'x-carepoints-app': 'console' }, onUnauthenticated: () => expired() });

export const consoleApi = {
  signIn: (username: string, password: string) => http.request<StaffSession>('POST', '/v1/staff/sessions', { username, password }),
  me: () => http.request<StaffSession>('GET', '/v1/staff/me'),
  signOut: () => http.request<null>('DELETE', '/v1/staff/session'),
  queue: (status: QueueStatus) => http.request<{ data: QueueItem[]; slaHours: number }>('GET', `/v1/review/claims?status=${status}&limit=100`),
  claim: (id: string) => http.request<Claim>('GET', `/v1/claims/${id}`),
  decide: (id: string, decision: Decision) => http.request<Claim>('POST', `/v1/review/claims/${id}/decision`, decision),
  dashboard: (days: number) => http.request<Dashboard>('GET', `/v1/reports/dashboard?days=${days}`),
  merchants: (q: string, cursor: string | null) => http.request<Page<Merchant>>('GET', `/v1/merchants?q=${encodeURIComponent(q)}${page(cursor)}`),
  creditSummary: (id: string) => http.request<CreditSummary>('GET', `/v1/merchants/${id}/credit-summary`),
  transfers: (id: string, cursor: string | null) => http.request<Page<Transfer>>('GET', `/v1/merchants/${id}/transfers?limit=20${page(cursor)}`),
  signals: (id: string) => http.request<{ signals: Record<string, number> }>('GET', `/v1/merchants/${id}/signals`),
  hospitals: (q: string, cursor: string | null) => http.request<Page<Hospital> & { total: number }>('GET', `/v1/hospitals?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}${page(cursor)}`),
  changeHospital: (id: string, change: HospitalChange) => http.request<Hospital>('PATCH', `/v1/hospitals/${encodeURIComponent(id)}`, change),
  /** The CSV file as it is; a refusal is an ApiFailure whose details carry `lines`. */
  importHospitals: (file: Blob) => http.request<HospitalImport>('POST', '/v1/hospitals:import', file, { 'content-type': 'text/csv' }),
  rulesets: () => http.request<{ data: Ruleset[]; paramsSchema: unknown }>('GET', '/v1/rulesets'),
  claimRulesets: () => http.request<{ data: ClaimRuleset[] }>('GET', '/v1/claim-rulesets'),
  publishRuleset: (body: { name: string; effectiveFrom: string; params: AccrualRules; adopt: boolean }) => http.request<Ruleset>('POST', '/v1/rulesets', body),
  catalogue: () => http.request<{ data: CatalogueItem[] }>('GET', '/v1/catalogue/items?includeInactive=true'),
  addItem: (item: Omit<CatalogueItem, 'id'>, idempotencyKey: string) => http.request<CatalogueItem>('POST', '/v1/catalogue/items', item, { 'idempotency-key': idempotencyKey }),
  changeItem: (id: string, change: Partial<CatalogueItem>) => http.request<CatalogueItem>('PATCH', `/v1/catalogue/items/${id}`, change),
  payouts: (state: string | null, cursor: string | null) => http.request<Page<Payout>>('GET', `/v1/payouts?limit=50${state ? `&state=${state}` : ''}${page(cursor)}`),
  audits: (cursor: string | null) => http.request<Page<AuditItem>>('GET', `/v1/audits?limit=50${page(cursor)}`),
  auditStatistics: () => http.request<AuditStatistics>('GET', '/v1/audits/statistics'),
  verificationSummary: () => http.request<VerificationFigures>('GET', '/v1/verifications/summary'),
  deferredChecks: (cursor: string | null) => http.request<Page<DeferredCheck>>('GET', `/v1/verifications/deferred?limit=50${page(cursor)}`),
  decideAudit: (claimId: string, decision: AuditDecision) => http.request<AuditItem['audit']>('POST', `/v1/audits/${claimId}/decision`, decision),
  liability: (days: number) => http.request<Liability>('GET', `/v1/liability?days=${days}&horizon=14`),
  budgets: (cursor: string | null) => http.request<Page<CityBudget>>('GET', `/v1/budgets?limit=20${page(cursor)}`),
  createBudget: (body: { city: string; period: string; limitFen: number; alertPercents: number[] }, idempotencyKey: string) =>
    http.request<CityBudget>('POST', '/v1/budgets', body, { 'idempotency-key': idempotencyKey }),
  alerts: () => http.request<{ data: Alert[] }>('GET', '/v1/ops/alerts'),
  deadJobs: () => http.request<{ data: DeadJob[] }>('GET', '/v1/ops/dead-jobs'),
  retryJob: (id: string) => http.request<DeadJob>('POST', `/v1/ops/jobs/${id}/retry`),
  parked: () => http.request<Page<ParkedNotification>>('GET', '/v1/ops/parked-notifications'),
  /** A claim's image as an object URL (fetched with the console's header, which an <img> cannot send). */
  async image(claimId: string, sha256: string): Promise<string> {
    const res = await fetch(`/v1/claims/${claimId}/files/${sha256}`, { headers: { 'x-carepoints-app': 'console' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return URL.createObjectURL(await res.blob());
  },
};
