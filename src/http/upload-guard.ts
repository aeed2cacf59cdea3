// Guards every multipart upload at the edge: a form without a boundary is a 400 before any route
// runs, and a client that stops sending mid-body for UPLOAD_IDLE_TIMEOUT_MS fails the upload with
// a 400 instead of holding the request (and a half-written temp file) open indefinitely.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { errors } from '../platform/errors/app-error.js';
import type { App } from './app-types.js';
import { addRouteHook, takesBody } from './route-hooks.js';

/** Only routes that take a body get the guard: Fastify reads no body for GET and HEAD. */
export function registerUploadGuard(app: App, options: { idleTimeoutMs: number }): void {
  app.addHook('onRoute', (route) => {
    if (!takesBody(route)) return;
    addRouteHook(route, 'onRequest', guard);
    addRouteHook(route, 'onSend', closeUnread);
  });
  const guard = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const type = request.headers['content-type'];
    if (type === undefined || !/^multipart\//i.test(type)) {
      done();
      return;
    }
    if (!/;\s*boundary=("[^"]+"|[^\s;]+)/i.test(type)) {
      done(errors.badRequest('A multipart body needs a boundary in its Content-Type.'));
      return;
    }
    watchForStall(request, reply, options.idleTimeoutMs);
    done();
  };
}

/**
 * An answer before the whole body arrived (a refusal mid-upload) ends the connection, rather
 * than reading the rest of a body nobody wants to keep the connection alive.
 */
function closeUnread(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: OnSendDone): void {
  if (!request.raw.complete && /^multipart\//i.test(request.headers['content-type'] ?? ''))
    reply.header('connection', 'close');
  done(null, payload);
}

type OnSendDone = (error: Error | null, payload: unknown) => void;

/**
 * Fails the upload once the client has sent no byte for `idleMs` while the route was reading. A
 * pause on our side (a slow store applying backpressure, a handler not reading yet) is not the
 * client's stall, so the clock only runs while the body flows. Exported for routes that stream a
 * raw body (PUT /api/files/*): the same rule as multipart uploads.
 */
export function watchForStall(request: FastifyRequest, reply: FastifyReply, idleMs: number): void {
  const raw = request.raw;
  let bytesSeen = raw.socket.bytesRead;
  const check = () => {
    if (raw.complete || raw.destroyed) return;
    const bytesNow = raw.socket.bytesRead;
    if (bytesNow !== bytesSeen || raw.readableFlowing !== true) {
      bytesSeen = bytesNow;
      timer.refresh();
      return;
    }
    request.log.info({ idleMs, bytesRead: bytesNow }, 'upload stalled');
    // Answered already (a refusal mid-upload): only the connection is left to end.
    if (reply.sent) {
      raw.destroy();
      return;
    }
    // The rest of the body will never be read: end the connection after the answer.
    reply.header('connection', 'close');
    failUpload(request, errors.badRequest(`The upload stalled: nothing arrived for ${idleMs} ms.`));
  };
  const timer = setTimeout(check, idleMs);
  timer.unref();
  // A client gone mid-body is a client error too: fail the upload with a 400 before Node's own
  // ECONNRESET reaches the parser, so no layer logs it as a fault of ours. (Node emits that error
  // on the next tick after the socket closes; this listener runs in the close itself.)
  const onSocketClose = () => {
    if (raw.complete) return;
    request.log.info({ bytesRead: raw.socket.bytesRead }, 'upload aborted by the client');
    failUpload(request, errors.badRequest('The connection closed before the upload was complete.'));
  };
  raw.socket.once('close', onSocketClose);
  raw.once('close', () => {
    clearTimeout(timer);
    raw.socket.off('close', onSocketClose);
  });
}

/**
 * @fastify/multipart listens for the request's 'error' to stop parsing and fail the file stream,
 * so every layer above cleans up (temp file, quota). Destroying the request instead would destroy
 * the socket too, and the 400 could not be sent.
 */
function failUpload(request: FastifyRequest, error: Error): void {
  const raw = request.raw;
  if (raw.listenerCount('error') > 0) raw.emit('error', error);
  else raw.destroy(error);
}
