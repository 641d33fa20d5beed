// Settings built without load() (a test, an embedding) meet the same
// cross-field rules in createApp, before any file, port or apiserver is touched.
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { GateConfig } from '../../src/config/schema.js';
import { isGateError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/adapters/log.js';

describe('createApp checks the config rules for hand-built settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gate-rules-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, Partial<GateConfig>, RegExp][] = [
    [
      'TokenReview without an allow-list',
      { apiTokenReview: true },
      /^GATE_API_TOKEN_REVIEW: true needs GATE_API_ALLOWED_USERS or GATE_API_ALLOWED_GROUPS/,
    ],
    [
      'existingSecret without GATE_TLS_DIR',
      { tlsMode: 'existingSecret' },
      /^GATE_TLS_MODE: existingSecret needs GATE_TLS_DIR/,
    ],
    [
      'postgres without GATE_AUDIT_POSTGRES_URL',
      { auditSink: 'postgres' },
      /^GATE_AUDIT_SINK: postgres needs GATE_AUDIT_POSTGRES_URL/,
    ],
  ];
  for (const [name, bad, message] of cases) {
    it(`refuses ${name} before opening anything`, async () => {
      const config: GateConfig = {
        ...loadConfig({ GATE_DATA_DIR: dir, GATE_API_TOKEN: 'rules-token-0123456789abcdef' }),
        ...bad,
      };
      const err = await createApp({
        config,
        logger: silentLogger,
        writerId: 'rules-test',
        version: 'test',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isGateError(err) && err.code, String(err)).to.equal('config-invalid');
      expect((err as Error).message).to.match(message);
      // Nothing was opened: no audit log, no generated token.
      expect(existsSync(path.join(dir, 'audit.jsonl'))).to.equal(false);
    });
  }
});
