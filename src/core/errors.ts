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
  ARTIFACT_UNAVAILABLE: 'artifact-unavailable',
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
