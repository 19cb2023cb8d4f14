#!/usr/bin/env node
// `npm test`: every tier, one after the other so that database suites do not compete for two cores.
// Unit and integration suites use a throwaway embedded PostgreSQL unless TEST_DATABASE_URL names a server.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const steps = [
  ['build', ['run-many', '-t', 'build']],
  ['lint', ['run-many', '-t', 'lint']],
  ['typecheck', ['run-many', '-t', 'typecheck']],
  ['unit', ['run-many', '-t', 'test']],
  ['integration', ['run', '@enclave/api:int-test']],
  ['end-to-end (HTTP)', ['run', '@enclave/tests:e2e']],
  ['end-to-end (browser)', ['run', '@enclave/tests:browser']],
];

const only = process.argv.slice(2);
const results = [];
for (const [name, args] of steps) {
  if (only.length > 0 && !only.includes(name.split(' ')[0])) continue;
  process.stdout.write(`\n=== ${name} ===\n`);
  const started = Date.now();
  const r = spawnSync('npx', ['nx', ...args, '--output-style=static'], { stdio: 'inherit', env });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  if (!ok) break;
}
process.stdout.write('\n');
for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds} s)\n`);
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(`stages: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
