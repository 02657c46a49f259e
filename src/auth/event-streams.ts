import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalIsLive, streamOwnerOf } from './principal.ts';
import type { AppContext } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';

/** Open event streams one principal (a session or an API key) may hold in one process; past it 429. */
export const MAX_STREAMS_PER_PRINCIPAL = 5;
/**
 * Every heartbeat keeps proxies from closing the stream and checks that its session is still live,
 * so a stream ends within one heartbeat of a sign-out, revocation or expiry made in any process.
 */
export const STREAM_HEARTBEAT_SECONDS = 15;
const TOO_MANY_STREAMS_RETRY_AFTER_SECONDS = 30;

export interface EventStreamSettings {
  maxStreamsPerPrincipal: number;
  heartbeatSeconds: number;
}

/** The event streams open in this process, counted per principal. */
export interface EventStreams {
  readonly settings: EventStreamSettings;
  readonly openPerPrincipal: Map<string, number>;
}

export function createEventStreams(settings: Partial<EventStreamSettings> = {}): EventStreams {
  return {
    settings: { maxStreamsPerPrincipal: MAX_STREAMS_PER_PRINCIPAL, heartbeatSeconds: STREAM_HEARTBEAT_SECONDS, ...settings },
    openPerPrincipal: new Map(),
  };
}

export interface EventStream {
  /** Writes one event; nothing once the stream has ended. */
  send(event: string, data: unknown, id?: string | number): void;
  /** Ends the stream (idempotent); also runs when the client goes away. */
  end(): void;
  readonly ended: boolean;
  /** Runs once when the stream ends: stop watching whatever feeds it. */
  onEnd(cleanup: () => void): void;
}

/**
 * Takes the response over as a Server-Sent Events stream of the request's (authenticated) principal,
 * or refuses with 429 `too_many_streams` when the principal already holds its limit of streams.
 */
export function openEventStream(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): EventStream {
  const { settings, openPerPrincipal } = ctx.eventStreams;
  const principal = request.principal;
  if (!principal) throw new ApiError(401, 'unauthenticated', 'an event stream needs an authenticated caller', 'authorization');
  const owner = streamOwnerOf(principal);
  const open = openPerPrincipal.get(owner) ?? 0;
  if (open >= settings.maxStreamsPerPrincipal) {
    throw new ApiError(
      429,
      'too_many_streams',
      `at most ${settings.maxStreamsPerPrincipal} event streams may be open at once per session or API key: close one first`,
      undefined,
      TOO_MANY_STREAMS_RETRY_AFTER_SECONDS,
    );
  }
  openPerPrincipal.set(owner, open + 1);

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': connected\n\n');
  const cleanups: (() => void)[] = [];
  let checking = false;
  const heartbeat = setInterval(() => {
    res.write(': keep-alive\n\n');
    // one check at a time: a slow database must not pile them up
    if (checking) return;
    checking = true;
    principalIsLive(ctx, principal).then(
      (live) => {
        checking = false;
        if (!live) stream.end();
      },
      // unsure (database away): end it; the client reconnects and is authenticated afresh
      () => stream.end(),
    );
  }, settings.heartbeatSeconds * 1000);
  const stream: EventStream = {
    ended: false,
    send(event, data, id) {
      if (stream.ended) return;
      res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (stream.ended) return;
      (stream as { ended: boolean }).ended = true;
      clearInterval(heartbeat);
      const left = (openPerPrincipal.get(owner) ?? 1) - 1;
      if (left > 0) openPerPrincipal.set(owner, left);
      else openPerPrincipal.delete(owner);
      for (const cleanup of cleanups) cleanup();
      res.end();
    },
    onEnd(cleanup) {
      cleanups.push(cleanup);
    },
  };
  request.raw.on('close', () => stream.end());
  return stream;
}
