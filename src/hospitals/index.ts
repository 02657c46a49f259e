/** The hospital registry: reference data in PostgreSQL, its routes, and the copy a process holds of it. */
export { hospitalRoutes, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from './routes.ts';
export { databaseHospitalRegistry, DEFAULT_REGISTRY_MAX_STALE_MS, type HospitalRegistrySource } from './registry.ts';
export {
  DEFAULT_HOSPITALS_CSV,
  HOSPITAL_GRADES,
  HOSPITAL_LIMITS,
  HOSPITAL_OWNERSHIPS,
  HOSPITAL_TYPES,
  HospitalRegistryError,
  loadHospitalRegistry,
  loadHospitals,
  parseHospitalsCsv,
  readHospitalsCsv,
  type Hospital,
  type HospitalGrade,
  type HospitalLineError,
  type HospitalOwnership,
  type HospitalType,
} from './record.ts';
