import { Card } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, type ClaimRuleset } from './api.ts';
import { VersionsTable } from './ruleset-versions.tsx';
import { yuan } from '../shared/money.ts';

/** The claims rulesets' versions, read-only: what judges a claim submitted at each time (published through the API). */
export function ClaimRulesets() {
  const { t, i18n } = useTranslation();
  const [versions, setVersions] = useState<ClaimRuleset[] | null>(null);
  useEffect(() => void consoleApi.claimRulesets().then((r) => setVersions(r.data)), []);
  const zh = i18n.language.startsWith('zh');
  return (
    <Card title={<h3 className="card-title">{t('rulesets.claims.title')}</h3>} style={{ marginTop: 16 }}>
      <VersionsTable<ClaimRuleset>
        versions={versions}
        columns={[
          { title: t('rulesets.claims.cap'), render: (_, r) => yuan(r.rules.perClaimCapFen) },
          { title: t('rulesets.claims.visitAge'), render: (_, r) => t('rulesets.claims.days', { count: r.rules.maxVisitAgeDays }) },
          { title: t('rulesets.claims.grades'), render: (_, r) => r.rules.eligibleGrades.join(' ') },
          { title: t('rulesets.claims.excluded'), render: (_, r) => r.rules.exclusions.map((e) => (zh ? e.zh : e.en)).join(zh ? '、' : ', ') },
        ]}
      />
    </Card>
  );
}
