// Signature checks in libuv's thread pool. An Ed25519 verification costs
// ~250 µs of CPU here, the largest single step of a new config's T1 check;
// run inline it blocks the event loop for every admission in flight. The
// plan, the trials and the decision are core's (core/signing/verify.ts),
// so the answer is the one verifyManifestSignature gives inline; only
// where the crypto runs differs (node:crypto's callback form).
import { verify } from 'node:crypto';
import type { PinnedKey } from '../../core/ports/keys.js';
import {
  planSignatureCheck,
  resultOf,
  trialCall,
  type SignatureInput,
  type SignatureOutcome,
  type SignatureTrial,
  type TrialResult,
  type VerifyOptions,
} from '../../core/signing/verify.js';

export async function verifyManifestSignatureOffLoop(
  manifest: Uint8Array,
  sig: SignatureInput | undefined,
  keys: readonly PinnedKey[],
  opts: VerifyOptions,
): Promise<SignatureOutcome> {
  const plan = planSignatureCheck(manifest, sig, keys, opts);
  if ('outcome' in plan) return plan.outcome;
  const results: TrialResult[] = [];
  // In order, stopping at the first that verifies: the same trials as inline.
  for (const trial of plan.trials) {
    const r = await runTrial(trial);
    results.push(r);
    if (r === 'ok') break;
  }
  return plan.decide(results);
}

function runTrial(trial: SignatureTrial): Promise<TrialResult> {
  const call = trialCall(trial);
  if (call === undefined) return Promise.resolve('no');
  return new Promise((resolve) => {
    try {
      // A malformed signature is an error to node:crypto: for us it does not verify.
      verify(call.algorithm, trial.data, call.key, call.sig, (err, ok) =>
        resolve(resultOf(call, !err && ok)),
      );
    } catch {
      resolve('no');
    }
  });
}
