import { Card, Table, Tag } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, type ClaimRuleset } from './api.ts';
import { when } from './paged.tsx';
import { yuan } from '../shared/money.ts';

/** The claims rulesets' versions, read-only: what judges a claim submitted at each time (published through the API). */
export function ClaimRulesets() {
  const { t, i18n } = useTranslation();
  const [versions, setVersions] = useState<ClaimRuleset[] | null>(null);
  useEffect(() => void consoleApi.claimRulesets().then((r) => setVersions(r.data)), []);
  const inForce = useMemo(() => [...(versions ?? [])].reverse().find((v) => v.adopted && Date.parse(v.effectiveFrom) <= Date.now()) ?? null, [versions]);
  const zh = i18n.language.startsWith('zh');
  return (
    <Card title={<h3 className="card-title">{t('rulesets.claims.title')}</h3>} style={{ marginTop: 16 }}>
      <Table<ClaimRuleset>
        rowKey="id"
        size="small"
        loading={versions === null}
        dataSource={versions ?? []}
        pagination={false}
        columns={[
          { title: t('rulesets.name'), render: (_, r) => `${r.name} v${r.version}` },
          { title: t('rulesets.effectiveFrom'), render: (_, r) => when(r.effectiveFrom, i18n.language) },
          { title: t('rulesets.inForce'), render: (_, r) => (r.id === inForce?.id ? <Tag className="outcome-pass">{t('rulesets.inForce')}</Tag> : null) },
          { title: t('rulesets.claims.cap'), render: (_, r) => yuan(r.rules.perClaimCapFen) },
          { title: t('rulesets.claims.visitAge'), render: (_, r) => t('rulesets.claims.days', { count: r.rules.maxVisitAgeDays }) },
          { title: t('rulesets.claims.grades'), render: (_, r) => r.rules.eligibleGrades.join(' ') },
          { title: t('rulesets.claims.excluded'), render: (_, r) => r.rules.exclusions.map((e) => (zh ? e.zh : e.en)).join(zh ? '、' : ', ') },
        ]}
      />
    </Card>
  );
}
