/**
 * Polls `probe` until it stops throwing or the deadline passes; then rethrows its last error,
 * so a failing test shows the last assertion that did not hold.
 */
export const eventually = async <T>(probe: () => Promise<T> | T, { timeoutMs = 15_000, intervalMs = 100 } = {}): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
