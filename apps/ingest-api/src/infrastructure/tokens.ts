/** Injection tokens of the ingest app's infrastructure. */
export const LOGGER = Symbol('LOGGER');
export const CONFIG = Symbol('CONFIG');
export const REDIS = Symbol('REDIS');
export const PG_POOL = Symbol('PG_POOL');
export const KAFKA = Symbol('KAFKA');
