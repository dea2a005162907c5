import { TOPIC_NAMES, TopicName } from '@app/events';

/**
 * The log positions a read answer reflects (API.md): for each topic (logical name, without the
 * TOPIC_PREFIX) and partition, the next offset to apply — every event below it is in the figures.
 * A write answer's `position.offset` is reflected once `positions[topic][partition] > offset`.
 * Offsets are strings: they are 64-bit. `at` is when the positions were read.
 */
export interface AsOf {
  readonly positions: { readonly [topic: string]: { readonly [partition: string]: string } };
  readonly at: string;
}

export interface StoredPosition {
  readonly topic: string;
  readonly partition: number | string;
  readonly nextOffset: string;
}

/** Positions of this environment's topics only (those under `topicPrefix`), prefix stripped. */
export const asOfFrom = (stored: readonly StoredPosition[], topicPrefix: string, at: Date): AsOf => {
  const positions: Record<string, Record<string, string>> = {};
  const sorted = [...stored].sort((a, b) => (a.topic === b.topic ? Number(a.partition) - Number(b.partition) : a.topic < b.topic ? -1 : 1));
  for (const { topic, partition, nextOffset } of sorted) {
    if (!topic.startsWith(topicPrefix)) continue;
    const name = topic.slice(topicPrefix.length);
    if (!(TOPIC_NAMES as readonly string[]).includes(name)) continue;
    (positions[name as TopicName] ??= {})[String(partition)] = nextOffset;
  }
  return { positions, at: at.toISOString() };
};

/** The Redis projection's offsets hash: field `topic:partition` → next offset. */
export const positionsFromRedisHash = (hash: Readonly<Record<string, string>>): StoredPosition[] =>
  Object.entries(hash).map(([field, nextOffset]) => {
    const colon = field.lastIndexOf(':');
    return { topic: field.slice(0, colon), partition: field.slice(colon + 1), nextOffset };
  });
