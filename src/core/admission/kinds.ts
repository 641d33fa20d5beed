// The one table of what the admission webhook judges. Everything that names
// an admitted kind is derived from it: which requests are judged
// (resource.ts), what an unchanged UPDATE is (unchanged.ts), the pipeline a
// kind runs (services/admission/pipelines.ts, whose entries the compiler
// demands one per kind), the `resource` label of
// migration_gate_admission_requests_total (adapters/metrics.ts), and the
// webhook rules of the chart and the docs, which tests compare with it
// (test/unit/admission/admission-kinds.test.ts). Adding a kind is one entry
// here plus its pipeline entry (docs/architecture.md shows the diff).
import type { Scenario } from '../contracts/report.js';
import { isPlainObject } from '../strict-parse.js';
import { DSSE_ANNOTATION, MANIFEST_ANNOTATION, SIGNATURE_ANNOTATION } from './configmap-input.js';

export const MIGRATIONREQUEST_GROUP = 'migrationgate.io';

export interface AdmissionKind {
  /** The webhook rule's resource (plural), and the `resource` metrics label. */
  readonly resource: string;
  /** API group ('' is the core group) and the version the webhook rule names. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /**
   * The check the kind's content goes through, and the scenario of every
   * report about it: T1 the config check, T2 the replication check.
   */
  readonly scenario: Scenario;
  /**
   * What the gate judges in an object of this kind: an UPDATE whose judged
   * content equals the old object's (canonical JSON) is unchanged. Never
   * called with anything but a plain object.
   */
  judgedContent(object: Record<string, unknown>): unknown;
}

export const ADMISSION_KINDS = [
  {
    resource: 'configmaps',
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    scenario: 'T1',
    judgedContent: configMapJudgedContent,
  },
  {
    resource: 'migrationrequests',
    group: MIGRATIONREQUEST_GROUP,
    version: 'v1alpha1',
    kind: 'MigrationRequest',
    scenario: 'T2',
    judgedContent: (object) => ({ spec: object.spec ?? null }),
  },
] as const satisfies readonly AdmissionKind[];

/** The resource name of a judged kind. */
export type JudgedResource = (typeof ADMISSION_KINDS)[number]['resource'];
export type JudgedKind = (typeof ADMISSION_KINDS)[number];

export function admissionKind(resource: JudgedResource): JudgedKind {
  // The table names each resource once (admission-kinds.test.ts).
  return ADMISSION_KINDS.find((k) => k.resource === resource)!;
}

/** Data, binary data, the manifest and its signature: labels and owner references are not judged. */
function configMapJudgedContent(object: Record<string, unknown>): unknown {
  const meta = isPlainObject(object.metadata) ? object.metadata : {};
  const annotations = isPlainObject(meta.annotations) ? meta.annotations : {};
  return {
    data: object.data ?? null,
    binaryData: object.binaryData ?? null,
    manifest: annotations[MANIFEST_ANNOTATION] ?? null,
    // The manifest's signature is judged too (issue 12): swapping it must not
    // ride the shortcut. Only when present, so unsigned objects keep their digest.
    ...(annotations[SIGNATURE_ANNOTATION] !== undefined
      ? { signature: annotations[SIGNATURE_ANNOTATION] }
      : {}),
    ...(annotations[DSSE_ANNOTATION] !== undefined ? { dsse: annotations[DSSE_ANNOTATION] } : {}),
  };
}
