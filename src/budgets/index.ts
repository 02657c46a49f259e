/** The programme's liability and its city budgets: the accrual rule the planner applies, the budgets' store, the liability rollup and its arithmetic, the routes. */
export { budgetKey, budgetPeriodOf, periodResumesOn, takeFromBudget, thresholdsReached, type BudgetRoom } from './budget-rules.ts';
export { claimRatio, expectedCostFen, forecastLiability, liabilityReport, outstandingFen, sumByDay, type CityDay, type DayFigures, type ForecastDay, type LiabilityReport } from './liability.ts';
export { budgetOfCity, BudgetExists, createBudget, getBudget, listBudgets, lockBudgetRooms, recordBudgetGrants, BUDGET_ALERT_KIND, type CityBudget } from './store.ts';
export { liabilityRows, refreshLiability } from './rollup.ts';
export { budgetRoutes } from './routes.ts';
