// How the answer names the object: as the user wrote it. On CREATE with
// generateName the apiserver has not picked the name yet.
import type { AdmissionRequest } from './admission-review.js';
import { isPlainObject } from '../strict-parse.js';
import type { AdmissionTarget } from './response.js';

export function admissionTarget(request: AdmissionRequest): AdmissionTarget {
  const meta = isPlainObject(request.object) && isPlainObject(request.object.metadata) ? request.object.metadata : {};
  const metaName = typeof meta.name === 'string' && meta.name ? meta.name : undefined;
  const generated = typeof meta.generateName === 'string' && meta.generateName ? `${meta.generateName}*` : undefined;
  const name = request.name || metaName || generated;
  return {
    kind: request.kind.kind,
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(name ? { name: name.slice(0, 253) } : {}),
  };
}
