import { Button, List } from 'antd-mobile';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { go } from '../shared/route.ts';
import { merchantApi, type MerchantNotification } from './api.ts';

/** Messages newest first; what is shown is marked read. A new one arriving live joins the top. */
export function Notifications({ merchantId, latest, onRead }: { merchantId: string; latest: MerchantNotification | null; onRead: (unread: number) => void }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const [items, setItems] = useState<MerchantNotification[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);

  const more = useCallback(
    async (from: string | null) => {
      const page = await merchantApi.notifications(merchantId, from);
      setItems((prev) => (from ? [...prev, ...page.data] : page.data));
      setCursor(page.nextCursor);
      setHasMore(page.hasMore);
      const newest = page.data[0];
      if (!from && newest && page.unread > 0) onRead((await merchantApi.markRead(merchantId, newest.id)).unread);
    },
    [merchantId, onRead],
  );
  useEffect(() => void more(null), [more]);
  useEffect(() => {
    if (!latest) return;
    setItems((prev) => (prev.some((n) => n.id === latest.id) ? prev : [latest, ...prev]));
    void merchantApi.markRead(merchantId, latest.id).then((r) => onRead(r.unread));
  }, [latest, merchantId, onRead]);

  return (
    <section>
      <List header={<h2>{t('notifications.title')}</h2>}>
        {items.length === 0 && <List.Item>{t('notifications.empty')}</List.Item>}
        {items.map((n) => (
          <List.Item
            key={n.id}
            data-testid="notification"
            description={new Date(n.at).toLocaleString(i18n.language)}
            onClick={n.claimId ? () => go(`claims/${n.claimId}`) : undefined}
            className={n.readAt ? undefined : 'unread'}
          >
            {zh ? n.zh : n.en}
          </List.Item>
        ))}
      </List>
      {hasMore && (
        <Button block fill="none" onClick={() => void more(cursor)}>
          {t('notifications.more')}
        </Button>
      )}
    </section>
  );
}
