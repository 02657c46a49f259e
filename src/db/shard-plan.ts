/**
 * The sharding plan (DESIGN.md §4), in the Citus model: merchant-owned tables distributed by
 * merchant_id and co-located with `merchants`; global keys distributed by their own key; small shared
 * tables replicated to every node; the platform's operational tables kept on the coordinator. The
 * catalogue test (test/db/shard-keys.test.ts) holds the schema to this classification, and
 * `carepoints shard-plan` prints the distribution DDL from the live schema.
 */
import type pg from 'pg';

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
  ledger_open_pending: { kind: 'coordinator', why: "the ledger's small index of its open pending transfers, read by the expiry sweep" },
};

export interface TableKeys {
  table: string;
  hasMerchantId: boolean;
  /** Column lists of the primary key, unique constraints and unique indexes. */
  keys: string[][];
}

export async function tableKeys(db: Pick<pg.Pool, 'query'>): Promise<TableKeys[]> {
  const { rows } = await db.query<{ table: string; has_merchant_id: boolean; keys: string[] | null }>(`
    SELECT c.relname AS table,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'merchant_id' AND NOT a.attisdropped) AS has_merchant_id,
           (SELECT array_agg((SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum))
              FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique) AS keys
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
     ORDER BY c.relname`);
  return rows.map((r) => ({ table: r.table, hasMerchantId: r.has_merchant_id, keys: (r.keys ?? []).map((k) => (k ?? '').split(',')) }));
}

/** What keeps a table from its placement: an unclassified table, or a merchant-owned one with a key that lacks merchant_id. */
export function keyProblems(tables: readonly TableKeys[]): string[] {
  const problems: string[] = [];
  for (const t of tables) {
    if (PLACEMENTS[t.table]) continue;
    if (!t.hasMerchantId) {
      problems.push(`${t.table}: has no merchant_id and is not classified (PLACEMENTS in src/db/shard-plan.ts)`);
      continue;
    }
    if (t.keys.length === 0) problems.push(`${t.table}: has no primary key`);
    for (const key of t.keys) if (!key.includes('merchant_id')) problems.push(`${t.table}: unique key (${key.join(', ')}) lacks merchant_id`);
  }
  return problems;
}

/** The first merchant-owned table distributed; every other one is co-located with it. */
const COLOCATION_ANCHOR = 'payments';

/** The Citus DDL that distributes this schema, with what still blocks the rest, as comments. */
export function shardPlanSql(tables: readonly TableKeys[]): string {
  const lines = ['-- Carepoints sharding plan (Citus): run on the coordinator after the migrations.', '-- Reference tables: a copy on every node.'];
  const placed = (kind: Placement['kind']) => tables.filter((t) => PLACEMENTS[t.table]?.kind === kind);
  for (const t of placed('reference')) lines.push(`SELECT create_reference_table('${t.table}'); -- ${PLACEMENTS[t.table]!.why}`);
  lines.push('-- Merchant-owned tables: distributed by merchant_id, co-located (one merchant, one shard).');
  const owned = tables.filter((t) => !PLACEMENTS[t.table] && t.hasMerchantId && t.table !== COLOCATION_ANCHOR);
  lines.push(`SELECT create_distributed_table('${COLOCATION_ANCHOR}', 'merchant_id');`);
  for (const t of owned) lines.push(`SELECT create_distributed_table('${t.table}', 'merchant_id', colocate_with => '${COLOCATION_ANCHOR}');`);
  lines.push('-- Global keys: distributed by their own key.');
  for (const t of placed('global_key')) {
    const p = PLACEMENTS[t.table] as Extract<Placement, { kind: 'global_key' }>;
    lines.push(`SELECT create_distributed_table('${t.table}', '${p.column}'); -- ${p.why}`);
  }
  lines.push('-- Kept on the coordinator (small, operational):');
  for (const t of placed('coordinator')) lines.push(`--   ${t.table}: ${PLACEMENTS[t.table]!.why}`);
  const problems = keyProblems(tables);
  if (problems.length) lines.push('-- Problems to fix first:', ...problems.map((p) => `--   ${p}`));
  return `${lines.join('\n')}\n`;
}
