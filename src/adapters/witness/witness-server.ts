// A minimal C2SP tlog-witness (https://c2sp.org/tlog-witness) for the
// gate's checkpoints: `POST /add-checkpoint` cosigns a checkpoint only when
// it is consistent with the last one it cosigned for that origin, and
// `GET /checkpoint?origin=` serves that last cosigned checkpoint (what an
// auditor hands to `audit verify --checkpoint`). State is one JSON file,
// replaced atomically and fsync'd before any answer; calls are serialised,
// so a check and its update cannot interleave.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { open, readFile, rename } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { cosign } from '../../core/tlog/cosignature.js';
import { decideAddCheckpoint, type WitnessedTree } from '../../core/tlog/witness-state.js';
import { signatureLine, type NoteVerifier } from '../../core/tlog/signed-note.js';

export interface WitnessOptions {
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  logKeys: NoteVerifier[];
  stateFile: string;
  now(): Date;
  log(msg: string, fields: Record<string, unknown>): void;
}

interface StoredState {
  [origin: string]: { size: number; root: string; checkpoint: string };
}

const MAX_BODY = 64 * 1024;

export async function startWitness(
  options: WitnessOptions,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  let state: StoredState = {};
  try {
    state = JSON.parse(await readFile(options.stateFile, 'utf8')) as StoredState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`witness state ${options.stateFile} cannot be read: ${(e as Error).message}`, {
        cause: e,
      });
  }
  let queue: Promise<unknown> = Promise.resolve();
  const latest = (origin: string): WitnessedTree | undefined => {
    const s = state[origin];
    return s ? { size: s.size, root: Buffer.from(s.root, 'base64') } : undefined;
  };
  const persist = async (next: StoredState): Promise<void> => {
    const tmp = `${options.stateFile}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(next));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, options.stateFile);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://witness');
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'GET' && url.pathname === '/checkpoint') {
      const s = state[url.searchParams.get('origin') ?? ''];
      if (!s) return send(404, 'no cosigned checkpoint for that origin\n');
      return send(200, s.checkpoint);
    }
    if (req.method !== 'POST' || url.pathname !== '/add-checkpoint') return send(404, 'not found\n');
    readBody(req)
      .then((body) => {
        const run = queue.then(async () => {
          const d = decideAddCheckpoint(body, options.logKeys, latest);
          if (d.status !== 200) {
            options.log('witness refused a checkpoint', {
              status: d.status,
              origin: d.origin,
              problem: d.problem,
            });
            if (d.status === 409 && d.knownSize !== undefined)
              return send(409, `${d.knownSize}\n`, 'text/x.tlog.size');
            return send(d.status, `${d.problem}\n`);
          }
          const time = Math.floor(options.now().getTime() / 1000);
          const line = signatureLine(
            cosign(d.text, time, options.name, options.privateKey, options.publicKey),
          );
          const cosigned = `${body.slice(body.indexOf('\n\n') + 2)}${line}`;
          await persist({
            ...state,
            [d.origin]: {
              size: d.checkpoint.size,
              root: d.checkpoint.root.toString('base64'),
              checkpoint: cosigned,
            },
          });
          state = {
            ...state,
            [d.origin]: {
              size: d.checkpoint.size,
              root: d.checkpoint.root.toString('base64'),
              checkpoint: cosigned,
            },
          };
          options.log('witness cosigned', { origin: d.origin, size: d.checkpoint.size });
          return send(200, line);
        });
        queue = run.catch(() => undefined);
        return run;
      })
      .catch((e: unknown) => {
        if (!res.headersSent)
          send(e instanceof RangeError ? 413 : 500, `${e instanceof Error ? e.message : 'error'}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new RangeError('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
