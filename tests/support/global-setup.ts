import type { TestProject } from 'vitest/node';
import { createTestDatabase } from '../../apps/api/test/database';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    migratorUrl: string;
  }
}

/** One database for the whole run, migrated and with the runtime role provisioned as `npm start` does. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await createTestDatabase();
  project.provide('appUrl', db.appUrl);
  project.provide('migratorUrl', db.migratorUrl);
  return () => db.close();
}
