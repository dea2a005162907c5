/** `--name value`, `--name=value` and `--flag` arguments, without a dependency. */
export class CliArgs {
  constructor(private readonly args: readonly string[]) {}

  value(name: string): string | undefined {
    const at = this.args.indexOf(`--${name}`);
    if (at >= 0 && this.args[at + 1] !== undefined && !this.args[at + 1].startsWith('--')) return this.args[at + 1];
    return this.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  }

  flag(name: string): boolean {
    return this.args.includes(`--${name}`);
  }

  number(name: string, fallback: number): number {
    const raw = this.value(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
    return value;
  }
}

/** The first moderator token of MODERATOR_TOKENS (`token` or `name:token`, comma-separated). */
export const firstModeratorToken = (moderatorTokens: string | undefined): string | undefined => {
  const first = moderatorTokens?.split(',')[0]?.trim();
  if (first === undefined || first === '') return undefined;
  return first.includes(':') ? first.slice(first.indexOf(':') + 1) : first;
};

/** The Redis projection to verify (REDIS_PROJECTION_PREFIX and REDIS_URL of the apps); `--no-redis` to skip. */
export const redisProjection = (args: CliArgs): { url: string; prefix: string } | undefined =>
  args.flag('no-redis')
    ? undefined
    : {
        url: args.value('redis-url') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        prefix: args.value('redis-projection-prefix') ?? process.env.REDIS_PROJECTION_PREFIX ?? 'consultation:rm',
      };
