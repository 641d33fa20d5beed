// The router matches exact paths only; /ui/decisions/<request_id> is mapped
// onto the exact route /ui/decisions?id=<request_id> before routing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DECISION_PREFIX } from './decision-page.js';
import { VERIFICATION_PREFIX } from '../routes/verifications-route.js';

export function withDecisionPaths(
  next: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const raw = req.url ?? '/';
    if (raw.startsWith(DECISION_PREFIX) && raw.length > DECISION_PREFIX.length) {
      const rest = raw.slice(DECISION_PREFIX.length).split(/[?#]/)[0] ?? '';
      req.url = `/ui/decisions?id=${encodeURIComponent(decode(rest))}`;
    } else if (raw.startsWith(VERIFICATION_PREFIX) && raw.length > VERIFICATION_PREFIX.length) {
      const rest = raw.slice(VERIFICATION_PREFIX.length).split(/[?#]/)[0] ?? '';
      req.url = `/api/v1/verifications?id=${encodeURIComponent(decode(rest))}`;
    }
    next(req, res);
  };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
