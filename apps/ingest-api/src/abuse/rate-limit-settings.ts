import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { LIMIT_PATTERN, LimitSettings, parseLimit, parseOverrides } from './rate-limits';

export { LIMIT_PATTERN };

/** Validates RATE_LIMIT_OVERRIDES at start; the message names the variable and the faulty entry. */
@ValidatorConstraint({ name: 'rateLimitOverrides' })
export class RateLimitOverrides implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && typeof parseOverrides(value) !== 'string';
  }

  defaultMessage({ value }: ValidationArguments): string {
    const problem = typeof value === 'string' ? parseOverrides(value) : 'must be a string';
    return `RATE_LIMIT_OVERRIDES ${typeof problem === 'string' ? problem : 'is invalid'}; expected {"<slug>": {"participant": "30/1m", "address": "600/1m"}}`;
  }
}

export interface RateLimitConfig {
  readonly RATE_LIMIT_PARTICIPANT: string;
  readonly RATE_LIMIT_ADDRESS: string;
  readonly RATE_LIMIT_REGISTRATION: string;
  readonly RATE_LIMIT_OVERRIDES: string;
}

/** The validated configuration as limits (the config validator already refused anything unparseable). */
export const limitSettingsOf = (config: RateLimitConfig): LimitSettings => {
  const overrides = parseOverrides(config.RATE_LIMIT_OVERRIDES);
  if (typeof overrides === 'string') throw new Error(`RATE_LIMIT_OVERRIDES ${overrides}`);
  return {
    participant: parseLimit(config.RATE_LIMIT_PARTICIPANT),
    address: parseLimit(config.RATE_LIMIT_ADDRESS),
    registration: parseLimit(config.RATE_LIMIT_REGISTRATION),
    overrides,
  };
};
