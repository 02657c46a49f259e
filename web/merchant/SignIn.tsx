import { Button, Form, Input, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { merchantApi } from './api.ts';
import { failureWords } from '../shared/errors.ts';

const PHONE = /^1[3-9][0-9]{9}$/;
const RESEND_SECONDS = 60;

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t, i18n } = useTranslation();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [wait, setWait] = useState(0);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  const fail = (err: unknown) => Toast.show({ icon: 'fail', content: failureWords(err, i18n.language, t('errors.network')) });
  const sendCode = async () => {
    if (!PHONE.test(phone)) return void Toast.show({ content: t('signIn.badPhone') });
    try {
      await merchantApi.requestCode(phone);
      setWait(RESEND_SECONDS);
      Toast.show({ content: t('signIn.codeSent') });
    } catch (err) {
      fail(err);
    }
  };
  const submit = async () => {
    if (!PHONE.test(phone)) return void Toast.show({ content: t('signIn.badPhone') });
    if (!/^[0-9]{6}$/.test(code)) return void Toast.show({ content: t('signIn.badCode') });
    setBusy(true);
    try {
      await merchantApi.signIn(phone, code);
      onSignedIn();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-in">
      <h2>{t('signIn.title')}</h2>
      <p className="muted">{t('signIn.intro')}</p>
      <Form layout="vertical" onFinish={submit} footer={<Button block type="submit" color="primary" size="large" loading={busy}>{t('signIn.submit')}</Button>}>
        <Form.Item label={<label htmlFor="phone">{t('signIn.phone')}</label>}>
          <Input id="phone" type="tel" inputMode="numeric" autoComplete="tel" maxLength={11} placeholder={t('signIn.phonePlaceholder')} value={phone} onChange={setPhone} />
        </Form.Item>
        <Form.Item
          label={<label htmlFor="code">{t('signIn.code')}</label>}
          extra={
            <Button size="small" fill="outline" color="primary" disabled={wait > 0} onClick={sendCode}>
              {wait > 0 ? t('signIn.resendIn', { seconds: wait }) : t('signIn.sendCode')}
            </Button>
          }
        >
          <Input id="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} placeholder={t('signIn.codePlaceholder')} value={code} onChange={setCode} />
        </Form.Item>
      </Form>
    </section>
  );
}
