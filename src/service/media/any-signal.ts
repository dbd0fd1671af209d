/**
 * A signal that aborts when any of these does, with that one's reason (`AbortSignal.any`, which
 * Node has only from 20.3; the package supports every Node 20).
 */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  if (live.length === 1) return live[0]!;
  const controller = new AbortController();
  for (const signal of live) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), {
      once: true,
      signal: controller.signal,
    });
  }
  return controller.signal;
}
