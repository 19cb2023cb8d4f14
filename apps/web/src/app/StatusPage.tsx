import { Link } from './Link';

export function NotFoundPage() {
  return (
    <section className="card status-page">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </section>
  );
}

export function NoAccessPage() {
  return (
    <section className="card status-page">
      <h1>Not available to you</h1>
      <p className="muted">
        Your role does not include this page. Ask an owner or admin of your organization.
      </p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </section>
  );
}

export function WelcomePage({ name }: { name: string }) {
  return (
    <section className="card status-page">
      <h1>Welcome, {name}</h1>
      <p className="muted">There is nothing here for your role yet.</p>
    </section>
  );
}
