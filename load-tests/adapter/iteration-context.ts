import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What `k6/execution` answers inside an iteration. Kept per async call chain (not in a global),
 * because the Node runner interleaves many VUs' iterations on one event loop.
 */
export interface ScenarioInfo {
  readonly name: string;
  readonly executor: string;
  /** ms since the test started, when the scenario started. */
  readonly startTime: number;
  readonly iterationInTest: number;
  readonly iterationInInstance: number;
  /** 0..1 */
  readonly progress: number;
}

export interface VuInfo {
  readonly idInTest: number;
  readonly idInInstance: number;
  readonly iterationInScenario: number;
  readonly iterationInInstance: number;
}

export interface IterationContext {
  readonly scenario: ScenarioInfo;
  readonly vu: VuInfo;
}

const storage = new AsyncLocalStorage<IterationContext>();

export const runInIteration = <T>(context: IterationContext, work: () => T): T => storage.run(context, work);

/** The current iteration, or undefined in init code and setup(). */
export const currentIteration = (): IterationContext | undefined => storage.getStore();

/** k6 tags every sample with the scenario that produced it. */
export const scenarioTag = (): Record<string, string> => {
  const context = storage.getStore();
  return context === undefined ? {} : { scenario: context.scenario.name };
};
