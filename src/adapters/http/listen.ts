// Creates and starts an HTTP or HTTPS server with timeouts that keep slow or
// stuck clients from holding resources.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { GateError } from '../../core/errors.js';
import { armBodyDeadline } from './body-deadline.js';

export interface ListenOptions {
  host: string;
  port: number;
  tls?: SecureContextOptions;
  /**
   * PEM CA bundle: mutual TLS. A client without a certificate that chains to
   * it is refused in the handshake, before any HTTP is read.
   */
  clientCa?: string;
  /** Whole-request limit; uploads of large snapshots need a generous one. */
  requestTimeoutMs: number;
  headersTimeoutMs?: number;
  /** How long an idle keep-alive connection is kept (default 5 s). */
  keepAliveTimeoutMs?: number;
  maxHeaderSize?: number;
  /** Body deadline for every request (body-deadline.ts); a streaming upload makes it an idle one. */
  bodyTimeoutMs?: number;
  /** Names the settings in a start failure ("GATE_API_PORT 8080 is in use"). */
  settings?: { port: string; host: string };
}

// One line naming the setting an operator has to change, instead of an
// unhandled EADDRINUSE stack.
export function listenFailure(e: NodeJS.ErrnoException, opts: ListenOptions): GateError {
  const port = `${opts.settings?.port ?? 'port'} ${opts.port}`;
  const host = `${opts.settings?.host ?? 'host'} ${opts.host}`;
  const message =
    e.code === 'EADDRINUSE'
      ? `${port} is in use`
      : e.code === 'EACCES'
        ? `${port} needs privileges this process does not have`
        : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? `${host} is not an address of this host`
          : `cannot listen on ${host}, ${port}: ${e.code ?? e.message}`;
  return new GateError('config-invalid', message);
}

export interface RunningServer {
  server: http.Server | https.Server;
  port: number;
  /**
   * Shutdown, first step: every answer from now on carries `Connection:
   * close`, so each client closes its keep-alive connection after its
   * answer. Closing an idle connection from this side races a client that
   * is writing its next request into it (EPIPE/ECONNRESET: a failed
   * admission for the apiserver); a close the client asked for cannot.
   */
  drain(): void;
  close(): Promise<void>;
}

export async function listen(handler: http.RequestListener, opts: ListenOptions): Promise<RunningServer> {
  const common = {
    requestTimeout: opts.requestTimeoutMs,
    headersTimeout: opts.headersTimeoutMs ?? 10_000,
    maxHeaderSize: opts.maxHeaderSize ?? 16 * 1024,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 5_000,
    // How often Node enforces headersTimeout/requestTimeout: the default 30 s
    // lets a slowloris client hold a socket far past the header deadline.
    connectionsCheckingInterval: 1_000,
  };
  const bodyMs = opts.bodyTimeoutMs;
  let draining = false;
  const handle: http.RequestListener = (req, res) => {
    if (draining) res.setHeader('Connection', 'close');
    if (bodyMs !== undefined) armBodyDeadline(req, res, bodyMs);
    return handler(req, res);
  };
  const server = opts.tls
    ? https.createServer(
        {
          ...common,
          ...opts.tls,
          minVersion: 'TLSv1.2',
          // Node's default is 120 s: a silent client would hold a socket that long.
          handshakeTimeout: common.headersTimeout,
          ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handle,
      )
    : http.createServer(common, handle);
  armFirstRequestDeadline(server, common.headersTimeout, Boolean(opts.tls));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    // end() then destroy(): a client that keeps dripping bytes must not keep
    // a half-closed socket alive.
    // A TLS error (a handshake that timed out) has no HTTP to answer in: the
    // answer would never flush and the socket would stay, so close it.
    if (!socket.writable || err.code?.startsWith('ERR_TLS') || err.code?.startsWith('ERR_SSL')) {
      socket.destroy();
      return;
    }
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
      socket.destroy(),
    );
    // A client that never reads its answer must not keep the socket either.
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => reject(listenFailure(e, opts));
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    drain: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}

/**
 * A connection must complete its first request's headers within `ms` of
 * connecting (TLS: of its handshake). Node's header and request deadlines
 * start at a request's first byte, so a client that connects and says
 * nothing held its socket forever: enough of them exhaust the process's
 * descriptors, and the webhook with them. Later requests on a kept-alive
 * connection are Node's (keepAliveTimeout, headersTimeout).
 */
function armFirstRequestDeadline(server: http.Server | https.Server, ms: number, tls: boolean): void {
  const deadlines = new WeakMap<object, NodeJS.Timeout>();
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    deadlines.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (req: http.IncomingMessage) => {
    clearTimeout(deadlines.get(req.socket));
    deadlines.delete(req.socket);
  });
}
