import './zod-config';
import { useEffect } from 'react';
import { useMe } from '../features/auth/hooks/useAuth';
import { LoginPage } from '../features/auth/components/LoginPage';
import { describeError } from '../shared/errors';
import { defineAbilityFor } from '@enclave/contracts';
import { homePathFor } from './access';
import { Redirect } from './Redirect';
import { Routes } from './Routes';
import { loginPathFor, safeNextPath, useLocation } from './router';
import { SessionProvider } from './session';
import { Shell } from './Shell';

/** Moves focus to the page's main region after a navigation, so screen readers start at the new page. */
function useFocusMainOnNavigate(pathname: string) {
  useEffect(() => {
    const main = document.getElementById('main');
    if (main && document.activeElement !== main && !main.contains(document.activeElement))
      main.focus({ preventScroll: true });
  }, [pathname]);
}

export function App() {
  const me = useMe();
  const location = useLocation();
  useFocusMainOnNavigate(location.pathname);

  if (me.isPending) {
    return (
      <p className="boot muted" role="status">
        Loading…
      </p>
    );
  }
  if (me.isError) {
    return (
      <main className="login" id="main">
        <div className="login__card" role="alert">
          <h1>Enclave is not answering</h1>
          <p>{describeError(me.error)}</p>
          <button type="button" className="btn btn--primary" onClick={() => void me.refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }

  const user = me.data;
  if (location.pathname === '/login') {
    if (!user) return <LoginPage />;
    const home = homePathFor(defineAbilityFor({ userId: user.id, role: user.role, orgId: user.orgId }), user);
    return <Redirect to={safeNextPath(location.search) ?? home} />;
  }
  if (!user) return <Redirect to={loginPathFor(location)} />;
  return (
    <SessionProvider user={user}>
      <Shell>
        <Routes />
      </Shell>
    </SessionProvider>
  );
}
