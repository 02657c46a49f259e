/** Read-only figures across capabilities for the operations console. */
export { reportRoutes } from './routes.ts';
export { dashboard, TIME_TO_MONEY_BUCKETS_S, type Dashboard, type DailyRow } from './dashboard.ts';
