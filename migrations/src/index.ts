import { Core1764374400000 } from './1764374400000-core';
import { DefinerSearchPath1764374460000 } from './1764374460000-definer-search-path';
import { Projects1764460800000 } from './1764460800000-projects';
import { Labelling1764547200000 } from './1764547200000-labelling';
import { StatsIndexes1764633600000 } from './1764633600000-stats-indexes';
import { RequestPath1764720000000 } from './1764720000000-request-path';

/** Every migration, oldest first. The API runs them as the migrator role at start. */
export const MIGRATIONS = [Core1764374400000, DefinerSearchPath1764374460000, Projects1764460800000, Labelling1764547200000, StatsIndexes1764633600000, RequestPath1764720000000];

/** The group role the runtime login role belongs to; every grant goes to it. */
export const RUNTIME_GROUP_ROLE = 'enclave_runtime';
/** Owns the narrow pre-tenant lookup functions; nobody logs in as it. */
export const AUTH_FUNCTION_ROLE = 'enclave_auth';
