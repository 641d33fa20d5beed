// T1 benchmark: validations/s through the REST API (real policies, real
// fsync'd file audit) against a bare Node HTTP server answering a fixed body,
// both measured in this run with the same load. Reports the ratio.
import { readFileSync } from 'node:fs';
import { runLoad, type LoadResult } from './load.js';
import { spawnServer } from './spawn-server.js';

export interface T1BenchResult {
  gate: LoadResult;
  baseline: LoadResult;
  ratio: number;
}

export async function benchT1(seconds = 10, connections = 16): Promise<T1BenchResult> {
  const body = JSON.stringify({
    manifest: JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')),
    config: readFileSync('examples/t1_good/app-config.yaml', 'utf8'),
  });
  const headers = { 'content-type': 'application/json' };

  const bare = await spawnServer('test/bench/servers/bare-http.ts');
  const baseline = await runLoad({
    url: `http://127.0.0.1:${bare.firstLine[0]}/`,
    method: 'POST',
    headers,
    body,
    seconds,
    connections,
  });
  await bare.stop();

  const gateProc = await spawnServer('test/bench/servers/gate.ts');
  const [port, token] = gateProc.firstLine;
  const gate = await runLoad({
    url: `http://127.0.0.1:${port}/api/v1/validate/migration`,
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${token}` },
    body,
    seconds,
    connections,
  });
  await gateProc.stop();
  if (gate.non2xx > 0 || gate.errors > 0)
    throw new Error(
      `gate answered ${gate.non2xx} non-2xx and ${gate.errors} errors: ${JSON.stringify(gate.statusCounts)}`,
    );
  return { gate, baseline, ratio: gate.perSecond / baseline.perSecond };
}
