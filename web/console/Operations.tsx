import { App, Button, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, type DeadJob, type ParkedNotification } from './api.ts';
import { when } from './paged.tsx';
import { failureWords } from '../shared/errors.ts';

/** What needs an operator: jobs that used every retry (run one again once its cause is fixed), payment notifications set aside. */
export function Operations() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [jobs, setJobs] = useState<DeadJob[] | null>(null);
  const [parked, setParked] = useState<ParkedNotification[] | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  const loadJobs = useCallback(() => void consoleApi.deadJobs().then((r) => setJobs(r.data)), []);
  useEffect(() => {
    loadJobs();
    void consoleApi.parked().then((r) => setParked(r.data));
  }, [loadJobs]);
  const retry = async (job: DeadJob) => {
    setRetrying(job.id);
    try {
      await consoleApi.retryJob(job.id);
      void message.success(t('operations.retried', { task: job.task }));
    } catch (err) {
      void message.error(failureWords(err, i18n.language, t('errors.network')));
    } finally {
      setRetrying(null);
      loadJobs();
    }
  };
  return (
    <section>
      <Typography.Title level={2}>{t('operations.deadJobs')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('operations.deadJobsHint')}</Typography.Paragraph>
      <Table<DeadJob>
        rowKey="id"
        size="small"
        loading={jobs === null}
        dataSource={jobs ?? []}
        pagination={false}
        locale={{ emptyText: t('common.none') }}
        columns={[
          { title: t('operations.task'), dataIndex: 'task' },
          { title: t('operations.attempts'), dataIndex: 'attempts' },
          { title: t('operations.error'), dataIndex: 'lastError' },
          { title: t('operations.at'), render: (_, r) => when(r.updatedAt, i18n.language) },
          {
            title: '',
            render: (_, r) => (
              <Button onClick={() => void retry(r)} loading={retrying === r.id}>
                {t('operations.retry')}
                <span className="visually-hidden"> {`${r.task} #${r.id}`}</span>
              </Button>
            ),
          },
        ]}
      />
      <Typography.Title level={2} style={{ marginTop: 24 }}>
        {t('operations.parked')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('operations.parkedHint')}</Typography.Paragraph>
      <Table<ParkedNotification>
        rowKey="id"
        size="small"
        loading={parked === null}
        dataSource={parked ?? []}
        pagination={false}
        locale={{ emptyText: t('common.none') }}
        columns={[
          { title: t('operations.tradeNo'), dataIndex: 'tradeNo' },
          { title: t('operations.source'), dataIndex: 'source' },
          { title: t('operations.times'), dataIndex: 'times' },
          { title: t('operations.error'), dataIndex: 'error' },
          { title: t('operations.at'), render: (_, r) => when(r.lastParkedAt, i18n.language) },
        ]}
      />
    </section>
  );
}
