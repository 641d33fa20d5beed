// One error class with stable codes. Adapters map codes to transport
// (HTTP status, exit code) in exactly one place each.

export const ERROR_CODES = {
  BAD_REQUEST: 'bad-request',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported-media-type',
  PAYLOAD_TOO_LARGE: 'payload-too-large',
  MISSING_PART: 'missing-part',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
  METHOD_NOT_ALLOWED: 'method-not-allowed',
  TIMEOUT: 'timeout',
  AUDIT_UNAVAILABLE: 'audit-unavailable',
  POLICY_UNAVAILABLE: 'policy-unavailable',
  CONFIG_INVALID: 'config-invalid',
  // An upstream (https) artifact host failed: 502.
  ARTIFACT_UNAVAILABLE: 'artifact-unavailable',
  // The request names an artifact this server will not read (outside the artifact root, not a file): 422.
  ARTIFACT_REFUSED: 'artifact-refused',
  // The request needs a setting this server was not given (file:// without GATE_ARTIFACT_ROOT): 500.
  SERVER_NOT_CONFIGURED: 'server-not-configured',
  INTERNAL: 'internal',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class GateError extends Error {
  override readonly name = 'GateError';
  /**
   * `options.cause`: the error this one wraps (ES2022), kept for logs and
   * debugging; the message shown to users stays this error's own.
   */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isGateError(e: unknown): e is GateError {
  return e instanceof GateError;
}

/** A message that is safe to show: never a stack, never an input value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
