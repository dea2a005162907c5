import { AckTracker } from './ack-tracker';

describe('AckTracker', () => {
  it('measures lag in events and in the age of the oldest unprojected acknowledgement', () => {
    const tracker = new AckTracker();
    tracker.acknowledged('votes', 0, '10', 1_000);
    tracker.acknowledged('votes', 0, '12', 1_500);
    tracker.acknowledged('votes', 0, '11', 2_000);
    tracker.acknowledged('votes', 1, '4', 3_000);
    const lag = tracker.lagBehind(new Map([['votes:0', 11n], ['votes:1', 5n]]), 4_000);
    expect(lag).toEqual({ events: 2, seconds: 2.5 });
    expect(tracker.lagBehind(new Map([['votes:0', 13n], ['votes:1', 5n]]), 4_000)).toEqual({ events: 0, seconds: 0 });
  });

  it('counts a partition without checkpoint as entirely behind', () => {
    const tracker = new AckTracker();
    tracker.acknowledged('votes', 3, '99', 0);
    expect(tracker.lagBehind(new Map(), 500).events).toBe(100);
  });
});
