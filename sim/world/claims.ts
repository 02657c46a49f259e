/**
 * Hospital visits and the claims merchants file for them: which merchant claims on which day, the
 * visit (a day the merchant already held credit), the hospital (mostly covered: grade 2 or 3, public;
 * some not), the photo, and the forged claims among them. A claim's photo is described by a spec, so
 * a duplicate can be rendered again from an earlier claim's spec.
 */
import { addDays } from '../../src/shared/business-day.ts';
import type { Hospital } from '../../src/hospitals/record.ts';
import { invoiceContent } from '../invoices/content.ts';
import { issuedBillOf } from '../invoices/issued.ts';
import type { VerifierSandbox } from '../../src/verification/index.ts';
import { generateInvoice, type GeneratedInvoice } from '../invoices/generate.ts';
import { INVOICE_VARIANTS, type PhotoVariant } from '../invoices/degrade.ts';
import { picker } from '../invoices/random.ts';
import { TOPIC, mix, uniform } from './hash.ts';
import type { World } from './world.ts';

export const CLAIM_KINDS = ['legit', 'duplicate', 'rephotographed', 'tampered_total', 'wrong_patient', 'excluded_department', 'excluded_diagnosis'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];
export type ForgedKind = Exclude<ClaimKind, 'legit'>;
/**
 * Excluded care at a covered hospital with ordinary items, shown only by the department printed as
 * a field of its own (科室：口腔科) or by the printed diagnosis (临床诊断：早孕).
 */
const FORGED: readonly ForgedKind[] = ['duplicate', 'rephotographed', 'tampered_total', 'wrong_patient', 'excluded_department', 'excluded_diagnosis'];

export interface PhotoSpec {
  seed: number;
  /** The day the generator counts back from, chosen so the invoice is dated on the visit day. */
  today: string;
  layout: 'outpatient-grid' | 'outpatient-pairs';
  /** An unusable variant (dark, shaken…) only where a claim is meant to be sent back for a new photo. */
  variant: PhotoVariant;
  covered: boolean;
  payerName: string;
  totalFen?: number;
  department?: string;
  diagnosis?: string;
}

export interface CityHospitals {
  /** Grade 2 or 3, public, general: the care the programme covers. */
  covered: readonly Hospital[];
  /** The city's other hospitals: grade 1, private, dental, maternity, cosmetic. */
  uncovered: readonly Hospital[];
}

export function cityHospitals(all: readonly Hospital[], city: string): CityHospitals {
  const inCity = all.filter((h) => h.city === `${city}市` && h.type !== 'community');
  const isCovered = (h: Hospital) => /^[23]/.test(h.grade) && h.ownership === 'public' && h.type === 'general';
  const covered = inCity.filter(isCovered);
  return { covered, uncovered: inCity.filter((h) => !isCovered(h)) };
}

/** Cities where a simulated merchant can see a covered doctor and have the invoice drawn. */
export function simulatedCities(all: readonly Hospital[]): string[] {
  const cities = [...new Set(all.map((h) => h.city.replace(/市$/, '')))];
  return cities.filter((city) => {
    const { covered } = cityHospitals(all, city);
    if (covered.length === 0) return false;
    try {
      invoiceContent(picker(1), 'outpatient-grid', covered, '2026-01-31');
      return true;
    } catch {
      return false; // the generator prints no invoice code for the province
    }
  });
}

export function claimsOn(world: World, merchantIndex: number, day: number): boolean {
  return uniform(world.seed, TOPIC.claim, merchantIndex, day) < world.claimRate;
}

/** A refused claim's merchant contests it with this probability (a draw about the claim, by its id's leading bits). */
export const APPEAL_SHARE = 0.3;

export function appealsRefusal(world: World, claimId: string): boolean {
  return uniform(world.seed, TOPIC.appeal, Number.parseInt(claimId.slice(0, 8), 16)) < APPEAL_SHARE;
}

/** The appeal's new photo: the same invoice shot again, clean (or tilted, when the first was clean). */
export function appealPhoto(spec: PhotoSpec): PhotoSpec {
  return { ...spec, variant: spec.variant === 'clean' ? 'tilt' : 'clean' };
}

