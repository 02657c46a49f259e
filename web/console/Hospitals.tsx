import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../shared/api.ts';
import { consoleApi, type Hospital, type HospitalChange, type ImportLineError } from './api.ts';
import { MoreButton, usePaged } from './paged.tsx';
import { failureWords } from '../shared/errors.ts';

/** The values the API accepts (src/recognition/hospitals.ts). */
const GRADES = ['3A', '3B', '3C', '2A', '2B', '2C', '1A', '1B', '1C', 'unrated'];
const OWNERSHIPS = ['public', 'private'];
const TYPES = ['general', 'tcm', 'maternity', 'dental', 'children', 'cosmetic', 'community', 'specialty'];

/** A refused import: its message and every faulty line of the file. */
interface Refusal {
  message: string;
  lines: ImportLineError[];
}

/** The registry the claim checks use; admins change a hospital's grade, ownership and type, or import a CSV file (audited). */
export function Hospitals({ canEdit }: { canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [total, setTotal] = useState<number | null>(null);
  const [editing, setEditing] = useState<Hospital | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [importing, setImporting] = useState(false);
  const [form] = Form.useForm<HospitalChange>();
  const fetchPage = useCallback(
    async (cursor: string | null) => {
      const page = await consoleApi.hospitals(q, cursor);
      setTotal(page.total);
      return page;
    },
    [q],
  );
  const list = usePaged<Hospital>(fetchPage);
  const failed = (err: unknown) => void message.error(failureWords(err, i18n.language, t('errors.network')));

  const open = (h: Hospital) => {
    setEditing(h);
    form.setFieldsValue({ grade: h.grade, ownership: h.ownership, type: h.type });
  };
  const save = async () => {
    const change = await form.validateFields();
    try {
      await consoleApi.changeHospital(editing!.id, change);
      setEditing(null);
      void message.success(t('hospitals.saved'));
      list.reload();
    } catch (err) {
      failed(err);
    }
  };
  const importFile = async (file: File) => {
    setImporting(true);
    setRefusal(null);
    try {
      const result = await consoleApi.importHospitals(file);
      void message.success(t('hospitals.imported', { ...result }));
      list.reload();
    } catch (err) {
      if (err instanceof ApiFailure && err.code === 'import_refused') setRefusal({ message: err.message, lines: (err.details?.lines as ImportLineError[] | undefined) ?? [] });
      else failed(err);
    } finally {
      setImporting(false);
    }
  };
  const options = (values: string[], label: (v: string) => string = (v) => v) => values.map((value) => ({ value, label: label(value) }));

  return (
    <section>
      <Typography.Title level={2}>{t('hospitals.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t(canEdit ? 'hospitals.hintAdmin' : 'hospitals.hint', { n: total ?? '…' })}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search aria-label={t('hospitals.search')} placeholder={t('hospitals.search')} enterButton={t('merchants.find')} onSearch={(v) => setQ(v.trim())} allowClear style={{ width: 480, maxWidth: '100%' }} />
        {canEdit && (
          <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={(file) => (void importFile(file), false)}>
            <Button loading={importing}>{t('hospitals.import')}</Button>
          </Upload>
        )}
      </Space>
      {refusal && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setRefusal(null)}
          style={{ marginBottom: 12 }}
          message={t('hospitals.refused', { message: refusal.message })}
          description={
            <ul>
              {refusal.lines.map((l, i) => (
                <li key={i}>{t('hospitals.line', { line: l.line, message: l.message })}</li>
              ))}
            </ul>
          }
        />
      )}
      <Table<Hospital>
        rowKey="id"
        size="small"
        loading={list.rows === null}
        dataSource={list.rows ?? []}
        pagination={false}
        columns={[
          { title: 'ID', dataIndex: 'id' },
          { title: t('hospitals.name'), dataIndex: 'name' },
          { title: t('hospitals.city'), render: (_, r) => `${r.province} ${r.city}` },
          { title: t('hospitals.grade'), render: (_, r) => <Tag>{r.grade}</Tag> },
          { title: t('hospitals.ownership'), render: (_, r) => t(`hospitals.ownerships.${r.ownership}`) },
          { title: t('hospitals.type'), render: (_, r) => t(`hospitals.types.${r.type}`) },
          ...(canEdit
            ? [
                {
                  title: '',
                  render: (_: unknown, r: Hospital) => (
                    <Button onClick={() => open(r)}>
                      {t('hospitals.edit')}
                      <span className="visually-hidden"> {r.name}</span>
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <MoreButton cursor={list.cursor} onMore={list.more} />
      <Modal open={editing !== null} title={`${t('hospitals.edit')} ${editing?.name ?? ''}`} onOk={() => void save()} onCancel={() => setEditing(null)} okText={t('hospitals.save')} forceRender>
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item label={t('hospitals.grade')} name="grade" rules={[{ required: true, message: t('common.required') }]}>
            <Select options={options(GRADES)} />
          </Form.Item>
          <Form.Item label={t('hospitals.ownership')} name="ownership" rules={[{ required: true, message: t('common.required') }]}>
            <Select options={options(OWNERSHIPS, (v) => t(`hospitals.ownerships.${v}`))} />
          </Form.Item>
          <Form.Item label={t('hospitals.type')} name="type" rules={[{ required: true, message: t('common.required') }]}>
            <Select options={options(TYPES, (v) => t(`hospitals.types.${v}`))} />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
