// The selfManaged mode's certificate issuer: issue-certs.ts with explicit
// lifetimes (in ms, so tests can use tiny ones) behind a port the rotation
// plan can fake.
import { issueCa, issueServing, type PemKeyPair } from './issue-certs.js';

export interface CertIssuer {
  issueCa(now: Date, lifetimeMs: number): Promise<PemKeyPair>;
  issueServing(ca: PemKeyPair, sans: readonly string[], now: Date, lifetimeMs: number): Promise<PemKeyPair>;
}

export const forgeIssuer: CertIssuer = {
  // The date in the name tells an operator reading a bundle which CA is which.
  issueCa: (now, lifetimeMs) =>
    issueCa(now, { commonName: `migration-gate webhook CA ${now.toISOString()}`, lifetimeMs }),
  issueServing: (ca, sans, now, lifetimeMs) => issueServing(ca, sans, now, lifetimeMs),
};
