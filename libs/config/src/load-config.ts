import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

/** Thrown at start when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const describe = (errors: readonly ValidationError[]): string[] =>
  errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
    ...describe(error.children ?? []),
  ]);

/**
 * Reads the environment once into a validated, typed object. Properties of `schema` are named
 * after the environment variables they come from, so every message names the variable.
 * Nothing else in the code base reads process.env.
 */
export const loadConfig = <T extends object>(
  schema: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T => {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(schema, defined, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(describe(errors));
  return config;
};
