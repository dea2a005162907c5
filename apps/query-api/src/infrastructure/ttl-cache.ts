/**
 * A small in-process cache: entries are fresh for `ttlMs`, at most `maxEntries` are kept (oldest
 * inserted goes first), and concurrent misses for one key share a single load. With `staleMs`,
 * an entry past its TTL is still served for that long while one reload runs in the background
 * (stale-while-revalidate), so readers never wait for a reload of a known key.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly staleMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value, or `load()`'s; a loaded value is kept only when `keep` says so. */
  async get(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const hit = this.entries.get(key);
    const now = this.now();
    if (hit && hit.expires > now) return hit.value;
    if (hit && hit.expires + this.staleMs > now) {
      // A failed background reload leaves the stale entry; the next reader past `staleMs` retries and sees the error.
      this.reload(key, load, keep).catch(() => undefined);
      return hit.value;
    }
    return this.reload(key, load, keep);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  private reload(key: string, load: () => Promise<V>, keep: (value: V) => boolean): Promise<V> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load()
      .then((value) => {
        if (keep(value)) this.set(key, value);
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }
}
