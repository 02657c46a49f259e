import { Button, Card, TextArea } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Claim } from '../shared/claim.ts';
import { merchantApi } from './api.ts';
import { PhotoPicker } from './PhotoPicker.tsx';

const MAX_MESSAGE_CHARS = 500;

/** The form's pages with the merchant's message: a copy, so that a retry sends the same pages with the message as it is then. */
function withMessage(form: FormData, message: string): FormData {
  const body = new FormData();
  body.append('message', message);
  for (const [name, value] of form) body.append(name, value);
  return body;
}

/**
 * A refused claim's one appeal (申诉): the merchant says why and sends new photos; once made, the
 * appeal and, when decided, the outcome with the reviewer's reason.
 */
export function AppealCard({ claim }: { claim: Claim }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState('');
  const appeal = claim.appeal;
  if (appeal) {
    return (
      <Card title={<h2>{t('appeal.title')}</h2>} data-testid="appeal">
        <p>{t('appeal.yourMessage', { message: appeal.message })}</p>
        <p className="muted">{t('appeal.madeAt', { at: new Date(appeal.appealedAt).toLocaleString(i18n.language) })}</p>
        {/* plain text, not a notice bar: its tinted colours fall short of the contrast a phone in daylight needs */}
        {appeal.outcome === null ? (
          <p role="status">{t('appeal.waiting')}</p>
        ) : (
          <p role="status" data-testid="appeal-outcome">
            <strong>{t(`appeal.outcome.${appeal.outcome}`, { reason: appeal.messageToMerchant ?? '' })}</strong>
          </p>
        )}
      </Card>
    );
  }
  if (claim.status !== 'rejected' || !claim.appealUntil) return null;
  const until = new Date(claim.appealUntil).toLocaleDateString(i18n.language);
  if (!open) {
    return (
      <Card>
        <Button block color="primary" fill="outline" size="large" onClick={() => setOpen(true)}>
          {t('appeal.start')}
        </Button>
        <p className="muted">{t('appeal.until', { until })}</p>
      </Card>
    );
  }
  return (
    <Card title={<h2>{t('appeal.title')}</h2>}>
      <p className="muted">{t('appeal.intro', { until })}</p>
      <label htmlFor="appeal-message">{t('appeal.message')}</label>
      <TextArea id="appeal-message" value={message} onChange={setMessage} maxLength={MAX_MESSAGE_CHARS} rows={3} showCount placeholder={t('appeal.placeholder')} />
      <PhotoPicker
        submitLabel={t('appeal.submit')}
        send={async (form, onProgress, key) => {
          await merchantApi.appeal(claim.id, withMessage(form, message.trim()), onProgress, key);
          window.location.reload();
        }}
      />
    </Card>
  );
}
