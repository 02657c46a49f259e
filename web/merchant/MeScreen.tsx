import { Button, List } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { merchantApi, type Me } from './api.ts';
import { switchLanguage } from './i18n.ts';

export function MeScreen({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { t, i18n } = useTranslation();
  const signOut = async () => {
    await merchantApi.signOut().catch(() => null);
    onSignedOut();
  };
  return (
    <section>
      <List header={<h2>{me.legalName}</h2>}>
        <List.Item extra={me.phone}>{t('me.phone')}</List.Item>
        <List.Item extra={me.city}>{t('me.city')}</List.Item>
        <List.Item onClick={switchLanguage} extra={t('app.language')}>
          {t('app.languageLabel')}
        </List.Item>
        <List.Item description={t('me.sessionUntil', { time: new Date(me.session.expiresAt).toLocaleString(i18n.language) })}>&nbsp;</List.Item>
      </List>
      <div className="pad">
        <Button block color="danger" fill="outline" onClick={signOut}>
          {t('me.signOut')}
        </Button>
      </div>
    </section>
  );
}
