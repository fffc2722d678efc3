/**
 * What the platform stand-ins (fake-telegram.ts, fake-slack.ts) share: the log of the calls they
 * answered, with a wait for one still to come, and the fault rules a test sets with `fail`.
 */

interface RecordedCall {
  method: string;
  /** HTTP status answered (0 for a dropped connection). */
  status: number;
}

export interface CallLog<C extends RecordedCall> {
  calls: C[];
  record(c: C): void;
  callsTo(method: string): C[];
  /** The calls of `method` answered 200. */
  delivered(method: string): C[];
  /** The first call of `method` that matches, now or when it comes; rejects after `timeoutMs`. */
  waitForCall(method: string, match?: (c: C) => boolean, timeoutMs?: number): Promise<C>;
}

/** `name` says which stand-in a timed-out wait was waiting on. */
export function callLog<C extends RecordedCall>(name: string): CallLog<C> {
  const calls: C[] = [];
  const waiters = new Set<() => void>();
  return {
    calls,
    record(c) {
      calls.push(c);
      for (const w of [...waiters]) w();
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    delivered: (method) => calls.filter((c) => c.method === method && c.status === 200),
    waitForCall(method, match = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = calls.find((c) => c.method === method && match(c));
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${name}: no ${method} call matched within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

export interface FaultRules<F extends { times?: number }> {
  /** Answer matching calls with this fault, `times` times (default: until cleared). */
  fail(rule: F): void;
  clearFaults(): void;
  /** The first rule with calls left to fail that `matches`, counted as used; undefined when none. */
  take(matches: (rule: F) => boolean): F | undefined;
}

export function faultRules<F extends { times?: number }>(): FaultRules<F> {
  let rules: Array<F & { left: number }> = [];
  return {
    fail(rule) {
      rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      rules = [];
    },
    take(matches) {
      const rule = rules.find((r) => r.left > 0 && matches(r));
      if (rule) rule.left--;
      return rule;
    },
  };
}

/** What a test drives on any stand-in: the calls it answered, the faults it answers with, its delay. */
export interface StandInControls<C extends RecordedCall, F extends { times?: number }> extends Omit<CallLog<C>, 'record'>, Omit<FaultRules<F>, 'take'> {
  /** Wait this long before every answer. */
  setDelay(ms: number): void;
}
