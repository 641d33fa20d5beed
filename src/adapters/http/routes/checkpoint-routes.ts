// Checkpoints and proofs of the audit log's Merkle trees:
//   GET /api/v1/audit/checkpoint               latest signed checkpoint per writer (JSON; ?format=note: the note itself)
//   GET /api/v1/audit/proof?request_id=ID      c2sp.org/tlog-proof@v1 of that decision (text)
//   GET /api/v1/audit/consistency?writer=W&from=M&to=N   RFC 6962 consistency proof (JSON)
//   GET /api/v1/audit/export                   every stored line (for audit verify --server)
//   GET /api/v1/audit/key                      the verifier key (text), open like /healthz: it is public
import { GateError } from '../../../core/errors.js';
import type { AuditTrees } from '../../../services/audit/audit-trees.js';
import type { AuditSink } from '../../../core/ports/audit.js';
import { sendJson, sendText } from '../respond.js';
import type { RequestContext } from '../router.js';

export async function checkpointRoute(ctx: RequestContext, trees: AuditTrees): Promise<void> {
  const status = await trees.statusAll();
  if (ctx.url.searchParams.get('format') === 'note') {
    const writer = ctx.url.searchParams.get('writer') ?? status.writer;
    const cp = [...status.checkpoints, ...status.peers].find((c) => c.writer === writer);
    if (!cp) throw new GateError('not-found', 'no checkpoint signed yet');
    sendText(ctx.res, 200, 'text/plain; charset=utf-8', cp.note);
    return;
  }
  sendJson(ctx.res, 200, status);
}

export async function proofRoute(ctx: RequestContext, trees: AuditTrees): Promise<void> {
  const q = ctx.url.searchParams;
  const id = q.get('request_id');
  if (!id) throw new GateError('bad-request', 'request_id is required');
  const writer = q.get('writer');
  const index = q.get('index');
  if ((writer === null) !== (index === null) || (index !== null && !/^(0|[1-9][0-9]{0,15})$/.test(index))) {
    throw new GateError('bad-request', 'writer and index go together; index is a leaf number');
  }
  const pick = writer !== null && index !== null ? { writer, index: Number(index) } : undefined;
  sendText(ctx.res, 200, 'text/plain; charset=utf-8', await trees.prove(id, pick));
}

export async function consistencyRoute(ctx: RequestContext, trees: AuditTrees): Promise<void> {
  const q = ctx.url.searchParams;
  const num = (name: string): number => {
    const v = q.get(name);
    if (v === null || !/^(0|[1-9][0-9]{0,15})$/.test(v))
      throw new GateError('bad-request', `${name} must be a tree size`);
    return Number(v);
  };
  const writer = q.get('writer') ?? trees.status().writer;
  sendJson(ctx.res, 200, await trees.consistency(writer, num('from'), num('to')));
}

export function keyRoute(ctx: RequestContext, trees: AuditTrees): void {
  sendText(ctx.res, 200, 'text/plain; charset=utf-8', `${trees.verifierKey}\n`);
}

/** GET /api/v1/audit/export: every stored line, as stored, for `audit verify --server` (O(history), streamed). */
export async function exportRoute(ctx: RequestContext, sink: AuditSink): Promise<void> {
  ctx.res.statusCode = 200;
  ctx.res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  for await (const entry of sink.readRaw()) {
    if (!ctx.res.write(`${entry.text}\n`)) await new Promise((r) => ctx.res.once('drain', r));
  }
  ctx.res.end();
}
