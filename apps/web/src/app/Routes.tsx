import { Component, lazy, Suspense, useEffect, type ComponentType, type ReactNode } from 'react';
import { homePathFor, PAGES, type PageId } from './access';
import { Redirect } from './Redirect';
import { matchRoute, useLocation, type RouteParams } from './router';
import { useSession } from './session';
import { NoAccessPage, NotFoundPage, WelcomePage } from './StatusPage';

/** What every page receives: the parameters of its path pattern (`{ id }` for `/projects/:id/label`). */
export interface PageProps {
  params: RouteParams;
}

/**
 * A page loaded on first visit: each page is a chunk of its own, so an annotator's browser never
 * downloads the admin screens, and the labelling screen stays within its budget.
 */
function lazyPage<M extends Record<string, unknown>>(
  load: () => Promise<M>,
  name: keyof M & string,
): ComponentType<PageProps> {
  return lazy(async () => ({ default: (await load())[name] as ComponentType<PageProps> }));
}

const COMPONENTS: Record<PageId, ComponentType<PageProps>> = {
  'my-projects': lazyPage(
    () => import('../features/my-projects/components/MyProjectsPage'),
    'MyProjectsPage',
  ),
  labelling: lazyPage(() => import('../features/labelling/components/LabellingPage'), 'LabellingPage'),
  review: lazyPage(() => import('../features/review/components/ReviewPage'), 'ReviewPage'),
  'project-new': lazyPage(() => import('../features/projects/components/ProjectPages'), 'CreateProjectPage'),
  project: lazyPage(() => import('../features/projects/components/ProjectPages'), 'ManageProjectPage'),
  organizations: lazyPage(() => import('../features/orgs/components/OrganizationsPage'), 'OrganizationsPage'),
  users: lazyPage(() => import('../features/users/components/UsersPage'), 'UsersPage'),
  tokens: lazyPage(() => import('../features/tokens/components/TokensPage'), 'TokensPage'),
  audit: lazyPage(() => import('../features/audit/components/AuditLogPage'), 'AuditLogPage'),
};

function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Enclave`;
  }, [title]);
}

/**
 * A page's code that fails to load (the server was updated and the old chunk is gone, or the network
 * dropped) says so and offers the way out, instead of a blank screen.
 */
class PageLoadBoundary extends Component<
  { children: ReactNode; path: string },
  { failed: boolean; path: string }
> {
  override state = { failed: false, path: this.props.path };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  static getDerivedStateFromProps(props: { path: string }, state: { failed: boolean; path: string }) {
    return props.path !== state.path ? { failed: false, path: props.path } : null;
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="card status-page" role="alert">
        <h1>This page did not load</h1>
        <p className="muted">
          Enclave may have been updated, or the connection dropped. Reload the page to try again.
        </p>
        <p>
          <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      </section>
    );
  }
}

export function Routes() {
  const { pathname } = useLocation();
  const { ability, user } = useSession();
  const match = matchRoute(PAGES, pathname);
  const page = match?.route;
  const allowed = page ? page.allowed(ability, user) : false;
  useTitle(page ? page.label : pathname === '/' ? 'Home' : 'Not found');

  if (pathname === '/') {
    const home = homePathFor(ability, user);
    return home === '/' ? <WelcomePage name={user.name} /> : <Redirect to={home} />;
  }
  if (!match || !page) return <NotFoundPage />;
  if (!allowed) return <NoAccessPage />;
  const Page = COMPONENTS[page.id];
  return (
    <PageLoadBoundary path={pathname}>
      <Suspense
        fallback={
          <p className="muted" role="status">
            Loading…
          </p>
        }
      >
        <Page params={match.params} />
      </Suspense>
    </PageLoadBoundary>
  );
}
