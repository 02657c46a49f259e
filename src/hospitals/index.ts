/** The hospital registry: reference data in PostgreSQL, its routes, and the copy a process holds of it. */
export { hospitalRoutes, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from './routes.ts';
export { databaseHospitalRegistry, DEFAULT_REGISTRY_MAX_STALE_MS, type HospitalRegistrySource } from './registry.ts';
