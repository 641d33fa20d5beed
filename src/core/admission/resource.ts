// Which of the gate's admission kinds (kinds.ts) a request is, if any.
// Subresources (e.g. migrationrequests/status) are not content the gate judges.
import type { AdmissionRequest } from './admission-review.js';
import { ADMISSION_KINDS, type JudgedKind, type JudgedResource } from './kinds.js';

export type AdmittedResource = JudgedResource | 'other';

/** Every value admittedResource() can return: the closed set of the metrics label. */
export const ADMITTED_RESOURCES: readonly AdmittedResource[] = [
  ...ADMISSION_KINDS.map((k) => k.resource),
  'other',
];

export function judgedKindOf(request: AdmissionRequest): JudgedKind | undefined {
  if (request.subResource) return undefined;
  const { group, resource } = request.resource;
  return ADMISSION_KINDS.find((k) => k.group === group && k.resource === resource);
}

export function admittedResource(request: AdmissionRequest): AdmittedResource {
  return judgedKindOf(request)?.resource ?? 'other';
}
