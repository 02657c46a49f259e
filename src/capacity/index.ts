/** Capacity planning: national figures (cores, database nodes, WAL and storage) from the benches' measured rates. */
export { BenchResultsError, benchResultPath, readBenchResult, type BenchFigure, type BenchName, type BenchResult } from './results.ts';
export { DEFAULT_ASSUMPTIONS, planCapacity, type Assumption, type Assumptions, type CapacityPlan, type Measured, type MeasuredRates } from './plan.ts';
export { loadMeasuredRates } from './rates.ts';
export { renderPlan } from './render.ts';
