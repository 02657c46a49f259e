import { Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { go } from '../shared/route.ts';
import { consoleApi, type QueueItem } from './api.ts';

function age(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  return h >= 1 ? `${h} h ${Math.floor((seconds % 3600) / 60)} min` : `${Math.floor(seconds / 60)} min`;
}

/** Oldest first; J/K move the selection, Enter opens it (a reviewer works the queue from the keyboard). */
export function Queue() {
  const { t, i18n } = useTranslation();
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [selected, setSelected] = useState(0);
  useEffect(() => void consoleApi.queue().then((q) => setItems(q.data)), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!items?.length || (e.target as HTMLElement).closest('input, textarea')) return;
      if (e.key === 'j') setSelected((s) => Math.min(items.length - 1, s + 1));
      else if (e.key === 'k') setSelected((s) => Math.max(0, s - 1));
      else if (e.key === 'Enter' && (e.target as HTMLElement).tagName !== 'A') go(`claims/${items[selected]!.claim.id}`);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, selected]);

  return (
    <section>
      <Typography.Title level={2}>{t('queue.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('queue.hint')}</Typography.Paragraph>
      <Table<QueueItem>
        rowKey={(r) => r.claim.id}
        loading={items === null}
        dataSource={items ?? []}
        pagination={false}
        locale={{ emptyText: t('queue.empty') }}
        rowClassName={(_, i) => (i === selected ? 'selected-row' : '')}
        columns={[
          { title: t('queue.submitted'), render: (_, r) => new Date(r.claim.submittedAt).toLocaleString(i18n.language) },
          { title: t('queue.age'), render: (_, r) => <span>{age(r.ageSeconds)} {r.overdue && <Tag color="red">{t('queue.overdue')}</Tag>}</span> },
          { title: t('queue.merchant'), render: (_, r) => r.claim.merchantId },
          { title: t('queue.status'), render: (_, r) => <Tag>{r.claim.status}</Tag> },
          { title: '', render: (_, r) => <a href={`#/claims/${r.claim.id}`}>{t('queue.open')}</a> },
        ]}
      />
    </section>
  );
}
