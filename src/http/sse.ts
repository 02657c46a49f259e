import type { FastifyReply, FastifyRequest } from 'fastify';

const HEARTBEAT_MS = 15_000;

export interface EventStream {
  /** Writes one event; nothing once the stream has ended. */
  send(event: string, data: unknown, id?: string | number): void;
  /** Ends the stream (idempotent); also runs when the client goes away. */
  end(): void;
  readonly ended: boolean;
  /** Runs once when the stream ends: stop watching whatever feeds it. */
  onEnd(cleanup: () => void): void;
}

/** Takes the response over as a Server-Sent Events stream, with a heartbeat that keeps proxies from closing it. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': connected\n\n');
  const cleanups: (() => void)[] = [];
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
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
