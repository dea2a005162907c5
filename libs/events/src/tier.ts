/** Territory tiers of DESIGN.md, decided once at registration from INSEE populations. */
export const TIERS = ['rural', 'medium', 'large'] as const;
export type Tier = (typeof TIERS)[number];

export const isTier = (value: unknown): value is Tier =>
  typeof value === 'string' && (TIERS as readonly string[]).includes(value);
