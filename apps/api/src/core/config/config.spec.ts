import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('./.enclave'));
    expect(c.demo).toBe(true);
    expect(c.trustProxy).toBeUndefined();
    expect(c.session.idleSeconds).toBe(3600);
    expect(c.session.absoluteSeconds).toBe(12 * 3600);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ENCLAVE_DEMO: 'maybe' }, 'ENCLAVE_DEMO'],
    [{ ENCLAVE_TRUST_PROXY: 'everyone' }, 'ENCLAVE_TRUST_PROXY'],
    [{ ENCLAVE_TRUST_PROXY: '10.0.0.0/99' }, 'ENCLAVE_TRUST_PROXY'],
    [{ ENCLAVE_OPERATOR_EMAIL: 'not-an-email', ENCLAVE_OPERATOR_PASSWORD: 'long enough password' }, 'ENCLAVE_OPERATOR_EMAIL'],
    [{ ENCLAVE_OPERATOR_EMAIL: 'op@example.com' }, 'ENCLAVE_OPERATOR_PASSWORD'],
    [{ ENCLAVE_OPERATOR_EMAIL: 'op@example.com', ENCLAVE_OPERATOR_PASSWORD: 'short' }, 'ENCLAVE_OPERATOR_PASSWORD'],
    [{ DATABASE_APP_URL: 'postgres://a@b/c' }, 'DATABASE_APP_URL'],
    [{ ENCLAVE_SESSION_IDLE_MINUTES: '0' }, 'ENCLAVE_SESSION_IDLE_MINUTES'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %j and names %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('accepts proxies as addresses, ranges and keywords', () => {
    expect(loadConfig({ ENCLAVE_TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });
});
