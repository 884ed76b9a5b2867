// Polling until a condition holds: the one waiting loop every Lab flavour uses.

export type Condition<T> = () => Promise<T | undefined | false> | T | undefined | false;

/** Polls `condition` every 50 ms until it returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(condition: Condition<T>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await condition();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
