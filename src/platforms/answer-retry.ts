/**
 * Answers to people who are waiting (a command's reply, a button's edit) are retried while the
 * platform asks for a pause (429 with retry_after, a 5xx, a network blip), within a bounded
 * time: someone who typed /help during a rate-limit storm still gets the answer, a little late,
 * instead of nothing. A wait that would end past the budget, or a permanent refusal, is thrown
 * to the caller, which logs it with the user and chat. Bulk deliveries do not use this: their
 * jobs own retrying.
 *
 * A reply split into several messages is resent whole, so a failure after its first part can
 * repeat that part; a repeated part is better than a lost answer.
 */
import { SendError } from '../errors.ts';

/** Longest a waiting user's answer is retried for, counted from the first attempt. */
export const ANSWER_RETRY_BUDGET_MS = 30_000;
/** Attempts at most, whatever the waits: a platform answering 500 at once must not be hammered. */
const MAX_ATTEMPTS = 6;

export interface AnswerRetryOptions {
  budgetMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export async function withAnswerRetry<T>(send: () => Promise<T>, o: AnswerRetryOptions = {}): Promise<T> {
  const budget = o.budgetMs ?? ANSWER_RETRY_BUDGET_MS;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (!(e instanceof SendError) || e.permanent || e.retryAfterMs === undefined || attempt >= MAX_ATTEMPTS) throw e;
      if (now() - start + e.retryAfterMs > budget) throw e;
      await sleep(e.retryAfterMs);
    }
  }
}
