/** The repository's own seeds/, as the bot loads them: the tests that check answers against the real data start here. */
import { fileURLToPath } from 'node:url';
import { Knowledge } from '../../src/knowledge/knowledge.ts';

/** seeds/ at the checkout's root (regions, pairings, deadlines, plans, groups, routing rules). */
export const SEEDS = fileURLToPath(new URL('../../seeds', import.meta.url));

/** The knowledge built from seeds/, with any extra plan folders beside seeds/plans. */
export function loadSeedKnowledge(planDirs: string[] = []): Promise<Knowledge> {
  return Knowledge.load({ seedsDir: SEEDS, planDirs });
}
