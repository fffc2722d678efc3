/** The repository's own seeds/, as the bot loads them: the tests that check answers against the real data start here. */
import { Knowledge } from '../../src/knowledge/knowledge.ts';
import { DEFAULT_SEEDS_DIR } from '../../src/knowledge/sources.ts';

/** The knowledge built from seeds/ (DEFAULT_SEEDS_DIR, as the bot finds it), with any extra plan folders beside seeds/plans. */
export function loadSeedKnowledge(planDirs: string[] = []): Promise<Knowledge> {
  return Knowledge.load({ seedsDir: DEFAULT_SEEDS_DIR, planDirs });
}
