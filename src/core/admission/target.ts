// How the answer names the object: as the user wrote it. On CREATE with
// generateName the apiserver has not picked the name yet.
import type { AdmissionRequest } from './admission-review.js';
import { isPlainObject } from '../strict-parse.js';
import type { AdmissionTarget } from './response.js';
import { safeIdentifier } from '../safe-text.js';

export function admissionTarget(request: AdmissionRequest): AdmissionTarget {
  const meta =
    isPlainObject(request.object) && isPlainObject(request.object.metadata) ? request.object.metadata : {};
  const metaName = typeof meta.name === 'string' && meta.name ? meta.name : undefined;
  const generated =
    typeof meta.generateName === 'string' && meta.generateName ? `${meta.generateName}*` : undefined;
  const name = request.name || metaName || generated;
  return {
    // Caller-written (an unauthenticated poster can put anything here): withheld if it could be a secret.
    kind: safeIdentifier(request.kind.kind),
    ...(request.namespace ? { namespace: safeIdentifier(request.namespace) } : {}),
    ...(name ? { name: safeIdentifier(name) } : {}),
  };
}
