export * from './participant-token';
export * from './moderator-tokens';
