import { Card, Descriptions, Input, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { yuan } from '../shared/money.ts';
import { consoleApi, type CreditSummary, type Merchant, type Transfer } from './api.ts';
import { MoreButton, usePaged, when } from './paged.tsx';

function MerchantDetail({ merchant }: { merchant: Merchant }) {
  const { t, i18n } = useTranslation();
  const [summary, setSummary] = useState<CreditSummary | null>(null);
  const [signals, setSignals] = useState<Record<string, number>>({});
  useEffect(() => {
    void consoleApi.creditSummary(merchant.id).then(setSummary);
    void consoleApi.signals(merchant.id).then((s) => setSignals(s.signals));
  }, [merchant.id]);
  const fetchTransfers = useCallback((cursor: string | null) => consoleApi.transfers(merchant.id, cursor), [merchant.id]);
  const transfers = usePaged<Transfer>(fetchTransfers);
  return (
    <Card title={<h3 className="card-title">{`${merchant.legalName} · ${merchant.id}`}</h3>} style={{ marginTop: 16 }}>
      <Descriptions size="small" column={3}>
        <Descriptions.Item label={t('merchants.available')}>{summary ? yuan(summary.availableFen) : '…'}</Descriptions.Item>
        <Descriptions.Item label={t('merchants.reserved')}>{summary ? yuan(summary.reservedFen) : '…'}</Descriptions.Item>
        <Descriptions.Item label={t('merchants.debt')}>{summary ? yuan(summary.debtFen) : '…'}</Descriptions.Item>
        <Descriptions.Item label={t('merchants.wallet')}>{merchant.walletUserId}</Descriptions.Item>
        <Descriptions.Item label={t('merchants.enrolled')}>{when(merchant.enrolledAt, i18n.language)}</Descriptions.Item>
        <Descriptions.Item label={t('merchants.signals')}>
          {Object.keys(signals).length === 0 ? t('merchants.noSignals') : Object.entries(signals).map(([k, n]) => <Tag key={k} className="outcome-review">{`${t(`codes.signal.${k}`, { defaultValue: k })} × ${n}`}</Tag>)}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={4}>{t('merchants.ledger')}</Typography.Title>
      <Table<Transfer>
        rowKey="id"
        size="small"
        loading={transfers.rows === null}
        dataSource={transfers.rows ?? []}
        pagination={false}
        columns={[
          { title: t('merchants.at'), render: (_, r) => when(r.createdAt, i18n.language) },
          { title: t('merchants.code'), render: (_, r) => t(`codes.ledger.${r.code}`, { defaultValue: r.code }) },
          { title: t('merchants.phase'), render: (_, r) => t(`codes.phase.${r.phase}`, { defaultValue: r.phase }) },
          { title: t('merchants.amount'), render: (_, r) => yuan(r.amountFen) },
          { title: t('merchants.reference'), dataIndex: 'reference' },
        ]}
      />
      <MoreButton cursor={transfers.cursor} onMore={transfers.more} />
    </Card>
  );
}

/** Merchant search by wallet id, phone, id or name; a merchant's credit, signals and ledger history. */
export function Merchants() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<Merchant | null>(null);
  const fetchPage = useCallback((cursor: string | null) => consoleApi.merchants(q, cursor), [q]);
  const found = usePaged<Merchant>(q ? fetchPage : null);
  return (
    <section>
      <Typography.Title level={2}>{t('merchants.title')}</Typography.Title>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.Search aria-label={t('merchants.search')} placeholder={t('merchants.search')} enterButton={t('merchants.find')} onSearch={(v) => setQ(v.trim())} allowClear style={{ maxWidth: 480 }} />
        <Table<Merchant>
          rowKey="id"
          size="small"
          loading={q !== '' && found.rows === null}
          dataSource={found.rows ?? []}
          pagination={false}
          locale={{ emptyText: q ? t('common.none') : t('merchants.hint') }}
          columns={[
            { title: 'ID', dataIndex: 'id' },
            { title: t('merchants.name'), render: (_, r) => <a href={`#/merchants/${r.id}`} onClick={(e) => { e.preventDefault(); setSelected(r); }}>{r.legalName}</a> },
            { title: t('merchants.phone'), dataIndex: 'phone' },
            { title: t('merchants.city'), dataIndex: 'city' },
            { title: t('merchants.enrolled'), render: (_, r) => when(r.enrolledAt, i18n.language) },
          ]}
        />
        <MoreButton cursor={found.cursor} onMore={found.more} />
      </Space>
      {selected && <MerchantDetail merchant={selected} />}
    </section>
  );
}
