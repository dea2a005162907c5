import 'reflect-metadata';
import { loadConfig } from '@app/config';
import { IngestConfig } from '../ingest.config';
import { limitSettingsOf } from './rate-limit-settings';

const base = { TOKEN_SECRET: 'x'.repeat(32), MODERATOR_TOKENS: 'm'.repeat(16) };

describe('write-limit settings', () => {
  it('defaults to 60/min per participant, 1200/min per address and 100/h registrations per address', () => {
    const settings = limitSettingsOf(loadConfig(IngestConfig, base));
    expect(settings).toMatchObject({
      participant: { max: 60, windowMs: 60_000 },
      address: { max: 1200, windowMs: 60_000 },
      registration: { max: 100, windowMs: 3_600_000 },
    });
    expect(settings.overrides.size).toBe(0);
  });

  it('stops at start on a bad limit or bad overrides, naming the variable and the entry', () => {
    expect(() => loadConfig(IngestConfig, { ...base, RATE_LIMIT_PARTICIPANT: '60 per minute' })).toThrow(/RATE_LIMIT_PARTICIPANT/);
    expect(() => loadConfig(IngestConfig, { ...base, RATE_LIMIT_OVERRIDES: '{"gc": {"participant": "fast"}}' })).toThrow(/RATE_LIMIT_OVERRIDES gc\.participant/);
    expect(() => loadConfig(IngestConfig, { ...base, RATE_LIMIT_EXEMPT: 'localhost' })).toThrow(/RATE_LIMIT_EXEMPT/);
  });

  it('reads `off` and per-consultation overrides', () => {
    const settings = limitSettingsOf(
      loadConfig(IngestConfig, { ...base, RATE_LIMIT_ADDRESS: 'off', RATE_LIMIT_OVERRIDES: '{"gc": {"participant": "30/1m"}}' }),
    );
    expect(settings.address).toBeUndefined();
    expect(settings.overrides.get('gc')).toEqual({ participant: { max: 30, windowMs: 60_000 } });
  });
});
