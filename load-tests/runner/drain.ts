import { setTimeout as delay } from 'node:timers/promises';
import { AckTracker } from './ack-tracker';
import { LagProbe } from './lag-probes';

/**
 * After the load stops: how long until the projection has applied every acknowledged write
 * (issue 6: within 10 s). Polls `probe` until its lag is 0 events or `timeoutSeconds` pass.
 */
export interface CatchUp {
  readonly source: string;
  readonly reached: boolean;
  readonly seconds: number;
  readonly remainingEvents: number;
}

export const waitForCatchUp = async (probe: LagProbe, acks: AckTracker, timeoutSeconds: number, onWait?: (events: number) => void): Promise<CatchUp> => {
  const started = Date.now();
  if (acks.topics().length === 0) return { source: probe.source, reached: true, seconds: 0, remainingEvents: 0 };
  let remaining = Number.NaN;
  for (;;) {
    const lag = await probe.sample(acks, Date.now()).catch(() => undefined);
    remaining = lag?.events ?? Number.NaN;
    const seconds = (Date.now() - started) / 1000;
    if (lag !== undefined && lag.events === 0) return { source: probe.source, reached: true, seconds, remainingEvents: 0 };
    if (seconds >= timeoutSeconds) return { source: probe.source, reached: false, seconds, remainingEvents: remaining };
    onWait?.(remaining);
    await delay(200);
  }
};
