import { Button, List, Tag } from 'antd-mobile';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Claim } from '../shared/claim.ts';
import { claimMoney, claimName } from './claimName.ts';
import { merchantApi } from './api.ts';
import { PhotoPicker } from './PhotoPicker.tsx';
import { go } from '../shared/route.ts';

export const STATUS_COLOR: Record<Claim['status'], string> = {
  submitted: 'default',
  recognized: 'primary',
  in_review: 'warning',
  photo_requested: 'warning',
  approved: 'primary',
  paid: 'success',
  rejected: 'danger',
  appealed: 'warning',
  appeal_review: 'warning',
};

export function ClaimScreen() {
  const { t, i18n } = useTranslation();
  const [claims, setClaims] = useState<Claim[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);

  const load = useCallback(async (from: string | null) => {
    const page = await merchantApi.claims(from);
    setClaims((prev) => (from ? [...prev, ...page.data] : page.data));
    setCursor(page.hasMore ? page.nextCursor : null);
  }, []);
  useEffect(() => void load(null), [load]);

  return (
    <section>
      <div className="pad">
        <h2>{t('claim.title')}</h2>
        <p className="muted">{t('claim.intro')}</p>
        <PhotoPicker
          submitLabel={t('claim.submit')}
          send={async (form, onProgress, idempotencyKey) => {
            const claim = await merchantApi.submitClaim(form, onProgress, idempotencyKey);
            go(`claims/${claim.id}`);
          }}
        />
      </div>
      <List header={<h2>{t('claim.mine')}</h2>}>
        {claims.length === 0 && <List.Item>{t('claim.none')}</List.Item>}
        {claims.map((c) => (
          <List.Item
            key={c.id}
            data-testid="claim-item"
            onClick={() => go(`claims/${c.id}`)}
            description={[claimMoney(c, t), new Date(c.submittedAt).toLocaleString(i18n.language)].filter(Boolean).join(' · ')}
            extra={<Tag color={STATUS_COLOR[c.status]}>{t(`claim.status.${c.status}`)}</Tag>}
          >
            {claimName(c, t, i18n.language)}
          </List.Item>
        ))}
      </List>
      {cursor && (
        <Button block fill="none" onClick={() => load(cursor)}>
          {t('history.more')}
        </Button>
      )}
    </section>
  );
}
