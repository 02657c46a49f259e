/**
 * The sharding plan (DESIGN.md §4), in the Citus model: merchant-owned tables distributed by
 * merchant_id and co-located with `merchants`; global keys distributed by their own key; small shared
 * tables replicated to every node; the platform's operational tables kept on the coordinator. The
 * catalogue test (test/db/shard-keys.test.ts) holds the schema to this classification and to what
 * Citus refuses, and `carepoints shard-plan` prints (or `--apply` runs) the distribution DDL from the
 * live schema, in the order Citus 13 accepts it (docs/sharding.md).
 */
import type pg from 'pg';

/**
 * The shards merchants are spread over: fixed, because the programme's accounts are split into as
 * many buckets, each placed with its merchants (src/ledger/programme-buckets.ts, migration 0032).
 */
export const MERCHANT_SHARDS = 32;

export type Placement =
  | { kind: 'reference'; why: string }
  | { kind: 'global_key'; column: string; why: string }
  | { kind: 'coordinator'; why: string };

/** Every table that is not simply "merchant-owned, keyed by merchant_id". */
export const PLACEMENTS: Readonly<Record<string, Placement>> = {
  rulesets: { kind: 'reference', why: 'the programme rules, read by every shard' },
  catalogue_items: { kind: 'reference', why: 'the services credit can buy, managed in the console' },
  hospitals: { kind: 'reference', why: 'the hospital registry the claim checks match invoices against, managed in the console' },
  hospital_registry_version: { kind: 'reference', why: "one row: the hospital registry's version, read to tell whether a copy is stale" },
  trade_numbers: { kind: 'global_key', column: 'trade_no', why: "a platform trade number is unique across merchants; names the trade's merchant" },
  invoice_claims: { kind: 'global_key', column: 'invoice_number', why: 'an invoice (code + number) is reimbursed once across all merchants' },
  invoice_verifications: { kind: 'global_key', column: 'invoice_number', why: "a bill's answer from its issuer and its checks today: the issuer's, not a merchant's (the cache and the daily limit)" },
  reimbursed_photos: { kind: 'global_key', column: 'sha256', why: 'a photo (by content hash) is reimbursed once across all merchants' },
  merchant_wallets: { kind: 'global_key', column: 'wallet_user_id', why: 'a wallet enrols one merchant across the programme; names the merchant a payment is for' },
  merchant_identities: { kind: 'global_key', column: 'id_number_hash', why: 'a resident ID enrols one merchant across the programme' },
  unmatched_payments: { kind: 'global_key', column: 'trade_no', why: 'payments to payees that are not enrolled: no merchant owns them' },
  payer_days: { kind: 'global_key', column: 'buyer_id', why: 'keyed by the payer (fan-out signals across merchants)' },
  ledger_transfer_ids: { kind: 'global_key', column: 'transfer_id', why: "a transfer id is the ledger's idempotency key across merchants; names where the transfer lives" },
  stored_files: { kind: 'global_key', column: 'sha256', why: 'content-addressed files, shared when two claims carry the same page' },
  idempotency_keys: { kind: 'coordinator', why: "keyed by the caller's scope (an API key, a session)" },
  auth_otp_codes: { kind: 'coordinator', why: 'keyed by phone number: sign-in comes before a merchant is known' },
  auth_rate_events: { kind: 'coordinator', why: 'rate limits by phone or address' },
  dev_sms_outbox: { kind: 'coordinator', why: 'development only' },
  audit_log: { kind: 'coordinator', why: 'append-only log of every actor, merchant or staff' },
  staff_users: { kind: 'coordinator', why: 'the console staff' },
  staff_sessions: { kind: 'coordinator', why: 'the console staff' },
  operator_alerts: { kind: 'coordinator', why: 'operations' },
  parked_notifications: { kind: 'coordinator', why: 'operations: notifications that failed on their own, before they reached a merchant' },
  payout_reconciliations: { kind: 'coordinator', why: 'operations: one row per day' },
  notification_sweeps: { kind: 'coordinator', why: 'operations: when the expiring-credit notices last ran' },
  periodic_rounds: { kind: 'coordinator', why: 'operations: when the periodic work last ran' },
  history_horizon: { kind: 'coordinator', why: 'operations: the first business day whose payment history is kept' },
  programme_secrets: { kind: 'coordinator', why: 'configuration' },
  schema_migrations: { kind: 'coordinator', why: 'the migrator' },
  city_budgets: { kind: 'coordinator', why: "a city's budget for a month: one row a city, locked and added to by the batches of its merchants" },
  liability_days: { kind: 'coordinator', why: 'the liability rollup by day and city, refreshed by the periodic work and read by the console' },
  ledger_open_pending: { kind: 'coordinator', why: "the ledger's small index of its open pending transfers, read by the expiry sweep" },
};

