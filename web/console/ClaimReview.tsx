import { Alert, App, Button, Card, Col, Descriptions, Empty, Form, Image, Input, InputNumber, List, Row, Select, Space, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseYuanToFen } from '../../src/shared/money.ts';
import { say, type Claim } from '../shared/claim.ts';
import { yuan } from '../shared/money.ts';
import { go } from '../shared/route.ts';
import { consoleApi, type Decision } from './api.ts';
import { failureWords } from '../shared/errors.ts';

const REASONS = { approve: ['reviewed_ok'], reject: ['not_covered', 'wrong_patient', 'duplicate', 'suspected_tampering'], request_photo: ['photo_unreadable'] } as const;
const REVIEWABLE = ['in_review', 'photo_requested', 'appeal_review'];

/** The decision as the form holds it: money typed in yuan, turned into the API's fen on submit. */
type DecisionForm = Omit<Decision, 'action' | 'amountFen' | 'coveredFen'> & { amountYuan?: string; coveredYuan?: string };

/** The readings a reviewer supplies on approval: only those filled in are sent. */
function readingsOf(values: DecisionForm): Partial<Decision> {
  const coveredFen = values.coveredYuan ? parseYuanToFen(String(values.coveredYuan)) : null;
  const text = (v: string | undefined) => (v ? v.trim() : '');
  return {
    ...(text(values.invoiceCode) ? { invoiceCode: text(values.invoiceCode) } : {}),
    ...(text(values.invoiceNumber) ? { invoiceNumber: text(values.invoiceNumber) } : {}),
    ...(text(values.visitDate) ? { visitDate: text(values.visitDate) } : {}),
    ...(text(values.hospitalId) ? { hospitalId: text(values.hospitalId) } : {}),
    ...(coveredFen !== null ? { coveredFen } : {}),
  };
}

/** The claim waiting longest for a decision (the queue is oldest first), other than the one just decided: an appeal after an appeal. */
async function nextInQueue(decidedId: string, appeals: boolean): Promise<string | null> {
  const queue = await consoleApi.queue(appeals ? 'appeal_review' : 'in_review');
  return queue.data.find((item) => item.claim.id !== decidedId)?.claim.id ?? null;
}

function useImages(claimId: string | null, files: Claim['files']): string[] {
  const [urls, setUrls] = useState<string[]>([]);
  const shas = files.filter((f) => f.mediaType.startsWith('image/')).map((f) => f.sha256);
  const key = shas.join();
  useEffect(() => {
    if (!claimId) return;
    let made: string[] = [];
    void Promise.all(shas.map((sha256) => consoleApi.image(claimId, sha256))).then((u) => {
      made = u;
      setUrls(u);
    });
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [claimId, key]);
  return urls;
}

/** The merchant's appeal beside the claim: their reason, the refusal it contests (who, why, the photos then) and the outcome. */
function AppealPanel({ claim }: { claim: Claim }) {
  const { t } = useTranslation();
  const appeal = claim.appeal;
  const previous = useImages(claim.id, appeal?.previousFiles ?? []);
  if (!appeal) return null;
  return (
    <Card title={t('review.appeal.title')} style={{ marginBottom: 12 }} data-testid="review-appeal">
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('review.appeal.message')}>{appeal.message}</Descriptions.Item>
        <Descriptions.Item label={t('review.appeal.refusedBy')}>{appeal.refusedBy ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('review.appeal.refusedReasons')}>{appeal.refusedReasonCodes.join(', ') || '—'}</Descriptions.Item>
        {appeal.outcome && (
          <Descriptions.Item label={t('review.appeal.outcome')}>
            {t(`review.appeal.${appeal.outcome}`)} · {appeal.messageToMerchant}
          </Descriptions.Item>
        )}
      </Descriptions>
      {previous.length > 0 && (
        <>
          <p className="muted">{t('review.appeal.previous')}</p>
          <Image.PreviewGroup>
            {previous.map((url, i) => (
              <Image key={url} src={url} alt={`refused page ${i + 1}`} width={120} />
            ))}
          </Image.PreviewGroup>
        </>
      )}
    </Card>
  );
}

