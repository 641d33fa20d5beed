// The PostgreSQL audit table, and the checks that make it append-only by
// construction. The table is created by an administrator (`migration-gate
// audit pg-setup`, or the SQL below run by hand); the gate's own role gets
// INSERT and SELECT and nothing else, and triggers refuse UPDATE, DELETE and
// TRUNCATE for everybody, the owner included (an owner's mistake, a
// migration script, a `DELETE` typed into the wrong psql). An owner can
// still drop the triggers on purpose: that is what the hash chain and the
// checkpoints that leave the store are for.
//
// One row per record. `line` holds exactly the bytes the file and ConfigMap
// sinks store for the record (its JSON line without the newline); the other
// columns are copies for the indexes, never the source of truth: reads hand
// `line` to the same parser and verifier as every other sink.
export const AUDIT_TABLE = 'migration_gate_audit';
/**
 * The signed checkpoints kept beside the records, append-only like them:
 * `latest` rows are the checkpoint board (each writer posts its newest
 * checkpoint, so any replica shows and proves every writer's), `sealed`
 * rows are the checkpoints the archiver stored with the ConfigMap segments
 * it exported here (each of exactly its segment's last record). A board
 * reads the newest `latest` row per writer; nothing is ever replaced.
 */
export const CHECKPOINT_TABLE = 'migration_gate_audit_checkpoints';
/**
 * One row per (record, rule of one of its findings): the index the page's
 * `rule` filter reads in page order (an array column's GIN index cannot give
 * that order: a rule's page then sorted every hit, or read the whole order
 * index for a rare rule). Written in the records' INSERT statement.
 */
export const RULE_TABLE = 'migration_gate_audit_rules';
/** Every table, each guarded the same way and checked at every start. */
export const GUARDED_TABLES = [AUDIT_TABLE, CHECKPOINT_TABLE, RULE_TABLE] as const;

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** A role name that is safe to splice into DDL (GRANT cannot take a bind parameter). */
export function checkedRole(role: string): string {
  if (!IDENT.test(role))
    throw new Error(
      `PostgreSQL role name must match ${IDENT.source}, got ${JSON.stringify(role.slice(0, 70))}`,
    );
  return role;
}

/** The audit page's order (newest first: time, writer, seq descending; writer in byte order, as the in-memory selector compares strings). */
export const PAGE_ORDER = 'ts_ms DESC NULLS LAST, writer COLLATE "C" ASC, seq DESC';

/**
 * DDL for the table, its indexes and its guards, idempotent. `gateRole` is
 * the role the gate connects as. The page indexes end in PAGE_ORDER behind
 * exact keys for every filter (pg-audit-query.ts): (scenario, decision) for
 * any query without an app, (app_id, scenario, decision) for any with one.
 */
