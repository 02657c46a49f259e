import { Button, Dialog, List, Toast } from 'antd-mobile';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../shared/api.ts';
import { yuan } from '../shared/money.ts';
import { merchantApi, type CatalogueItem, type CatalogueOrder } from './api.ts';
import { failureWords } from '../shared/errors.ts';

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
      await merchantApi.order(merchantId, item.id, crypto.randomUUID());
      Toast.show({ icon: 'success', content: t('shop.done', { name }) });
      await load();
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
                <span className="visually-hidden">{`${t('shop.redeem')} ${zh ? item.nameZh : item.nameEn} `}</span>
                {yuan(item.priceFen)}
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
          <List.Item key={o.id} description={new Date(o.createdAt).toLocaleString(i18n.language)} extra={<span className="amount-out">−{yuan(o.amountFen)}</span>}>
            {zh ? o.itemNameZh : o.itemNameEn}
          </List.Item>
        ))}
      </List>
    </section>
  );
}
