import { Card, List, Select, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { yuan } from '../shared/money.ts';
import { consoleApi, type Alert, type Payout } from './api.ts';
import { MoreButton, usePaged, when } from './paged.tsx';

const STATES = ['ready', 'sending', 'unknown', 'succeeded', 'failed'];
const CLASSES: Record<string, string> = { succeeded: 'outcome-pass', failed: 'outcome-fail', unknown: 'outcome-review' };

/** Payouts to wallets (read-only) and the reconciliation alerts beside them. */
export function Payouts({ showAlerts }: { showAlerts: boolean }) {
  const { t, i18n } = useTranslation();
  const [state, setState] = useState<string | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const fetchPage = useCallback((cursor: string | null) => consoleApi.payouts(state, cursor), [state]);
  const list = usePaged<Payout>(fetchPage);
  useEffect(() => {
    if (showAlerts) void consoleApi.alerts().then((r) => setAlerts(r.data));
  }, [showAlerts]);
  return (
    <section>
      <Typography.Title level={2}>{t('payouts.title')}</Typography.Title>
      <Select
        aria-label={t('payouts.state')}
        allowClear
        placeholder={t('payouts.state')}
        style={{ width: 200, marginBottom: 12 }}
        value={state}
        onChange={(v: string | undefined) => setState(v ?? null)}
        options={STATES.map((s) => ({ value: s, label: t(`codes.payoutState.${s}`) }))}
      />
      <Table<Payout>
        rowKey="id"
        size="small"
        loading={list.rows === null}
        dataSource={list.rows ?? []}
        pagination={false}
        locale={{ emptyText: t('common.none') }}
        columns={[
          { title: t('payouts.created'), render: (_, r) => when(r.createdAt, i18n.language) },
          { title: t('payouts.merchant'), dataIndex: 'merchantId' },
          { title: t('payouts.amount'), render: (_, r) => yuan(r.amountFen) },
          { title: t('payouts.state'), render: (_, r) => <Tag className={CLASSES[r.state]}>{t(`codes.payoutState.${r.state}`, { defaultValue: r.state })}</Tag> },
          { title: t('payouts.attempts'), dataIndex: 'attempts' },
          { title: t('payouts.failure'), render: (_, r) => (r.failureCode ? t(`codes.payoutFailure.${r.failureCode}`, { defaultValue: r.failureCode }) : '') },
          { title: t('payouts.settled'), render: (_, r) => when(r.settledAt, i18n.language) },
        ]}
      />
      <MoreButton cursor={list.cursor} onMore={list.more} />
      {showAlerts && (
        <Card title={<h3 className="card-title">{t('payouts.alerts')}</h3>} style={{ marginTop: 16 }}>
          <List
            dataSource={alerts}
            locale={{ emptyText: <span className="empty">{t('common.none')}</span> }}
            renderItem={(a) => (
              <List.Item>
                <Tag className={a.resolvedAt ? undefined : 'outcome-fail'}>{t(`codes.alert.${a.kind}`, { defaultValue: a.kind })}</Tag> {a.subject} · {when(a.at, i18n.language)}
              </List.Item>
            )}
          />
        </Card>
      )}
    </section>
  );
}
