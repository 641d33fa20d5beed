// One CEL environment per scenario, declaring exactly the variables that
// scenario provides: a T1 rule that mentions `signature` fails to compile
// instead of failing at every evaluation.
import { Environment } from '@marcbachmann/cel-js';
import type { Scenario } from '../contracts/report.js';
import { CEL_LIMITS } from './limits.js';

/** Variable names and CEL types per scenario. Producers must use these exact names. */
export const SCENARIO_VARIABLES: Readonly<Record<Scenario, Readonly<Record<string, string>>>> = {
  T1: { config: 'map', manifest: 'map', env: 'string', signature: 'map' },
  T2: { manifest: 'map', env: 'string', signature: 'map', hash: 'map', wal: 'map', backup: 'map' },
};

/**
 * Optional types are on so rules can write `config.?tls.?verify.orValue(true)`
 * (the same optional syntax Kubernetes CEL offers) instead of has() chains.
 * Building an environment is expensive; compilePolicySet builds one per
 * scenario per compile, never per evaluation.
 */
export function createCelEnvironment(scenario: Scenario): Environment {
  const env = new Environment({ enableOptionalTypes: true, limits: { ...CEL_LIMITS } });
  for (const [name, type] of Object.entries(SCENARIO_VARIABLES[scenario])) env.registerVariable(name, type);
  return env;
}