export function ClaimReview({ claimId }: { claimId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [claim, setClaim] = useState<Claim | null>(null);
  const [action, setAction] = useState<Decision['action'] | null>(null);
  const [busy, setBusy] = useState(false);
  const [queueEmpty, setQueueEmpty] = useState(false);
  const [form] = Form.useForm<DecisionForm>();
  const images = useImages(claim?.id ?? null, claim?.files ?? []);
  useEffect(() => {
    setQueueEmpty(false);
    void consoleApi.claim(claimId).then(setClaim);
  }, [claimId]);
  const reviewable = claim !== null && REVIEWABLE.includes(claim.status);
  // an appeal is approved or rejected on the photos it brought, and the merchant is told why
  const isAppeal = claim?.status === 'appeal_review';

  const choose = useCallback(
    (next: Decision['action']) => {
      setAction(next);
      form.resetFields();
      form.setFieldsValue({ reasonCode: REASONS[next][0] });
    },
    [form],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!reviewable || (e.target as HTMLElement).closest('input, textarea, .ant-select')) return;
      const keys: Record<string, Decision['action']> = isAppeal ? { a: 'approve', r: 'reject' } : { a: 'approve', r: 'reject', p: 'request_photo' };
      const next = keys[e.key];
      if (next) choose(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [reviewable, isAppeal, choose]);

  const decide = async (values: DecisionForm) => {
    if (!action || !claim) return;
    const amountFen = values.amountYuan ? parseYuanToFen(String(values.amountYuan)) : null;
    setBusy(true);
    try {
      const decided = await consoleApi.decide(claim.id, {
        action,
        reasonCode: values.reasonCode,
        ...(amountFen ? { amountFen } : {}),
        ...(values.note ? { note: values.note } : {}),
        ...(values.messageToMerchant ? { messageToMerchant: values.messageToMerchant } : {}),
        ...(action === 'approve' ? readingsOf(values) : {}),
      });
      setClaim(decided);
      setAction(null);
      // the reviewer goes on with the claim that has waited longest for a decision, or is told there is none
      // the decision stands whatever happens next: a queue that cannot be read leaves the reviewer here
      const next = await nextInQueue(decided.id, isAppeal).catch(() => undefined);
      if (next) go(`claims/${next}`);
      else if (next === null) setQueueEmpty(true);
      void message.success(t(next ? 'review.nextOpened' : 'review.decided'));
    } catch (err) {
      void message.error(failureWords(err, i18n.language, t('errors.network')));
    } finally {
      setBusy(false);
    }
  };

  if (!claim) return <Card loading />;
  const money = (fen: number | null) => (fen === null ? '—' : yuan(fen));
  const latest = claim.timeline?.at(-1);
  const whyHere = latest ? say(latest, i18n.language) : '';
  return (
    <section>
      <Space style={{ marginBottom: 12 }}>
        <Button onClick={() => go('queue')}>‹ {t('review.back')}</Button>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('review.title')}{' '}
          <Tag data-testid="review-status" data-status={claim.status}>
            {t(`codes.claimStatus.${claim.status}`)}
          </Tag>
        </Typography.Title>
      </Space>
      {queueEmpty && <Alert type="success" showIcon style={{ marginBottom: 12 }} message={t('review.queueEmpty')} data-testid="queue-empty" />}
      {reviewable && whyHere && (
        // why the claim is with a person: the event that sent it here, on top rather than at the timeline's end
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t('review.whyHere')} description={whyHere} data-testid="why-here" />
      )}
      <AppealPanel claim={claim} />
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card>
            {images.length ? (
              <Image.PreviewGroup>
                {images.map((url, i) => (
                  <Image key={url} src={url} alt={`invoice page ${i + 1}`} width="100%" />
                ))}
              </Image.PreviewGroup>
            ) : (
              <Empty description={t('review.noImage')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('review.fields')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('review.invoiceCode')}>{claim.invoice.code ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('review.invoiceNumber')}>{claim.invoice.number ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('review.visitDate')}>{claim.invoice.visitDate ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('review.hospital')}>
                <span data-testid="review-hospital">{claim.invoice.hospitalName ?? claim.invoice.hospitalId ?? '—'}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('review.covered')}>{money(claim.coveredFen)}</Descriptions.Item>
              <Descriptions.Item label={t('review.benefit')}>{money(claim.benefitFen)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={t('review.findings')} style={{ marginTop: 12 }}>
            <List
              size="small"
              dataSource={claim.findings}
              renderItem={(f) => (
                <List.Item>
                  <Tag className={`outcome-${f.outcome}`}>{t(`codes.outcome.${f.outcome}`, { defaultValue: f.outcome })}</Tag> {say(f, i18n.language) || f.code}
                </List.Item>
              )}
            />
          </Card>
          {reviewable && (
            <Card style={{ marginTop: 12 }}>
              <Space wrap>
                <Button type="primary" onClick={() => choose('approve')}>{t('review.approve')}</Button>
                <Button danger onClick={() => choose('reject')}>{t('review.reject')}</Button>
                {!isAppeal && <Button onClick={() => choose('request_photo')}>{t('review.requestPhoto')}</Button>}
              </Space>
              {action && (
                <Form form={form} layout="vertical" onFinish={decide} style={{ marginTop: 12 }}>
                  <Form.Item label={t('review.reason')} name="reasonCode" rules={[{ required: true }]}>
                    <Select options={REASONS[action].map((r) => ({ value: r, label: t(`review.reasons.${r}`) }))} />
                  </Form.Item>
                  {action === 'approve' && (
                    <>
                      <Form.Item label={t('review.amount')} name="amountYuan">
                        <InputNumber<string> stringMode min="0.01" step="0.01" style={{ width: '100%' }} />
                      </Form.Item>
                      <p className="muted">{t('review.readings')}</p>
                      {(['invoiceCode', 'invoiceNumber', 'visitDate', 'hospitalId'] as const).map((name) => (
                        <Form.Item key={name} label={t(`review.${name}`)} name={name}>
                          <Input maxLength={40} />
                        </Form.Item>
                      ))}
                      <Form.Item label={t('review.coveredYuan')} name="coveredYuan">
                        <InputNumber<string> stringMode min="0" step="0.01" style={{ width: '100%' }} />
                      </Form.Item>
                    </>
                  )}
                  <Form.Item label={t('review.note')} name="note">
                    <Input.TextArea maxLength={500} rows={2} />
                  </Form.Item>
                  <Form.Item
                    label={t('review.messageToMerchant')}
                    name="messageToMerchant"
                    rules={isAppeal ? [{ required: true, whitespace: true, message: t('review.appeal.reasonRequired') }] : []}
                  >
                    <Input.TextArea maxLength={500} rows={2} />
                  </Form.Item>
                  {/* focused when the form opens (A, R or P): Enter then decides, with the reason chosen first */}
                  <Button key={action} type="primary" htmlType="submit" loading={busy} autoFocus>
                    {t(`review.${action === 'request_photo' ? 'requestPhoto' : action}`)}
                  </Button>
                </Form>
              )}
            </Card>
          )}
          <Card title={t('review.timeline')} style={{ marginTop: 12 }}>
            <Timeline items={(claim.timeline ?? []).map((e) => ({ children: `${new Date(e.at).toLocaleString(i18n.language)} · ${say(e, i18n.language)}` }))} />
          </Card>
        </Col>
      </Row>
    </section>
  );
}
