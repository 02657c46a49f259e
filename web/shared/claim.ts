/** The claim as the API returns it (src/claims/schema.ts), the parts the apps show. */
export type ClaimStatus = 'submitted' | 'recognized' | 'in_review' | 'photo_requested' | 'approved' | 'paid' | 'rejected' | 'appealed' | 'appeal_review';

type ClaimFile = { sha256: string; mediaType: string; sizeBytes: number; role: string };

/** The claim's one appeal (src/claims/schema.ts): refusedBy and decidedBy for staff only. */
export interface Appeal {
  appealedAt: string;
  message: string;
  previousFiles: ClaimFile[];
  refusedReasonCodes: string[];
  outcome: 'approved' | 'rejected' | null;
  decidedAt: string | null;
  messageToMerchant: string | null;
  refusedBy?: string;
  decidedBy?: string | null;
}

export interface ClaimEvent {
  at: string;
  status: ClaimStatus;
  code: string;
  zh: string;
  en: string;
  details: unknown;
}

export interface Finding {
  code: string;
  outcome: string;
  ground?: string;
  zh?: string;
  en?: string;
}

export interface Claim {
  id: string;
  merchantId: string;
  status: ClaimStatus;
  submittedAt: string;
  updatedAt: string;
  files: ClaimFile[];
  invoice: { code: string | null; number: string | null; visitDate: string | null; hospitalId: string | null; hospitalName: string | null };
  decision: string | null;
  decidedBy: string | null;
  reasonCodes: string[];
  coveredFen: number | null;
  benefitFen: number | null;
  paidFen: number | null;
  /** How the amount follows from the bill and the credit (src/claims/schema.ts); null before the claim was judged. */
  arithmetic: Arithmetic | null;
  findings: Finding[];
  timeline?: ClaimEvent[];
  /** With the timeline: the appeal (null: none), and until when the refusal can be appealed (null: it cannot). */
  appeal?: Appeal | null;
  appealUntil?: string | null;
}

export interface Arithmetic {
  totalFen: number | null;
  fundsPaidFen: number | null;
  patientPaidFen: number | null;
  coveredFen: number | null;
  capFen: number | null;
  creditAtVisitFen: number | null;
  creditNowFen: number | null;
  /** Null for a refused claim: it pays nothing. */
  amountFen: number | null;
  decidingLimit: 'covered' | 'cap' | 'balance_at_visit' | 'balance_now' | 'reviewer' | null;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

export const TERMINAL_STATUSES: readonly ClaimStatus[] = ['paid', 'rejected'];

/** The text of an event or finding in the reader's language (the API carries both). */
export function say(item: { zh?: string; en?: string }, language: string): string {
  return (language.startsWith('zh') ? item.zh : item.en) ?? item.zh ?? item.en ?? '';
}
