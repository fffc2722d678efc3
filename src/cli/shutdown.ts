/**
 * A graceful stop with a deadline. Closing BullMQ workers and queues waits for Redis; when Redis
 * is gone (the very case an operator is stopping the bot for) that wait never ends, and Ctrl+D or
 * SIGTERM must still end the process.
 */
import type { Logger } from '../log.ts';

export const SHUTDOWN_DEADLINE_MS = 10_000;

/** Runs `close`; past the deadline it logs and ends the process with `code`. */
export async function closeWithin(
  close: () => Promise<void>,
  log: Logger,
  code: number,
  ms = SHUTDOWN_DEADLINE_MS,
  exit: (code: number) => void = (c) => process.exit(c),
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([close().then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    log.warn('shutdown did not finish in time: exiting', { ms });
    exit(code);
  }
}
