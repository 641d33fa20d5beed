// Composition root: the only place that constructs concrete adapters and
// wires them into the services. Returns {start, stop}; main.ts owns the process.
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { GateConfig } from './config/schema.js';
import { GateError, describeError } from './core/errors.js';
import type { AuditSink } from './core/ports/audit.js';
import type { CheckpointBoard } from './core/ports/checkpoints.js';
import type { Clock, IdGenerator, Logger } from './core/ports/runtime.js';
import { AlertBook, type Alert } from './services/alerts.js';
import type { GateContext } from './services/gate-context.js';
import type { Metrics } from './core/ports/metrics.js';
import { PolicyStore } from './services/policy/policy-store.js';
import { openFileAuditSink } from './adapters/audit/file-sink.js';
import { openConfigMapAuditSink, type SegmentState } from './adapters/audit/configmap-sink.js';
import { openPostgresAuditSink } from './adapters/postgres/pg-audit-sink.js';
import { ReportQueue } from './adapters/audit/report-queue.js';
import { acquireWriterSlot } from './adapters/k8s/writer-slot.js';
import { slotGuardedSink } from './services/audit/slot-guarded-sink.js';
import { kubeOnce, tokenReviewFromConfig } from './wiring/kube.js';
import type { KubeConnection } from './adapters/k8s/kube-connection.js';
import { backgroundAuditCluster } from './adapters/k8s/background-audit-cluster.js';
import { BackgroundAudit } from './services/audit/background-audit.js';
import { createStdoutAuditSink, type LineWritable } from './adapters/audit/stdout-sink.js';
import { setupApiTokens } from './adapters/http/api-token.js';
import { chainVerifiers, staticTokenVerifier, withEnvs } from './adapters/http/auth.js';
import { apiRoutes } from './adapters/http/api-routes.js';
import { readinessOf, type Readiness } from './services/health/readiness.js';
import { keyReloadReporter, policyReloader } from './services/policy/reload-alerts.js';
import { assertConfigRules } from './config/rules.js';
import { listen, type RunningServer } from './adapters/http/listen.js';
import { createRouter } from './adapters/http/router.js';
import { metricsRoute } from './adapters/http/routes/metrics-route.js';
import { withDecisionPaths } from './adapters/http/ui/decision-paths.js';
import { uiRoutes } from './adapters/http/ui/ui-routes.js';
import { createPromMetrics } from './adapters/metrics.js';
import { createWebhookHandler } from './adapters/http/webhook-routes.js';
import { replicationAdmitter } from './services/admission/migration-request.js';
import { BackgroundVerifications } from './services/admission/verifications.js';
import { ensureLocalTls } from './adapters/tls/local-ca.js';
import { watchCertFiles, type CertFilesWatcher } from './adapters/tls/cert-files-watcher.js';
import { watchCertExpiry } from './adapters/tls/self-managed-expiry.js';
import { selfManagedTlsFromConfig, type SelfManagedTimings } from './wiring/self-managed-tls.js';
import type { SelfManagedTls } from './adapters/tls/self-managed-manager.js';
import type { ServingTls } from './core/ports/self-managed-tls.js';
import { loadPinnedKeys, watchKeyDir } from './adapters/pinned-keys.js';
import type { PinnedKeyStore } from './services/policy/key-store.js';
import { readPolicyDir, watchPolicyDir } from './adapters/policy-files.js';
import { systemClock, ulidGenerator } from './adapters/system.js';
import { ConfigCheckMemo } from './services/validation/config-check-memo.js';
import { AdmittedDigests } from './services/admission/admitted-digests.js';
import { AuditSnapshots } from './services/audit/audit-snapshot.js';
import { artifactsFromConfig } from './wiring/artifacts.js';
import { replicationLimits } from './config/derived.js';
import { AuditTrees, logDestination, withAuditTrees } from './services/audit/audit-trees.js';
import { loadAuditSigningKey } from './adapters/audit/signing-key.js';
import { witnessDestination } from './adapters/audit/witness-client.js';
import { configMapCheckpointBoard } from './adapters/audit/configmap-checkpoint-board.js';
import { auditKeyName } from './core/tlog/audit-leaf.js';
import { parseVerifierKey } from './core/tlog/signed-note.js';
import { createGateTarWalks } from './wiring/tar-walks.js';
import { nodeRsChecksums } from './adapters/checksums/node-rs-crc32c.js';

