export * from './client';
export * from './token-revocations';
