import type { EventName, Events, Unsubscribe } from '../api.js';

/** The service's typed event bus; transports subscribe to forward events to their clients. */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set!.delete(listener as (payload: never) => void);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as (p: Events[E]) => void)(payload);
      } catch {
        // A broken subscriber (e.g. a closed socket) must not stop the others or the job that emitted.
      }
    }
  }

  listenerCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}

/**
 * Lets at most one call per `intervalMs` through; the last suppressed value is delivered when the interval ends, so
 * the final state is never lost. Used to keep progress events at ≤ 10 per second per job.
 */
export function throttle<T>(intervalMs: number, deliver: (value: T) => void): { push(value: T): void; flush(): void; cancel(): void } {
  let last = -Infinity;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    deliver(value);
  };
  return {
    push(value) {
      pending = { value };
      const wait = last + intervalMs - Date.now();
      if (wait <= 0 && !timer) fire();
      else if (!timer) timer = setTimeout(fire, Math.max(0, wait));
    },
    flush() {
      if (timer) clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