export interface AppOptions {
  config: GateConfig;
  logger: Logger;
  writerId: string;
  version: string;
  clock?: Clock;
  ids?: IdGenerator;
  /** For tests: a sink of their own (e.g. one that fails). */
  auditSink?: AuditSink;
  metrics?: Metrics;
  /** For tests: shorter selfManaged TLS timings (overlap, poll and renew intervals). */
  tlsTimings?: SelfManagedTimings;
  stdout?: LineWritable;
}

export interface App {
  gate: GateContext;
  /** The status pages' audit walks; tests refresh() it to see what they just wrote. */
  auditSnapshots: AuditSnapshots;
  /** Background snapshot verifications (the status page and /api/v1/verifications show them). */
  verifications: BackgroundVerifications;
  /** The audit log's Merkle trees and signed checkpoints. */
  auditTrees: AuditTrees;
  start(): Promise<{ apiPort: number; webhookPort: number }>;
  /** Shutdown, first step: not ready, answers close their connections; stop() follows after the drain. */
  drain(): void;
  stop(): Promise<void>;
  tokenFile?: string;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config, logger } = opts;
  // Settings that did not come through load() meet the same cross-field rules.
  assertConfigRules(config);
  const clock = opts.clock ?? systemClock;
  const kube = kubeOnce(config);
  const policies = await loadPolicies(config.policyDir, clock);
  // /metrics always serves the gate's own registry; a test may observe through its own Metrics instead.
  const prom = createPromMetrics({
    version: opts.version,
    policyRuleIds: () => (policies.current()?.rules ?? []).map((r) => r.id),
  });
  const metrics = opts.metrics ?? prom;
  const ids = opts.ids ?? ulidGenerator();
  // Alert transitions are audit records: written to the same store (through the Merkle trees), read back by every replica's walk.
  // The sink is opened after the book (it raises audit-sink alerts), hence the late binding.
  const opened: { sink?: AuditSink } = {};
  const alerts = new AlertBook({
    clock,
    ids,
    writer: opts.writerId,
    logger,
    onFire: (a) => metrics.alert(a.severity),
    onCondition: (kind, active) => metrics.condition?.(kind, active),
    journal: (e) =>
      opened.sink
        ? opened.sink.append(e)
        : Promise.reject(new GateError('audit-unavailable', 'audit store not open yet')),
  });
  // Set just below: a sealed ConfigMap segment asks for a checkpoint covering it.
  const sealed: { trees?: AuditTrees } = {};
  // A store that keeps the checkpoint board itself (PostgreSQL) hands it over here.
  const stored: { board?: CheckpointBoard } = {};
  const rawAudit =
    opts.auditSink ??
    (await openAuditSink(config, opts, alerts, clock, kube, metrics, stored, (seq) =>
      sealed.trees?.checkpointAt(seq),
    ));
  const auditTrees = await openAuditTrees(config, opts, rawAudit, alerts, clock, kube, stored.board);
  sealed.trees = auditTrees;
  const audit = withAuditTrees(rawAudit, auditTrees);
  opened.sink = audit;
  const keysDir = config.keysDir ?? path.join(config.policyDir, 'keys');
  const keys = await loadPinnedKeys(keysDir, logger);
  const tarWalks = createGateTarWalks();
  const checksums = nodeRsChecksums();
  const gate: GateContext = {
    clock,
    ids,
    audit,
    policies,
    alerts,
    logger,
    metrics,
    keys,
    auditFailClosed: config.auditFailClosed,
    configCheckMemo: new ConfigCheckMemo(),
    tarWalks,
    ...(checksums ? { checksums } : {}),
  };
  const tokens = await setupApiTokens({
    dataDir: config.dataDir,
    ...optional('token', config.apiToken),
    ...optional('tokensFile', config.apiTokensFile),
  });
  const watcher = watchPolicies(config.policyDir, gate);
  const keyWatcher = watchKeys(keysDir, keys, gate);
  let selfManaged: SelfManagedTls | undefined;
  let certFiles: CertFilesWatcher | undefined;
  // selfManaged: not ready until a serving cert is loaded (the leader may not have made one yet)
  // and the webhook configuration trusts it (the leader may not have injected its CA yet).
  let shutdown: { ok: false; detail: string } | undefined;
  const readiness = (): Readiness =>
    readinessOf(gate, {
      tls: selfManaged?.readiness(),
      webhookCa: selfManaged?.webhookTrust(),
      shutdown,
    });
  const replication = { artifacts: artifactsFromConfig(config), limits: replicationLimits(config) };
  // One walker of the audit log per gate: every page and /audit/verify share it.
  const auditSnapshots = new AuditSnapshots(gate);
  // Large snapshots keep verifying past one admission deadline (a few at a time); the API and the status page show their progress.
  const verifications = new BackgroundVerifications({
    maxEntries: 8,
    resultTtlMs: 10 * 60_000,
    now: () => clock.now().getTime(),
  });
  const apiDeps = {
    gate,
    readiness,
    limits: config,
    buildInfo: { version: opts.version },
    replication,
    auditSnapshots,
    verifications,
    auditTrees,
    ...optional('tokenFile', tokens.generatedPath),
  };
  let checkpointTimer: NodeJS.Timeout | undefined;
  // In cluster, Kubernetes tokens (TokenReview) are accepted beside the static ones.
  const reviewed = tokenReviewFromConfig(config, kube, logger);
  const verifier = reviewed
    ? chainVerifiers([staticTokenVerifier(tokens.tokens), withEnvs(reviewed, config.apiTokenReviewEnvs)])
    : staticTokenVerifier(tokens.tokens);
  let certNotAfter: Date | undefined;
  // Background audit of existing objects (OpenReports), when an interval is set.
  const backgroundAudit =
    config.backgroundAuditIntervalSeconds > 0
      ? new BackgroundAudit(gate, {
          gatedKeys: config.gatedKeys,
          maxConfigBytes: config.maxConfigBytes,
          onRun: (run) => metrics.backgroundAudit?.(run),
          ...backgroundAuditCluster({
            ...optional('kubeconfigPath', config.kubeconfig),
            enforceLabel: config.enforceLabel,
            envLabel: config.envLabel,
            excludedNamespaces: [config.namespace, 'kube-system', 'kube-node-lease'],
          }),
        })
      : undefined;
  const ui = uiRoutes({
    api: apiDeps,
    verifier,
    tls: config.apiTls,
    webhookCertNotAfter: () => certNotAfter,
    ...(backgroundAudit ? { backgroundAudit: () => backgroundAudit.last() } : {}),
  });
  const router = withDecisionPaths(
    createRouter(apiRoutes(apiDeps, [metricsRoute(prom), ...ui]), {
      verifier,
      ids: gate.ids,
      logger,
      tls: config.apiTls,
    }),
  );
  let api: RunningServer | undefined;
  // Webhook port: always HTTPS (TLS >= 1.2), AdmissionReview v1 on /validate.
  const admitReplication = replicationAdmitter(gate, {
    ...replication,
    verifications,
    backgroundTimeoutMs: config.artifactTimeoutSeconds * 1000,
  });
  const webhookHandler = createWebhookHandler(
    {
      gate,
      settings: {
        gatedKeys: config.gatedKeys,
        maxConfigBytes: config.maxConfigBytes,
        replication: admitReplication,
        admitted: new AdmittedDigests(),
      },
      defaultTimeoutSeconds: config.webhookTimeoutSeconds,
    },
    { ids: gate.ids, logger },
  );
  let webhook: RunningServer | undefined;
  let webhookClientCa: string | undefined;
  const expiry = watchCertExpiry({ notAfter: () => certNotAfter, alerts, clock });
  // Every new serving cert (first load, rotation, remounted files): metric,
  // alert, and a hot reload. New handshakes get the new pair; open
  // connections keep theirs, so nothing in flight fails.
  const onServing = (t: ServingTls): void => {
    certNotAfter = t.notAfter;
    metrics.certExpiry?.(t.notAfter);
    expiry.check();
    // The api port, when it speaks TLS (GATE_API_TLS), serves the same certificate.
    for (const server of [webhook?.server, config.apiTls ? api?.server : undefined]) {
      // The client CA lives in the secure context too: a reload must keep it.
      const ca = server === webhook?.server && webhookClientCa ? { ca: webhookClientCa } : {};
      if (server && 'setSecureContext' in server)
        server.setSecureContext({ key: t.key, cert: t.cert, ...ca });
    }
  };
  const startTls = async (): Promise<ServingTls | undefined> => {
    switch (config.tlsMode) {
      case 'selfManaged':
        selfManaged = selfManagedTlsFromConfig(config, kube(), {
          identity: opts.writerId,
          clock,
          logger,
          onServing,
          ...optional('timings', opts.tlsTimings),
        });
        await selfManaged.start();
        return selfManaged.current();
      case 'certManager':
      case 'existingSecret':
        // config/rules.ts: these modes need GATE_TLS_DIR (load() and createApp refuse them without it).
        certFiles = await watchCertFiles({ dir: config.tlsDir ?? '', onChange: onServing, logger });
        return certFiles.current();
      case 'local':
        return ensureLocalTls({
          dir: config.tlsDir ?? path.join(config.dataDir, 'tls'),
          extraSans: config.tlsExtraSans,
          now: clock.now(),
          logger,
        });
    }
  };
  return {
    gate,
    auditSnapshots,
    verifications,
    auditTrees,
    ...optional('tokenFile', tokens.generatedPath),
    async start() {
      // TLS first: a gate that cannot serve its webhook must not half-start.
      // selfManaged may come back without a cert (no leader has written the
      // Secret yet): the webhook then listens, fails handshakes and /readyz
      // says not ready until onServing installs the first one.
      webhookClientCa = config.webhookClientCa ? await readClientCa(config.webhookClientCa) : undefined;
      const tls = await startTls();
      if (tls) onServing(tls);
      // A checkpoint at start (the tree as the store holds it), then every few seconds while records arrive.
      void auditTrees
        .tick()
        .catch((e: unknown) =>
          logger.warn('audit checkpoint failed', { error: e instanceof Error ? e.message : String(e) }),
        );
      checkpointTimer = setInterval(
        () => void auditTrees.tick().catch(() => undefined),
        config.auditCheckpointSeconds * 1000,
      );
      checkpointTimer.unref();
      const apiTls = config.apiTls ? { tls: tls ? { key: tls.key, cert: tls.cert } : {} } : {};
      api = await listen(router, {
        host: config.bindAddress,
        port: config.apiPort,
        requestTimeoutMs: 30 * 60_000,
        ...apiTls,
        bodyTimeoutMs: config.bodyTimeoutMs,
        settings: { port: 'GATE_API_PORT', host: 'GATE_BIND_ADDRESS' },
      });
      logger.info('api listening', { port: api.port, policy_digest: policies.current()?.digest });
      webhook = await listen(webhookHandler, {
        host: config.bindAddress,
        port: config.webhookPort,
        tls: tls ? { key: tls.key, cert: tls.cert } : {},
        requestTimeoutMs: 60_000,
        // Longer than the apiserver keeps an idle connection (Go's 90 s), so
        // the apiserver closes first: a close from this side races its next
        // admission being written into that connection ("broken pipe", EOF),
        // which fails the admission. Idle costs one socket per connection.
        keepAliveTimeoutMs: 95_000,
        bodyTimeoutMs: config.bodyTimeoutMs,
        settings: { port: 'GATE_WEBHOOK_PORT', host: 'GATE_BIND_ADDRESS' },
        ...optional('clientCa', webhookClientCa),
      });
      // The first walk restores alerts from the store (a restart) and primes the alert book.
      void auditSnapshots.current().catch(() => undefined);
      logger.info('webhook listening', {
        port: webhook.port,
        cert_not_after: tls?.notAfter.toISOString(),
        client_certificates: webhookClientCa ? 'required' : 'not requested',
      });
      backgroundAudit?.start(config.backgroundAuditIntervalSeconds * 1000);
      return { apiPort: api.port, webhookPort: webhook.port };
    },
    drain() {
      shutdown = { ok: false, detail: 'shutting down: still answering while the endpoint is withdrawn' };
      webhook?.drain();
      api?.drain();
      logger.info('draining: not ready, every answer closes its connection');
    },
    async stop() {
      watcher.close();
      keyWatcher.close();
      expiry.close();
      certFiles?.close();
      await selfManaged?.stop();
      await backgroundAudit?.stop();
      await webhook?.close();
      await api?.close();
      await audit.close();
      await tarWalks.close();
      if (checkpointTimer) clearInterval(checkpointTimer);
      // The last records get their checkpoint before the process goes.
      await auditTrees.tick().catch(() => undefined);
      await auditTrees.settled();
    },
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

async function loadPolicies(dir: string, clock: Clock): Promise<PolicyStore> {
  const store = new PolicyStore();
  let files;
  try {
    files = await readPolicyDir(dir);
  } catch (e) {
    throw new GateError(
      'config-invalid',
      `GATE_POLICY_DIR: cannot read ${dir}: ${describeError(e)}`,
      undefined,
      { cause: e },
    );
  }
  if (!store.reload(files, clock.now())) {
    throw new GateError(
      'config-invalid',
      `no valid policy set in ${dir}; refusing to start:\n  ${store.status().errors.join('\n  ')}`,
    );
  }
  return store;
}

/** The key directory, watched like the policy directory (services/policy/reload-alerts.ts says what a reload means). */
function watchKeys(dir: string, store: PinnedKeyStore, gate: GateContext): { close(): void } {
  const report = keyReloadReporter(dir, store, gate);
  if (!store.status().ok) report();
  return watchKeyDir(dir, store, report);
}

function watchPolicies(dir: string, gate: GateContext): { close(): void } {
  const reload = policyReloader(dir, () => readPolicyDir(dir), gate);
  return watchPolicyDir(dir, () => void reload());
}

async function openAuditTrees(
  config: GateConfig,
  opts: AppOptions,
  sink: AuditSink,
  alerts: AlertBook,
  clock: Clock,
  kube: () => KubeConnection,
  storeBoard: CheckpointBoard | undefined,
): Promise<AuditTrees> {
  const { key, generatedPath } = await loadAuditSigningKey({
    ...optional('file', config.auditSigningKeyFile),
    dataDir: config.dataDir,
    name: auditKeyName(config.clusterName),
  });
  const witnessKey = config.auditWitnessKey ? parseWitnessKey(config.auditWitnessKey) : undefined;
  const destinations = [
    logDestination(opts.logger),
    ...(config.auditWitnessUrl
      ? [witnessDestination({ url: config.auditWitnessUrl, ...optional('witnessKey', witnessKey) })]
      : []),
  ];
  const trees = new AuditTrees({
    sink,
    writer: opts.writerId,
    key,
    clock,
    logger: opts.logger,
    destinations,
    reloadAfterMs: config.auditCheckpointSeconds * 1000,
    // Every replica posts its latest checkpoint beside the records (ConfigMaps, or the PostgreSQL
    // checkpoint table), so any replica shows and proves every writer's.
    ...(config.auditSink === 'configmap' && !opts.auditSink
      ? { board: configMapCheckpointBoard(kube().configMaps(config.namespace)) }
      : optional('board', storeBoard)),
    onRefused: (name, detail) => {
      opts.logger.error('audit checkpoint refused', { destination: name, error: detail });
      alerts.setCondition(`audit-checkpoint:${name}`, {
        id: `audit-checkpoint:${name}`,
        timestamp: clock.now().toISOString(),
        severity: 'critical',
        kind: 'audit-chain',
        message: `${name}: ${detail}`,
      });
    },
    onAccepted: (name) => alerts.setCondition(`audit-checkpoint:${name}`, undefined),
  });
  // The public key is printed at every start: an auditor pins it (audit verify --key).
  opts.logger.info('audit signing key', {
    verifier_key: trees.verifierKey,
    ...(generatedPath ? { generated: generatedPath } : {}),
  });
  try {
    await trees.load();
  } catch (e) {
    // Like the sink itself: an unreadable store does not stop the start; nothing is signed until it is read.
    opts.logger.warn('audit log unreadable at start; checkpoints wait until it is', {
      error: e instanceof Error ? e.message : String(e),
    });
  }
  return trees;
}

function parseWitnessKey(vkey: string): ReturnType<typeof parseVerifierKey> {
  try {
    return parseVerifierKey(vkey);
  } catch (e) {
    throw new GateError(
      'config-invalid',
      `GATE_AUDIT_WITNESS_KEY: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** The audit store; with writer slots, under the writer id of a Lease-held slot, and only while it is held. */
async function openAuditSink(
  config: GateConfig,
  opts: AppOptions,
  alerts: AlertBook,
  clock: Clock,
  kube: () => KubeConnection,
  metrics: Metrics,
  stored: { board?: CheckpointBoard },
  onSealed?: (seq: number) => void,
): Promise<AuditSink> {
  if (config.writerSlots === 0)
    return openAuditStore(config, opts, alerts, clock, kube, metrics, opts.writerId, stored, onSealed);
  const slot = await acquireWriterSlot({
    slots: config.writerSlots,
    prefix: config.writerSlotPrefix,
    identity: opts.writerId,
    clock,
    logger: opts.logger,
    leaseStore: (name) => kube().lease(config.namespace, name),
  }).catch((e: unknown) => {
    throw new GateError(
      'audit-unavailable',
      `GATE_WRITER_SLOTS: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  try {
    return slotGuardedSink(
      await openAuditStore(config, opts, alerts, clock, kube, metrics, slot.writer, stored, onSealed),
      slot,
    );
  } catch (e) {
    await slot.release();
    throw e;
  }
}

async function openAuditStore(
  config: GateConfig,
  opts: AppOptions,
  alerts: AlertBook,
  clock: Clock,
  kube: () => KubeConnection,
  metrics: Metrics,
  writer: string,
  stored: { board?: CheckpointBoard },
  onSealed?: (seq: number) => void,
): Promise<AuditSink> {
  switch (config.auditSink) {
    case 'file':
      return openFileAuditSink({
        path: config.auditFile ?? path.join(config.dataDir, 'audit.jsonl'),
        writer,
        lingerMs: config.auditLingerMs,
        logger: opts.logger,
        // Raised when noticed, not only at the next decision's failed write.
        onUnavailable: (detail) => {
          opts.logger.error('audit file lost', { error: detail });
          alerts.setCondition('audit-sink', {
            timestamp: clock.now().toISOString(),
            severity: 'critical',
            kind: 'audit-sink',
            message: detail,
          });
        },
      });
    case 'stdout':
      return createStdoutAuditSink({ writer, stream: opts.stdout ?? process.stdout });
    case 'configmap':
      return openConfigMapAuditSink({
        store: kube().configMaps(config.namespace),
        writer,
        lingerMs: config.auditLingerMs,
        logger: opts.logger,
        ...optional('onSealed', onSealed),
        maxLiveSegments: config.auditMaxSegments,
        segmentMaxBytes: config.auditSegmentBytes,
        onSegments: (s) => {
          metrics.auditSegments?.(s.live, s.cap);
          alerts.setCondition('audit-segments', segmentAlert(s, clock));
        },
      });
    case 'postgres': {
      // config/rules.ts: postgres needs GATE_AUDIT_POSTGRES_URL (load() and createApp refuse it without).
      const sink = await openPostgresAuditSink({
        url: config.auditPostgresUrl ?? '',
        writer,
        logger: opts.logger,
        queue: (flush) => new ReportQueue(flush, { lingerMs: config.auditLingerMs }),
      });
      stored.board = sink.board;
      return sink;
    }
  }
}

/** The bounded-etcd alert: high from 80 % of the cap, critical at it (decisions BLOCK). */
function segmentAlert(s: SegmentState, clock: Clock): Alert | undefined {
  if (s.cap === 0 || s.live < s.warnAt) return undefined;
  const full = s.live >= s.cap;
  return {
    id: 'audit-segments',
    timestamp: clock.now().toISOString(),
    severity: full ? 'critical' : 'high',
    kind: 'audit-segments',
    message:
      `audit writer ${s.writer} keeps ${s.live} of at most ${s.cap} segments in etcd; ${full ? 'new decisions BLOCK until' : 'run or fix the archiver:'} ` +
      `migration-gate audit archive exports sealed segments and deletes them${full ? '' : ' before the cap is reached'}`,
  };
}

/** GATE_WEBHOOK_CLIENT_CA: a readable PEM file with at least one certificate, or the gate does not start. */
async function readClientCa(file: string): Promise<string> {
  const pem = await readFile(file, 'utf8').catch((e: unknown) => {
    throw new GateError('config-invalid', `GATE_WEBHOOK_CLIENT_CA: cannot read ${file}`, undefined, {
      cause: e,
    });
  });
  try {
    if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new Error('no certificate');
    new X509Certificate(pem);
  } catch {
    throw new GateError('config-invalid', `GATE_WEBHOOK_CLIENT_CA: ${file} holds no PEM certificate`);
  }
  return pem;
}
