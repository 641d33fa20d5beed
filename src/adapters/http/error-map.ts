// The one place GateError codes become HTTP statuses.
import { isGateError, type ErrorCode } from '../../core/errors.js';

const STATUS: Record<ErrorCode, number> = {
  'bad-request': 400,
  'missing-part': 400,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  timeout: 408,
  'audit-unavailable': 503,
  'policy-unavailable': 503,
  'config-invalid': 500,
  'artifact-unavailable': 502,
  'artifact-refused': 422,
  'server-not-configured': 500,
  internal: 500,
};

const TITLE: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
}

/** Internal errors never leak their message: it may hold a path or a value. */
export function toProblem(e: unknown): Problem {
  if (isGateError(e)) {
    const status = STATUS[e.code];
    return {
      type: `https://migrationgate.io/problems/${e.code}`,
      title: TITLE[status] ?? 'Error',
      status,
      code: e.code,
      detail: e.message,
    };
  }
  return {
    type: 'https://migrationgate.io/problems/internal',
    title: TITLE[500]!,
    status: 500,
    code: 'internal',
    detail: 'internal error; see the gate log for the request id',
  };
}