export interface ForeignKey {
  name: string;
  references: string;
  /** As pg_get_constraintdef prints it: FOREIGN KEY (…) REFERENCES table(…). */
  definition: string;
}

export interface TableKeys {
  table: string;
  hasMerchantId: boolean;
  /** Column lists of the primary key, unique constraints and unique indexes. */
  keys: string[][];
  foreignKeys?: ForeignKey[];
  /** Statement triggers that read a transition table: Citus runs triggers on shards, where it is not. */
  transitionTriggers?: string[];
}

export async function tableKeys(db: Pick<pg.Pool, 'query'>): Promise<TableKeys[]> {
  const { rows } = await db.query<{ table: string; has_merchant_id: boolean; keys: string[] | null; fks: ForeignKey[] | null; transition_triggers: string[] | null }>(`
    SELECT c.relname AS table,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'merchant_id' AND NOT a.attisdropped) AS has_merchant_id,
           (SELECT array_agg((SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum))
              FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique) AS keys,
           (SELECT json_agg(json_build_object('name', f.conname, 'references', f.confrelid::regclass::text, 'definition', pg_get_constraintdef(f.oid)) ORDER BY f.conname)
              FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.conparentid = 0) AS fks,
           (SELECT array_agg(t.tgname::text ORDER BY t.tgname) FROM pg_trigger t
             WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL)) AS transition_triggers
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
     ORDER BY c.relname`);
  return rows.map((r) => ({
    table: r.table,
    hasMerchantId: r.has_merchant_id,
    keys: (r.keys ?? []).map((k) => (k ?? '').split(',')),
    foreignKeys: r.fks ?? [],
    transitionTriggers: r.transition_triggers ?? [],
  }));
}

/** Where the plan puts a table: its Placement, or merchant-owned (distributed by merchant_id). */
function placementOf(t: TableKeys): Placement | { kind: 'merchant_owned' } | null {
  return PLACEMENTS[t.table] ?? (t.hasMerchantId ? { kind: 'merchant_owned' } : null);
}

/**
 * What keeps a table from its placement, or Citus from taking the plan: an unclassified table; a key
 * of a distributed table without its distribution column; a transition-table trigger on a table the
 * plan distributes; a foreign key Citus cannot keep (between tables not on the same shard, nor to a
 * reference table).
 */
