import type { IssuerReading, PrintedFields } from './extract.ts';
import type { HospitalMatch, HospitalRegistry } from './hospitals.ts';
import { entryBehindReading } from './lexicon.ts';
import type { QrPayload } from './qr-payload.ts';
import type { Field, HospitalField, Invoice, PaymentSplit } from './types.ts';

/**
 * The registry entry a reading denotes: the closest name, or where none is close enough, the one the
 * recogniser's own candidates back (a seal over 湛江市高明区人民医院 read as 湛注市高聘区人民权院,
 * with 江 and 明 among the candidates).
 */
function matchName(registry: HospitalRegistry, name: IssuerReading): HospitalMatch {
  const match = registry.match(name.value);
  if (match.hospital || !name.at) return match;
  const entry = entryBehindReading(name.value, name.at, registry.hospitals.flatMap((h) => [h.name, ...h.aliases]));
  // the similarity stays the reading's own: the name was read less surely than an exact print
  return entry ? { ...registry.match(entry), similarity: match.similarity } : match;
}

function matchIssuer(registry: HospitalRegistry, names: readonly IssuerReading[]): HospitalField | null {
  let best: HospitalField | null = null;
  for (const name of names) {
    const match = matchName(registry, name);
    const candidate: HospitalField = {
      printedName: name.value,
      hospitalId: match.hospital?.id ?? null,
      registryName: match.hospital?.name ?? null,
      similarity: Math.round(match.similarity * 1000) / 1000,
      confidence: Math.round(name.confidence * (match.hospital ? match.similarity : 0.5) * 1000) / 1000,
    };
    const better = !best || (candidate.hospitalId !== null && best.hospitalId === null) || ((candidate.hospitalId !== null) === (best.hospitalId !== null) && candidate.similarity > best.similarity);
    if (better) best = candidate;
  }
  return best;
}

/**
 * The QR code's value where a VAT-style or fiscal QR parsed (it is machine-readable and
 * error-corrected), keeping the printed reading beside it; otherwise the print.
 */
function preferQr<T>(printed: Field<T> | null, fromQr: T | null | undefined): Field<T> | null {
  if (fromQr === undefined || fromQr === null || fromQr === '') return printed;
  return { value: fromQr, confidence: 0.99, source: 'qr', printed: printed?.value ?? null };
}

/**
 * The split (统筹 + 个人账户 + 现金, and any other fund's line) adds up to the total, so one of the
 * three main parts the seal made illegible follows from the others.
 */
function completePayment(payment: PaymentSplit, total: Field<number> | null): PaymentSplit {
  const parts = [payment.poolingFundFen, payment.personalAccountFen, payment.personalCashFen];
  const missing = parts.filter((p) => p === null).length;
  if (!total || missing !== 1) return payment;
  const known = [...parts, payment.otherFundsFen ?? null].filter((p): p is Field<number> => p !== null);
  const value = total.value - known.reduce((s, p) => s + p.value, 0);
  if (value < 0) return payment;
  const derived: Field<number> = { value, confidence: Math.round(Math.min(total.confidence, ...known.map((p) => p.confidence)) * 900) / 1000, source: 'derived' };
  return {
    poolingFundFen: payment.poolingFundFen ?? derived,
    personalAccountFen: payment.personalAccountFen ?? derived,
    personalCashFen: payment.personalCashFen ?? derived,
    otherFundsFen: payment.otherFundsFen ?? null,
  };
}

/** The typed invoice: printed fields, the issuer matched in the registry, QR values where a QR code parsed. */
export function assembleInvoice(printed: PrintedFields, registry: HospitalRegistry, qr: QrPayload | null): Invoice {
  const coded = qr?.format === 'opaque' ? undefined : (qr ?? undefined);
  const totalFen = preferQr(printed.totalFen, coded?.amountFen);
  const invoice = {
    kind: printed.kind,
    province: printed.province,
    invoiceCode: preferQr(printed.invoiceCode, coded?.invoiceCode),
    invoiceNumber: preferQr(printed.invoiceNumber, coded?.invoiceNumber),
    checkCode: preferQr(printed.checkCode, coded?.checkCode),
    issueDate: preferQr(printed.issueDate, coded?.issueDate),
    payerName: printed.payerName,
    outpatientNumber: printed.outpatientNumber,
    hospital: matchIssuer(registry, printed.issuerNames),
    insuranceType: printed.insuranceType,
    department: printed.department,
    diagnosis: printed.diagnosis,
    items: printed.items,
    totalFen,
    totalInWordsFen: printed.totalInWordsFen,
    payment: completePayment(printed.payment, totalFen),
    qr,
  };
  const essentials = [invoice.kind.value === 'unknown' ? null : invoice.kind, invoice.invoiceNumber, invoice.issueDate, invoice.payerName, invoice.totalFen];
  const confidence = Math.min(...essentials.map((f) => f?.confidence ?? 0), invoice.kind.value === 'pharmacy' ? 1 : (invoice.hospital?.confidence ?? 0));
  return { ...invoice, confidence };
}
