/**
 * A value loaded at most once per `ttlMs` and shared by every caller meanwhile: the promise is kept, so callers
 * during a load wait for that one load. A failed load is dropped at once: the next call loads again.
 */
export class CachedLoad<T, A extends unknown[] = []> {
  private cached?: { value: Promise<T>; at: number };

  constructor(
    private readonly ttlMs: number,
    private readonly load: (...args: A) => Promise<T>,
  ) {}

  /** `args` go to the load when one is due (e.g. the caller's transaction, to read on its connection). */
  get(...args: A): Promise<T> {
    if (!this.cached || Date.now() - this.cached.at > this.ttlMs) {
      const value = this.load(...args);
      this.cached = { value, at: Date.now() };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = undefined;
      });
    }
    return this.cached.value;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
