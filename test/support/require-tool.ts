// External tools a test needs: missing means FAIL with the install command,
// never a skip (a skipped differential proves nothing).
import { spawnSync } from 'node:child_process';

export function requireTool(command: string, versionArgs: readonly string[], install: string): void {
  const r = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(
      `${command} is required for this test and was not found; install it with: ${install} (.ci/run does this)`,
    );
}
