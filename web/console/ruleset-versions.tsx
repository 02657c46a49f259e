import { Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Ruleset } from './api.ts';
import { when } from './paged.tsx';

type Version = Omit<Ruleset, 'rules'>;

/** The version in force now: the latest adopted one already effective (as the server chooses it). */
export function versionInForce<V extends Version>(versions: readonly V[] | null): V | null {
  return [...(versions ?? [])].reverse().find((v) => v.adopted && Date.parse(v.effectiveFrom) <= Date.now()) ?? null;
}

/** The columns every ruleset table starts with: the version, when it takes effect, and whether it is the one in force. */
function versionColumns<V extends Version>(t: TFunction, language: string, inForce: V | null) {
  return [
    { title: t('rulesets.name'), render: (_: unknown, r: V) => `${r.name} v${r.version}` },
    { title: t('rulesets.effectiveFrom'), render: (_: unknown, r: V) => when(r.effectiveFrom, language) },
    { title: t('rulesets.inForce'), render: (_: unknown, r: V) => (r.id === inForce?.id ? <Tag className="outcome-pass">{t('rulesets.inForce')}</Tag> : null) },
  ];
}

/** A table of a ruleset's versions: the columns every ruleset has, then the kind's own. */
export function VersionsTable<V extends Version>({ versions, columns }: { versions: V[] | null; columns: ColumnsType<V> }) {
  const { t, i18n } = useTranslation();
  return (
    <Table<V>
      rowKey="id"
      size="small"
      loading={versions === null}
      dataSource={versions ?? []}
      pagination={false}
      columns={[...versionColumns<V>(t, i18n.language, versionInForce(versions)), ...columns]}
    />
  );
}
