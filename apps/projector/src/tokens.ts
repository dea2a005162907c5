/** Injection tokens of the projector app. */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
export const PG_POOL = Symbol('PG_POOL');
export const REDIS = Symbol('REDIS');
