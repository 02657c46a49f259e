import { Alert, Button, Segmented, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { failureWords } from '../shared/errors.ts';
import { yuan } from '../shared/money.ts';
import { go } from '../shared/route.ts';
import { consoleApi, type QueueItem, type QueueStatus } from './api.ts';

function duration(seconds: number, t: (key: string, values: Record<string, number>) => string): string {
  const h = Math.floor(seconds / 3600);
  const min = Math.floor((seconds % 3600) / 60);
  return h >= 1 ? t('queue.hoursMinutes', { h, min }) : t('queue.minutes', { min });
}

/**
 * Oldest first: the claim that has waited longest is at the top. Claims waiting for a decision are
 * apart from those waiting for the merchant's new photo, and appeals apart from both. J/K move the selection, Enter opens it.
 */
export function Queue() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<QueueStatus>('in_review');
  const [queue, setQueue] = useState<{ items: QueueItem[]; slaHours: number } | null>(null);
  const [selected, setSelected] = useState(0);
  // a queue that cannot be read says why and offers to try again, rather than loading for ever
  const [failure, setFailure] = useState<{ err: unknown } | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setQueue(null);
    setFailure(null);
    setSelected(0);
    consoleApi.queue(status).then(
      (q) => setQueue({ items: q.data, slaHours: q.slaHours }),
      (err: unknown) => setFailure({ err }),
    );
  }, [status, attempt]);
  const items = queue?.items ?? null;
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
  const zh = i18n.language.startsWith('zh');

  return (
    <section>
      <Typography.Title level={2}>{t('queue.title')}</Typography.Title>
      <Segmented<QueueStatus>
        value={status}
        onChange={setStatus}
        options={[
          { value: 'in_review', label: t('queue.waitingDecision') },
          { value: 'photo_requested', label: t('queue.waitingMerchant') },
          { value: 'appeal_review', label: t('queue.appeals') },
        ]}
        style={{ marginBottom: 12 }}
      />
      <Typography.Paragraph type="secondary">{t('queue.hint')}</Typography.Paragraph>
      {failure && (
        <Alert
          type="error"
          showIcon
          message={failureWords(failure.err, i18n.language, t('errors.network'))}
          action={
            <Button size="small" onClick={() => setAttempt((n) => n + 1)}>
              {t('queue.tryAgain')}
            </Button>
          }
          style={{ marginBottom: 12 }}
        />
      )}
      <Table<QueueItem>
        rowKey={(r) => r.claim.id}
        loading={items === null && failure === null}
        dataSource={items ?? []}
        pagination={false}
        locale={{ emptyText: t('queue.empty') }}
        rowClassName={(_, i) => (i === selected ? 'selected-row' : '')}
        columns={[
          {
            title: t('queue.age'),
            render: (_, r) => (
              <span>
                {duration(r.ageSeconds, t)} / {t('queue.sla', { h: queue!.slaHours })} {r.overdue && <Tag color="red">{t('queue.overdue')}</Tag>}
              </span>
            ),
          },
          { title: t('queue.merchant'), render: (_, r) => r.merchantName ?? r.claim.merchantId },
          { title: t('queue.hospital'), render: (_, r) => r.hospitalName ?? t('queue.unread') },
          { title: t('queue.amount'), render: (_, r) => (r.claim.benefitFen === null ? t('queue.unread') : yuan(r.claim.benefitFen)) },
          { title: t('queue.why'), render: (_, r) => (r.why ? (zh ? r.why.zh : r.why.en) : '—') },
          { title: t('queue.status'), render: (_, r) => <Tag>{t(`queue.statuses.${r.claim.status}`)}</Tag> },
          { title: '', render: (_, r) => <a href={`#/claims/${r.claim.id}`}>{t('queue.open')}</a> },
        ]}
      />
    </section>
  );
}
