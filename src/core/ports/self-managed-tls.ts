// The ports selfManaged TLS needs from Kubernetes, in our own vocabulary so
// the rotation logic can be tested with fakes and never sees client-node.
// Adapters: src/adapters/k8s/{tls-secret-store,lease-elector,webhook-ca-injector}.ts.
// Failures are KubeError (./kube-errors.ts): `conflict` on a
// stale resourceVersion or an existing object on create.

/** Secret data keys (kubernetes.io/tls plus the CA material the leader needs). */
export const SECRET_KEYS = {
  cert: 'tls.crt',
  key: 'tls.key',
  caCert: 'ca.crt',
  /** The CA key lives in the same Secret: only the leader signs, and RBAC limits who reads it. */
  caKey: 'ca.key',
  /** The CA being retired, kept in the bundle while clients still see certs it signed. */
  caPrevious: 'ca-previous.crt',
} as const;

export const ANNOTATIONS = {
  caRotatedAt: 'migrationgate.io/ca-rotated-at',
  servingRotatedAt: 'migrationgate.io/serving-rotated-at',
  /** Set (any value) by an operator or a test to ask the leader for a CA rotation now. */
  rotateCa: 'migrationgate.io/rotate-ca',
} as const;

/** Secret contents as text (the adapter does the base64). */
export interface TlsSecretContent {
  data: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export interface StoredTlsSecret extends TlsSecretContent {
  resourceVersion: string;
}

export interface TlsSecretStore {
  get(): Promise<StoredTlsSecret | undefined>;
  create(content: TlsSecretContent): Promise<void>;
  /** Optimistic: rejects with a `conflict` KubeError when resourceVersion is stale. */
  update(content: TlsSecretContent, resourceVersion: string): Promise<void>;
}

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions?: number;
}

export interface StoredLease extends LeaseRecord {
  resourceVersion: string;
}

export interface LeaseStore {
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<void>;
  update(record: LeaseRecord, resourceVersion: string): Promise<void>;
}

export interface WebhookCaPatcher {
  /** Makes every webhook of the configuration trust exactly `bundlePem`; true when something changed. */
  ensureCaBundle(bundlePem: string): Promise<boolean>;
  /** What each webhook of the configuration trusts now (one get; every replica's readiness asks it). */
  caBundles(): Promise<WebhookCaBundle[]>;
}

export interface WebhookCaBundle {
  /** The webhook's name in the configuration. */
  name: string;
  /** Its clientConfig.caBundle as PEM text ('' when unset). */
  pem: string;
}

/** The webhook's serving key pair as loaded by a replica. */
export interface ServingTls {
  key: string;
  cert: string;
  notAfter: Date;
}
