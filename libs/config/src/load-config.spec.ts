import { ConfigError, loadConfig } from './load-config';
import { CommonConfig } from './common.config';

const valid = { TOKEN_SECRET: 'x'.repeat(32) };

describe('loadConfig', () => {
  it('applies defaults and parses lists and numbers', () => {
    const config = loadConfig(CommonConfig, { ...valid, KAFKA_BROKERS: 'a:1, b:2', PG_POOL_SIZE: '7' });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.PG_POOL_SIZE).toBe(7);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('names every wrong variable in one error', () => {
    const attempt = () => loadConfig(CommonConfig, { TOKEN_SECRET: 'short', PG_POOL_SIZE: 'many', KAFKA_BROKERS: 'nohost' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('TOKEN_SECRET');
      expect(message).toContain('PG_POOL_SIZE');
      expect(message).toContain('KAFKA_BROKERS');
    }
  });

  it('refuses a missing secret', () => {
    expect(() => loadConfig(CommonConfig, {})).toThrow(/TOKEN_SECRET/);
  });
});

describe('participant token keys in the configuration', () => {
  it('accepts TOKEN_SECRETS with a TOKEN_SIGNING_KEY_ID that names one of them, without TOKEN_SECRET', () => {
    const config = loadConfig(CommonConfig, { TOKEN_SECRETS: `k1:${'a'.repeat(32)}, k2:${'b'.repeat(32)}`, TOKEN_SIGNING_KEY_ID: 'k2' });
    expect(config.TOKEN_SECRETS).toHaveLength(2);
    expect(config.TOKEN_SECRET).toBe('');
  });

  it('refuses a signing key id that is not among TOKEN_SECRETS, and a short named secret', () => {
    expect(() => loadConfig(CommonConfig, { TOKEN_SECRETS: `k1:${'a'.repeat(32)}`, TOKEN_SIGNING_KEY_ID: 'k9' })).toThrow(/TOKEN_SIGNING_KEY_ID.*k1/);
    expect(() => loadConfig(CommonConfig, { TOKEN_SECRETS: 'k1:short', TOKEN_SIGNING_KEY_ID: 'k1' })).toThrow(/TOKEN_SECRETS/);
    expect(() => loadConfig(CommonConfig, { TOKEN_SECRETS: `k1:${'a'.repeat(32)}` })).toThrow(/TOKEN_SIGNING_KEY_ID/);
  });

  it('reads the CORS allow-list, trusted proxies and HSTS, and refuses an origin with a path', () => {
    const config = loadConfig(CommonConfig, { ...valid, CORS_ORIGINS: 'https://a.example, http://localhost:5173', TRUSTED_PROXIES: '10.0.0.0/8,::1', HSTS_MAX_AGE_SECONDS: '0' });
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(config.TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '::1']);
    expect(config.HSTS_MAX_AGE_SECONDS).toBe(0);
    expect(() => loadConfig(CommonConfig, { ...valid, CORS_ORIGINS: 'https://a.example/app' })).toThrow(/CORS_ORIGINS/);
  });
});
