import { retargetIndexDef } from './pg-schema';
import { ProgressMeter, formatProgress, remainingRecords } from './progress';
import { generationPrefix, pointerKeyOf } from './redis-generation';

describe('rebuild progress', () => {
  it('counts the records between the positions and the targets, never below zero', () => {
    const targets = new Map([
      ['votes:0', 100n],
      ['votes:1', 50n],
      ['votes:2', 0n],
    ]);
    expect(remainingRecords(targets, new Map([['votes:0', 40n]]))).toBe(110);
    expect(remainingRecords(targets, new Map([['votes:0', 120n], ['votes:1', 50n]]))).toBe(0);
  });

  it('gives the rate of the last interval, the average, and an ETA from the recent rate', () => {
    const meter = new ProgressMeter(0);
    expect(meter.sample(1000, 1000, 9000, 'replay', 0)).toMatchObject({ eventsPerSecond: 1000, averageEventsPerSecond: 1000, etaSeconds: 9 });
    const second = meter.sample(2000, 3000, 7000, 'replay', 0);
    expect(second).toMatchObject({ eventsPerSecond: 2000, averageEventsPerSecond: 1500, remaining: 7000, elapsedMs: 2000 });
    expect(second.etaSeconds).toBe(5); // 7000 at the 2 s window's 1500/s
    expect(meter.sample(3000, 3000, 0, 'done', 0).etaSeconds).toBe(0);
    expect(new ProgressMeter(0).sample(0, 0, 10, 'replay', 0).etaSeconds).toBeNull();
  });

  it('prints one line with events/s, done, remaining and ETA', () => {
    expect(
      formatProgress({ phase: 'replay', elapsedMs: 44_000, done: 412_000, remaining: 588_000, eventsPerSecond: 9850, averageEventsPerSecond: 9410, etaSeconds: 60, undecodable: 2 }),
    ).toBe('rebuild [replay] 412,000 done, 588,000 remaining, 9,850 ev/s (avg 9,410), ETA 1m00s, 44s elapsed, 2 undecodable skipped');
  });
});

describe('rebuild names', () => {
  it('moves an index definition to the fresh schema, keeping its name', () => {
    expect(
      retargetIndexDef('CREATE INDEX current_votes_proposal_idx ON readmodel.current_votes USING btree (proposal_id) WHERE (value IS NOT NULL)', 'readmodel', 'readmodel_rebuild_1'),
    ).toBe('CREATE INDEX current_votes_proposal_idx ON readmodel_rebuild_1.current_votes USING btree (proposal_id) WHERE (value IS NOT NULL)');
    expect(() => retargetIndexDef('CREATE INDEX x ON other.t USING btree (a)', 'readmodel', 'fresh')).toThrow(/cannot retarget/);
  });

  it('keeps generations, the pointer and the base key space apart', () => {
    const base = 'consultation:rm';
    expect(pointerKeyOf(base)).toBe('consultation:rm:active');
    expect(generationPrefix(base, '20210301_ab12')).toBe('consultation:rm-gen-20210301_ab12');
    expect(`${generationPrefix(base, '1')}:t:x`.startsWith(`${base}:`)).toBe(false);
  });
});
