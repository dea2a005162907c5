/**
 * Write limits (docs/security.md "Rate limits"): pure rules, no I/O. A limit is `<count>/<window>`
 * (e.g. `60/1m`) or `off`; windows are fixed and aligned on the epoch, so every ingest instance
 * computes the same window and shares one Redis counter per key.
 */
export interface Limit {
  readonly max: number;
  readonly windowMs: number;
}

export type LimitKind = 'participant' | 'address' | 'registration';

export const LIMIT_PATTERN = /^(off|[1-9]\d{0,8}\/[1-9]\d{0,4}[smh])$/;

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `60/1m` → 60 per 60,000 ms; `off` → undefined. The text must match LIMIT_PATTERN. */
export const parseLimit = (text: string): Limit | undefined => {
  if (text === 'off') return undefined;
  const match = /^(\d+)\/(\d+)([smh])$/.exec(text);
  if (!match || !LIMIT_PATTERN.test(text)) throw new Error(`not a limit: ${text}`);
  return { max: Number(match[1]), windowMs: Number(match[2]) * UNIT_MS[match[3]] };
};

/** Per-consultation limits (RATE_LIMIT_OVERRIDES), by slug. */
export type Overrides = ReadonlyMap<string, Partial<Record<'participant' | 'address', Limit | undefined>>>;

/**
 * RATE_LIMIT_OVERRIDES: `{"<slug>": {"participant": "30/1m", "address": "off"}}`. Returns the
 * overrides, or a message saying what is wrong (the config validator names the variable).
 */
export const parseOverrides = (text: string): Overrides | string => {
  if (text.trim() === '') return new Map();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'must be a JSON object keyed by consultation slug';
  const overrides = new Map<string, Partial<Record<'participant' | 'address', Limit | undefined>>>();
  for (const [slug, entry] of Object.entries(raw)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${slug}: must be an object`;
    const limits: Partial<Record<'participant' | 'address', Limit | undefined>> = {};
    for (const [kind, value] of Object.entries(entry as Record<string, unknown>)) {
      if (kind !== 'participant' && kind !== 'address') return `${slug}.${kind}: only "participant" and "address" can be set per consultation`;
      if (typeof value !== 'string' || !LIMIT_PATTERN.test(value)) return `${slug}.${kind}: must be "off" or like "60/1m" (s, m or h)`;
      limits[kind] = parseLimit(value);
    }
    overrides.set(slug, limits);
  }
  return overrides;
};

export interface LimitSettings {
  readonly participant?: Limit;
  readonly address?: Limit;
  readonly registration?: Limit;
  readonly overrides: Overrides;
}

/** What the gate knows about a write request before its body is read. */
export interface WriteRequest {
  readonly registration: boolean;
  /** The participant of a valid participant token. */
  readonly participantId?: string;
  /** Normalised client address (client-address.ts). */
  readonly address: string;
  /** Consultation the route acts on, when the path names one (slug or proposal id). */
  readonly consultation?: string;
}

/** One counter to increment: its key (without prefix and window) and the limit it is held to. */
export interface Counter {
  readonly kind: LimitKind;
  readonly key: string;
  readonly limit: Limit;
}

/**
 * The counters a write request increments. A consultation with an override has its own budget
 * (keys scoped by its slug); every other write shares the default budget (scope `*`).
 * Registrations are counted twice: against the registration limit and the address limit.
 */
export const countersFor = (request: WriteRequest, settings: LimitSettings): Counter[] => {
  const override = request.consultation === undefined ? undefined : settings.overrides.get(request.consultation);
  const scope = override === undefined ? '*' : request.consultation;
  const counters: Counter[] = [];
  const address = override && 'address' in override ? override.address : settings.address;
  if (address) counters.push({ kind: 'address', key: `a:${scope}:${request.address}`, limit: address });
  if (request.registration && settings.registration) {
    counters.push({ kind: 'registration', key: `r:${request.address}`, limit: settings.registration });
  }
  if (request.participantId !== undefined) {
    const participant = override && 'participant' in override ? override.participant : settings.participant;
    if (participant) counters.push({ kind: 'participant', key: `p:${scope}:${request.participantId}`, limit: participant });
  }
  return counters;
};

/** The fixed window `at` falls in: its index (part of the Redis key) and its end. */
export const windowOf = (limit: Limit, atMs: number): { index: number; endsAtMs: number } => {
  const index = Math.floor(atMs / limit.windowMs);
  return { index, endsAtMs: (index + 1) * limit.windowMs };
};

/** Whole seconds until the window ends (at least 1): the Retry-After of a refused request. */
export const retryAfterSeconds = (limit: Limit, atMs: number): number =>
  Math.max(1, Math.ceil((windowOf(limit, atMs).endsAtMs - atMs) / 1000));