export function setupStatements(gateRole: string): string[] {
  const role = checkedRole(gateRole);
  const t = AUDIT_TABLE;
  const order = PAGE_ORDER;
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
       writer     text   NOT NULL CHECK (writer <> ''),
       seq        bigint NOT NULL CHECK (seq > 0),
       hash       text   NOT NULL,
       prev_hash  text   NOT NULL,
       request_id text   NOT NULL,
       ts_ms      bigint,
       scenario   text   NOT NULL,
       decision   text   NOT NULL,
       app_id     text,
       line       text   NOT NULL,
       PRIMARY KEY (writer, seq)
     )`,
    // The page's rule and request-id filters (a finding's rule id; the caller's correlation id).
    // NULL rules: a row written before these columns existed, filled in just below.
    `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS correlation_id text`,
    `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS rules text[]`,
    `CREATE INDEX IF NOT EXISTS ${t}_kind_page ON ${t} (scenario, decision, ${order})`,
    `CREATE INDEX IF NOT EXISTS ${t}_app_page ON ${t} (app_id, scenario, decision, ${order})`,
    // The single-column page indexes of earlier versions: the two above serve every filter exactly.
    ...['newest', 'scenario', 'decision', 'app'].map((old) => `DROP INDEX IF EXISTS ${t}_${old}`),
    `CREATE INDEX IF NOT EXISTS ${t}_request ON ${t} (request_id)`,
    `CREATE INDEX IF NOT EXISTS ${t}_correlation ON ${t} (correlation_id) WHERE correlation_id IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${RULE_TABLE} (
       writer text   NOT NULL,
       seq    bigint NOT NULL,
       rule   text   NOT NULL,
       ts_ms  bigint,
       PRIMARY KEY (writer, seq, rule)
     )`,
    `CREATE INDEX IF NOT EXISTS ${RULE_TABLE}_page ON ${RULE_TABLE} (rule, ${order})`,
    `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (
       id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       writer    text   NOT NULL CHECK (writer <> ''),
       kind      text   NOT NULL CHECK (kind IN ('latest', 'sealed')),
       size      bigint NOT NULL CHECK (size >= 0),
       note      text   NOT NULL,
       entry     text   NOT NULL,
       posted_at timestamptz NOT NULL DEFAULT now()
     )`,
    // The board's read: the newest row of one writer, and the next writer after one (a loose index scan).
    `CREATE INDEX IF NOT EXISTS ${CHECKPOINT_TABLE}_newest ON ${CHECKPOINT_TABLE} (kind, writer, id DESC)`,
    // An archiver re-run after a crash stores a seal checkpoint once; another note of that size is a conflict it reports.
    `CREATE UNIQUE INDEX IF NOT EXISTS ${CHECKPOINT_TABLE}_sealed ON ${CHECKPOINT_TABLE} (writer, size) WHERE kind = 'sealed'`,
    `CREATE OR REPLACE FUNCTION ${t}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'the migration-gate audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
     END $$`,
    ...GUARDED_TABLES.flatMap((g) => [
      `CREATE OR REPLACE TRIGGER ${g}_no_change BEFORE UPDATE OR DELETE ON ${g} FOR EACH ROW EXECUTE FUNCTION ${t}_refuse()`,
      `CREATE OR REPLACE TRIGGER ${g}_no_truncate BEFORE TRUNCATE ON ${g} FOR EACH STATEMENT EXECUTE FUNCTION ${t}_refuse()`,
      // The gate's role: read and append, nothing else. REVOKE first, so a
      // setup re-run over a hand-made GRANT ALL still leaves only these two.
      `REVOKE ALL ON ${g} FROM ${role}`,
      `GRANT SELECT, INSERT ON ${g} TO ${role}`,
    ]),
    // The owner's one-time migration of older rows (the only change the guards let through, and only here, in setup's transaction).
    `DO $$ BEGIN
       IF EXISTS (SELECT 1 FROM ${t} WHERE rules IS NULL) THEN
         EXECUTE 'ALTER TABLE ${t} DISABLE TRIGGER ${t}_no_change';
         UPDATE ${t} SET correlation_id = line::jsonb ->> 'correlation_id',
           rules = ARRAY(SELECT DISTINCT f ->> 'rule' FROM jsonb_array_elements(COALESCE(line::jsonb -> 'findings', '[]')) f WHERE f ->> 'rule' IS NOT NULL)
         WHERE rules IS NULL;
         EXECUTE 'ALTER TABLE ${t} ENABLE TRIGGER ${t}_no_change';
       END IF;
       IF NOT EXISTS (SELECT 1 FROM ${RULE_TABLE}) THEN
         INSERT INTO ${RULE_TABLE} (writer, seq, rule, ts_ms)
           SELECT a.writer, a.seq, r, a.ts_ms FROM ${t} a CROSS JOIN unnest(a.rules) r
         ON CONFLICT DO NOTHING;
       END IF;
     END $$`,
  ];
}

/** One query per guarded table the gate runs at start: what its role may do to it, and whether its guards are in place. */
export const guardCheckSql = (table: (typeof GUARDED_TABLES)[number]): string => `
  SELECT
    c.oid IS NOT NULL AS table_exists,
    CASE WHEN c.oid IS NULL THEN false ELSE pg_get_userbyid(c.relowner) = current_user END AS is_owner,
    CASE WHEN c.oid IS NULL THEN false ELSE has_table_privilege(c.oid, 'INSERT') END AS can_insert,
    CASE WHEN c.oid IS NULL THEN false ELSE has_table_privilege(c.oid, 'SELECT') END AS can_select,
    CASE WHEN c.oid IS NULL THEN false ELSE has_table_privilege(c.oid, 'UPDATE') END AS can_update,
    CASE WHEN c.oid IS NULL THEN false ELSE has_table_privilege(c.oid, 'DELETE') END AS can_delete,
    CASE WHEN c.oid IS NULL THEN false ELSE has_table_privilege(c.oid, 'TRUNCATE') END AS can_truncate,
    (SELECT count(*) FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgenabled IN ('O', 'A')
       AND g.tgname IN ('${table}_no_change', '${table}_no_truncate'))::int AS guards,
    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_superuser
  FROM (SELECT to_regclass('${table}')::oid AS oid) r
  LEFT JOIN pg_class c ON c.oid = r.oid`;

export interface GuardState {
  table_exists: boolean;
  is_owner: boolean;
  can_insert: boolean;
  can_select: boolean;
  can_update: boolean;
  can_delete: boolean;
  can_truncate: boolean;
  guards: number;
  is_superuser: boolean;
}

/** Why the gate must not write through this connection, or undefined when it may. */
export function guardProblem(s: GuardState, table: string): string | undefined {
  if (!s.table_exists)
    return `table ${table} does not exist: create it with \`migration-gate audit pg-setup\` (as its owner, not as the gate's role)`;
  if (s.is_superuser)
    return 'the gate connects as a superuser, which can bypass every guard; give it a role with INSERT and SELECT only';
  if (s.is_owner)
    return `the gate's role owns ${table} and could drop its guards; create the table as another role and GRANT SELECT, INSERT to the gate`;
  const extra = (['update', 'delete', 'truncate'] as const).filter((p) => s[`can_${p}`]);
  if (extra.length > 0)
    return `the gate's role may ${extra.join(', ').toUpperCase()} ${table}; it must have INSERT and SELECT only (re-run pg-setup)`;
  if (!s.can_insert || !s.can_select)
    return `the gate's role lacks ${!s.can_insert ? 'INSERT' : 'SELECT'} on ${table}`;
  if (s.guards < 2) return `the append-only triggers of ${table} are missing or disabled (re-run pg-setup)`;
  return undefined;
}
