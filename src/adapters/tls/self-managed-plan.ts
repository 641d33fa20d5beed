// The selfManaged rotation state machine: from the Secret as it is now, the
// next Secret the leader should write (or nothing). One step per call; the
// leader calls it on every renew tick, so a crash between steps resumes.
//
// A CA rotation never fails an admission because the apiserver trusts the
// new CA before any replica serves a certificate it signed, and keeps
// trusting the old one until every replica has moved off it:
//   steady           ca.crt = A, tls.crt signed by A
//   1 ca-staged      ca.crt = B, ca-previous.crt = A, tls.crt still by A; bundle A+B injected
//   2 (wait overlapMs, and only once the bundle A+B is confirmed injected)
//   3 serving-switched  tls.crt signed by B; replicas reload within a poll interval
//   4 previous-dropped  after dropPreviousAfterMs: ca-previous.crt removed, bundle B
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { CertIssuer } from './self-managed-issuer.js';
import {
  ANNOTATIONS,
  SECRET_KEYS,
  type StoredTlsSecret,
  type TlsSecretContent,
} from '../../core/ports/self-managed-tls.js';

export interface RotationPolicy {
  caLifetimeMs: number;
  servingLifetimeMs: number;
  /** Renew once this fraction of a certificate's validity has passed (2/3). */
  renewFraction: number;
  /** How long the apiserver is given to see the old+new bundle before the serving cert moves to the new CA. */
  overlapMs: number;
  /** How long after the switch the old CA stays in the bundle (> the replicas' poll interval). */
  dropPreviousAfterMs: number;
  sans: readonly string[];
}

export const DAY_MS = 86_400_000;

export const DEFAULT_ROTATION: Omit<RotationPolicy, 'sans'> = {
  caLifetimeMs: 5 * 365 * DAY_MS,
  servingLifetimeMs: 90 * DAY_MS,
  renewFraction: 2 / 3,
  overlapMs: 2 * 60_000,
  dropPreviousAfterMs: 10 * 60_000,
};

export type PlanStep =
  | 'none'
  | 'waiting-overlap'
  | 'created'
  | 'repaired'
  | 'ca-staged'
  | 'serving-switched'
  | 'previous-dropped'
  | 'serving-renewed';

export interface Plan {
  step: PlanStep;
  /** The full new Secret content, when the step writes. */
  write?: TlsSecretContent;
}

export interface PlanInput {
  current: StoredTlsSecret | undefined;
  now: Date;
  policy: RotationPolicy;
  issuer: CertIssuer;
  /** Rotate the CA now (rotateNow(), or the rotate-ca annotation). */
  forceCaRotation: boolean;
  /**
   * Since when the caller has seen the webhook configuration carry this
   * Secret's bundle. The overlap counts from the later of this and the CA
   * rotation, so a failed or late injection (or a new leader) never shortens it.
   */
  bundleConfirmedAt?: Date;
}

/** PEM bundle the webhook configuration must carry for this Secret: current CA, then the previous one. */
export function caBundleOf(content: TlsSecretContent): string {
  return [content.data[SECRET_KEYS.caCert], content.data[SECRET_KEYS.caPrevious]]
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map((p) => p.trim() + '\n')
    .join('');
}

export async function planRotation(input: PlanInput): Promise<Plan> {
  const { current, now } = input;
  if (!current) return { step: 'created', write: await fresh(input, {}) };
  const parsed = parse(current);
  if (!parsed) return { step: 'repaired', write: await fresh(input, current.annotations) };
  const { ca, serving, previous } = parsed;
  const signer = serving.verify(ca.x.publicKey)
    ? 'current'
    : previous && serving.verify(previous.publicKey)
      ? 'previous'
      : undefined;
  const step: Step = {
    input,
    current,
    parsed,
    t: now.getTime(),
    at: (name) => Date.parse(current.annotations[name] ?? '') || 0,
    write: (data, annotations) => ({
      data: compact({ ...current.data, ...data }),
      annotations: compact({ ...current.annotations, ...annotations }),
    }),
    resign: async () =>
      step.write(await servingFrom(input, ca.pair), { [ANNOTATIONS.servingRotatedAt]: now.toISOString() }),
  };
  // A serving cert signed by neither CA (hand-edited Secret): re-sign now, nothing trusts it anyway.
  if (!signer) return { step: 'repaired', write: await step.resign() };
  if (signer === 'previous') return planSwitch(step);
  if (previous) return planDrop(step, previous);
  return planSteady(step);
}

interface Step {
  input: PlanInput;
  current: StoredTlsSecret;
  parsed: Parsed;
  t: number;
  at(annotation: string): number;
  write(
    data: Record<string, string | undefined>,
    annotations: Record<string, string | undefined>,
  ): TlsSecretContent;
  /** The Secret with a fresh serving cert signed by ca.crt. */
  resign(): Promise<TlsSecretContent>;
}

/** Step 2 -> 3: only once the old+new bundle has been confirmed injected for overlapMs. */
async function planSwitch(s: Step): Promise<Plan> {
  const since = Math.max(s.at(ANNOTATIONS.caRotatedAt), s.input.bundleConfirmedAt?.getTime() ?? Infinity);
  if (s.t - since < s.input.policy.overlapMs) return { step: 'waiting-overlap' };
  return { step: 'serving-switched', write: await s.resign() };
}

