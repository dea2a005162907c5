/** Injection tokens of the query app's infrastructure. */
export const LOGGER = Symbol('LOGGER');
export const CONFIG = Symbol('CONFIG');
export const REDIS = Symbol('REDIS');
export const PG_POOL = Symbol('PG_POOL');
export const POPULATION_SHARES = Symbol('POPULATION_SHARES');
export const RESULT_SETTINGS = Symbol('RESULT_SETTINGS');
export const SEQUENCE_SETTINGS = Symbol('SEQUENCE_SETTINGS');
