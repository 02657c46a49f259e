import { App, Button, Card, Col, Form, Input, Modal, Row, Select, Statistic, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFenAsYuan } from '../../src/shared/money.ts';
import { actionKeys } from '../shared/api.ts';
import { failureWords } from '../shared/errors.ts';
import { fenFromYuan, yuan } from '../shared/money.ts';
import { consoleApi, type CityBudget, type Liability } from './api.ts';
import { Chart } from './Chart.tsx';
import { MoreButton, usePaged, when } from './paged.tsx';

interface BudgetForm {
  city: string;
  period: string;
  limit: string;
  alertPercents: number[];
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const used = (b: CityBudget) => (b.reachedAt ? 1 : b.grantedFen / b.limitFen);

/** The liability by day: outstanding credit stacked by kind, its expected cost, and the forecast after it. */
function LiabilityChart({ liability }: { liability: Liability }) {
  const { t } = useTranslation();
  const option = useMemo(() => {
    const yuanOf = (fen: number | null) => (fen === null ? null : Number(formatFenAsYuan(fen)));
    const days = [...liability.days.map((d) => d.day), ...liability.forecast.map((f) => f.day)].map((d) => d.slice(5));
    const gap = liability.forecast.map(() => null);
    const stacked = (key: 'pendingFen' | 'availableFen' | 'reservedFen', name: string) => ({ name, type: 'bar', stack: 'liability', data: [...liability.days.map((d) => yuanOf(d[key])), ...gap] });
    const history = liability.days.map(() => null);
    return {
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value' },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, left: 'center', type: 'scroll' },
      grid: { top: 36, left: 16, right: 16, bottom: 8, containLabel: true },
      series: [
        stacked('pendingFen', t('budgets.pending')),
        stacked('availableFen', t('budgets.available')),
        stacked('reservedFen', t('budgets.reserved')),
        { name: t('budgets.expectedCost'), type: 'line', data: [...liability.days.map((d) => yuanOf(d.expectedCostFen)), ...gap] },
        { name: t('budgets.forecast'), type: 'line', lineStyle: { type: 'dashed' }, data: [...history, ...liability.forecast.map((f) => yuanOf(f.outstandingFen))] },
        { name: t('budgets.forecastCost'), type: 'line', lineStyle: { type: 'dotted' }, data: [...history, ...liability.forecast.map((f) => yuanOf(f.expectedCostFen))] },
      ],
    };
  }, [liability, t]);
  return <Chart option={option} label={t('budgets.chart')} testId="liability-chart" />;
}

/**
 * The programme's liability (credit waiting to be collected, available, reserved), by day and city,
 * with its expected cost and forecast; the city budgets with their use and alerts; a new budget.
 */
export function Budgets({ canEdit }: { canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [liability, setLiability] = useState<Liability | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<BudgetForm>();
  // a budget's save, tried again after a failure, is the same action: the budget is made once
  const createKeys = useRef(actionKeys());
  useEffect(() => void consoleApi.liability(30).then(setLiability), []);
  const fetchPage = useCallback((cursor: string | null) => consoleApi.budgets(cursor), []);
  const budgets = usePaged<CityBudget>(fetchPage);
  const latest = liability?.days.at(-1);
  const alerts = (budgets.rows ?? []).flatMap((b) => b.alerts.map((a) => ({ ...a, budget: b }))).sort((a, b) => (a.at < b.at ? 1 : -1));

  const open = () => {
    createKeys.current = actionKeys();
    form.setFieldsValue({ city: '', period: '', limit: '', alertPercents: [80, 100] });
    setCreating(true);
  };
  const save = async () => {
    const values = await form.validateFields();
    const body = { city: values.city.trim(), period: values.period, limitFen: fenFromYuan(values.limit)!, alertPercents: values.alertPercents };
    try {
      await consoleApi.createBudget(body, createKeys.current(JSON.stringify(body)));
      setCreating(false);
      void message.success(t('budgets.created'));
      budgets.reload();
    } catch (err) {
      void message.error(failureWords(err, i18n.language, t('errors.network')));
    }
  };
  const required = { required: true, message: t('common.required') };

  return (
    <section>
      <Typography.Title level={2}>{t('budgets.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('budgets.hint')}</Typography.Paragraph>
      <Card data-testid="liability-figures" style={{ marginBottom: 16 }} loading={!liability}>
        <Row gutter={16}>
          <Col xs={12} lg={6}>
            <Statistic title={t('budgets.outstanding')} value={latest ? yuan(latest.outstandingFen) : '—'} />
          </Col>
          <Col xs={12} lg={6}>
            <Statistic title={t('budgets.expectedCost')} value={latest?.expectedCostFen != null ? yuan(latest.expectedCostFen) : '—'} />
          </Col>
          <Col xs={12} lg={6}>
            <Statistic title={t('budgets.claimRatio')} value={liability?.claimRatio != null ? percent(liability.claimRatio) : '—'} />
          </Col>
          <Col xs={12} lg={6}>
            <Statistic title={t('budgets.inForecast', { n: liability?.forecast.length ?? 0 })} value={liability?.forecast.at(-1) ? yuan(liability.forecast.at(-1)!.outstandingFen) : '—'} />
          </Col>
        </Row>
        <Typography.Text type="secondary">{liability?.refreshedAt ? t('budgets.refreshed', { at: when(liability.refreshedAt, i18n.language) }) : t('budgets.notRefreshed')}</Typography.Text>
      </Card>
      {liability && liability.days.length > 0 && (
        <Card title={t('budgets.byDay')} style={{ marginBottom: 16 }}>
          <LiabilityChart liability={liability} />
        </Card>
      )}
      <Card title={t('budgets.byCity')} style={{ marginBottom: 16 }}>
        <Table
          data-testid="liability-cities"
          rowKey="city"
          size="small"
          pagination={false}
          loading={!liability}
          dataSource={liability?.cities ?? []}
          locale={{ emptyText: t('common.none') }}
          columns={[
            { title: t('budgets.city'), dataIndex: 'city' },
            { title: t('budgets.pending'), dataIndex: 'pendingFen', render: yuan, align: 'right' },
            { title: t('budgets.available'), dataIndex: 'availableFen', render: yuan, align: 'right' },
            { title: t('budgets.reserved'), dataIndex: 'reservedFen', render: yuan, align: 'right' },
            { title: t('budgets.outstanding'), dataIndex: 'outstandingFen', render: yuan, align: 'right' },
            { title: t('budgets.expectedCost'), dataIndex: 'expectedCostFen', render: (fen: number | null) => (fen === null ? '—' : yuan(fen)), align: 'right' },
          ]}
        />
      </Card>
      <Card
        title={t('budgets.budgets')}
        extra={
          canEdit && (
            <Button type="primary" onClick={open}>
              {t('budgets.add')}
            </Button>
          )
        }
        style={{ marginBottom: 16 }}
      >
        <Typography.Paragraph type="secondary">{t('budgets.policy')}</Typography.Paragraph>
        <Table<CityBudget>
          data-testid="budgets"
          rowKey="id"
          size="small"
          pagination={false}
          loading={budgets.rows === null}
          dataSource={budgets.rows ?? []}
          locale={{ emptyText: t('budgets.none') }}
          columns={[
            { title: t('budgets.city'), dataIndex: 'city' },
            { title: t('budgets.period'), dataIndex: 'period' },
            { title: t('budgets.limit'), dataIndex: 'limitFen', render: yuan, align: 'right' },
            { title: t('budgets.granted'), dataIndex: 'grantedFen', render: yuan, align: 'right' },
            { title: t('budgets.used'), key: 'used', render: (_: unknown, b) => <Tag color={b.reachedAt ? 'red' : used(b) >= 0.8 ? 'orange' : 'green'}>{b.reachedAt ? t('budgets.reached') : percent(used(b))}</Tag> },
            { title: t('budgets.alertAt'), dataIndex: 'alertPercents', render: (p: number[]) => p.map((x) => `${x}%`).join(' · ') },
          ]}
        />
        <MoreButton cursor={budgets.cursor} onMore={budgets.more} />
      </Card>
      <Card title={t('budgets.alerts')}>
        <Table
          data-testid="budget-alerts"
          rowKey={(a) => `${a.budget.id}:${a.percent}`}
          size="small"
          pagination={false}
          dataSource={alerts}
          locale={{ emptyText: t('budgets.noAlerts') }}
          columns={[
            { title: t('budgets.at'), dataIndex: 'at', render: (at: string) => when(at, i18n.language) },
            { title: t('budgets.alert'), key: 'what', render: (_: unknown, a) => t(a.percent >= 100 ? 'budgets.alertReached' : 'budgets.alertPercent', { city: a.budget.city, period: a.budget.period, percent: a.percent }) },
          ]}
        />
      </Card>
      <Modal open={creating} title={t('budgets.add')} onOk={() => void save()} onCancel={() => setCreating(false)} okText={t('budgets.save')} destroyOnHidden>
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item label={t('budgets.city')} name="city" rules={[required, { max: 32 }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('budgets.period')} name="period" rules={[required, { pattern: /^[0-9]{4}-(0[1-9]|1[0-2])$/, message: t('budgets.badPeriod') }]}>
            <Input placeholder="2026-12" />
          </Form.Item>
          <Form.Item label={t('budgets.limitYuan')} name="limit" rules={[required, { validator: async (_, v: string) => ((fenFromYuan(v ?? '') ?? 0) > 0 ? undefined : Promise.reject(new Error(t('budgets.badLimit')))) }]}>
            <Input inputMode="decimal" />
          </Form.Item>
          <Form.Item label={t('budgets.alertAt')} name="alertPercents" rules={[required]}>
            <Select mode="multiple" options={[50, 80, 90, 100].map((p) => ({ value: p, label: `${p}%` }))} />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
