import Type from 'typebox';
import { ID_PATTERN, PHONE_PATTERN } from '../http/schemas.ts';
import { MAX_CITY_CHARS, MAX_LEGAL_NAME_CHARS, WALLET_USER_ID_PATTERN } from './types.ts';

export const EnrolmentSchema = Type.Object(
  {
    walletUserId: Type.String({ pattern: WALLET_USER_ID_PATTERN, description: "The merchant's wallet user id (2088 followed by 12 digits)", examples: ['2088102177766500'] }),
    legalName: Type.String({ minLength: 1, maxLength: MAX_LEGAL_NAME_CHARS, pattern: '^\\S(.*\\S)?$', description: 'Name on the resident ID; the patient name on invoices must match it', examples: ['张三'] }),
    idNumber: Type.String({ minLength: 18, maxLength: 18, description: 'Resident ID number (GB 11643, 18 characters); only its keyed hash is stored', examples: ['11010519491231002X'] }),
    phone: Type.String({ pattern: PHONE_PATTERN, description: 'Mainland mobile number, 11 digits', examples: ['13800138000'] }),
    city: Type.String({ minLength: 1, maxLength: MAX_CITY_CHARS, pattern: '^\\S(.*\\S)?$', examples: ['杭州'] }),
    enrolledAt: Type.String({ format: 'date-time', description: 'When the merchant enrolled (RFC 3339 with offset)', examples: ['2026-11-24T08:00:00+08:00'] }),
  },
  { additionalProperties: false },
);

export const MerchantSchema = Type.Object(
  {
    id: Type.String({ pattern: ID_PATTERN }),
    object: Type.Literal('merchant'),
    walletUserId: Type.String(),
    legalName: Type.String(),
    idNumberHash: Type.String({ description: 'HMAC-SHA256 of the resident ID number' }),
    phone: Type.String(),
    city: Type.String(),
    enrolledAt: Type.String({ format: 'date-time' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  {},
);

