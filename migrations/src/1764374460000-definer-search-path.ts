import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pre-tenant lookups pinned `search_path = pg_catalog, public`. PostgreSQL still searches the
 * caller's temporary schema first for tables unless pg_temp is named, so a session of the runtime role
 * could create a temporary `users` or `sessions` table and have these SECURITY DEFINER functions return
 * the principal of its choice. Naming pg_temp last closes that, as the PostgreSQL manual advises
 * ("Writing SECURITY DEFINER Functions Safely"). Every later SECURITY DEFINER function does the same;
 * the schema integration test checks it.
 */
export class DefinerSearchPath1764374460000 implements MigrationInterface {
  name = 'DefinerSearchPath1764374460000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(setPath('pg_catalog, public, pg_temp'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(setPath('pg_catalog, public'));
  }
}

const DEFINER_FUNCTIONS = [
  'auth_find_login(text)',
  'auth_resolve_session(bytea, integer)',
  'auth_resolve_token(bytea)',
  'platform_list_orgs(text, integer)',
  'platform_find_org(uuid)',
  'platform_org_id_by_slug(text)',
];

function setPath(path: string): string {
  return DEFINER_FUNCTIONS.map((f) => `ALTER FUNCTION ${f} SET search_path = ${path};`).join('\n');
}
