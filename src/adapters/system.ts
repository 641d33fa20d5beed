// The real clock and id generator (ULIDs: sortable, unique across replicas).
import { monotonicFactory } from 'ulid';
import type { Clock, IdGenerator } from '../core/ports.js';

export const systemClock: Clock = { now: () => new Date() };

export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return { next: () => next() };
}
