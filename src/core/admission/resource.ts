// Which of the gate's two admission paths a request takes. Subresources
// (e.g. migrationrequests/status) are not content the gate judges.
import type { AdmissionRequest } from './admission-review.js';

export const MIGRATIONREQUEST_GROUP = 'migrationgate.io';

export type AdmittedResource = 'configmaps' | 'migrationrequests' | 'other';

export function admittedResource(request: AdmissionRequest): AdmittedResource {
  if (request.subResource) return 'other';
  const { group, resource } = request.resource;
  if (group === '' && resource === 'configmaps') return 'configmaps';
  if (group === MIGRATIONREQUEST_GROUP && resource === 'migrationrequests') return 'migrationrequests';
  return 'other';
}
