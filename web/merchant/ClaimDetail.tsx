import { Button, Card, ErrorBlock, NoticeBar, Steps, Tag } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { say, TERMINAL_STATUSES, type Arithmetic, type Claim } from '../shared/claim.ts';
import { yuan } from '../shared/money.ts';
import { merchantApi } from './api.ts';
import { STATUS_COLOR } from './ClaimScreen.tsx';
import { claimName } from './claimName.ts';
import { AppealCard } from './AppealCard.tsx';
import { PhotoPicker } from './PhotoPicker.tsx';
import { go } from '../shared/route.ts';

/** The claim, live: the server's event stream sends it after every change until it is paid or rejected. */
function useLiveClaim(claimId: string): { claim: Claim | null; live: boolean; failed: boolean } {
  const [claim, setClaim] = useState<Claim | null>(null);
  const [live, setLive] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const source = new EventSource(`/v1/claims/${claimId}/events`);
    source.onopen = () => setLive(true);
    source.addEventListener('status', (e) => {
      const next = JSON.parse((e as MessageEvent<string>).data) as Claim;
      setClaim(next);
      if (TERMINAL_STATUSES.includes(next.status)) {
        source.close();
        setLive(false);
      }
    });
    source.onerror = () => {
      // the stream ends after a final status; otherwise fall back to one read (which also tells a 404)
      source.close();
      setLive(false);
      merchantApi.claim(claimId).then(setClaim, () => setFailed(true));
    };
    return () => source.close();
  }, [claimId]);
  return { claim, live, failed };
}

/** The benefit's arithmetic, line by line, as the merchant reads it: min(covered, cap, credit on the visit day, credit now). */
function ArithmeticCard({ arithmetic }: { arithmetic: Arithmetic }) {
  const { t } = useTranslation();
  const money = (fen: number | null) => (fen === null ? t('claim.arithmetic.unknown') : yuan(fen));
  const rows: [string, number | null][] = [
    ['total', arithmetic.totalFen],
    ['funds', arithmetic.fundsPaidFen],
    ['patientPaid', arithmetic.patientPaidFen],
    ['covered', arithmetic.coveredFen],
    ['cap', arithmetic.capFen],
    ['creditAtVisit', arithmetic.creditAtVisitFen],
    ['creditNow', arithmetic.creditNowFen],
  ];
  return (
    <div data-testid="arithmetic">
      <h3>{t('claim.arithmetic.title')}</h3>
      <dl className="arithmetic">
        {rows.map(([key, fen]) => (
          <div key={key}>
            <dt>{t(`claim.arithmetic.${key}`)}</dt>
            <dd>{money(fen)}</dd>
          </div>
        ))}
        {arithmetic.amountFen !== null && (
          <div>
            <dt>{t('claim.arithmetic.amount')}</dt>
            <dd>
              <strong>{yuan(arithmetic.amountFen)}</strong>
            </dd>
          </div>
        )}
      </dl>
      {arithmetic.decidingLimit && <p className="muted">{t(`claim.arithmetic.limit.${arithmetic.decidingLimit}`)}</p>}
    </div>
  );
}

/** The reviewer's message to the merchant, where one was written (never the internal note). */
function messageOf(claim: Claim): string | null {
  const details = claim.timeline?.findLast((e) => typeof (e.details as { messageToMerchant?: unknown } | null)?.messageToMerchant === 'string')?.details;
  return (details as { messageToMerchant?: string } | undefined)?.messageToMerchant ?? null;
}

export function ClaimDetail({ claimId }: { claimId: string }) {
  const { t, i18n } = useTranslation();
  const { claim, live, failed } = useLiveClaim(claimId);
  const back = (
    <Button fill="none" onClick={() => go('claim')}>
      ‹ {t('claim.back')}
    </Button>
  );
  if (failed) return <ErrorBlock status="empty" title={t('claim.none')} description={back} />;
  if (!claim) return <Card>{t('claim.detail')}…</Card>;
  const events = claim.timeline ?? [];
  const last = events.at(-1);
  // a refused claim pays nothing: no amount is shown beside it
  const amount = claim.status === 'rejected' || claim.status === 'appealed' || claim.status === 'appeal_review' ? null : (claim.paidFen ?? claim.benefitFen);
  const message = messageOf(claim);
  return (
    <section className="pad">
      {back}
      <Card
        title={<h2 data-testid="claim-name">{claimName(claim, t, i18n.language)}</h2>}
        extra={
          <span>
            <Tag color={STATUS_COLOR[claim.status]} data-testid="claim-status" data-status={claim.status}>
              {t(`claim.status.${claim.status}`)}
            </Tag>
            {live && <span className="muted"> · {t('claim.live')}</span>}
          </span>
        }
      >
        {amount !== null && (
          <p>
            {claim.status === 'paid' ? t('claim.paid') : t('claim.amount')}: <strong className="big">{yuan(amount)}</strong>
          </p>
        )}
        {claim.invoice.code && <p className="muted">{t('claim.invoice', { code: claim.invoice.code, number: claim.invoice.number })}</p>}
        {claim.arithmetic && <ArithmeticCard arithmetic={claim.arithmetic} />}
        {message && <NoticeBar content={t('claim.message', { message })} color="info" wrap />}
        <Steps direction="vertical" current={events.length - 1}>
          {events.map((e, i) => (
            <Steps.Step key={i} status={e.status === 'rejected' ? 'error' : 'finish'} title={t(`claim.status.${e.status}`)} description={`${say(e, i18n.language)} · ${new Date(e.at).toLocaleTimeString(i18n.language)}`} />
          ))}
        </Steps>
      </Card>
      <AppealCard claim={claim} />
      {claim.status === 'photo_requested' && (
        <Card title={<h2>{t('claim.retakeTitle')}</h2>}>
          {last && <NoticeBar content={say(last, i18n.language)} color="alert" wrap />}
          <PhotoPicker submitLabel={t('claim.retake')} send={async (form, onProgress) => void (await merchantApi.retake(claim.id, form, onProgress), window.location.reload())} />
        </Card>
      )}
    </section>
  );
}
