import { describeError } from '../errors';
import { Alert } from './Alert';

interface ListState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** Loading, failure and "Load more" for any paged list. */
export function ListStatus({ list, empty, count }: { list: ListState; empty: string; count: number }) {
  if (list.isPending) return <p className="muted">Loading…</p>;
  return (
    <>
      {list.isError ? <Alert tone="error">{describeError(list.error)}</Alert> : null}
      {!list.isError && count === 0 ? <p className="muted">{empty}</p> : null}
      {list.hasNextPage ? (
        <div className="load-more">
          <button
            type="button"
            className="btn"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </>
  );
}
