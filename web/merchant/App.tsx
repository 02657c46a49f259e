import { Badge, Button, DotLoading, SafeArea, TabBar, Toast } from 'antd-mobile';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ClaimDetail } from './ClaimDetail.tsx';
import { ClaimScreen } from './ClaimScreen.tsx';
import { History } from './History.tsx';
import { Home } from './Home.tsx';
import { switchLanguage } from './i18n.ts';
import { http, merchantApi, onSessionExpired, type Me, type MerchantNotification } from './api.ts';
import { Notifications } from './Notifications.tsx';
import { useLiveNotifications } from './notifications.ts';
import { Shop } from './Shop.tsx';
import { MeScreen } from './MeScreen.tsx';
import { go, useRoute } from '../shared/route.ts';
import { SignIn } from './SignIn.tsx';

const TABS = ['home', 'claim', 'shop', 'history', 'me'] as const;

export function App() {
  const { t } = useTranslation();
  const [me, setMe] = useState<Me | null | 'loading'>('loading');
  const route = useRoute();

  const signedIn = useCallback((next: Me) => {
    http.setCsrfToken(next.session.csrfToken ?? null);
    setMe(next);
  }, []);
  const signedOut = useCallback(() => {
    http.setCsrfToken(null);
    setMe(null);
  }, []);

  useEffect(() => {
    onSessionExpired(() => {
      signedOut();
      Toast.show({ content: t('signIn.expired') });
    });
    merchantApi.me().then(signedIn, signedOut);
  }, [signedIn, signedOut, t]);

  const languageButton = (
    <Button size="mini" fill="none" onClick={switchLanguage}>
      {t('app.language')}
    </Button>
  );
  if (me === 'loading') return <DotLoading />;
  if (!me) {
    return (
      <main>
        <header className="bar">
          <h1 className="title">{t('app.title')}</h1>
          {languageButton}
        </header>
        <SignIn onSignedIn={() => merchantApi.me().then(signedIn, signedOut)} />
      </main>
    );
  }

  return <SignedIn me={me} route={route} languageButton={languageButton} onSignedOut={signedOut} />;
}

/** How long the line telling of a new message stays under the bar (the bell keeps the count). */
const NOTE_MS = 6_000;

/**
 * The newest message, told in one short line while the merchant is elsewhere: not on the messages
 * page (it lists it), nor on the claim it is about (its timeline shows the change live).
 */
function useLiveNote(latest: MerchantNotification | null, route: string[]): MerchantNotification | null {
  const [note, setNote] = useState<MerchantNotification | null>(null);
  const where = useRef(route);
  where.current = route;
  useEffect(() => {
    const [screen, claimId] = where.current;
    if (!latest || screen === 'notifications' || (screen === 'claims' && claimId === latest.claimId)) return;
    setNote(latest);
    const timer = setTimeout(() => setNote(null), NOTE_MS);
    return () => clearTimeout(timer);
  }, [latest]);
  // leaving the screen leaves the note behind
  const path = route.join('/');
  useEffect(() => setNote(null), [path]);
  return note;
}

/** The signed-in app: tabs, screens, and the messages bell kept live. */
function SignedIn({ me, route, languageButton, onSignedOut }: { me: Me; route: string[]; languageButton: JSX.Element; onSignedOut: () => void }) {
  const { t, i18n } = useTranslation();
  const live = useLiveNotifications(me.id);
  const onNotifications = route[0] === 'notifications';
  const note = useLiveNote(live.latest, route);
  const tab = (TABS as readonly string[]).includes(route[0] ?? '') ? route[0]! : route[0] === 'claims' ? 'claim' : 'home';
  const screen = onNotifications ? (
    <Notifications merchantId={me.id} latest={live.latest} onRead={live.setUnread} />
  ) : route[0] === 'claims' && route[1] ? (
    <ClaimDetail claimId={route[1]} />
  ) : tab === 'claim' ? (
    <ClaimScreen />
  ) : tab === 'shop' ? (
    <Shop merchantId={me.id} />
  ) : tab === 'history' ? (
    <History merchantId={me.id} />
  ) : tab === 'me' ? (
    <MeScreen me={me} onSignedOut={onSignedOut} />
  ) : (
    <Home merchantId={me.id} />
  );
  return (
    <div className="app">
      <header className="bar">
        <h1 className="title">{t('app.title')}</h1>
        <span>
          <Badge content={live.unread > 0 ? String(live.unread) : null}>
            <Button size="mini" fill="none" onClick={() => go('notifications')} data-testid="bell">
              {t('notifications.title')}
              <span className="visually-hidden">{t('notifications.unread', { n: live.unread })}</span>
            </Button>
          </Badge>
          {languageButton}
        </span>
      </header>
      {note && (
        // in the page's flow under the bar, not over it: what the merchant reads is never covered
        <div className="live-note" role="status" data-testid="live-note">
          <a href={note.claimId ? `#/claims/${note.claimId}` : '#/notifications'}>
            {note.kind.startsWith('claim_') ? t('notifications.claimNote', { status: t(`claim.status.${note.kind.slice('claim_'.length)}`) }) : i18n.language.startsWith('zh') ? note.zh : note.en}
          </a>
        </div>
      )}
      <main className="content">{screen}</main>
      <nav className="tabs" aria-label={t('app.title')}>
        <TabBar activeKey={onNotifications ? null : tab} onChange={(key) => go(key)} safeArea>
          {TABS.map((key) => (
            // a link inside each tab: reached with Tab and followed with Enter, as the tabs are clicked
            <TabBar.Item
              key={key}
              title={
                <a className="tab-link" href={`#/${key}`} aria-current={!onNotifications && tab === key ? 'page' : undefined}>
                  {t(`nav.${key}`)}
                </a>
              }
            />
          ))}
        </TabBar>
      </nav>
      <SafeArea position="bottom" />
    </div>
  );
}
