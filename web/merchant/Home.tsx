import { Button, Card, ErrorBlock, ProgressBar, PullToRefresh, Skeleton, Toast } from 'antd-mobile';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { yuan } from '../shared/money.ts';
import { merchantApi, type BudgetPolicy, type CreditSummary } from './api.ts';
import { go } from '../shared/route.ts';
import { failureWords } from '../shared/errors.ts';

/** "47:59:12": hours, minutes and seconds left (hours may exceed 24 within the 48-hour window). */
function countdown(untilMs: number, nowMs: number): string {
  const left = Math.max(0, Math.floor((untilMs - nowMs) / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(left / 3600))}:${pad(Math.floor((left % 3600) / 60))}:${pad(left % 60)}`;
}

function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The city's credit budget this month, when it has one, and the rule decided ahead for when it is
 * used up, in the merchant's words: new credit pauses until the 1st, credit held is kept.
 */
function BudgetCard({ policy }: { policy: BudgetPolicy }) {
  const { t, i18n } = useTranslation();
  const { budget } = policy;
  if (!budget) return null;
  const resumes = new Date(`${policy.resumesOn}T00:00:00+08:00`).toLocaleDateString(i18n.language, { timeZone: 'Asia/Shanghai' });
  const used = budget.reached ? 100 : Math.floor((100 * budget.grantedFen) / budget.limitFen);
  return (
    <Card title={<h2>{t('home.budget', { city: policy.city })}</h2>} data-testid="budget">
      <ProgressBar percent={used} />
      <p className={budget.reached ? 'warn' : 'muted'}>{budget.reached ? t('home.budgetReached', { date: resumes }) : t('home.budgetUsed', { percent: used, date: resumes })}</p>
      <p className="muted">{t('home.budgetKept')}</p>
    </Card>
  );
}

export function Home({ merchantId }: { merchantId: string }) {
  const { t, i18n } = useTranslation();
  const [summary, setSummary] = useState<CreditSummary | null>(null);
  const [policy, setPolicy] = useState<BudgetPolicy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [collecting, setCollecting] = useState(false);
  const now = useNow();

  const load = useCallback(async () => {
    try {
      const [credit, budget] = await Promise.all([merchantApi.summary(merchantId), merchantApi.budget()]);
      setSummary(credit);
      setPolicy(budget);
      setError(null);
    } catch (err) {
      setError(failureWords(err, i18n.language, t('errors.network')));
    }
  }, [merchantId, t]);
  useEffect(() => void load(), [load]);

  const collect = async () => {
    setCollecting(true);
    try {
      const result = await merchantApi.collect(merchantId);
      Toast.show({ icon: 'success', content: t('home.collected', { amount: yuan(result.collectedFen) }) });
      await load();
    } catch (err) {
      Toast.show({ icon: 'fail', content: failureWords(err, i18n.language, t('errors.network')) });
    } finally {
      setCollecting(false);
    }
  };

  if (error) return <ErrorBlock status="default" title={t('errors.generic', { message: error })} description={<Button onClick={load}>{t('home.refresh')}</Button>} />;
  if (!summary) return <Skeleton.Paragraph lineCount={8} animated />;
  const date = (iso: string) => new Date(iso).toLocaleDateString(i18n.language);
  const payers = summary.today;
  return (
    <PullToRefresh onRefresh={load}>
      <div className="cards">
        <Card className="hero" title={<h2>{t('home.available')}</h2>}>
          <div className="big" data-testid="available">{yuan(summary.availableFen)}</div>
          {summary.reservedFen > 0 && <p className="muted">{t('home.reserved', { amount: yuan(summary.reservedFen) })}</p>}
          <Button block color="primary" onClick={() => go('claim')}>
            {t('home.claimCta')}
          </Button>
        </Card>
        <Card title={<h2>{t('home.waiting')}</h2>}>
          {summary.waiting.amountFen > 0 && summary.waiting.collectBy ? (
            <>
              <div className="big" data-testid="waiting">{yuan(summary.waiting.amountFen)}</div>
              <p className="warn" role="timer">{t('home.collectBy', { time: countdown(Date.parse(summary.waiting.collectBy), now) })}</p>
              <Button block color="success" loading={collecting} onClick={collect}>
                {t('home.collect')}
              </Button>
            </>
          ) : (
            <p className="muted">{t('home.waitingNone')}</p>
          )}
        </Card>
        <Card title={<h2>{t('home.expiring')}</h2>}>
          {summary.expiring.amountFen > 0 ? (
            <>
              <div className="big">{yuan(summary.expiring.amountFen)}</div>
              {summary.expiring.firstExpiresAt && <p className="muted">{t('home.firstExpiry', { date: date(summary.expiring.firstExpiresAt) })}</p>}
            </>
          ) : (
            <p className="muted">{t('home.expiringNone')}</p>
          )}
        </Card>
        {summary.debtFen > 0 && (
          <Card title={<h2>{t('home.debt')}</h2>}>
            <div className="big warn">{yuan(summary.debtFen)}</div>
            <p className="muted">{t('home.debtNote')}</p>
          </Card>
        )}
        <Card title={<h2>{t('home.today')}</h2>}>
          <div className="big" data-testid="payers">{t('home.todayOf', { n: payers.earningPayers, max: payers.payersPerDay })}</div>
          <ProgressBar percent={payers.payersPerDay ? (100 * payers.earningPayers) / payers.payersPerDay : 0} />
          <p className="muted">{t('home.todayNote', { max: payers.payersPerDay })}</p>
        </Card>
        {policy && <BudgetCard policy={policy} />}
      </div>
    </PullToRefresh>
  );
}
