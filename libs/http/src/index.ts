export * from './problem';
export * from './problem.filter';
export * from './validation.pipe';
export * from './create-http-app';
export * from './run-http-app';
export * from './security';
export * from './bootstrap';
