// The Merkle tree of every writer's records, the checkpoints this gate signs
// for its own writer, and the proofs served from them. Sink-independent: it
// sees records through the AuditSink port only (the stored lines at start,
// each acknowledged record after), so every sink gets the same tree and
// checkpoints. Leaves are the records' canonical bytes (core/tlog/audit-leaf).
//
// Memory: ~64 bytes per record for the tree plus the request-id index; the
// tree is rebuilt from the store at start (one O(history) read).
import type { StoredRecord } from '../../core/contracts/audit.js';
import { GateError } from '../../core/errors.js';
import { parseAuditLine } from '../../core/audit-record.js';
import { recordLeafBytes, recordLeafHash, writerOrigin } from '../../core/tlog/audit-leaf.js';
import { checkpointText } from '../../core/tlog/checkpoint.js';
import { MerkleTree } from '../../core/tlog/merkle-tree.js';
import { RequestIdColumn } from '../../core/tlog/request-id-column.js';
import { leafHash } from '../../core/tlog/rfc6962.js';
import { encodeVerifierKey, signNoteText, verifierFor } from '../../core/tlog/signed-note.js';
import { formatTlogProof } from '../../core/tlog/tlog-proof.js';
import type {
  AuditSigningKey,
  CheckpointBoard,
  CheckpointDestination,
} from '../../core/ports/checkpoints.js';
import type { AuditSink, ChainStart, RawAuditEntry } from '../../core/ports/audit.js';
import { storedLinesNamed } from './read-audit.js';
import type { Clock, Logger } from '../../core/ports/runtime.js';
import { openCheckpoint } from '../../core/tlog/checkpoint.js';
import { SingleFlight } from './single-flight.js';

/** Seal checkpoints kept on the board per writer. */
const SEALED_NOTES_KEPT = 16;

export interface SignedCheckpoint {
  writer: string;
  origin: string;
  size: number;
  root: string;
  note: string;
  signed_at: string;
}

export interface DestinationStatus {
  name: string;
  ok: boolean;
  detail: string;
  size?: number;
  at?: string;
}

export interface AuditTreesStatus {
  key: string;
  key_name: string;
  writer: string;
  checkpoints: SignedCheckpoint[];
  destinations: DestinationStatus[];
}

export interface AuditTreesOptions {
  sink: AuditSink;
  writer: string;
  key: AuditSigningKey;
  clock: Clock;
  logger: Logger;
  destinations: CheckpointDestination[];
  /** Called when a destination refuses a checkpoint (a witness saw another history): raise the alert. */
  onRefused?(destination: string, detail: string): void;
  onAccepted?(destination: string): void;
  /** Where every replica posts its latest checkpoint (ConfigMaps in cluster); absent: only this writer's is known. */
  board?: CheckpointBoard;
  /** After a failed read of the store, how long before a tick reads it again (ms). */
  reloadAfterMs?: number;
}

interface WriterTree {
  tree: MerkleTree;
  /** Each leaf's request id, hashed: which leaves a lookup by request id may mean. */
  ids: RequestIdColumn;
  /** seq of the last leaf; records of this writer arrive in seq order. */
  lastSeq: number;
}

function emptyWriterTree(): WriterTree {
  return { tree: new MerkleTree(), ids: new RequestIdColumn(), lastSeq: 0 };
}

/**
 * A writer's tree where its stored records begin: at genesis, or after the
 * records the archiver moved out, from the compact range the archive ledger
 * keeps, so leaf numbers and roots go on as the checkpoints signed them.
 */
function writerTreeFrom(writer: string, start: ChainStart | undefined): WriterTree {
  if (!start || start.seq === 0) return emptyWriterTree();
  if (!start.tree)
    throw new GateError(
      'audit-unavailable',
      `the oldest ${start.seq} records of writer ${writer} were archived without their tree hashes (an archiver older than this gate): its Merkle tree cannot continue; archive with this version's archiver`,
    );
  const range = start.tree.map((h) => Buffer.from(h, 'base64'));
  return { tree: new MerkleTree(start.seq, range), ids: new RequestIdColumn(), lastSeq: start.seq };
}

/** Reads of the store that raced the archiver (its ledger and its segments disagreed) before giving up. */
const LOAD_ATTEMPTS = 3;

