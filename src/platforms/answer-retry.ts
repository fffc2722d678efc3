/**
 * Answers to people who are waiting (a command's reply, a button's edit) get one more try when
 * the platform asks for a short pause (429 with a small retry_after, a 5xx blip); longer waits
 * and permanent refusals are left to the caller to log. Bulk deliveries do not use this: their
 * jobs own retrying.
 */
import { SendError } from '../errors.ts';

/** Longest pause worth making a waiting user sit through. */
export const ANSWER_RETRY_MAX_MS = 5000;

export async function withOneRetry<T>(send: () => Promise<T>, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  try {
    return await send();
  } catch (e) {
    if (!(e instanceof SendError) || e.permanent || e.retryAfterMs === undefined || e.retryAfterMs > ANSWER_RETRY_MAX_MS) throw e;
    await sleep(e.retryAfterMs);
    return send();
  }
}
