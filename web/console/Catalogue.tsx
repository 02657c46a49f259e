import { App, Button, Form, Input, Modal, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { actionKeys } from '../shared/api.ts';
import { fenFromYuan, yuan } from '../shared/money.ts';
import { consoleApi, type CatalogueItem } from './api.ts';
import { failureWords } from '../shared/errors.ts';

interface ItemForm {
  sku: string;
  nameZh: string;
  nameEn: string;
  descriptionZh?: string;
  descriptionEn?: string;
  price: string;
  active: boolean;
}

/** Catalogue items merchants spend credit on; admins add and change them (every change is audited). */
export function Catalogue({ canEdit }: { canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [items, setItems] = useState<CatalogueItem[] | null>(null);
  const [editing, setEditing] = useState<CatalogueItem | 'new' | null>(null);
  const [form] = Form.useForm<ItemForm>();
  // a new item's save, tried again after a failure, is the same action: the item is made once
  const addKeys = useRef(actionKeys());
  const load = useCallback(() => void consoleApi.catalogue().then((r) => setItems(r.data)), []);
  useEffect(load, [load]);

  const open = (item: CatalogueItem | 'new') => {
    setEditing(item);
    addKeys.current = actionKeys();
    form.setFieldsValue(item === 'new' ? { sku: '', nameZh: '', nameEn: '', descriptionZh: '', descriptionEn: '', price: '', active: true } : { ...item, price: yuan(item.priceFen).slice(1) });
  };
  const save = async () => {
    const values = await form.validateFields();
    const { price, ...rest } = values;
    const item = { ...rest, descriptionZh: rest.descriptionZh ?? '', descriptionEn: rest.descriptionEn ?? '', priceFen: fenFromYuan(price)! };
    try {
      if (editing === 'new') await consoleApi.addItem(item, addKeys.current(JSON.stringify(item)));
      else if (editing) await consoleApi.changeItem(editing.id, item);
      setEditing(null);
      void message.success(t('catalogue.saved'));
      load();
    } catch (err) {
      void message.error(failureWords(err, i18n.language, t('errors.network')));
    }
  };
  const required = { required: true, message: t('common.required') };

  return (
    <section>
      <Typography.Title level={2}>{t('catalogue.title')}</Typography.Title>
      {canEdit && (
        <Button type="primary" onClick={() => open('new')} style={{ marginBottom: 12 }}>
          {t('catalogue.add')}
        </Button>
      )}
      <Table<CatalogueItem>
        rowKey="id"
        size="small"
        loading={items === null}
        dataSource={items ?? []}
        pagination={false}
        locale={{ emptyText: t('common.none') }}
        columns={[
          { title: 'SKU', dataIndex: 'sku' },
          { title: t('catalogue.nameZh'), dataIndex: 'nameZh' },
          { title: t('catalogue.nameEn'), dataIndex: 'nameEn' },
          { title: t('catalogue.price'), render: (_, r) => yuan(r.priceFen) },
          { title: t('catalogue.active'), render: (_, r) => (r.active ? <Tag className="outcome-pass">{t('catalogue.offered')}</Tag> : <Tag>{t('catalogue.withdrawn')}</Tag>) },
          ...(canEdit ? [{ title: '', render: (_: unknown, r: CatalogueItem) => <Button onClick={() => open(r)}>
                {t('catalogue.edit')}
                <span className="visually-hidden"> {r.sku}</span>
              </Button> }] : []),
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('catalogue.add') : t('catalogue.edit')} onOk={() => void save()} onCancel={() => setEditing(null)} okText={t('catalogue.save')} forceRender>
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item label="SKU" name="sku" rules={[required, { pattern: /^[a-z0-9][a-z0-9-]{1,39}$/, message: t('catalogue.badSku') }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('catalogue.nameZh')} name="nameZh" rules={[required]}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item label={t('catalogue.nameEn')} name="nameEn" rules={[required]}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item label={t('catalogue.descriptionZh')} name="descriptionZh">
            <Input.TextArea maxLength={400} />
          </Form.Item>
          <Form.Item label={t('catalogue.descriptionEn')} name="descriptionEn">
            <Input.TextArea maxLength={400} />
          </Form.Item>
          <Form.Item
            label={t('catalogue.priceYuan')}
            name="price"
            rules={[required, { validator: (_, v: string) => (v && (fenFromYuan(v) ?? 0) >= 1 && (fenFromYuan(v) ?? 0) <= 100_000 ? Promise.resolve() : Promise.reject(new Error(t('catalogue.badPrice')))) }]}
          >
            <Input inputMode="decimal" />
          </Form.Item>
          <Form.Item label={t('catalogue.active')} name="active" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
