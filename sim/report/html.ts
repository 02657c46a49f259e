/**
 * The report as one self-contained HTML file: ECharts inlined from node_modules, the data inlined as
 * JSON, no network needed to open it. With two worlds (--compare), the rulesets stand side by side.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { formatFenAsYuan } from '../../src/shared/money.ts';
import { SIMULATION_RULESETS } from '../world/rulesets.ts';
import type { SimReport } from './metrics.ts';

const require = createRequire(import.meta.url);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Averages can be fractions of a fen: shown to four decimals of a yuan rather than as ¥0.00. */
const yuan = (fen: number) => (Math.abs(fen) >= 100 || Number.isInteger(fen) ? `¥${formatFenAsYuan(Math.round(fen))}` : `¥${(fen / 100).toFixed(4)}`);
const perSecond = (items: number, ms: number) => {
  const rate = items / Math.max(ms / 1000, 0.001);
  return rate >= 100 ? count(Math.round(rate)) : rate.toFixed(2);
};
const percent = (share: number) => `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`;
const count = (n: number) => n.toLocaleString('en');
const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);

/** The numbers a programme designer compares, one row each. */
function reminderLine(r: SimReport, kind: 'lapse' | 'expiry'): string {
  const o = r.reminders.find((x) => x.kind === kind);
  return o ? `${count(o.messages)} / ${yuan(o.savedFen)} of ${yuan(o.remindedFen)} reminded` : '–';
}

/** Audits decided (at random / by amount), the overpayments found, the sample's error rate and its 95 % interval. */
function auditLine(r: SimReport): string {
  const a = r.audits;
  const rate = a.errorRate === null || a.errorRateInterval === null ? 'no sampled audit decided' : `error rate ${percent(a.errorRate)} (95 % ${percent(a.errorRateInterval.low)}–${percent(a.errorRateInterval.high)})`;
  return `${count(a.decidedSample)} / ${count(a.decidedCensus)}; ${yuan(a.overpaidFoundFen)} overpaid found; ${rate}`;
}

/** Appeals made, upheld and refused, legitimate and forged claims apart, and what the upheld ones paid. */
function appealLine(r: SimReport): string {
  return r.appeals.map((a) => `${a.kind}: ${count(a.appealed)} appealed, ${count(a.approved)} upheld (${yuan(a.paidFen)} paid), ${count(a.rejected)} refused`).join('; ');
}

/** Credit outstanding at the end, its expected cost, and each budget's use. */
function liabilityLine(r: SimReport): string {
  const l = r.liability;
  const outstanding = l.cities.reduce((sum, c) => sum + c.outstandingFen, 0);
  const cost = l.cities.reduce((sum, c) => sum + (c.expectedCostFen ?? 0), 0);
  const budgets = l.budgets.map((b) => `${b.city} ${b.period} ${yuan(b.grantedFen)} of ${yuan(b.limitFen)}${b.reached ? ', reached' : ''}`).join('; ');
  return `${yuan(outstanding)} outstanding, expected cost ${l.claimRatio === null ? '–' : `${yuan(cost)} (claim ratio ${percent(l.claimRatio)})`}; budgets: ${budgets || 'none'}`;
}

/** What the invoices' issuers said: verified, contradicted, unknown; decided without them (queued, and what their check after payment found). */
function verificationLine(r: SimReport): string {
  const { atDecision: d, afterPayment: a } = r.verification;
  return `${count(d.verified)} / ${count(d.mismatched)} / ${count(d.unknown_bill)}; ${count(d.deferred)} decided without (${count(a.queued)} queued, ${count(a.mismatched + a.unknown_bill)} contradicted after payment)`;
}