/** A leaf of one writer's tree. */
interface LeafAt {
  writer: string;
  index: number;
}

export class AuditTrees {
  readonly #o: AuditTreesOptions;
  readonly #trees = new Map<string, WriterTree>();
  /** Own records acknowledged out of seq order, waiting for the gap to fill. */
  readonly #early = new Map<number, StoredRecord>();
  readonly #reload = new SingleFlight<void>(() => this.#load());
  readonly #vkey: string;
  #latest: SignedCheckpoint | undefined;
  readonly #destinations = new Map<string, DestinationStatus>();
  #sending: Promise<void> = Promise.resolve();
  #wanted: number[] = [];
  /** Notes of the latest seal checkpoints, posted on the board for the archiver (newest last). */
  readonly #sealedNotes: string[] = [];
  /** False until the store was read once: until then nothing is signed (a partial tree would sign a false history). */
  #loaded = false;
  #loadFailedAt: number | undefined;

  constructor(options: AuditTreesOptions) {
    this.#o = options;
    this.#vkey = encodeVerifierKey(verifierFor(options.key.name, options.key.publicKey));
    for (const d of options.destinations)
      this.#destinations.set(d.name, { name: d.name, ok: true, detail: 'nothing sent yet' });
  }

  /** The public key as a signed-note verifier key (what `audit verify --key` reads). */
  get verifierKey(): string {
    return this.#vkey;
  }

