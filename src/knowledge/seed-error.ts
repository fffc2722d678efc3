/**
 * The zod-free part of the seed formats (schema.ts re-exports it): what answering needs at run
 * time when the knowledge comes from a snapshot, so a question answered from a snapshot never
 * loads zod (about 100 ms of CPU at start).
 */
import { StartupError } from '../errors.ts';
import { msg } from '../i18n/index.ts';

const t = msg.startup.seeds;

export const PAIRING_KINDS = ['对口支援', '对口帮扶', '对口合作', '结对合作', '东西部协作', '接轨', '合作交流'] as const;

/** A problem in one entry of one seed file, as the start-up error shows it. */
export function seedError(file: string, entry: string | number, reason: string): StartupError {
  const where = typeof entry === 'number' ? t.entryIndex(entry + 1) : t.entryId(entry);
  return new StartupError(t.error(file, where, reason));
}