function headline(r: SimReport): [string, string][] {
  return [
    ['Merchants enrolled', count(r.coverage.enrolled)],
    ['Active merchants, last day', count(r.merchants.active.at(-1) ?? 0)],
    ['Collections (earning payments)', count(r.cost.collections)],
    ['Credit granted', yuan(r.cost.creditsGrantedFen)],
    ['Credit collected', yuan(r.creditsFen.collected.reduce((a, b) => a + b, 0))],
    ['Credit lapsed / expired', `${yuan(r.creditsFen.lapsed.reduce((a, b) => a + b, 0))} / ${yuan(r.creditsFen.expired.reduce((a, b) => a + b, 0))}`],
    ['Reminders before credit lapses: sent / credit saved', reminderLine(r, 'lapse')],
    ['Reminders before credit expires: sent / credit saved', reminderLine(r, 'expiry')],
    ['Claims', count(r.claims.total)],
    ['Reimbursed', yuan(r.cost.reimbursedFen)],
    ['Reimbursement cost per merchant', yuan(r.cost.perMerchantFen)],
    ['Reimbursement cost per 1,000 collections', yuan(r.cost.per1000CollectionsFen)],
    ['Merchants who claimed (in the window)', `${count(r.coverage.merchantsClaimed)} = ${percent(r.coverage.share)}`],
    ['… projected over a year at this rate', percent(r.coverage.annualisedShare)],
    ['Paid claims audited (at random / by amount)', auditLine(r)],
    ['Appeals of refused claims', appealLine(r)],
    ['Liability at the end (to collect, available, reserved)', liabilityLine(r)],
    ['Invoices checked with their issuer: verified / contradicted / unknown', verificationLine(r)],
    ['Automatic decisions (all / legitimate claims)', `${percent(r.claims.automaticDecisionRate)} / ${percent(r.claims.automaticDecisionRateLegit)}`],
    ['Time to money p50 / p90 / p99', `${seconds(r.measured.timeToMoneyMs.p50)} / ${seconds(r.measured.timeToMoneyMs.p90)} / ${seconds(r.measured.timeToMoneyMs.p99)}`],
  ];
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

type ChartOption = Record<string, unknown>;

function chart(title: string, option: ChartOption): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><div class="chart" data-option="${escapeHtml(JSON.stringify(option))}"></div></figure>`;
}

const axis = (days: readonly string[]) => ({ type: 'category', data: days.map((d) => d.slice(5)) });
const common = { tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 60, right: 20, top: 40, bottom: 30 }, yAxis: { type: 'value' } };
const series = (type: 'line' | 'bar', entries: Record<string, number[]>, stack?: string) =>
  Object.entries(entries).map(([name, data]) => ({ name, type, data, ...(stack ? { stack } : {}) }));
const toYuan = (fen: readonly number[]) => fen.map((f) => Math.round(f) / 100);

function charts(r: SimReport): string {
  const c = r.creditsFen;
  const statusNames: Record<string, string> = { paid: 'paid', rejected: 'rejected', in_review: 'in review', photo_requested: 'photo asked again', in_flight: 'in flight' };
  return [
    chart('Enrolled and active merchants', { ...common, xAxis: axis(r.days), series: series('line', { enrolled: r.merchants.enrolled, 'active (earned credit that day)': r.merchants.active }) }),
    chart('Payment notifications and collections (payments that earned credit)', { ...common, xAxis: axis(r.days), series: series('bar', { notifications: r.payments.notifications, collections: r.payments.collections }) }),
    chart('Credit by day (CNY)', { ...common, xAxis: axis(r.days), series: series('bar', { granted: toYuan(c.granted), collected: toYuan(c.collected), lapsed: toYuan(c.lapsed), expired: toYuan(c.expired) }) }),
    chart('Claims by day of submission, by outcome', {
      ...common,
      xAxis: axis(r.days),
      series: series('bar', Object.fromEntries(Object.entries(r.claims.byDay).map(([s, v]) => [statusNames[s] ?? s, v])), 'status'),
    }),
    chart('Time to money: submission → wallet (claims)', {
      ...common,
      xAxis: { type: 'category', data: r.measured.timeToMoneyMs.histogram.map((b) => (Number.isFinite(b.upToMs) ? `≤${b.upToMs / 1000}s` : 'more')) },
      series: [{ name: 'paid claims', type: 'bar', data: r.measured.timeToMoneyMs.histogram.map((b) => b.claims) }],
    }),
    chart('Fraud injected vs caught', {
      ...common,
      xAxis: { type: 'category', data: [...r.fraud.payments.map((p) => `${p.kind} (actors)`), ...r.fraud.claims.map((k) => `${k.kind} (claims)`)] },
      series: [
        { name: 'injected', type: 'bar', data: [...r.fraud.payments.map((p) => p.actors), ...r.fraud.claims.map((k) => k.injected)] },
        { name: 'caught', type: 'bar', data: [...r.fraud.payments.map((p) => p.caughtActors), ...r.fraud.claims.map((k) => k.caught)] },
      ],
    }),
  ].join('');
}

function details(r: SimReport): string {
  const w = r.world;
  const fraudPayments = r.fraud.payments.map((p) => [p.kind, count(p.actors), count(p.caughtActors), count(p.payments), count(p.flaggedPayments), yuan(p.creditFen)]);
  return [
    `<h3>Fraud</h3>`,
    table(['payment fraud', 'actors', 'caught', 'payments', 'flagged', 'credit earned'], fraudPayments),
    `<p>Legitimate payments flagged by a signal: ${count(r.fraud.legitFlagged)} of ${count(r.fraud.legitPayments)} (${percent(r.fraud.legitPayments ? r.fraud.legitFlagged / r.fraud.legitPayments : 0)}).</p>`,
    table(['forged claims', 'injected', 'caught (not paid)', 'paid'], r.fraud.claims.map((k) => [k.kind, count(k.injected), count(k.caught), count(k.paid)])),
    `<h3>Why claims were not paid automatically</h3>`,
    table(['reason code', 'claims'], r.claims.reasons.slice(0, 12).map((x) => [x.code, count(x.claims)])),
    `<h3>Run</h3>`,
    table(['phase', 'items', 'wall time', 'per second'], r.measured.phases.map((p) => [p.phase, count(p.items), `${(p.wallMs / 1000).toFixed(1)} s`, perSecond(p.items, p.wallMs)])),
    `<p>Database ${(r.measured.databaseBytes / 1024 ** 2).toFixed(0)} MiB; ${count(Math.round(r.measured.notificationsPerS))} notifications/s; ${r.measured.claimsPerS.toFixed(2)} claims/s.
     World: ${count(w.merchants)} merchants, ${w.days} day${w.days === 1 ? '' : 's'} from ${w.start}, ${escapeHtml(w.city)}, seed ${w.seed}, fraud rate ${w.fraudRate}, claim rate ${w.claimRate.toPrecision(3)}.</p>`,
    `<details><summary>Ruleset ${escapeHtml(w.ruleset)}</summary><pre>${escapeHtml(JSON.stringify(SIMULATION_RULESETS[w.ruleset], null, 2))}</pre></details>`,
  ].join('');
}

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:24px;color:#1f2328;background:#fafafa}
h1{margin:0 0 4px}h2{margin:24px 0 8px}.worlds{display:grid;gap:24px;grid-template-columns:repeat(var(--n),minmax(0,1fr))}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px}table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:left}td:not(:first-child){text-align:right;font-variant-numeric:tabular-nums}
figure{margin:12px 0}figcaption{font-weight:600}.chart{height:260px}.note{color:#57606a}`;

/** Renders each chart from its data-option once ECharts (inlined above) is loaded. */
const RENDER = `for (const el of document.querySelectorAll('.chart')) echarts.init(el).setOption(JSON.parse(el.dataset.option));`;

export function renderReportHtml(reports: readonly SimReport[]): string {
  const echarts = fs.readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
  const first = reports[0]!.world;
  const comparison =
    reports.length > 1
      ? `<h2>Side by side</h2>${table(['', ...reports.map((r) => r.world.ruleset)], headline(reports[0]!).map(([label], i) => [label, ...reports.map((r) => headline(r)[i]![1])]))}`
      : '';
  const sections = reports
    .map((r) => `<section><h2>${escapeHtml(r.world.ruleset)}</h2>${table(['', ''], headline(r))}${charts(r)}${details(r)}</section>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Carepoints simulation: ${escapeHtml(first.city)}</title><style>${STYLE}</style></head><body>
<h1>Carepoints simulation: ${escapeHtml(first.city)}, ${count(first.merchants)} merchants, ${first.days} day${first.days === 1 ? '' : 's'}</h1>
<p class="note">Every payment, collection and claim went through the product's own code (ingestion, points, the claims pipeline with OCR, payouts to the sandbox wallet). Same seed, same world: the programme's numbers repeat exactly; times and rates are measured on the machine that ran it. The original programme: 800,000 of ~1.5 million merchants in Guangzhou used it (about 53%) over its life.</p>
${comparison}<div class="worlds" style="--n:${reports.length}">${sections}</div>
<script>${echarts.replaceAll('</script', '<\\/script')}</script><script>${RENDER}</script></body></html>`;
}
