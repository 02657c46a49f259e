import { App as AntApp, Button, ConfigProvider, Form, Input, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, http, onSessionExpired, type StaffRole, type StaffSession } from './api.ts';
import { switchLanguage } from './i18n.ts';
import { useRoute, go } from '../shared/route.ts';
import { failureWords } from '../shared/errors.ts';

// Each screen is its own chunk, fetched when first opened: the sign-in screen carries none of them
// (the charts alone weigh more than everything the sign-in needs).
const Audits = lazy(() => import('./Audits.tsx').then((m) => ({ default: m.Audits })));
const Budgets = lazy(() => import('./Budgets.tsx').then((m) => ({ default: m.Budgets })));
const ClaimReview = lazy(() => import('./ClaimReview.tsx').then((m) => ({ default: m.ClaimReview })));
const Dashboard = lazy(() => import('./Dashboard.tsx').then((m) => ({ default: m.Dashboard })));
const Catalogue = lazy(() => import('./Catalogue.tsx').then((m) => ({ default: m.Catalogue })));
const Hospitals = lazy(() => import('./Hospitals.tsx').then((m) => ({ default: m.Hospitals })));
const Merchants = lazy(() => import('./Merchants.tsx').then((m) => ({ default: m.Merchants })));
const Operations = lazy(() => import('./Operations.tsx').then((m) => ({ default: m.Operations })));
const Payouts = lazy(() => import('./Payouts.tsx').then((m) => ({ default: m.Payouts })));
const Queue = lazy(() => import('./Queue.tsx').then((m) => ({ default: m.Queue })));
const Rulesets = lazy(() => import('./Rulesets.tsx').then((m) => ({ default: m.Rulesets })));

function SignIn({ onSignedIn }: { onSignedIn: (s: StaffSession) => void }) {
  const { t, i18n } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    try {
      onSignedIn(await consoleApi.signIn(values.username.trim().toLowerCase(), values.password));
    } catch (err) {
      setError(failureWords(err, i18n.language, t('errors.network')));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <Typography.Title level={1}>{t('signIn.title')}</Typography.Title>
      <Form layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item label={t('signIn.username')} name="username" rules={[{ required: true, message: t('signIn.required') }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item label={t('signIn.password')} name="password" rules={[{ required: true, message: t('signIn.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {error && <Typography.Paragraph type="danger" role="alert">{error}</Typography.Paragraph>}
        <Button type="primary" htmlType="submit" loading={busy} block>
          {t('signIn.submit')}
        </Button>
      </Form>
    </main>
  );
}

type Page = 'dashboard' | 'budgets' | 'queue' | 'audits' | 'merchants' | 'hospitals' | 'rulesets' | 'catalogue' | 'payouts' | 'operations';
/** Who sees which page; the API enforces the same roles. */
const PAGES: { key: Page; roles: StaffRole[] }[] = [
  { key: 'dashboard', roles: ['admin', 'reviewer', 'analyst'] },
  { key: 'budgets', roles: ['admin', 'analyst'] },
  { key: 'queue', roles: ['admin', 'reviewer'] },
  { key: 'audits', roles: ['admin', 'reviewer'] },
  { key: 'merchants', roles: ['admin'] },
  { key: 'hospitals', roles: ['admin', 'reviewer', 'analyst'] },
  { key: 'rulesets', roles: ['admin', 'analyst'] },
  { key: 'catalogue', roles: ['admin', 'analyst'] },
  { key: 'payouts', roles: ['admin', 'analyst'] },
  { key: 'operations', roles: ['admin'] },
];

function screen(page: string, role: StaffRole, route: string[]) {
  switch (page) {
    case 'claim':
      return <ClaimReview claimId={route[1]!} />;
    case 'queue':
      return <Queue />;
    case 'audits':
      return <Audits />;
    case 'budgets':
      return <Budgets canEdit={role === 'admin'} />;
    case 'merchants':
      return <Merchants />;
    case 'hospitals':
      return <Hospitals canEdit={role === 'admin'} />;
    case 'rulesets':
      return <Rulesets canPublish={role === 'admin'} />;
    case 'catalogue':
      return <Catalogue canEdit={role === 'admin'} />;
    case 'payouts':
      return <Payouts showAlerts={role === 'admin'} />;
    case 'operations':
      return <Operations />;
    default:
      return <Dashboard />;
  }
}

export function App() {
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<StaffSession | null | 'loading'>('loading');
  const route = useRoute();
  const signedIn = useCallback((s: StaffSession) => {
    http.setCsrfToken(s.csrfToken);
    setSession(s);
  }, []);
  const signedOut = useCallback(() => {
    http.setCsrfToken(null);
    setSession(null);
  }, []);
  useEffect(() => {
    onSessionExpired(signedOut);
    consoleApi.me().then(signedIn, signedOut);
  }, [signedIn, signedOut]);

  const languageButton = <Button onClick={switchLanguage}>{t('app.language')}</Button>;
  let body;
  if (session === 'loading') body = <Spin />;
  else if (!session) body = <SignIn onSignedIn={signedIn} />;
  else {
    const role = session.staff.role;
    const pages = PAGES.filter((p) => p.roles.includes(role)).map((p) => p.key);
    const page = route[0] === 'claims' && route[1] && pages.includes('queue') ? 'claim' : (pages as string[]).includes(route[0] ?? '') ? route[0]! : 'dashboard';
    body = (
      <Layout className="shell">
        <Layout.Header className="header">
          <Typography.Title level={1} className="brand">
            {t('app.title')}
          </Typography.Title>
          <Menu theme="dark" mode="horizontal" selectedKeys={[page === 'claim' ? 'queue' : page]} onClick={(e) => go(e.key)} items={pages.map((key) => ({ key, label: t(`nav.${key}`) }))} style={{ flex: 1, minWidth: 0 }} />
          <Space>
            <span className="who">
              {session.staff.displayName} <Tag>{t(`app.role.${session.staff.role}`)}</Tag>
            </span>
            {languageButton}
            <Button onClick={() => consoleApi.signOut().finally(signedOut)}>{t('app.signOut')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content className="page">
          <Suspense fallback={<Spin />}>{screen(page, role, route)}</Suspense>
        </Layout.Content>
      </Layout>
    );
  }
  return (
    <ConfigProvider locale={i18n.language.startsWith('zh') ? zhCN : enUS} theme={{ token: { colorPrimary: '#1463d6', colorError: '#c4271b', colorLink: '#0b4fb3', colorTextSecondary: 'rgba(0, 0, 0, 0.68)', colorTextDescription: 'rgba(0, 0, 0, 0.68)', colorTextDisabled: 'rgba(0, 0, 0, 0.6)' } }}>
      <AntApp>
        {!session || session === 'loading' ? <div className="lang">{languageButton}</div> : null}
        {body}
      </AntApp>
    </ConfigProvider>
  );
}
