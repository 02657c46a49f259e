/** Operations' own routes: dead jobs and their retry, operator alerts. */
export { opsRoutes } from './routes.ts';
