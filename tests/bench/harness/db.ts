import pg from 'pg';

/**
 * A connection to the database under test. The server may go away under it (a stop, Ctrl-C): the
 * error then surfaces on the next query instead of as an unhandled 'error' event that kills the bench
 * before it has cleaned up.
 */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
