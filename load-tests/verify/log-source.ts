import { TOPIC_NAMES, physicalTopic } from '@app/events';
import { createKafka, readLog } from '@app/kafka';
import { recount } from '../../apps/projector/src/projection/recount';
import { PositionedEvent } from '../../apps/projector/src/projection/projection-batch';
import { Tallies, TALLY_FIELDS, addTo } from './tallies';

/**
 * A third, independent count: the projector's oracle (recount.ts) over every event of the log.
 * It tells the two failure kinds apart: acknowledged writes missing from the log (an ingest or
 * broker defect) versus a log the projections misread (a projector defect).
 */
export const readLogTallies = async (brokers: readonly string[], topicPrefix: string, slug: string): Promise<{ tallies: Tallies; events: number }> => {
  const kafka = createKafka({ brokers: [...brokers], clientId: 'load-test-verify', logLevel: 'nothing' });
  const records: PositionedEvent[] = [];
  const reader = readLog(kafka, TOPIC_NAMES.map((name) => physicalTopic(topicPrefix, name)), (decoded, record) => {
    if (!decoded.ok) throw new Error(`undecodable record ${record.topic}/${record.partition}@${record.offset}: ${decoded.reason}`);
    records.push({ topic: record.topic, partition: record.partition, offset: record.offset, event: decoded.event });
  });
  try {
    await reader.caughtUp;
  } finally {
    await reader.stop();
  }
  const counted = recount(records);
  const tallies: Tallies = {};
  for (const [proposalId, byTier] of Object.entries(counted.tallies)) {
    if (counted.proposals[proposalId]?.consultation !== slug) continue;
    for (const [tier, fields] of Object.entries(byTier)) for (const field of TALLY_FIELDS) addTo(tallies, proposalId, tier, field, fields[field] ?? 0);
  }
  return { tallies, events: records.length };
};