/** Step 3 -> 4 (or the old CA expired anyway: keeping it buys nothing). */
function planDrop(s: Step, previous: X509Certificate): Plan {
  const expired = Date.parse(previous.validTo) <= s.t;
  if (!expired && s.t - s.at(ANNOTATIONS.servingRotatedAt) < s.input.policy.dropPreviousAfterMs)
    return { step: 'waiting-overlap' };
  return { step: 'previous-dropped', write: s.write({ [SECRET_KEYS.caPrevious]: undefined }, {}) };
}

async function planSteady(s: Step): Promise<Plan> {
  const { input, current, parsed } = s;
  const { policy, now } = input;
  const rotateRequested = current.annotations[ANNOTATIONS.rotateCa] !== undefined;
  if (input.forceCaRotation || rotateRequested || due(parsed.ca.x, s.t, policy.renewFraction)) {
    // Step 1: the new CA becomes ca.crt; the serving cert is left alone (still by the old CA).
    const next = await input.issuer.issueCa(now, policy.caLifetimeMs);
    return {
      step: 'ca-staged',
      write: s.write(
        {
          [SECRET_KEYS.caCert]: next.cert,
          [SECRET_KEYS.caKey]: next.key,
          [SECRET_KEYS.caPrevious]: current.data[SECRET_KEYS.caCert],
        },
        { [ANNOTATIONS.caRotatedAt]: now.toISOString(), [ANNOTATIONS.rotateCa]: undefined },
      ),
    };
  }
  if (due(parsed.serving, s.t, policy.renewFraction) || !sameSans(parsed.serving, policy.sans)) {
    return { step: 'serving-renewed', write: await s.resign() };
  }
  return { step: 'none' };
}

interface Parsed {
  ca: { x: X509Certificate; pair: { cert: string; key: string } };
  serving: X509Certificate;
  previous: X509Certificate | undefined;
}

/** undefined when the Secret is unusable (missing keys, bad PEM, key not matching its cert). */
function parse(s: StoredTlsSecret): Parsed | undefined {
  const d = s.data;
  try {
    const caCert = d[SECRET_KEYS.caCert],
      caKey = d[SECRET_KEYS.caKey],
      cert = d[SECRET_KEYS.cert],
      key = d[SECRET_KEYS.key];
    if (!caCert || !caKey || !cert || !key) return undefined;
    const ca = new X509Certificate(caCert);
    const serving = new X509Certificate(cert);
    if (
      !ca.ca ||
      !ca.checkPrivateKey(createPrivateKey(caKey)) ||
      !serving.checkPrivateKey(createPrivateKey(key))
    )
      return undefined;
    const prevPem = d[SECRET_KEYS.caPrevious];
    return {
      ca: { x: ca, pair: { cert: caCert, key: caKey } },
      serving,
      previous: prevPem ? new X509Certificate(prevPem) : undefined,
    };
  } catch {
    return undefined;
  }
}

async function fresh(
  input: PlanInput,
  keepAnnotations: Readonly<Record<string, string>>,
): Promise<TlsSecretContent> {
  const ca = await input.issuer.issueCa(input.now, input.policy.caLifetimeMs);
  const stamp = input.now.toISOString();
  return {
    data: { [SECRET_KEYS.caCert]: ca.cert, [SECRET_KEYS.caKey]: ca.key, ...(await servingFrom(input, ca)) },
    annotations: compact({
      ...keepAnnotations,
      [ANNOTATIONS.caRotatedAt]: stamp,
      [ANNOTATIONS.servingRotatedAt]: stamp,
      [ANNOTATIONS.rotateCa]: undefined,
    }),
  };
}

async function servingFrom(
  input: PlanInput,
  ca: { cert: string; key: string },
): Promise<Record<string, string>> {
  const s = await input.issuer.issueServing(ca, input.policy.sans, input.now, input.policy.servingLifetimeMs);
  return { [SECRET_KEYS.cert]: s.cert, [SECRET_KEYS.key]: s.key };
}

function due(x: X509Certificate, t: number, fraction: number): boolean {
  const from = Date.parse(x.validFrom),
    to = Date.parse(x.validTo);
  return t >= from + (to - from) * fraction;
}

function sameSans(x: X509Certificate, sans: readonly string[]): boolean {
  const have = (x.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((e) => normaliseSan(e.slice(e.indexOf(':') + 1)));
  const want = [...new Set(sans.map(normaliseSan))];
  return have.length === want.length && want.every((s) => have.includes(s));
}

/** One spelling per name: OpenSSL prints `::1` as `0:0:0:0:0:0:0:1`; DNS names are case-insensitive. */
function normaliseSan(s: string): string {
  const t = s.trim();
  return isIP(t) === 6 ? new URL(`http://[${t}]/`).hostname.slice(1, -1) : t.toLowerCase();
}

function compact(r: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).filter((e): e is [string, string] => e[1] !== undefined));
}