/** Forged claims are `fraudRate` of all, their kinds in turn. */
export function forgedKind(world: World, merchantIndex: number, day: number): ForgedKind | null {
  const u = uniform(world.seed, TOPIC.forged, merchantIndex, day);
  return u < world.fraudRate ? FORGED[Math.floor((u / world.fraudRate) * FORGED.length)]! : null;
}

/**
 * The photo of a legitimate visit: `claimDay` the day of the claim, `earliestVisit` the day the
 * merchant first held credit (a visit before it cannot be paid from it).
 */
export function legitPhoto(world: World, hospitals: CityHospitals, merchant: { index: number; legalName: string }, claimDay: string, earliestVisit: string, options: { covered?: boolean } = {}): PhotoSpec {
  const rand = picker(mix(world.seed, TOPIC.photo, merchant.index, Date.parse(claimDay) / 86_400_000));
  // drawn even when chosen (the demo's cast), so that the draws after it stay the same
  const drawn = hospitals.uncovered.length === 0 || rand.chance(0.85);
  const covered = options.covered ?? drawn;
  const layout = rand.chance(0.5) ? 'outpatient-grid' : 'outpatient-pairs';
  const variant = rand.chance(0.5) ? 'clean' : rand.pick(INVOICE_VARIANTS);
  const lagged = addDays(claimDay, -rand.int(0, 2));
  const visit = lagged < earliestVisit ? earliestVisit : lagged;
  const seed = rand.int(1, 2_000_000_000);
  // the generator dates an invoice some days before `today`: find how many, and shift `today` so the visit day comes out
  const probe = invoiceContent(picker(seed), layout, covered ? hospitals.covered : hospitals.uncovered, claimDay);
  const daysBack = Math.round((Date.parse(claimDay) - Date.parse(probe.issueDate)) / 86_400_000);
  return { seed, today: addDays(visit, daysBack), layout, variant, covered, payerName: merchant.legalName };
}

/** A forged claim's photo, from the claimant's own legitimate one or (duplicates) an earlier claim's. */
export function forgedPhoto(kind: ForgedKind, own: PhotoSpec, earlier: PhotoSpec | null, truthTotalFen: number): PhotoSpec {
  switch (kind) {
    case 'duplicate':
      return earlier ? { ...earlier, payerName: own.payerName } : { ...own, totalFen: truthTotalFen * 3 + 1_000 };
    case 'rephotographed':
      return earlier ? { ...earlier, payerName: own.payerName, variant: earlier.variant === 'perspective' ? 'tilt' : 'perspective' } : { ...own, totalFen: truthTotalFen * 3 + 1_000 };
    case 'tampered_total':
      return { ...own, covered: true, totalFen: truthTotalFen * 3 + 1_000 };
    case 'wrong_patient':
      return { ...own, covered: true, payerName: own.payerName.startsWith('欧阳') ? '司马光明' : '欧阳修远' };
    case 'excluded_department':
      return { ...own, covered: true, department: '口腔科' };
    case 'excluded_diagnosis':
      return { ...own, covered: true, diagnosis: '早孕' };
  }
}

export function renderPhoto(spec: PhotoSpec, hospitals: CityHospitals): Promise<GeneratedInvoice> {
  const overrides = {
    payerName: spec.payerName,
    ...(spec.totalFen === undefined ? {} : { totalFen: spec.totalFen }),
    ...(spec.department === undefined ? {} : { department: spec.department }),
    ...(spec.diagnosis === undefined ? {} : { diagnosis: spec.diagnosis }),
  };
  return generateInvoice({ seed: spec.seed, variant: spec.variant, layout: spec.layout, hospitals: spec.covered ? hospitals.covered : hospitals.uncovered, today: spec.today, overrides });
}

/** The untampered total of a spec's invoice, without rendering it. */
export function truthTotalFen(spec: PhotoSpec, hospitals: CityHospitals): number {
  return invoiceContent(picker(spec.seed), spec.layout, spec.covered ? hospitals.covered : hospitals.uncovered, spec.today).totalFen;
}

/** Issues a spec's invoice to the verification service as the hospital issued it, whatever the photo was made to show (a receipt is issued nowhere). */
export function issueBill(verifier: Pick<VerifierSandbox, 'issue'>, spec: PhotoSpec, hospitals: CityHospitals): void {
  const bill = issuedBillOf(invoiceContent(picker(spec.seed), spec.layout, spec.covered ? hospitals.covered : hospitals.uncovered, spec.today));
  if (bill) verifier.issue(bill);
}
