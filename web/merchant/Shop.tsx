import { Button, Dialog, List, Toast } from 'antd-mobile';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../shared/api.ts';
import { yuan } from '../shared/money.ts';
import { merchantApi, type CatalogueItem, type CatalogueOrder } from './api.ts';
import { failureWords } from '../shared/errors.ts';

/** The code a merchant shows where the service is given: the order's id, short enough to read out. */
function orderCode(orderId: string): string {
  return orderId.replaceAll('-', '').slice(0, 8).toUpperCase();
}

/** The catalogue: services credit pays for besides claims; a redemption spends credit at once. */
export function Shop({ merchantId }: { merchantId: string }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const [items, setItems] = useState<CatalogueItem[] | null>(null);
  const [orders, setOrders] = useState<CatalogueOrder[]>([]);
  const [availableFen, setAvailableFen] = useState<number | null>(null);

  const load = useCallback(async () => {
    const [catalogue, mine, summary] = await Promise.all([merchantApi.catalogue(), merchantApi.orders(merchantId), merchantApi.summary(merchantId)]);
    setItems(catalogue.data);
    setOrders(mine.data);
    setAvailableFen(summary.availableFen);
  }, [merchantId]);
  useEffect(() => void load(), [load]);

  const redeem = async (item: CatalogueItem) => {
    const name = zh ? item.nameZh : item.nameEn;
    const confirmed = await Dialog.confirm({ content: t('shop.confirm', { amount: yuan(item.priceFen), name }), confirmText: t('shop.redeem') });
    if (!confirmed) return;
    try {
      // one key per confirmed redemption: a retry of the same request cannot spend twice
      const order = await merchantApi.order(merchantId, item.id, crypto.randomUUID());
      await load();
      // what was bought, by name, and how to use it: a dialog the merchant closes, not a passing toast
      await Dialog.alert({ title: t('shop.done', { name }), content: <p data-testid="how-to-use">{t('shop.howToUse', { code: orderCode(order.id) })}</p>, confirmText: t('shop.understood') });
    } catch (err) {
      Toast.show({ icon: 'fail', content: err instanceof ApiFailure && err.code === 'insufficient_credit' ? t('shop.short') : failureWords(err, i18n.language, t('errors.network')) });
    }
  };

  return (
    <section>
      <List header={<h2>{t('shop.title')}</h2>}>
        <List.Item description={t('shop.intro')}>
          <span data-testid="shop-available">{availableFen === null ? '…' : t('shop.available', { amount: yuan(availableFen) })}</span>
        </List.Item>
        {items?.length === 0 && <List.Item>{t('shop.empty')}</List.Item>}
        {items?.map((item) => (
          <List.Item
            key={item.id}
            description={zh ? item.descriptionZh : item.descriptionEn}
            extra={
              <Button size="small" color="primary" disabled={availableFen !== null && availableFen < item.priceFen} onClick={() => void redeem(item)}>
                {t('shop.redeem')}
                <span className="visually-hidden">{` ${zh ? item.nameZh : item.nameEn}`}</span> {yuan(item.priceFen)}
              </Button>
            }
          >
            {zh ? item.nameZh : item.nameEn}
          </List.Item>
        ))}
      </List>
      <List header={<h2>{t('shop.orders')}</h2>}>
        {orders.length === 0 && <List.Item>{t('shop.noOrders')}</List.Item>}
        {orders.map((o) => (
          <List.Item
            key={o.id}
            data-testid="order"
            description={`${t('shop.howToUse', { code: orderCode(o.id) })} · ${new Date(o.createdAt).toLocaleString(i18n.language)}`}
            extra={<span className="amount-out">−{yuan(o.amountFen)}</span>}
          >
            {zh ? o.itemNameZh : o.itemNameEn}
          </List.Item>
        ))}
      </List>
    </section>
  );
}
