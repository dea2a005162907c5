// startIngestVariant lives in ingest-harness.ts (startIngest is its common case); re-exported for
// the specs that import it from here.
export { startIngestVariant } from './ingest-harness';
export type { VariantOptions } from './ingest-harness';
