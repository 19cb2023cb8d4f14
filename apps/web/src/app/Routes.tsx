import { useEffect, type ComponentType } from 'react';
import { AuditLogPage } from '../features/audit/components/AuditLogPage';
import { OrganizationsPage } from '../features/orgs/components/OrganizationsPage';
import { TokensPage } from '../features/tokens/components/TokensPage';
import { UsersPage } from '../features/users/components/UsersPage';
import { homePathFor, PAGES, type PageId } from './access';
import { Redirect } from './Redirect';
import { useLocation } from './router';
import { useSession } from './session';
import { NoAccessPage, NotFoundPage, WelcomePage } from './StatusPage';

const COMPONENTS: Record<PageId, ComponentType> = {
  organizations: OrganizationsPage,
  users: UsersPage,
  tokens: TokensPage,
  audit: AuditLogPage,
};

function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Enclave`;
  }, [title]);
}

export function Routes() {
  const { pathname } = useLocation();
  const { ability, user } = useSession();
  // `/users/` and `/users` are the same page.
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const page = PAGES.find((p) => p.path === path);
  const allowed = page ? page.allowed(ability, user) : false;
  useTitle(page ? page.label : path === '/' ? 'Home' : 'Not found');

  if (path === '/') {
    const home = homePathFor(ability, user);
    return home === '/' ? <WelcomePage name={user.name} /> : <Redirect to={home} />;
  }
  if (!page) return <NotFoundPage />;
  if (!allowed) return <NoAccessPage />;
  const Component = COMPONENTS[page.id];
  return <Component />;
}
