import { parseInstant } from './instant';

/**
 * A phase of a consultation (proposals or votes): open ≤ t < close. The bounds keep the text
 * they were scheduled with (for messages and events) and their epoch milliseconds, which is what
 * is compared: two texts in different offsets name the same instant, and strings do not sort
 * as instants do.
 */
export interface Window {
  readonly opensAt: string;
  readonly closesAt: string;
  readonly opensAtMs: number;
  readonly closesAtMs: number;
}

/**
 * A window from two scheduled instants. Bounds that are not valid instants (only possible for
 * an event that bypassed `scheduleConsultation`) become NaN, and such a window is never open.
 */
export const windowOf = (opensAt: string, closesAt: string): Window => ({
  opensAt,
  closesAt,
  opensAtMs: parseInstant(opensAt) ?? Number.NaN,
  closesAtMs: parseInstant(closesAt) ?? Number.NaN,
});

/** True when `at` is inside the window: the open instant included, the close instant excluded. */
export const isOpen = (window: Window, at: Date): boolean => {
  const t = at.getTime();
  return window.opensAtMs <= t && t < window.closesAtMs;
};
