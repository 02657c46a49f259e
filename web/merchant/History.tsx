import { Button, List, Tag } from 'antd-mobile';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { historyLines, type HistoryLine } from '../shared/history.ts';
import { yuan } from '../shared/money.ts';
import { go } from '../shared/route.ts';
import { merchantApi, type Transfer } from './api.ts';

const STATE_COLOR: Record<NonNullable<HistoryLine['state']>, string> = {
  waiting: 'warning',
  collected: 'success',
  lapsed: 'default',
  in_progress: 'primary',
  paid: 'success',
  released: 'default',
};

/** The amount as the event moved it: + added, − taken, no sign where credit only moved or came back. */
function amountOf(l: HistoryLine): JSX.Element {
  const text = `${l.sign > 0 ? '+' : l.sign < 0 ? '−' : ''}${yuan(l.amountFen)}`;
  return <span className={l.sign > 0 ? 'amount-in' : l.sign < 0 ? 'amount-out' : 'amount-moved'}>{text}</span>;
}

/** What the line is about, in words: the customer's payment by its last digits, the earnings a collection took in. */
function aboutOf(l: HistoryLine, t: (key: string, values?: Record<string, unknown>) => string): string | null {
  if (l.kind === 'collected' || l.kind === 'debt_repaid') return t('history.collectedCount', { n: l.count });
  if (l.kind === 'expired' || (l.kind === 'lapsed' && l.count > 1)) return t('history.lots', { n: l.count });
  if (l.tradeNo) return t('history.trade', { tail: l.tradeNo.slice(-4) });
  return null;
}

export function History({ merchantId }: { merchantId: string }) {
  const { t, i18n } = useTranslation();
  const [items, setItems] = useState<Transfer[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);

  const more = useCallback(
    async (from: string | null) => {
      setLoading(true);
      try {
        const page = await merchantApi.transfers(merchantId, from);
        setItems((prev) => (from ? [...prev, ...page.data] : page.data));
        setCursor(page.nextCursor);
        setHasMore(page.hasMore);
      } finally {
        setLoading(false);
      }
    },
    [merchantId],
  );
  useEffect(() => void more(null), [more]);
  // every page loaded so far, folded again: an event split across two pages becomes one line
  const lines = useMemo(() => historyLines(items), [items]);

  return (
    <section>
      <List header={<h2>{t('history.title')}</h2>}>
        {lines.length === 0 && !loading && <List.Item>{t('history.empty')}</List.Item>}
        {lines.map((l) => {
          const about = aboutOf(l, t);
          return (
            <List.Item
              key={l.key}
              data-testid="history-line"
              data-kind={l.kind}
              data-state={l.state ?? ''}
              onClick={l.claimId ? () => go(`claims/${l.claimId}`) : undefined}
              description={
                <span>
                  {new Date(l.at).toLocaleString(i18n.language)}
                  {about && ` · ${about}`}
                  {l.state && (
                    <>
                      {' '}
                      <Tag color={STATE_COLOR[l.state]} fill="outline">
                        {t(`history.states.${l.state}`)}
                      </Tag>
                    </>
                  )}
                </span>
              }
              extra={amountOf(l)}
            >
              {t(`history.kinds.${l.kind}`)}
            </List.Item>
          );
        })}
      </List>
      {hasMore && (
        <Button block fill="none" loading={loading} onClick={() => more(cursor)}>
          {t('history.more')}
        </Button>
      )}
    </section>
  );
}
