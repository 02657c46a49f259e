import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { homeRoutes } from './home.ts';

/** Where `src/http/web-build.ts` puts the built apps. */
export const DEFAULT_WEB_DIST = path.resolve(import.meta.dirname, '../../web/dist');
/** Paths that are the server's own: an unknown one is a JSON 404, never an app page. */
const SERVER_PATHS = /^\/(v1|docs|healthz|readyz|metrics)(\/|$)/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

function page(reply: FastifyReply, file: string) {
  // the entry pages name the current hashed assets: always revalidated
  return reply.header('cache-control', 'no-cache').sendFile(file);
}

/**
 * The merchant app at / and the console at /console/, both single-page apps: a GET for a path that
 * is neither a built file nor the server's own answers the app's page (its router takes it from
 * there). Without a build (an API-only checkout) / is the small page that leads to the API docs.
 */
export async function webRoutes(app: FastifyInstance, options: { dist: string }): Promise<void> {
  const dist = options.dist;
  if (!fs.existsSync(path.join(dist, 'merchant', 'index.html'))) {
    await app.register(homeRoutes);
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: false,
    index: false,
    // the build wrote .br and .gz beside each text file: sent as they are to a client that accepts them
    preCompressed: true,
    // ours, not the plugin's (its own header, max-age=0, would replace the immutable one)
    cacheControl: false,
    setHeaders: (res, file) => {
      res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? IMMUTABLE : 'no-cache');
    },
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => page(reply, 'merchant/index.html'));
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/'));
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const url = request.url.split('?')[0]!;
    // a missing asset (a file name with an extension) stays a 404, as do the server's own paths
    if (SERVER_PATHS.test(url) || /\.[a-z0-9]+$/i.test(url)) return reply.callNotFound();
    return page(reply, url.startsWith('/console/') ? 'console/index.html' : 'merchant/index.html');
  });
}
