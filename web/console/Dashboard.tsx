import { Card, Col, Row, Segmented, Statistic, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFenAsYuan } from '../../src/shared/money.ts';
import { consoleApi, type Dashboard as Figures } from './api.ts';
import { Chart } from './Chart.tsx';

const RANGES = [7, 30, 90];

export function Dashboard() {
  const { t } = useTranslation();
  const [days, setDays] = useState(30);
  const [figures, setFigures] = useState<Figures | null>(null);
  useEffect(() => void consoleApi.dashboard(days).then(setFigures), [days]);

  const charts = useMemo(() => {
    if (!figures) return null;
    const x = figures.days.map((d) => d.day.slice(5));
    // the legend above the plot, the plot's labels inside its grid: nothing is drawn over the x-axis labels
    const axis = {
      xAxis: { type: 'category', data: x },
      yAxis: { type: 'value' },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, left: 'center', type: 'scroll' },
      grid: { top: 36, left: 16, right: 16, bottom: 8, containLabel: true },
    };
    const yuanOf = (fen: number) => Number(formatFenAsYuan(fen));
    const buckets = figures.timeToMoney.buckets.map((b, i, all) => (b.upToSeconds === null ? `> ${all[i - 1]?.upToSeconds ?? 0} s` : `≤ ${b.upToSeconds} s`));
    return {
      claims: { ...axis, series: [{ name: t('dashboard.claims'), type: 'bar', data: figures.days.map((d) => d.claims) }, { name: t('dashboard.paid'), type: 'bar', data: figures.days.map((d) => d.paid) }] },
      automatic: { ...axis, yAxis: { type: 'value', max: 100 }, series: [{ name: t('dashboard.rate'), type: 'line', data: figures.days.map((d) => (d.decided ? Math.round((100 * d.automatic) / d.decided) : null)) }] },
      timeToMoney: { ...axis, xAxis: { type: 'category', data: buckets }, series: [{ name: t('dashboard.paid'), type: 'bar', data: figures.timeToMoney.buckets.map((b) => b.claims) }] },
      credits: {
        ...axis,
        series: (['grantedFen', 'collectedFen', 'lapsedFen', 'expiredFen'] as const).map((key) => ({ name: t(`dashboard.${key.replace('Fen', '')}`), type: 'line', data: figures.days.map((d) => yuanOf(d[key])) })),
      },
      enrolments: { ...axis, series: [{ name: t('dashboard.enrolments'), type: 'bar', data: figures.days.map((d) => d.enrolments) }] },
      // each day's appeals, stacked by outcome: upheld, refused, still waiting for a reviewer
      appeals: {
        ...axis,
        series: [
          { name: t('dashboard.appealsApproved'), type: 'bar', stack: 'appeals', data: figures.days.map((d) => d.appealsApproved) },
          { name: t('dashboard.appealsRejected'), type: 'bar', stack: 'appeals', data: figures.days.map((d) => d.appealsRejected) },
          { name: t('dashboard.appealsWaiting'), type: 'bar', stack: 'appeals', data: figures.days.map((d) => d.appeals - d.appealsApproved - d.appealsRejected) },
        ],
      },
      byCity: { tooltip: {}, series: [{ type: 'pie', radius: '65%', data: figures.enrolmentsByCity.map((c) => ({ name: c.city, value: c.merchants })) }] },
    };
  }, [figures, t]);

  const totals = figures?.days.reduce(
    (s, d) => ({ claims: s.claims + d.claims, automatic: s.automatic + d.automatic, decided: s.decided + d.decided, appeals: s.appeals + d.appeals, appealsApproved: s.appealsApproved + d.appealsApproved }),
    { claims: 0, automatic: 0, decided: 0, appeals: 0, appealsApproved: 0 },
  );
  const panels: [keyof NonNullable<typeof charts>, string][] = [
    ['claims', t('dashboard.claimsPerDay')],
    ['automatic', t('dashboard.automaticRate')],
    ['timeToMoney', t('dashboard.timeToMoney')],
    ['credits', t('dashboard.credits')],
    ['enrolments', t('dashboard.enrolments')],
    ['appeals', t('dashboard.appealsPerDay')],
    ['byCity', t('dashboard.byCity')],
  ];
  return (
    <section>
      <Row justify="space-between" align="middle">
        <Typography.Title level={2}>{t('dashboard.title')}</Typography.Title>
        <Segmented value={days} onChange={(v) => setDays(Number(v))} options={RANGES.map((n) => ({ value: n, label: t('dashboard.days', { n }) }))} />
      </Row>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={6}>
          <Card><Statistic title={t('dashboard.claims')} value={totals?.claims ?? 0} /></Card>
        </Col>
        <Col span={6}>
          <Card><Statistic title={t('dashboard.automaticRate')} value={totals?.decided ? Math.round((100 * totals.automatic) / totals.decided) : 0} suffix="%" /></Card>
        </Col>
        <Col span={6}>
          <Card>
            <Statistic title={t('dashboard.timeToMoney')} value={figures?.timeToMoney.p50Seconds === null || !figures ? '—' : t('dashboard.p50', { s: figures.timeToMoney.p50Seconds.toFixed(1) })} />
          </Card>
        </Col>
        <Col span={6}>
          <Card data-testid="appeals-total">
            <Statistic title={t('dashboard.appeals')} value={totals?.appeals ?? 0} suffix={totals?.appeals ? `· ${t('dashboard.appealsApproved')} ${totals.appealsApproved}` : undefined} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        {charts &&
          panels.map(([key, title]) => (
            <Col xs={24} xl={12} key={key}>
              <Card title={<h3 className="card-title">{title}</h3>}>
                <Chart option={charts[key]} label={title} testId={`chart-${key}`} />
              </Card>
            </Col>
          ))}
      </Row>
    </section>
  );
}
