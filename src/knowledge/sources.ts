/**
 * Where a process's knowledge comes from: the seeds folder, the plan folders (PLANS_DIRS, then
 * the command line's --plans) and the snapshot folder (KNOWLEDGE_SNAPSHOT_DIR; "off" for none).
 * Shared by the composition root (from the validated config) and `xiezuo ask`, which reads the
 * three variables straight from the environment: the zod config schema alone costs about 100 ms
 * of CPU at start, more than answering from a snapshot.
 */
import { delimiter, join } from 'node:path';
import { PROJECT_ROOT } from '../root.ts';
import type { SnapshotLoadOptions } from './snapshot.ts';

export const DEFAULT_SEEDS_DIR = join(PROJECT_ROOT, 'seeds');

export interface KnowledgeSettings {
  SEEDS_DIR?: string | undefined;
  PLANS_DIRS?: string | undefined;
  KNOWLEDGE_SNAPSHOT_DIR?: string | undefined;
}

export function knowledgeSources(s: KnowledgeSettings, planDirs: readonly string[] = []): SnapshotLoadOptions {
  const fromEnv = s.PLANS_DIRS ? s.PLANS_DIRS.split(delimiter).filter(Boolean) : [];
  const snap = s.KNOWLEDGE_SNAPSHOT_DIR;
  return {
    seedsDir: s.SEEDS_DIR ?? DEFAULT_SEEDS_DIR,
    planDirs: [...fromEnv, ...planDirs],
    ...(snap === 'off' ? { snapshotDir: false as const } : snap ? { snapshotDir: snap } : {}),
  };
}

/** The same three settings as config.ts reads them (blank = unset), without zod. */
export function knowledgeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): KnowledgeSettings {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  return { SEEDS_DIR: get('SEEDS_DIR'), PLANS_DIRS: get('PLANS_DIRS'), KNOWLEDGE_SNAPSHOT_DIR: get('KNOWLEDGE_SNAPSHOT_DIR') };
}
