import { readFileSync } from 'node:fs';
import { parseCommuneRecords } from './commune-records';
import { territoryDataFile } from './data-version';
import { TerritoryIndex } from './territory-index';

let shared: TerritoryIndex | undefined;

/**
 * The index of the installed package's communes, built on first call and shared afterwards
 * (parsing the 8.6 MB communes.json and building the maps takes about half a second, so a
 * service should call this once at start-up, not on its first request).
 * Reads the JSON file directly: the package's own index.js opens `./data/*.json` relative to the
 * process's working directory, which breaks anywhere but in the package folder.
 */
export function loadTerritoryIndex(): TerritoryIndex {
  if (shared === undefined) {
    const json: unknown = JSON.parse(readFileSync(territoryDataFile('data/communes.json'), 'utf8'));
    shared = new TerritoryIndex(parseCommuneRecords(json));
  }
  return shared;
}