  /** Reads every stored line once and rebuilds every writer's tree. */
  load(): Promise<void> {
    return this.#reload.run().then(
      () => {
        this.#loadFailedAt = undefined;
      },
      (e: unknown) => {
        this.#loadFailedAt = this.#o.clock.now().getTime();
        throw e;
      },
    );
  }

  async #load(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const trees = await this.#readTrees();
      if (trees) {
        // Own records acknowledged during the read may or may not be in it: keep the larger view.
        const own = this.#trees.get(this.#o.writer);
        const ownLoaded = trees.get(this.#o.writer);
        if (own && (!ownLoaded || ownLoaded.tree.size < own.tree.size)) trees.set(this.#o.writer, own);
        this.#trees.clear();
        for (const [k, v] of trees) this.#trees.set(k, v);
        this.#loaded = true;
        return;
      }
      if (attempt === LOAD_ATTEMPTS)
        throw new GateError(
          'audit-unavailable',
          `the archive ledger and the stored segments disagreed on where a writer's records begin in ${LOAD_ATTEMPTS} reads`,
        );
    }
  }

  /** Every writer's tree from one read of the store; undefined when the archiver moved segments during the read. */
  async #readTrees(): Promise<Map<string, WriterTree> | undefined> {
    const starts = (await this.#o.sink.chainStarts?.()) ?? new Map<string, ChainStart>();
    const trees = new Map<string, WriterTree>();
    for await (const entry of this.#o.sink.readRaw()) {
      const line = parseAuditLine(entry.text);
      // A line that is not a record is not a leaf; verification names it.
      if (!line.ok) continue;
      const { writer, seq } = line.record;
      let w = trees.get(writer);
      if (!w) {
        const start = starts.get(writer);
        // The first stored record follows the archived ones, or the ledger moved under the read.
        if (start && seq !== start.seq + 1) return undefined;
        w = writerTreeFrom(writer, start);
        trees.set(writer, w);
      }
      // Alert records are leaves too, but only decisions are looked up by request id.
      w.ids.push(line.record.request_id);
      w.tree.append(recordLeafHash(line.raw));
      w.lastSeq = seq;
    }
    return trees;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** An acknowledged record of this gate's writer becomes the next leaf. */
  observe(record: StoredRecord): void {
    // Before the first read of the store, that read will find this record.
    if (record.writer !== this.#o.writer || !this.#loaded) return;
    const w = this.#own();
    if (record.seq <= w.lastSeq) return; // already loaded from the store
    this.#early.set(record.seq, record);
    for (let next = this.#early.get(w.lastSeq + 1); next; next = this.#early.get(w.lastSeq + 1)) {
      this.#early.delete(next.seq);
      w.ids.push(next.request_id);
      w.tree.append(storedLeafHash(next));
      w.lastSeq = next.seq;
    }
    this.#signWanted();
  }

  #own(): WriterTree {
    let w = this.#trees.get(this.#o.writer);
    if (!w) {
      w = emptyWriterTree();
      this.#trees.set(this.#o.writer, w);
    }
    return w;
  }

  /** Signs a checkpoint of this writer's tree now if it grew since the last one (the periodic tick). */
  async tick(): Promise<void> {
    if (!this.#loaded) {
      // An unreadable store is retried at the tick's pace, not on every call.
      const failed = this.#loadFailedAt;
      if (failed !== undefined && this.#o.clock.now().getTime() - failed < (this.#o.reloadAfterMs ?? 2000))
        return;
      await this.load();
    }
    const size = this.#own().tree.size;
    if (this.#latest && this.#latest.size >= size) return;
    await this.#signAndSend(size);
  }

  /** Signs a checkpoint covering exactly `size` records (a sealed segment) once the tree has them. */
  checkpointAt(size: number): void {
    this.#wanted.push(size);
    this.#signWanted();
  }

  #signWanted(): void {
    if (!this.#loaded) return;
    const have = this.#own().tree.size;
    const ready = this.#wanted.filter((s) => s <= have);
    if (ready.length === 0) return;
    this.#wanted = this.#wanted.filter((s) => s > have);
    for (const size of ready) void this.#signAndSend(size, true).catch(() => undefined);
  }

  /** Signs the checkpoint of `size` and sends it to every destination, in order; never throws into the commit path. */
  #signAndSend(size: number, sealed = false): Promise<void> {
    const run = this.#sending.then(async () => {
      const w = this.#own();
      const signed = this.#sign(size);
      if (!this.#latest || signed.size >= this.#latest.size) this.#latest = signed;
      if (sealed) {
        this.#sealedNotes.push(signed.note);
        // A few: the archiver runs far more often than segments fill.
        if (this.#sealedNotes.length > SEALED_NOTES_KEPT) this.#sealedNotes.shift();
      }
      for (const d of this.#o.destinations) {
        let result: { ok: boolean; detail: string };
        try {
          result = await d.send({
            origin: signed.origin,
            writer: signed.writer,
            size,
            note: signed.note,
            consistencyFrom: (from) => w.tree.consistencyProof(from, size),
          });
        } catch (e) {
          result = { ok: false, detail: e instanceof Error ? e.message : String(e) };
        }
        this.#destinations.set(d.name, {
          name: d.name,
          ok: result.ok,
          detail: result.detail,
          size,
          at: this.#o.clock.now().toISOString(),
        });
        if (result.ok) this.#o.onAccepted?.(d.name);
        else this.#o.onRefused?.(d.name, result.detail);
      }
      if (this.#latest === signed || sealed) await this.#postBoard();
    });
    this.#sending = run.catch(() => undefined);
    return run;
  }

  /** The latest checkpoint and the seal checkpoints on the board; a failed write is logged, never thrown. */
  async #postBoard(): Promise<void> {
    const latest = this.#latest;
    if (!this.#o.board || !latest) return;
    const witness = [...this.#destinations.values()].find((d) => d.name.startsWith('witness'));
    await this.#o.board
      .put({
        writer: latest.writer,
        note: latest.note,
        signed_at: latest.signed_at,
        ...(witness ? { witness: { ok: witness.ok, detail: witness.detail } } : {}),
        ...(this.#sealedNotes.length > 0 ? { sealed: [...this.#sealedNotes] } : {}),
      })
      .catch((e: unknown) =>
        this.#o.logger.warn('audit checkpoint board write failed', {
          error: e instanceof Error ? e.message : String(e),
        }),
      );
  }

  #sign(size: number): SignedCheckpoint {
    const w = this.#own();
    const origin = writerOrigin(this.#o.key.name, this.#o.writer);
    const root = w.tree.root(size);
    const text = checkpointText({ origin, size, root });
    const note = `${text}\n${signNoteText(text, this.#o.key.name, this.#o.key.privateKey, this.#o.key.publicKey)}`;
    return {
      writer: this.#o.writer,
      origin,
      size,
      root: root.toString('base64'),
      note,
      signed_at: this.#o.clock.now().toISOString(),
    };
  }

  /** Waits until every checkpoint asked for so far was signed and sent. */
  async settled(): Promise<void> {
    await this.#sending;
  }

  /**
   * Every writer's latest checkpoint: this one's from memory, the others'
   * from the board, each kept only if its signature verifies under this
   * installation's key and its origin names its writer.
   */
  async statusAll(): Promise<
    AuditTreesStatus & { peers: Array<SignedCheckpoint & { witness?: { ok: boolean; detail: string } }> }
  > {
    const own = this.status();
    if (!this.#o.board) return { ...own, peers: [] };
    let entries: Awaited<ReturnType<CheckpointBoard['list']>> = [];
    try {
      entries = await this.#o.board.list();
    } catch (e) {
      this.#o.logger.warn('audit checkpoint board unreadable', {
        error: e instanceof Error ? e.message : String(e),
      });
    }
    const key = verifierFor(this.#o.key.name, this.#o.key.publicKey);
    const peers = entries
      .filter((e) => e.writer !== this.#o.writer)
      .flatMap((e) => {
        const opened = openCheckpoint(e.note, key);
        if (!opened.ok || opened.value.checkpoint.origin !== writerOrigin(this.#o.key.name, e.writer))
          return [];
        const c = opened.value.checkpoint;
        return [
          {
            writer: e.writer,
            origin: c.origin,
            size: c.size,
            root: c.root.toString('base64'),
            note: e.note,
            signed_at: e.signed_at,
            ...(e.witness ? { witness: e.witness } : {}),
          },
        ];
      })
      .sort((a, b) => (a.writer < b.writer ? -1 : 1));
    return { ...own, peers };
  }

  status(): AuditTreesStatus {
    return {
      key: this.#vkey,
      key_name: this.#o.key.name,
      writer: this.#o.writer,
      checkpoints: this.#latest ? [this.#latest] : [],
      destinations: [...this.#destinations.values()],
    };
  }

  /**
   * A c2sp.org/tlog-proof@v1 for the decision `requestId`: index, inclusion
   * proof and a signed checkpoint covering it, the record's canonical bytes
   * in `extra`. Another writer's record is proved against that writer's
   * latest checkpoint from the board (#provePeer).
   */
  async prove(requestId: string, pick?: { writer: string; index: number }): Promise<string> {
    let at = this.#loaded ? await this.#recordsNamed(requestId) : [];
    // The store is read again only when it holds a record of that id the trees do not have yet
    // (a peer's newer record): an id nobody stored costs an index lookup, not a read of the history.
    if (at.length === 0 && (!this.#loaded || (await this.#storedWithId(requestId)))) {
      await this.load();
      at = await this.#recordsNamed(requestId);
    }
    if (at.length === 0)
      throw new GateError(
        'not-found',
        `no audit record with request id ${JSON.stringify(requestId.slice(0, 100))}`,
      );
    const chosen = pick ? at.filter((a) => a.writer === pick.writer && a.index === pick.index) : at;
    if (chosen.length !== 1) {
      throw new GateError(
        'bad-request',
        `request id names ${at.length} records (${at.map((a) => `${a.writer}#${a.index}`).join(', ')}); pick one with writer= and index=`,
      );
    }
    const { writer, index, bytes } = chosen[0]!;
    if (writer !== this.#o.writer) return this.#provePeer(writer, index, bytes);
    if (!this.#latest || this.#latest.size <= index) await this.#signAndSend(this.#own().tree.size);
    const cp = this.#latest!;
    const tree = this.#own().tree;
    return this.#proofAgainst(writer, index, bytes, tree, cp);
  }

  /** Leaves of every writer whose hashed request id is this one's (collisions included). */
  #candidates(requestId: string): LeafAt[] {
    const out: LeafAt[] = [];
    for (const [writer, w] of this.#trees)
      for (const i of w.ids.candidates(requestId)) out.push({ writer, index: w.tree.prefix + i });
    return out;
  }

  /**
   * The leaves that really are `requestId`'s records, with their bytes as
   * stored. The lines the store's index offers for the id are matched to
   * the candidate leaves by writer and seq (leaf index = seq - 1: the tree
   * holds a writer's records in seq order from its first). When none of
   * them is a candidate, the candidates are hash collisions or records
   * removed from the store, and only reading each candidate's own line
   * tells which: the whole store, once (a real collision, or tampering).
   */
  async #recordsNamed(requestId: string): Promise<Array<LeafAt & { bytes: Buffer }>> {
    const candidates = this.#candidates(requestId);
    if (candidates.length === 0) return [];
    const offered = await this.#confirm(
      requestId,
      candidates,
      await storedLinesNamed(this.#o.sink, requestId),
    );
    if (offered.found.length > 0) return offered.found;
    const all = await this.#confirm(requestId, candidates, this.#o.sink.readRaw());
    if (all.left > 0)
      throw new GateError(
        'audit-unavailable',
        `the store no longer holds ${all.left} record(s) this gate's trees hold for the request id: records were removed`,
      );
    return all.found;
  }

  /** Checks the candidate leaves among `lines` (stopping once all are seen); `left`: candidates not among them. */
  async #confirm(
    requestId: string,
    candidates: LeafAt[],
    lines: AsyncIterable<RawAuditEntry>,
  ): Promise<{ found: Array<LeafAt & { bytes: Buffer }>; left: number }> {
    const found: Array<LeafAt & { bytes: Buffer }> = [];
    const wanted = new Map<string, Set<number>>();
    for (const c of candidates)
      wanted.set(c.writer, (wanted.get(c.writer) ?? new Set<number>()).add(c.index));
    let left = candidates.length;
    for await (const entry of lines) {
      const line = parseAuditLine(entry.text);
      if (!line.ok) continue;
      const { writer, seq } = line.record;
      const index = seq - 1;
      if (!wanted.get(writer)?.delete(index)) continue;
      const bytes = recordLeafBytes(line.raw);
      if (line.record.request_id === requestId) found.push({ writer, index, bytes });
      // Another id with the same 32-bit hash, unless the store changed under the tree: then say so.
      else checkLeaf(this.#trees.get(writer)!.tree, writer, index, bytes);
      if (--left === 0) break;
    }
    return { found, left };
  }

  /** Whether the store holds a record with this request id (through its index). */
  async #storedWithId(requestId: string): Promise<boolean> {
    for await (const entry of await storedLinesNamed(this.#o.sink, requestId)) {
      const line = parseAuditLine(entry.text);
      if (line.ok && line.record.request_id === requestId) return true;
    }
    return false;
  }

  /**
   * A proof for a record another replica wrote, from the shared store: any
   * replica answers for any writer. Only that writer signs its tree, so the
   * proof is against its latest checkpoint on the board (signature and
   * origin checked), and only if the tree this replica rebuilt from the store
   * has that checkpoint's root: a store changed behind the writer is refused,
   * never proved against. A record newer than the writer's latest checkpoint
   * is not provable yet (the writer signs every few seconds).
   */
  async #provePeer(writer: string, index: number, record: Buffer): Promise<string> {
    const cp = await this.#peerCheckpoint(writer);
    if (index >= cp.size)
      throw new GateError(
        'not-found',
        `record ${writer}#${index} is newer than ${writer}'s latest checkpoint (size ${cp.size}); retry after its next checkpoint`,
      );
    if ((this.#trees.get(writer)?.tree.size ?? 0) < cp.size) await this.load();
    const tree = this.#trees.get(writer)?.tree;
    if (!tree || tree.size < cp.size)
      throw new GateError(
        'audit-unavailable',
        `the store holds ${tree?.size ?? 0} records of ${writer}, fewer than its checkpoint signed (${cp.size}): records were removed`,
      );
    if (!tree.root(cp.size).equals(Buffer.from(cp.root, 'base64')))
      throw new GateError(
        'audit-unavailable',
        `the stored records of ${writer} do not have the root its checkpoint of size ${cp.size} signed: the store was changed`,
      );
    return this.#proofAgainst(writer, index, record, tree, cp);
  }

  /** The record as stored, checked against the tree's leaf, with its inclusion proof up to `cp`. */
  #proofAgainst(
    writer: string,
    index: number,
    record: Buffer,
    tree: MerkleTree,
    cp: SignedCheckpoint,
  ): string {
    checkLeaf(tree, writer, index, record);
    return formatTlogProof({
      extra: record,
      index,
      proof: tree.inclusionProof(index, cp.size),
      checkpoint: cp.note,
    });
  }

  /** `writer`'s latest checkpoint as the board holds it, verified (statusAll drops what does not verify). */
  async #peerCheckpoint(writer: string): Promise<SignedCheckpoint> {
    if (!this.#o.board)
      throw new GateError(
        'not-found',
        `the record was written by ${writer}, and without a checkpoint board this replica has no checkpoint of that writer; ask that replica`,
      );
    const cp = (await this.statusAll()).peers.find((p) => p.writer === writer);
    if (!cp) throw new GateError('not-found', `no verified checkpoint of writer ${writer} on the board yet`);
    return cp;
  }

  /**
   * RFC 6962 consistency proof between two sizes of `writer`'s tree. Any
   * writer's: another replica's tree is read again from the store when it
   * was asked for a size beyond what this replica last read.
   */
  async consistency(
    writer: string,
    from: number,
    to: number,
  ): Promise<{ origin: string; from: number; to: number; proof: string[] }> {
    if (
      writer !== this.#o.writer &&
      Number.isSafeInteger(to) &&
      to > (this.#trees.get(writer)?.tree.size ?? 0)
    )
      await this.load();
    const w = this.#trees.get(writer);
    if (!w)
      throw new GateError('not-found', `no audit tree for writer ${JSON.stringify(writer.slice(0, 100))}`);
    if (
      !Number.isSafeInteger(from) ||
      !Number.isSafeInteger(to) ||
      from < 0 ||
      to < from ||
      to > w.tree.size
    ) {
      throw new GateError('bad-request', `sizes must satisfy 0 <= from <= to <= ${w.tree.size}`);
    }
    if (from > 0 && from < w.tree.prefix)
      throw new GateError(
        'bad-request',
        `the first ${w.tree.prefix} records of ${writer} were archived, and this tree proves consistency from size ${w.tree.prefix} on; verify older sizes against the archive (audit verify --archive)`,
      );
    return {
      origin: writerOrigin(this.#o.key.name, writer),
      from,
      to,
      proof: w.tree.consistencyProof(from, to).map((h) => h.toString('base64')),
    };
  }

  /** The root of this writer's tree at `size` (what an earlier checkpoint signed). */
  rootAt(size: number): Buffer {
    return this.#own().tree.root(size);
  }
}

/** The sink, with every acknowledged record handed to the trees. */
export function withAuditTrees(sink: AuditSink, trees: AuditTrees): AuditSink {
  return {
    kind: sink.kind,
    async append(report) {
      const record = await sink.append(report);
      trees.observe(record);
      return record;
    },
    readRaw: () => sink.readRaw(),
    health: () => sink.health(),
    close: () => sink.close(),
    // The read side goes through whole: without these the API and UI would scan (O(history)) and
    // verification would start archived chains at genesis.
    ...(sink.index ? { index: sink.index } : {}),
    ...(sink.indexed ? { indexed: sink.indexed } : {}),
    ...(sink.readIndex ? { readIndex: () => sink.readIndex!() } : {}),
    ...(sink.chainStarts ? { chainStarts: () => sink.chainStarts!() } : {}),
  };
}

/** Log shipping: every checkpoint as one log line (the container log leaves the pod). */
export function logDestination(logger: Logger): CheckpointDestination {
  return {
    name: 'log',
    send(c) {
      logger.info('audit checkpoint', { origin: c.origin, size: c.size, checkpoint: c.note });
      return Promise.resolve({ ok: true, detail: `logged size ${c.size}` });
    },
  };
}

/**
 * The leaf is over the record as stored. A record the sink chained is
 * plain JSON data already (its chain hash is over the same canonical text),
 * so its canonical JSON is the stored one's; only a value canonical JSON
 * cannot hold (it throws) takes the JSON round trip, which drops it as the
 * stored line does. (The round trip on every record was a tenth of a
 * remembered admission's cost.)
 */
function storedLeafHash(record: StoredRecord): Buffer {
  try {
    return recordLeafHash(record as unknown as Record<string, unknown>);
  } catch {
    return recordLeafHash(JSON.parse(JSON.stringify(record)) as Record<string, unknown>);
  }
}

/** The record as stored is the tree's leaf, or the store changed under the tree. */
function checkLeaf(tree: MerkleTree, writer: string, index: number, record: Buffer): void {
  if (!leafHash(record).equals(tree.leaf(index)))
    throw new GateError(
      'audit-unavailable',
      `the stored record ${writer}#${index} no longer matches the tree this gate built: the store was changed`,
    );
}
