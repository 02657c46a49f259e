import { App, Button, Card, Checkbox, Form, Input, InputNumber, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, type AccrualRules, type Ruleset } from './api.ts';
import { ruleChanges, ruleParams, type RuleParam } from './ruleset-params.ts';
import { VersionsTable, versionInForce } from './ruleset-versions.tsx';
import { failureWords } from '../shared/errors.ts';
import { ClaimRulesets } from './ClaimRulesets.tsx';

/** One parameter's field: named, with its unit and bounds from the schema; a value outside them is refused here. */
function ParamField({ param }: { param: RuleParam }) {
  const { t } = useTranslation();
  const unit = t(`rulesets.unit.${param.unit}`);
  const bounds = param.maximum === null ? t('rulesets.atLeast', { min: param.minimum ?? 0, unit }) : t('rulesets.between', { min: param.minimum ?? 0, max: param.maximum, unit });
  const key = param.path.at(-1)!;
  return (
    <Form.Item
      label={t('rulesets.label', { name: t(`rulesets.param.${key}`), bounds })}
      name={['params', ...param.path]}
      rules={[{ required: true, type: 'integer', min: param.minimum ?? undefined, max: param.maximum ?? undefined, message: t('rulesets.outOfBounds', { bounds }) }]}
    >
      <InputNumber addonAfter={unit} style={{ width: 240 }} data-testid={`param-${param.path.join('.')}`} />
    </Form.Item>
  );
}

/** Ruleset versions; admins publish a new one with an effective time and see what it changes. */
export function Rulesets({ canPublish }: { canPublish: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [versions, setVersions] = useState<Ruleset[] | null>(null);
  const [params, setParams] = useState<RuleParam[]>([]);
  const [form] = Form.useForm<{ name: string; effectiveFrom: string; params: AccrualRules; adopt: boolean }>();
  const proposed = Form.useWatch('params', form) as AccrualRules | undefined;
  const load = useCallback(
    () =>
      void consoleApi.rulesets().then((r) => {
        setVersions(r.data);
        setParams(ruleParams(r.paramsSchema));
      }),
    [],
  );
  useEffect(load, [load]);
  const inForce = useMemo(() => versionInForce(versions), [versions]);
  useEffect(() => {
    // the form starts from the rules in force, once its fields are there
    if (inForce && params.length && !form.getFieldValue('name')) {
      form.setFieldsValue({ name: inForce.name, adopt: true });
      form.setFieldValue('params', inForce.rules);
    }
  }, [inForce, params, form]);
  const diff = inForce && proposed ? ruleChanges(inForce.rules, proposed) : [];
  const named = (key: string) => t(`rulesets.param.${key.split('.').at(-1)}`);

  const publish = async (values: { name: string; effectiveFrom: string; params: AccrualRules; adopt: boolean }) => {
    try {
      await consoleApi.publishRuleset({ name: values.name, effectiveFrom: new Date(values.effectiveFrom).toISOString(), params: values.params, adopt: values.adopt });
      void message.success(t('rulesets.published'));
      load();
    } catch (err) {
      void message.error(failureWords(err, i18n.language, t('errors.network')));
    }
  };

  return (
    <section>
      <Typography.Title level={2}>{t('rulesets.title')}</Typography.Title>
      <VersionsTable<Ruleset>
        versions={versions}
        columns={[
          { title: t('rulesets.adopted'), render: (_, r) => (r.adopted ? <Tag className="outcome-pass">{t('rulesets.adopted')}</Tag> : <Tag>{t('rulesets.alternative')}</Tag>) },
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
            {params.filter((p) => p.path.length === 1).map((p) => <ParamField key={p.path.join('.')} param={p} />)}
            <Typography.Title level={4}>{t('rulesets.signals')}</Typography.Title>
            {params.filter((p) => p.path.length > 1).map((p) => <ParamField key={p.path.join('.')} param={p} />)}
            <Form.Item name="adopt" valuePropName="checked">
              <Checkbox>{t('rulesets.adopt')}</Checkbox>
            </Form.Item>
            {/* what publishing changes, read before the button */}
            <Typography.Paragraph>{diff.length ? t('rulesets.changes') : t('rulesets.noChanges')}</Typography.Paragraph>
            {diff.length > 0 && (
              <ul data-testid="ruleset-changes">
                {diff.map((d) => (
                  <li key={d.key}>{`${named(d.key)}: ${String(d.from)} → ${String(d.to)}`}</li>
                ))}
              </ul>
            )}
            <Button type="primary" htmlType="submit">
              {t('rulesets.publish')}
            </Button>
          </Form>
        </Card>
      )}
      <ClaimRulesets />
    </section>
  );
}
