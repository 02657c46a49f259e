/** Merchants: enrolment (one by one and by file), look-ups, and the merchant's own resource (DESIGN.md §2 "Who takes part"). */
export { merchantRoutes } from './routes.ts';
export { meRoutes } from './me-routes.ts';
export { enrolMerchant, getMerchant, merchantCities, merchantIdsByPhone, importEnrolments, resolveIdHashKey, DuplicateMerchantError, type ImportOutcome } from './store.ts';
export { enrolmentProblem, normaliseEnrolment, hashIdNumber } from './enrolment.ts';
export { EnrolmentSchema, MerchantSchema } from './schema.ts';
export { residentIdCheckChar, residentIdProblem } from './resident-id.ts';
export type { Merchant, EnrolmentInput } from './types.ts';
