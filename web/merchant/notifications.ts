import { useEffect, useState } from 'react';
import { merchantApi, type MerchantNotification } from './api.ts';

/**
 * The merchant's unread count and the newest notification, kept live while the app is open: the
 * server's event stream (EventSource reconnects by itself and resumes after the last event id).
 */
export function useLiveNotifications(merchantId: string): { unread: number; latest: MerchantNotification | null; setUnread: (n: number) => void } {
  const [unread, setUnread] = useState(0);
  const [latest, setLatest] = useState<MerchantNotification | null>(null);
  useEffect(() => {
    let closed = false;
    void merchantApi.notifications(merchantId, null).then((page) => !closed && setUnread(page.unread), () => {});
    const source = new EventSource(`/v1/merchants/${merchantId}/notifications/events`);
    source.addEventListener('notification', (e) => {
      const notification = JSON.parse((e as MessageEvent<string>).data) as MerchantNotification;
      setLatest(notification);
      setUnread((n) => n + 1);
    });
    return () => {
      closed = true;
      source.close();
    };
  }, [merchantId]);
  return { unread, latest, setUnread };
}
