import { Button, ProgressBar, Toast } from 'antd-mobile';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { invoiceForm, MAX_PAGES, picturesAmong } from './photos.ts';
import { failureWords } from '../shared/errors.ts';

/**
 * The camera (`capture`) or the gallery, several pages, thumbnails, then one upload with its progress.
 * `send` gets the downscaled pages as a multipart form, and the Idempotency-Key of this submission:
 * sending the same pages again after a failure (a lost answer) is a retry of the same action, with
 * the same form and key, so the claim is made once.
 */
export function PhotoPicker({
  submitLabel,
  send,
}: {
  submitLabel: string;
  send: (form: FormData, onProgress: (f: number) => void, idempotencyKey: string) => Promise<void>;
}) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [pages, setPages] = useState<File[]>([]);
  const [previews, setPreviews] = useState<string[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [preparing, setPreparing] = useState(false);
  // the pages this form and key were made for: other pages are another submission
  const attempt = useRef<{ pages: File[]; form: FormData; key: string } | null>(null);

  useEffect(() => {
    const urls = pages.map((p) => URL.createObjectURL(p));
    setPreviews(urls);
    return () => urls.forEach((u) => URL.revokeObjectURL(u));
  }, [pages]);

  const submit = async () => {
    if (pages.length === 0) return void Toast.show({ content: t('claim.noPhotos') });
    try {
      if (attempt.current?.pages !== pages) {
        setPreparing(true);
        attempt.current = { pages, form: await invoiceForm(pages), key: crypto.randomUUID() };
        setPreparing(false);
      }
      setProgress(0);
      await send(attempt.current.form, setProgress, attempt.current.key);
      attempt.current = null;
      setPages([]);
    } catch (err) {
      Toast.show({ icon: 'fail', content: failureWords(err, i18n.language, t('errors.network')) });
    } finally {
      setPreparing(false);
      setProgress(null);
    }
  };

  return (
    <div className="picker">
      <input
        ref={input}
        id="invoice-photos"
        className="visually-hidden"
        type="file"
        accept="image/*"
        tabIndex={-1} // the button below opens it: a hidden control the keyboard reached showed no focus
        capture="environment"
        multiple
        aria-label={t('claim.take')}
        onChange={async (e) => {
          const chosen = Array.from(e.target.files ?? []);
          e.target.value = '';
          const { pictures, notPictures } = await picturesAmong(chosen);
          const next = [...pages, ...pictures];
          const told = [
            ...(notPictures.length ? [t('claim.notPicture', { names: notPictures.join(i18n.language.startsWith('zh') ? '、' : ', ') })] : []),
            ...(next.length > MAX_PAGES ? [t('claim.tooManyPages', { max: MAX_PAGES, dropped: next.length - MAX_PAGES })] : []),
          ];
          if (told.length) Toast.show({ icon: notPictures.length ? 'fail' : undefined, content: told.map((line) => <div key={line}>{line}</div>), duration: 4000 });
          setPages(next.slice(0, MAX_PAGES));
        }}
      />
      <Button block color="primary" fill="outline" size="large" onClick={() => input.current?.click()}>
        📷 {t('claim.take')}
      </Button>
      {pages.length > 0 && <p className="muted">{t('claim.pages', { n: pages.length })}</p>}
      <ul className="thumbs">
        {previews.map((url, i) => (
          <li key={url}>
            <img src={url} alt={`${i + 1}`} />
            <Button size="mini" fill="none" onClick={() => setPages(pages.filter((_, j) => j !== i))}>
              {t('claim.remove')}
            </Button>
          </li>
        ))}
      </ul>
      {preparing && <p className="muted">{t('claim.preparing')}</p>}
      {progress !== null && (
        <div role="status">
          <ProgressBar percent={Math.round(progress * 100)} text={t('claim.uploading', { percent: Math.round(progress * 100) })} />
        </div>
      )}
      <Button block color="primary" size="large" disabled={pages.length === 0 || progress !== null || preparing} onClick={submit}>
        {submitLabel}
      </Button>
    </div>
  );
}
