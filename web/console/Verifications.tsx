import { Card, Col, Row, Statistic, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { yuan } from '../shared/money.ts';
import { consoleApi, type DeferredCheck, type VerificationFigures } from './api.ts';
import { MoreButton, usePaged, when } from './paged.tsx';

/** What the invoices' issuers said at the decisions, after payment, and how the cache and the daily limit stand. */
function Figures({ summary }: { summary: VerificationFigures | null }) {
  const { t } = useTranslation();
  if (!summary) return <Card loading />;
  const { atDecision: d, afterPayment: a, cache: c } = summary;
  return (
    <Card data-testid="verification-figures" style={{ marginBottom: 16 }}>
      <Row gutter={16}>
        <Col xs={12} lg={6}>
          <Statistic title={t('verifications.verified')} value={d.verified} />
          <Typography.Text type="secondary">{t('verifications.contradicted', { mismatched: d.mismatched, unknown: d.unknown_bill })}</Typography.Text>
        </Col>
        <Col xs={12} lg={6}>
          <Statistic title={t('verifications.deferred')} value={d.deferred} />
          <Typography.Text type="secondary" data-testid="after-payment">
            {t('verifications.afterPaymentCounts', { queued: a.queued, verified: a.verified, contradicted: a.mismatched + a.unknown_bill })}
          </Typography.Text>
        </Col>
        <Col xs={12} lg={6}>
          <Statistic title={t('verifications.sentToAudit')} value={summary.sentToAudit} />
        </Col>
        <Col xs={12} lg={6}>
          <Statistic title={t('verifications.checksToday')} value={c.checksToday} />
          <Typography.Text type="secondary" data-testid="cache-state">
            {t('verifications.cacheState', { found: c.foundBills, notFound: c.notFoundBills, limited: c.billsLimitedToday })}
          </Typography.Text>
        </Col>
      </Row>
    </Card>
  );
}

/**
 * Invoices checked with their issuer: the outcomes, and the claims decided without the issuer (its
 * service down, or the day's checks of the bill spent), checked again after payment; one the issuer
 * then contradicts is on the audit desk above.
 */
export function Verifications({ version }: { version: number }) {
  const { t, i18n } = useTranslation();
  const [summary, setSummary] = useState<VerificationFigures | null>(null);
  // `version` changes when an audit is decided above: an audit's outcome is shown here too
  const fetchPage = useCallback((cursor: string | null) => consoleApi.deferredChecks(cursor), [version]);
  const list = usePaged<DeferredCheck>(fetchPage);
  useEffect(() => void consoleApi.verificationSummary().then(setSummary), [version]);
  const fields = (r: DeferredCheck) => (r.mismatchedFields ?? []).map((f) => t(`codes.mismatchedField.${f}`, { defaultValue: f })).join(t('verifications.and'));
  return (
    <section data-testid="verifications">
      <Typography.Title level={3}>{t('verifications.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('verifications.hint')}</Typography.Paragraph>
      <Figures summary={summary} />
      <Table<DeferredCheck>
        rowKey={(r) => r.claimId}
        loading={list.rows === null}
        dataSource={list.rows ?? []}
        pagination={false}
        locale={{ emptyText: t('verifications.empty') }}
        columns={[
          { title: t('verifications.decidedAt'), render: (_, r) => when(r.checkedAt, i18n.language) },
          { title: t('audits.invoice'), render: (_, r) => `${r.invoiceCode}-${r.invoiceNumber} · ${yuan(r.totalFen)}` },
          { title: t('verifications.because'), render: (_, r) => <Tag>{t(`codes.deferredBecause.${r.deferredBecause}`, { defaultValue: r.deferredBecause })}</Tag> },
          {
            title: t('verifications.afterPayment'),
            render: (_, r) => (
              <Tag className={r.afterPayment === 'verified' ? 'outcome-pass' : r.afterPayment === 'queued' ? 'outcome-review' : 'outcome-fail'}>
                {t(`codes.afterPayment.${r.afterPayment}`, { defaultValue: r.afterPayment })}
                {r.mismatchedFields?.length ? `: ${fields(r)}` : ''}
              </Tag>
            ),
          },
          { title: t('verifications.attempts'), render: (_, r) => (r.lastError ? `${r.attempts} · ${r.lastError}` : r.attempts) },
          { title: t('verifications.audit'), render: (_, r) => (r.auditStatus ? t(`verifications.auditStatus.${r.auditStatus}`) : '—') },
          { title: '', render: (_, r) => <a href={`#/claims/${r.claimId}`}>{t('audits.open')}</a> },
        ]}
      />
      <MoreButton cursor={list.cursor} onMore={list.more} />
    </section>
  );
}
