export * from './json-logger';
export * from './metrics';
export * from './readiness';
export * from './observability.wiring';
export * from './observability.options';
