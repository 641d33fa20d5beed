// DSSE (Dead Simple Signing Envelope) v1: the envelope shape and the
// pre-authentication encoding that is what actually gets signed.
// https://github.com/secure-systems-lab/dsse/blob/master/protocol.md

export interface DsseEnvelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: { keyid?: string; sig: Uint8Array }[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in ASCII decimal bytes. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return Buffer.concat([head, payload]);
}

const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Standard or URL-safe base64, strictly (the spec allows either). */
export function decodeBase64Strict(s: string): Uint8Array | undefined {
  const t = s.trim();
  if (!B64.test(t)) return undefined;
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export function parseDsseEnvelope(bytes: Uint8Array): DsseEnvelope | string {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'DSSE envelope is not JSON';
  }
  if (doc === null || typeof doc !== 'object') return 'DSSE envelope must be a JSON object';
  const d = doc as Record<string, unknown>;
  if (typeof d.payloadType !== 'string' || typeof d.payload !== 'string' || !Array.isArray(d.signatures)) {
    return 'DSSE envelope needs payloadType, payload and signatures[]';
  }
  const payload = decodeBase64Strict(d.payload);
  if (!payload) return 'DSSE payload is not base64';
  const signatures: DsseEnvelope['signatures'] = [];
  for (const s of d.signatures.slice(0, 16)) {
    const one = parseSignature(s);
    if (typeof one === 'string') return one;
    signatures.push(one);
  }
  if (signatures.length === 0) return 'DSSE envelope has no signatures';
  return { payloadType: d.payloadType, payload, signatures };
}

function parseSignature(s: unknown): DsseEnvelope['signatures'][number] | string {
  if (s === null || typeof s !== 'object' || typeof (s as { sig?: unknown }).sig !== 'string')
    return 'DSSE signature entries need a base64 sig';
  const sig = decodeBase64Strict((s as { sig: string }).sig);
  if (!sig || sig.length === 0) return 'DSSE signature is not base64';
  const keyid = (s as { keyid?: unknown }).keyid;
  return { sig, ...(typeof keyid === 'string' && keyid !== '' ? { keyid } : {}) };
}
