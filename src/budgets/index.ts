/** The programme's liability and its city budgets: the accrual rule the planner applies, the budgets' store, the liability rollup and its arithmetic, the routes. */
export { budgetPeriodOf } from './budget-rules.ts';
export { claimRatio, expectedCostFen, outstandingFen } from './liability.ts';
export { BudgetExists, createBudget, lockBudgetRooms, recordBudgetGrants } from './store.ts';
export { liabilityRows, refreshLiability } from './rollup.ts';
export { budgetRoutes } from './routes.ts';
