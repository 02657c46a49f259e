export { CHARGE_CATEGORIES, normaliseChargeCategory, type ChargeCategory } from './categories.ts';
export { checkInvoice, type CheckOptions } from './checks.ts';
export { runRecognizeCommand, RECOGNIZE_USAGE, type RecognizedFile } from './cli.ts';
export { RecognitionError, type RecognitionErrorCode } from './errors.ts';
export {
  createHospitalRegistry,
  DEFAULT_HOSPITALS_CSV,
  HOSPITAL_GRADES,
  HOSPITAL_LIMITS,
  HOSPITAL_OWNERSHIPS,
  HOSPITAL_TYPES,
  HospitalRegistryError,
  loadHospitalRegistry,
  parseHospitalsCsv,
  readHospitalsCsv,
  type Hospital,
  type HospitalGrade,
  type HospitalLineError,
  type HospitalMatch,
  type HospitalOwnership,
  type HospitalRegistry,
  type HospitalType,
} from './hospitals.ts';
export { showsAnInvoice } from './invoice-found.ts';
export { MAX_INPUT_BYTES, MAX_INPUT_PIXELS } from './input.ts';
export { parseAmountInWords } from './amount-words.ts';
export { assessPhoto } from './photo.ts';
export { createRecognizerPool, RecognizerBusyError, type RecognizerPoolOptions } from './pool.ts';
export type { QrPayload } from './qr-payload.ts';
export { PHOTO_QUALITY_REASONS, QUALITY_LIMITS, type PhotoMeasures, type PhotoQuality, type PhotoQualityIssue, type PhotoQualityReason } from './quality.ts';
export { createRecognizer, type RecognizeOptions, type Recognizer, type RecognizerOptions } from './recognizer.ts';
export type { Field, Finding, FindingCode, HospitalField, Invoice, InvoiceKind, LineItem, PaymentSplit, RecognitionResult, RecognitionTimings } from './types.ts';
