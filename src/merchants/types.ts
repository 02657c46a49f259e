export interface Merchant {
  id: number;
  walletUserId: string;
  legalName: string;
  idNumberHash: string;
  phone: string;
  city: string;
  enrolledAt: Date;
  createdAt: Date;
}

/** An enrolment as received (HTTP body or CSV row), before hashing the resident ID. */
export interface EnrolmentInput {
  walletUserId: string;
  legalName: string;
  idNumber: string;
  phone: string;
  city: string;
  enrolledAt: string;
}

/** Ids on the wire: at most 15 digits, so that every id is a safe integer (2^53 has 16 digits). */
export const WALLET_USER_ID_PATTERN = '^2088[0-9]{12}$';
export const MAX_LEGAL_NAME_CHARS = 64;
export const MAX_CITY_CHARS = 32;
