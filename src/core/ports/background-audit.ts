// What the background audit (services/audit/background-audit.ts) needs from
// a cluster: list the enforced namespaces and their ConfigMaps, write one
// OpenReports Report. adapters/k8s/background-audit-cluster.ts implements it.
import type { OpenReport } from '../background-audit/open-report.js';
import type { Environment } from '../contracts/migration-manifest.js';

/** A namespace the ConfigMap webhooks enforce, with the environment its label selects. */
export interface EnforcedNamespace {
  name: string;
  env: Environment;
}

/** Reads the cluster (list only: the RBAC is list/watch of namespaces and configmaps). */
export interface ClusterReader {
  enforcedNamespaces(): Promise<EnforcedNamespace[]>;
  configMaps(namespace: string): Promise<unknown[]>;
}

/** Writes one Report (create or replace). */
export interface ReportWriter {
  write(report: OpenReport): Promise<void>;
}
