/** Merchant sign-in (one-time codes, sessions), request principals and the append-only audit log (DESIGN.md §2 "Who signs in"). */
export { authenticate, merchantScope, merchantIdOf, type AuthenticateOptions, type Principal, type MerchantPrincipal, type StaffPrincipal, type ScopeOptions } from './principal.ts';
export { recordAudit, actorOf, type AuditEntry, type AuditRecord, type ActorKind } from './audit.ts';
export { DevSmsProvider, SmsDispatcher, type SmsProvider } from './sms.ts';
export { createAuthSettings, DEFAULT_AUTH_LIMITS, type AuthSettings, type AuthLimits, type RateRule } from './settings.ts';
export { findApiKey, apiKeyId } from './api-keys.ts';
export { maskName, maskPhone } from './mask.ts';
export { csrfTokenFor, SESSION_COOKIE } from './sessions.ts';
export { authRoutes } from './routes.ts';
export { staffRoutes } from './staff-routes.ts';
export { addStaffUser, countStaffUsers, StaffUserExists, STAFF_ROLES, STAFF_SESSION_COOKIE, MIN_STAFF_PASSWORD_CHARS, type StaffRole, type StaffUser } from './staff.ts';
export { requireRole, bearerSecurity, SESSION_SECURITY } from './require-role.ts';
export { createEventStreams, openEventStream, type EventStreams, type EventStreamSettings } from './event-streams.ts';
