import { App, Button, Card, Checkbox, Form, Input, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, type AccrualRules, type Ruleset } from './api.ts';
import { when } from './paged.tsx';
import { failureWords } from '../shared/errors.ts';

/** Rule parameters that differ between two rulesets, flattened (`signals.oddHoursFrom`). */
function changes(from: AccrualRules, to: AccrualRules, prefix = ''): { key: string; from: unknown; to: unknown }[] {
  return [...new Set([...Object.keys(from), ...Object.keys(to)])].flatMap((key) => {
    const a = from[key];
    const b = to[key];
    if (a && b && typeof a === 'object' && typeof b === 'object') return changes(a as AccrualRules, b as AccrualRules, `${prefix}${key}.`);
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ key: `${prefix}${key}`, from: a, to: b }];
  });
}

function parseParams(text: string): AccrualRules | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as AccrualRules) : null;
  } catch {
    return null;
  }
}

/** Ruleset versions; admins publish a new one with an effective time and see what it changes. */
export function Rulesets({ canPublish }: { canPublish: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [versions, setVersions] = useState<Ruleset[] | null>(null);
  const [form] = Form.useForm<{ name: string; effectiveFrom: string; params: string; adopt: boolean }>();
  const paramsText = Form.useWatch('params', form);
  const load = useCallback(() => void consoleApi.rulesets().then((r) => setVersions(r.data)), []);
  useEffect(load, [load]);
  const inForce = useMemo(() => [...(versions ?? [])].reverse().find((v) => v.adopted && Date.parse(v.effectiveFrom) <= Date.now()) ?? null, [versions]);
  useEffect(() => {
    if (inForce && !form.getFieldValue('params')) form.setFieldsValue({ name: inForce.name, params: JSON.stringify(inForce.rules, null, 2), adopt: true });
  }, [inForce, form]);
  const proposed = paramsText ? parseParams(paramsText) : null;
  const diff = inForce && proposed ? changes(inForce.rules, proposed) : [];

  const publish = async (values: { name: string; effectiveFrom: string; params: string; adopt: boolean }) => {
    const params = parseParams(values.params);
    if (!params) return void message.error(t('rulesets.badJson'));
    try {
      await consoleApi.publishRuleset({ name: values.name, effectiveFrom: new Date(values.effectiveFrom).toISOString(), params, adopt: values.adopt });
      void message.success(t('rulesets.published'));
      load();
    } catch (err) {
      void message.error(failureWords(err, i18n.language, t('errors.network')));
    }
  };

  return (
    <section>
      <Typography.Title level={2}>{t('rulesets.title')}</Typography.Title>
      <Table<Ruleset>
        rowKey="id"
        size="small"
        loading={versions === null}
        dataSource={versions ?? []}
        pagination={false}
        columns={[
          { title: t('rulesets.name'), render: (_, r) => `${r.name} v${r.version}` },
          { title: t('rulesets.effectiveFrom'), render: (_, r) => when(r.effectiveFrom, i18n.language) },
          { title: t('rulesets.adopted'), render: (_, r) => (r.adopted ? <Tag className="outcome-pass">{t('rulesets.adopted')}</Tag> : <Tag>{t('rulesets.alternative')}</Tag>) },
          { title: t('rulesets.inForce'), render: (_, r) => (r.id === inForce?.id ? <Tag className="outcome-pass">{t('rulesets.inForce')}</Tag> : null) },
          { title: t('rulesets.perPayer'), render: (_, r) => String(r.rules.creditPerPayerFen) },
          { title: t('rulesets.payersPerDay'), render: (_, r) => String(r.rules.payersPerDay) },
        ]}
      />
      {canPublish && (
        <Card title={<h3 className="card-title">{t('rulesets.publish')}</h3>} style={{ marginTop: 16 }}>
          <Form form={form} layout="vertical" onFinish={publish} requiredMark={false}>
            <Form.Item label={t('rulesets.name')} name="name" rules={[{ required: true, message: t('common.required') }]}>
              <Input />
            </Form.Item>
            <Form.Item label={t('rulesets.effectiveFrom')} name="effectiveFrom" rules={[{ required: true, message: t('common.required') }]}>
              <Input type="datetime-local" />
            </Form.Item>
            <Form.Item label={t('rulesets.params')} name="params" rules={[{ required: true, message: t('common.required') }]}>
              <Input.TextArea rows={10} spellCheck={false} style={{ fontFamily: 'monospace' }} />
            </Form.Item>
            <Form.Item name="adopt" valuePropName="checked">
              <Checkbox>{t('rulesets.adopt')}</Checkbox>
            </Form.Item>
            <Typography.Paragraph>{proposed ? (diff.length ? t('rulesets.changes') : t('rulesets.noChanges')) : t('rulesets.badJson')}</Typography.Paragraph>
            {diff.length > 0 && (
              <ul data-testid="ruleset-changes">
                {diff.map((d) => (
                  <li key={d.key}>{`${d.key}: ${JSON.stringify(d.from)} → ${JSON.stringify(d.to)}`}</li>
                ))}
              </ul>
            )}
            <Button type="primary" htmlType="submit">
              {t('rulesets.publish')}
            </Button>
          </Form>
        </Card>
      )}
    </section>
  );
}
