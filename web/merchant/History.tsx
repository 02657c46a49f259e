import { Button, List } from 'antd-mobile';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { yuan } from '../shared/money.ts';
import { merchantApi, type Transfer } from './api.ts';

/** Transfer codes that take credit away from the merchant (the rest add to it). */
const OUTGOING = new Set(['lapse', 'spend', 'redeem', 'expire', 'clawback', 'clawback_debt', 'debt_repay', 'over_cap']);
const KNOWN = new Set(['accrual', 'welcome', 'collect', 'lapse', 'spend', 'redeem', 'expire', 'clawback', 'debt_repay']);

function codeKey(code: string): string {
  const base = code.startsWith('clawback') ? 'clawback' : code;
  return KNOWN.has(base) ? base : 'other';
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

  return (
    <section>
      <List header={<h2>{t('history.title')}</h2>}>
        {items.length === 0 && !loading && <List.Item>{t('history.empty')}</List.Item>}
        {items.map((item) => {
          const out = OUTGOING.has(item.code);
          return (
            <List.Item
              key={item.id}
              description={`${new Date(item.createdAt).toLocaleString(i18n.language)}${item.reference ? ` · ${item.reference}` : ''}${item.phase === 'pending' ? ` · ${t('history.pending')}` : ''}`}
              extra={<span className={out ? 'amount-out' : 'amount-in'}>{`${out ? '−' : '+'}${yuan(item.amountFen)}`}</span>}
            >
              {t(`history.codes.${codeKey(item.code)}`)}
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
