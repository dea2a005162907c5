import { readFileSync } from 'node:fs';

/**
 * Which data decided the tiers. Read from the installed package (not from our package.json, which
 * could say one thing while node_modules holds another), so every result can name its source.
 */
export const TERRITORY_DATA_PACKAGE = '@etalab/decoupage-administratif';

/** Absolute path of a file shipped by the territory data package. */
export function territoryDataFile(relativePath: string): string {
  return require.resolve(`${TERRITORY_DATA_PACKAGE}/${relativePath}`);
}

function installedVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(territoryDataFile('package.json'), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
  if (typeof version !== 'string' || version === '') {
    throw new Error(`${TERRITORY_DATA_PACKAGE}/package.json has no version`);
  }
  return version;
}

/** For example `@etalab/decoupage-administratif@6.0.0`. */
export const TERRITORY_DATA_VERSION = `${TERRITORY_DATA_PACKAGE}@${installedVersion()}`;
