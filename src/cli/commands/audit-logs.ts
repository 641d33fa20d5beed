// `audit logs`: the audit records, with the API's filters (scenario,
// decision, since, app_id, limit, continue), from the server or a local
// audit file; --follow keeps polling for new records until interrupted.
// Records are printed oldest first, as a log reads.
import path from 'node:path';
import yaml from 'js-yaml';
import {
  AUDIT_QUERY_MAX_LIMIT,
  AuditQuerySchema,
  queryAuditRecords,
  type AuditPage,
} from '../../core/audit-query.js';
import { AuditRecordSchema, type AuditRecord } from '../../core/contracts/audit.js';
import type { Command, CommandIo, Values } from '../command.js';
import { remoteOf, SERVER_OPTIONS, str } from '../common-options.js';
import { readAuditFile } from '../read-audit-file.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { outputFormatOf } from '../output.js';
import { getJson, type RemoteOptions } from '../remote.js';

type Query = Record<string, string>;
type PageSource = (query: Query) => Promise<AuditPage>;

/** CLI flag → API query parameter: the same names, dashes for underscores. */
const FILTERS = {
  scenario: 'scenario',
  decision: 'decision',
  since: 'since',
  'app-id': 'app_id',
  limit: 'limit',
  continue: 'continue',
} as const;

function queryOf(values: Values): Query {
  const q: Query = {};
  for (const [flag, param] of Object.entries(FILTERS)) {
    const v = str(values[flag]);
    if (v !== undefined) q[param] = v;
  }
  // The same schema the API uses: a bad filter fails here, before any call.
  const parsed = AuditQuerySchema.safeParse(q);
  if (!parsed.success)
    throw usageError(
      `invalid filter: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return q;
}

function serverSource(remote: RemoteOptions): PageSource {
  return async (query) => {
    const res = await getJson(remote, `/api/v1/audit/logs?${new URLSearchParams(query).toString()}`);
    if (res.status === 400)
      throw new CliError(
        `the server refused the filters: ${JSON.stringify(res.body).slice(0, 300)}`,
        EXIT.usage,
      );
    const body = res.body as { items?: unknown; continue?: unknown };
    if (res.status !== 200 || !Array.isArray(body.items))
      throw new CliError(`the server answered HTTP ${res.status} without audit records`, EXIT.unavailable);
    return {
      items: body.items as AuditRecord[],
      ...(typeof body.continue === 'string' ? { continue: body.continue } : {}),
    };
  };
}

function fileSource(file: string): PageSource {
  return async (query) => {
    const text = await readAuditFile(file);
    const records: AuditRecord[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const r = AuditRecordSchema.safeParse(JSON.parse(line));
        if (r.success) records.push(r.data);
      } catch {
        // A torn last line (the sink repairs it on start): `audit verify` reports it.
      }
    }
    const q = AuditQuerySchema.parse(query);
    return queryAuditRecords(records, q);
  };
}

function line(r: AuditRecord): string {
  const s = r.subject;
  const who = [s.app_id, s.env && `(${s.env})`].filter(Boolean).join(' ') || '-';
  const obj = s.namespace || s.name ? ` ${s.namespace ?? ''}/${s.name ?? ''}` : '';
  const rules = [...new Set(r.findings.filter((f) => f.action === 'block').map((f) => f.rule))];
  return `${r.timestamp}  ${r.decision.padEnd(5)}  ${r.scenario}  ${who}${obj}  ${rules.length ? `[${rules.join(',')}]` : '-'}  request ${r.request_id}  ${r.writer}#${r.seq}`;
}

function printer(io: CommandIo, format: string): (records: AuditRecord[]) => void {
  return (records) => {
    for (const r of records) {
      if (format === 'json') io.out(JSON.stringify(r));
      else if (format === 'yaml') io.out(`---\n${yaml.dump(r, { noRefs: true, lineWidth: -1 })}`);
      else io.out(line(r));
    }
  };
}

const keyOf = (r: AuditRecord): string => `${r.writer}#${r.seq}`;

async function follow(
  source: PageSource,
  base: Query,
  print: (r: AuditRecord[]) => void,
  first: AuditRecord[],
  intervalMs: number,
  stop: Promise<void>,
): Promise<void> {
  const seen = new Set(first.map(keyOf));
  let since = first.at(-1)?.timestamp ?? new Date().toISOString();
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  while (!stopped) {
    await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), stop]);
    if (stopped) break;
    const fresh: AuditRecord[] = [];
    let cont: string | undefined;
    do {
      const page = await source({
        ...base,
        since,
        limit: String(AUDIT_QUERY_MAX_LIMIT),
        ...(cont ? { continue: cont } : {}),
      });
      fresh.push(...page.items.filter((r) => !seen.has(keyOf(r))));
      cont = page.continue;
    } while (cont && !stopped);
    fresh.reverse();
    for (const r of fresh) seen.add(keyOf(r));
    if (fresh.length > 0) {
      print(fresh);
      since = fresh.at(-1)!.timestamp;
    }
  }
}

export const auditLogsCommand: Command = {
  words: ['audit', 'logs'],
  summary: "list audit records with the API's filters; --follow for new ones",
  options: {
    scenario: {
      type: 'string',
      valueName: 'T1|T2',
      choices: ['T1', 'T2'],
      description: 'only this scenario',
    },
    decision: {
      type: 'string',
      valueName: 'ALLOW|BLOCK',
      choices: ['ALLOW', 'BLOCK'],
      description: 'only this decision',
    },
    since: { type: 'string', valueName: 'TIME', description: 'records at or after this ISO 8601 time' },
    'app-id': { type: 'string', valueName: 'ID', description: 'only this app_id' },
    limit: {
      type: 'string',
      valueName: 'N',
      description: `at most N records (1-${AUDIT_QUERY_MAX_LIMIT}, default 50)`,
    },
    continue: {
      type: 'string',
      valueName: 'TOKEN',
      description: "the next page, from a previous listing's continue token",
    },
    follow: { type: 'boolean', short: 'f', description: 'keep polling for new records until interrupted' },
    interval: { type: 'string', valueName: 'SECONDS', description: 'poll interval for --follow (default 2)' },
    file: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'read a local audit.jsonl instead of a server',
    },
    ...SERVER_OPTIONS,
  },
  outputs: ['text', 'json', 'yaml'],
  details:
    '--output json prints one record per line (JSON lines); the next-page token goes to stderr.\nexit codes: 0 listed, 2 usage/unreadable file/credentials refused, 3 server unreachable or failed',
  async run({ values, io }) {
    const format = outputFormatOf(values, ['text', 'json', 'yaml']);
    const query = queryOf(values);
    const intervalS = str(values.interval) === undefined ? 2 : Number(values.interval);
    if (!Number.isFinite(intervalS) || intervalS < 0.1 || intervalS > 3600)
      throw usageError('--interval must be a number of seconds from 0.1 to 3600');
    const file = str(values.file);
    const remote = file ? undefined : remoteOf(values, io);
    if (!file && !remote) throw usageError('give --server URL (or GATE_SERVER) or --file FILE');
    const source = file ? fileSource(path.resolve(io.cwd, file)) : serverSource(remote!);
    const print = printer(io, format);
    const page = await source(query);
    const first = [...page.items].reverse();
    print(first);
    if (page.continue && values.follow !== true) io.err(`more records: --continue ${page.continue}`);
    if (values.follow !== true) return EXIT.ok;
    const stop = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const { continue: _c, limit: _l, ...base } = query;
    await follow(source, base, print, first, intervalS * 1000, stop);
    return EXIT.ok;
  },
};
