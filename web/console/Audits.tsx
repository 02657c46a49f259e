import { App, Button, Card, Col, Form, Input, Modal, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { OVERPAID_REASON_CODES, OVERPAID_REASONS, type OverpaidReason } from '../../src/audits/reasons.ts';
import { failureWords } from '../shared/errors.ts';
import { fenFromYuan, yuan } from '../shared/money.ts';
import { consoleApi, type AuditItem, type AuditStatistics } from './api.ts';
import { MoreButton, usePaged, when } from './paged.tsx';
import { Verifications } from './Verifications.tsx';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** What the audits found so far: the sample's error rate with its 95 % interval, and the money at stake. */
function Figures({ stats }: { stats: AuditStatistics | null }) {
  const { t } = useTranslation();
  if (!stats) return <Card loading />;
  const known = stats.errorRate !== null && stats.errorRateInterval !== null;
  return (
    <Card data-testid="audit-statistics" style={{ marginBottom: 16 }}>
      <Row gutter={16}>
        <Col xs={12} lg={6}>
          <Statistic title={t('audits.errorRate')} value={known ? percent(stats.errorRate!) : '—'} />
          <Typography.Text type="secondary" data-testid="error-interval">
            {known ? t('audits.interval', { low: percent(stats.errorRateInterval!.low), high: percent(stats.errorRateInterval!.high) }) : t('audits.noneDecided')}
          </Typography.Text>
        </Col>
        <Col xs={12} lg={6}>
          <Statistic title={t('audits.overpaidFound')} value={yuan(stats.overpaidFoundFen)} />
        </Col>
        <Col xs={12} lg={6}>
          <Statistic title={t('audits.atStake')} value={stats.extrapolatedOverpaidFen === null ? '—' : yuan(stats.extrapolatedOverpaidFen)} />
          <Typography.Text type="secondary">
            {stats.extrapolatedInterval ? t('audits.range', { low: yuan(stats.extrapolatedInterval.lowFen), high: yuan(stats.extrapolatedInterval.highFen), n: stats.samplePopulation }) : ''}
          </Typography.Text>
        </Col>
        <Col xs={12} lg={6}>
          <Statistic title={t('audits.decided')} value={stats.decidedSample + stats.decidedCensus} suffix={`/ ${stats.decidedSample + stats.decidedCensus + stats.pending}`} />
          <Typography.Text type="secondary">{t('audits.strata', { sample: stats.decidedSample, census: stats.decidedCensus })}</Typography.Text>
        </Col>
      </Row>
    </Card>
  );
}

interface OverpaidForm {
  dueYuan: string;
  reasonCode: OverpaidReason;
  note?: string;
}

/**
 * Paid claims drawn for audit, oldest drawn first, with what the audits found. A reviewer confirms a
 * claim, or finds it overpaid: what was due and why; the difference is taken back from the merchant's
 * credit (the rest as debt) and the merchant is told why.
 */
export function Audits() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const zh = i18n.language.startsWith('zh');
  const [stats, setStats] = useState<AuditStatistics | null>(null);
  const [overpaid, setOverpaid] = useState<AuditItem | null>(null);
  const [busy, setBusy] = useState(false);
  const [decisions, setDecisions] = useState(0);
  const [form] = Form.useForm<OverpaidForm>();
  const fetchPage = useCallback((cursor: string | null) => consoleApi.audits(cursor), []);
  const list = usePaged<AuditItem>(fetchPage);
  const loadStats = useCallback(() => void consoleApi.auditStatistics().then(setStats), []);
  useEffect(loadStats, [loadStats]);

  const decide = async (item: AuditItem, body: Parameters<typeof consoleApi.decideAudit>[1]) => {
    setBusy(true);
    try {
      await consoleApi.decideAudit(item.audit.claimId, body);
      setOverpaid(null);
      void message.success(t(body.outcome === 'confirmed' ? 'audits.confirmedDone' : 'audits.overpaidDone'));
      list.reload();
      loadStats();
      setDecisions((n) => n + 1);
    } catch (err) {
      void message.error(failureWords(err, i18n.language, t('errors.network')));
    } finally {
      setBusy(false);
    }
  };
  const submitOverpaid = (values: OverpaidForm) => {
    if (!overpaid) return;
    const dueFen = fenFromYuan(String(values.dueYuan));
    if (dueFen === null || dueFen < 0) {
      form.setFields([{ name: 'dueYuan', errors: [t('audits.badAmount')] }]);
      return;
    }
    void decide(overpaid, { outcome: 'overpaid', dueFen, reasonCode: values.reasonCode, ...(values.note?.trim() ? { note: values.note.trim() } : {}) });
  };

  return (
    <section>
      <Typography.Title level={2}>{t('audits.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('audits.hint')}</Typography.Paragraph>
      <Figures stats={stats} />
      <Table<AuditItem>
        rowKey={(r) => r.audit.claimId}
        loading={list.rows === null}
        dataSource={list.rows ?? []}
        pagination={false}
        locale={{ emptyText: t('audits.empty') }}
        columns={[
          { title: t('audits.drawnAt'), render: (_, r) => when(r.audit.drawnAt, i18n.language) },
          { title: t('audits.merchant'), render: (_, r) => r.merchantName ?? r.audit.merchantId },
          { title: t('audits.paid'), render: (_, r) => yuan(r.audit.paidFen) },
          { title: t('audits.invoice'), render: (_, r) => (r.invoiceNumber ? `${r.invoiceCode ?? ''}-${r.invoiceNumber} · ${r.visitDate ?? ''}` : '—') },
          { title: t('audits.why'), render: (_, r) => <Tag>{t(`audits.because.${r.audit.drawnBecause}`)}</Tag> },
          {
            title: '',
            render: (_, r) => (
              <Space>
                <a href={`#/claims/${r.audit.claimId}`}>{t('audits.open')}</a>
                <Button size="small" disabled={busy} onClick={() => void decide(r, { outcome: 'confirmed' })}>
                  {t('audits.confirm')}
                </Button>
                <Button
                  size="small"
                  danger
                  disabled={busy}
                  onClick={() => {
                    form.resetFields();
                    form.setFieldsValue({ reasonCode: 'amount_misread' });
                    setOverpaid(r);
                  }}
                >
                  {t('audits.overpaid')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <MoreButton cursor={list.cursor} onMore={list.more} />
      <Modal
        open={overpaid !== null}
        title={overpaid ? t('audits.overpaidTitle', { paid: yuan(overpaid.audit.paidFen) }) : ''}
        okText={t('audits.recover')}
        okButtonProps={{ danger: true, loading: busy }}
        onOk={() => form.submit()}
        onCancel={() => setOverpaid(null)}
        destroyOnHidden
      >
        <Form<OverpaidForm> form={form} layout="vertical" onFinish={submitOverpaid} requiredMark={false}>
          <Form.Item label={t('audits.due')} name="dueYuan" rules={[{ required: true, message: t('common.required') }]}>
            <Input inputMode="decimal" prefix="¥" />
          </Form.Item>
          <Form.Item label={t('audits.reason')} name="reasonCode">
            <Select options={OVERPAID_REASON_CODES.map((code) => ({ value: code, label: zh ? OVERPAID_REASONS[code].zh : OVERPAID_REASONS[code].en }))} />
          </Form.Item>
          <Form.Item label={t('audits.note')} name="note" extra={t('audits.noteHint')}>
            <Input.TextArea maxLength={500} rows={3} />
          </Form.Item>
        </Form>
      </Modal>
      <Verifications version={decisions} />
    </section>
  );
}
