import type { ReactNode } from 'react';
import { useSignOut } from '../features/auth/hooks/useAuth';
import { Alert } from '../shared/components/Alert';
import { describeError } from '../shared/errors';
import { titleCase } from '../shared/format';
import { PAGES, pagesFor } from './access';
import { Link } from './Link';
import { matchRoute, useLocation } from './router';
import { useSession } from './session';

export function Shell({ children }: { children: ReactNode }) {
  const { user, ability } = useSession();
  const { pathname } = useLocation();
  const signOut = useSignOut();
  const pages = pagesFor(ability, user);
  const current = matchRoute(PAGES, pathname)?.route;
  const organization =
    user.role === 'operator' ? 'Platform' : (user.orgName ?? user.orgSlug ?? 'Organization');

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={current?.layout === 'wide' ? 'app-header app-header--wide' : 'app-header'}>
        <div className="app-header__inner">
          <Link to="/" className="brand">
            Enclave
          </Link>
          <nav aria-label="Main" className="nav">
            <ul>
              {pages.map((page) => (
                <li key={page.id}>
                  <Link to={page.path} aria-current={current?.id === page.id ? 'page' : undefined}>
                    {page.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="whoami">
            <div className="whoami__text">
              <span className="whoami__name">{user.name}</span>
              <span className="whoami__meta">
                {titleCase(user.role)} · {organization}
              </span>
            </div>
            <button
              type="button"
              className="btn btn--small"
              onClick={() => signOut.mutate()}
              disabled={signOut.isPending}
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className={current?.layout === 'wide' ? 'page page--wide' : 'page'} tabIndex={-1}>
        {signOut.isError ? <Alert tone="error">{describeError(signOut.error)}</Alert> : null}
        {children}
      </main>
    </>
  );
}
