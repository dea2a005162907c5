export * from './test-database';
export * from './eventually';
export * from './test-ids';
export * from './private-broker';
export * from './tcp-proxy';
export * from './tolerate-termination';
export * from './seeded-random';
