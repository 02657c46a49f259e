import { type HospitalRegistry } from '../../src/recognition/hospitals.ts';
import { loadHospitalRegistry } from '../../src/hospitals/record.ts';

/** Generated invoices count back from this day; recognition checks them as of the next morning. */
export const TODAY = '2026-03-20';
export const NOW = new Date('2026-03-21T09:00:00+08:00');

let registry: Promise<HospitalRegistry> | undefined;
export function seedRegistry(): Promise<HospitalRegistry> {
  registry ??= loadHospitalRegistry();
  return registry;
}
