// The background audit's view of the cluster over @kubernetes/client-node:
// list the namespaces the ConfigMap webhooks enforce (label selector), list
// their ConfigMaps, and create or replace the OpenReports Report in each.
// RBAC (chart, backgroundAudit.enabled): list/watch namespaces and
// configmaps, get/create/update reports.openreports.io. Nothing else.
import { CoreV1Api, CustomObjectsApi, type ConfigurationOptions } from '@kubernetes/client-node';
import type { OpenReport } from '../../core/background-audit/open-report.js';
import type { ClusterReader, EnforcedNamespace, ReportWriter } from '../../core/ports/background-audit.js';
import { kubeCall as call, kubeGetIfExists } from './client-node-errors.js';
import { callOptions, keepAliveAgent, loadKubeConfig } from './kube-connection.js';

export interface BackgroundAuditClusterOptions {
  kubeconfigPath?: string;
  enforceLabel: string;
  envLabel: string;
  /** Never audited: the gate's own namespace, kube-system, kube-node-lease (the webhook excludes them too). */
  excludedNamespaces: readonly string[];
  requestTimeoutMs?: number;
}

const LIST_PAGE = 100;
const GROUP = 'openreports.io';
const VERSION = 'v1alpha1';
const PLURAL = 'reports';

export function backgroundAuditCluster(opts: BackgroundAuditClusterOptions): {
  reader: ClusterReader;
  writer: ReportWriter;
} {
  const { kc } = loadKubeConfig(opts.kubeconfigPath, 'the background audit needs a Kubernetes API server');
  const options: () => ConfigurationOptions = callOptions(
    opts.requestTimeoutMs ?? 10_000,
    keepAliveAgent(kc),
  );
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const excluded = new Set(opts.excludedNamespaces);

  const reader: ClusterReader = {
    enforcedNamespaces: () =>
      call(`list namespaces (${opts.enforceLabel}=true)`, async () => {
        const out: EnforcedNamespace[] = [];
        let cont: string | undefined;
        do {
          const page = await core.listNamespace(
            {
              labelSelector: `${opts.enforceLabel}=true`,
              limit: LIST_PAGE,
              ...(cont ? { _continue: cont } : {}),
            },
            options(),
          );
          for (const ns of page.items) {
            const name = ns.metadata?.name;
            if (!name || excluded.has(name)) continue;
            // The webhook's rule: "staging" is staging, anything else (or no label) prod.
            out.push({ name, env: ns.metadata?.labels?.[opts.envLabel] === 'staging' ? 'staging' : 'prod' });
          }
          cont = page.metadata?._continue || undefined;
        } while (cont);
        return out;
      }),
    configMaps: (namespace) =>
      call(`list configmaps ${namespace}`, async () => {
        const out: unknown[] = [];
        let cont: string | undefined;
        do {
          const page = await core.listNamespacedConfigMap(
            { namespace, limit: LIST_PAGE, ...(cont ? { _continue: cont } : {}) },
            options(),
          );
          out.push(...page.items);
          cont = page.metadata?._continue || undefined;
        } while (cont);
        return out;
      }),
  };

  const writer: ReportWriter = {
    write: async (report: OpenReport) => {
      const { namespace, name } = report.metadata;
      const current = (await kubeGetIfExists(`get report ${namespace}/${name}`, () =>
        custom.getNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace, plural: PLURAL, name },
          options(),
        ),
      )) as { metadata?: { resourceVersion?: string } } | undefined;
      if (!current) {
        await call(`create report ${namespace}/${name}`, () =>
          custom.createNamespacedCustomObject(
            { group: GROUP, version: VERSION, namespace, plural: PLURAL, body: report },
            options(),
          ),
        );
        return;
      }
      const body = {
        ...report,
        metadata: { ...report.metadata, resourceVersion: current.metadata?.resourceVersion },
      };
      await call(`replace report ${namespace}/${name}`, () =>
        custom.replaceNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body },
          options(),
        ),
      );
    },
  };
  return { reader, writer };
}
