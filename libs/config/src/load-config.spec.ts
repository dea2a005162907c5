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
