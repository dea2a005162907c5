import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEAD_LETTER_TOPIC, TOPIC_SPECS } from './topics';

interface InfraTopics {
  topics: { name: string; partitions: number; role: 'events' | 'dead-letter' }[];
  configs: Record<string, Record<string, string>>;
}

/** infra/kafka/topics.json (read by the infra scripts and docker-compose) must match the code. */
describe('infra topic specs', () => {
  const infra = JSON.parse(readFileSync(join(__dirname, '../../../infra/kafka/topics.json'), 'utf8')) as InfraTopics;

  it('declares the same event topics and partition counts as libs/events', () => {
    const events = infra.topics.filter((t) => t.role === 'events').map(({ name, partitions }) => ({ name, partitions }));
    expect(events).toEqual(TOPIC_SPECS.map(({ name, partitions }) => ({ name, partitions })));
  });

  it('declares the dead-letter topic', () => {
    expect(infra.topics.filter((t) => t.role === 'dead-letter').map((t) => t.name)).toEqual([DEAD_LETTER_TOPIC]);
  });

  it('keeps the event topics forever: they are the system of record', () => {
    expect(JSON.stringify(infra.configs)).toContain('"retention.ms":"-1"');
  });
});
