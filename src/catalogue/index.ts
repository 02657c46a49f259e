/** The catalogue: other services merchants spend credit on (items are reference data; orders are the merchant's). */
export { catalogueRoutes } from './routes.ts';
export { addItem, listItems, placeOrder, type CatalogueItem, type CatalogueOrder, type ItemFields } from './store.ts';