export function keyProblems(tables: readonly TableKeys[]): string[] {
  const problems: string[] = [];
  const byName = new Map(tables.map((t) => [t.table, t]));
  for (const t of tables) {
    const placement = placementOf(t);
    if (!placement) {
      problems.push(`${t.table}: has no merchant_id and is not classified (PLACEMENTS in src/db/shard-plan.ts)`);
      continue;
    }
    const column = placement.kind === 'merchant_owned' ? 'merchant_id' : placement.kind === 'global_key' ? placement.column : null;
    if (placement.kind === 'merchant_owned' && t.keys.length === 0) problems.push(`${t.table}: has no primary key`);
    if (column) for (const key of t.keys) if (!key.includes(column)) problems.push(`${t.table}: unique key (${key.join(', ')}) lacks ${column}`);
    if (placement.kind !== 'coordinator') for (const trigger of t.transitionTriggers ?? []) problems.push(`${t.table}: trigger ${trigger} reads a transition table, which Citus does not give a trigger on a shard`);
    for (const fk of t.foreignKeys ?? []) {
      const target = byName.get(fk.references);
      const to = target ? placementOf(target) : null;
      const keepable =
        (placement.kind === 'coordinator' && to?.kind === 'coordinator') ||
        (placement.kind !== 'coordinator' && to?.kind === 'reference') ||
        (placement.kind === 'merchant_owned' && to?.kind === 'merchant_owned' && /^FOREIGN KEY \(merchant_id\b/.test(fk.definition));
      if (!keepable) problems.push(`${t.table}: foreign key ${fk.name} to ${fk.references} joins tables Citus places apart`);
    }
  }
  return problems;
}

/** The anchor of the merchant-owned tables: every other one is co-located with it. */
const COLOCATION_ANCHOR = 'merchants';

/** Tables in an order where each comes after the tables it references (among those given). */
function referencedFirst(tables: readonly TableKeys[]): TableKeys[] {
  const names = new Set(tables.map((t) => t.table));
  const done = new Set<string>();
  const ordered: TableKeys[] = [];
  const visit = (t: TableKeys, path: Set<string>): void => {
    if (done.has(t.table) || path.has(t.table)) return;
    path.add(t.table);
    for (const fk of t.foreignKeys ?? []) {
      const target = tables.find((x) => x.table === fk.references);
      if (target && names.has(fk.references)) visit(target, path);
    }
    done.add(t.table);
    ordered.push(t);
  };
  for (const t of [...tables].sort((a, b) => (a.table === COLOCATION_ANCHOR ? -1 : b.table === COLOCATION_ANCHOR ? 1 : a.table.localeCompare(b.table)))) visit(t, new Set());
  return ordered;
}

export interface ShardPlan {
  /** The statements, in the order they must run, each with the comment printed before it (if any). */
  steps: { sql: string; note?: string }[];
  coordinator: { table: string; why: string }[];
  problems: string[];
}

/**
 * The Citus DDL, in an order Citus 13 takes: foreign keys to reference tables dropped first (making a
 * reference table would otherwise turn every table joined to it into a "Citus local table", which
 * cannot then be distributed); merchants, the anchor, then the tables that reference it, each after
 * what it references; the global keys; the reference tables; the foreign keys added back. (The few
 * rows a new schema holds, the programme's accounts and rulesets, stay on the coordinator's disk,
 * invisible: truncating them is what the ledger's triggers refuse.)
 */
export function shardPlan(tables: readonly TableKeys[]): ShardPlan {
  const steps: ShardPlan['steps'] = [];
  const placed = (kind: Placement['kind']) => tables.filter((t) => PLACEMENTS[t.table]?.kind === kind);
  const references = new Set(placed('reference').map((t) => t.table));
  const toReference = tables.flatMap((t) => (t.foreignKeys ?? []).filter((fk) => references.has(fk.references)).map((fk) => ({ table: t.table, fk })));
  steps.push({ sql: 'SET citus.enable_unsafe_triggers = on;', note: "The schema's triggers check rows in their own shard only (migration 0031): Citus may run them on shards." });
  steps.push({
    sql: "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET citus.enable_unsafe_triggers = on', current_database()); END $$;",
    note: 'The same for the partitions the periodic work makes later, in its own sessions.',
  });
  toReference.forEach(({ table, fk }, i) => steps.push({ sql: `ALTER TABLE ${table} DROP CONSTRAINT ${fk.name};`, ...(i === 0 && { note: 'Foreign keys to reference tables: dropped while the tables are placed, added back at the end.' }) }));
  const owned = referencedFirst(tables.filter((t) => !PLACEMENTS[t.table] && t.hasMerchantId));
  owned.forEach((t, i) =>
    steps.push({
      sql: t.table === COLOCATION_ANCHOR ? `SELECT create_distributed_table('${t.table}', 'merchant_id', shard_count => ${MERCHANT_SHARDS});` : `SELECT create_distributed_table('${t.table}', 'merchant_id', colocate_with => '${COLOCATION_ANCHOR}');`,
      ...(i === 0 && { note: `Merchant-owned tables: distributed by merchant_id, co-located with ${COLOCATION_ANCHOR} (one merchant, one shard), each after the tables it references.` }),
    }),
  );
  placed('global_key').forEach((t, i) => {
    const p = PLACEMENTS[t.table] as Extract<Placement, { kind: 'global_key' }>;
    steps.push({ sql: `SELECT create_distributed_table('${t.table}', '${p.column}'); -- ${p.why}`, ...(i === 0 && { note: 'Global keys: distributed by their own key.' }) });
  });
  placed('reference').forEach((t, i) => steps.push({ sql: `SELECT create_reference_table('${t.table}'); -- ${PLACEMENTS[t.table]!.why}`, ...(i === 0 && { note: 'Reference tables: a copy on every node.' }) }));
  toReference.forEach(({ table, fk }, i) => steps.push({ sql: `ALTER TABLE ${table} ADD CONSTRAINT ${fk.name} ${fk.definition};`, ...(i === 0 && { note: 'The foreign keys to reference tables, back.' }) }));
  return { steps, coordinator: placed('coordinator').map((t) => ({ table: t.table, why: PLACEMENTS[t.table]!.why })), problems: keyProblems(tables) };
}

/** The plan as a script for psql, with what still blocks it as comments. */
export function shardPlanSql(tables: readonly TableKeys[]): string {
  const plan = shardPlan(tables);
  const lines = ['-- Carepoints sharding plan (Citus 13): run on the coordinator after the migrations, in one session, as printed.'];
  for (const step of plan.steps) {
    if (step.note) lines.push(`-- ${step.note}`);
    lines.push(step.sql);
  }
  lines.push('-- Kept on the coordinator (small, operational):');
  for (const t of plan.coordinator) lines.push(`--   ${t.table}: ${t.why}`);
  if (plan.problems.length) lines.push('-- Problems to fix first:', ...plan.problems.map((p) => `--   ${p}`));
  return `${lines.join('\n')}\n`;
}
