export * from './errors';
export * from './kafka-options';
export * from './murmur2-partitioner';
export * from './appender-stats';
export * from './event-appender';
export * from './topic-admin';
export * from './log-reader';
export * from './kafka-readiness';
export type { PartitionCountSource } from './topic-routes';
