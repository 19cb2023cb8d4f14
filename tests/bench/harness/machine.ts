import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { withClient } from './db';

/** The machine a run was measured on: figures only compare within one machine and one run. */
export interface Machine {
  cpu: string;
  cpus: number;
  memoryGB: number;
  os: string;
  node: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

export async function postgresVersion(url: string): Promise<string> {
  return withClient(
    url,
    async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version,
  );
}

/** The code measured: the commit, and how many files differ from it (the built dist is what ran). */
export function describeRevision(repoRoot: string): { commit: string | null; changedFiles: number | null } {
  const git = (args: string[]) =>
    execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return {
      commit: git(['rev-parse', '--short', 'HEAD']).trim(),
      changedFiles: git(['status', '--porcelain']).split('\n').filter(Boolean).length,
    };
  } catch {
    return { commit: null, changedFiles: null };
  }
}
