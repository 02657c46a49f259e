/**
 * Errors Fastify and Node's HTTP parser raise before our handlers run, in the API's one error shape,
 * with the limit that applied (each route may have its own body limit).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, type ErrorBody } from './errors.ts';

/** Longest path parameter the router matches; an id is far shorter. */
export const MAX_PARAM_CHARS = 200;

/** 65536 → "64 KiB", 16777216 → "16 MiB": the unit a person would use for a limit. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

type Refusal = { status: number; body: ErrorBody };

const refuse = (status: number, code: string, message: string): Refusal => ({ status, body: errorBody(code, message) });

/** Our answer to one of Fastify's own errors; null when the code is not one of them. */
export function fastifyRefusal(err: FastifyError, request: FastifyRequest): Refusal | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return refuse(413, 'payload_too_large', `request body exceeds ${describeBytes(request.routeOptions.bodyLimit ?? 0)}, the limit of ${request.method} ${request.routeOptions.url ?? request.url}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return refuse(415, 'unsupported_media_type', `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted by ${request.method} ${request.routeOptions.url ?? request.url}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return refuse(400, 'malformed_body', 'empty JSON body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return refuse(400, 'malformed_body', 'body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return refuse(400, 'malformed_body', 'Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return refuse(400, 'bad_url', 'the path is not valid percent-encoded UTF-8');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return refuse(414, 'uri_too_long', `a path parameter is longer than ${MAX_PARAM_CHARS} characters`);
    default:
      return null;
  }
}

/** Fastify's frameworkErrors option: router errors (bad URL, over-long parameter) in our shape. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const refusal = fastifyRefusal(err, request) ?? refuse(400, 'bad_request', err.message);
  void reply.code(refusal.status).send(refusal.body);
}

const CLIENT_ERRORS: Record<string, Refusal> = {
  ERR_HTTP_REQUEST_TIMEOUT: refuse(408, 'request_timeout', 'the request was not received in time'),
  HPE_HEADER_OVERFLOW: refuse(431, 'headers_too_large', `the request line and headers exceed ${describeBytes(http.maxHeaderSize)}`),
};

/** Fastify's clientErrorHandler: a request Node's parser refused never reaches a route; answer it in our shape. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, body } = CLIENT_ERRORS[err.code ?? ''] ?? refuse(400, 'bad_request', 'the request is not valid HTTP/1.1');
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json; charset=utf-8\r\n\r\n${json}`);
  }
  socket.destroy(err);
}
