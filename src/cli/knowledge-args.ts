/**
 * Arguments shared by the knowledge CLIs (ask, ingest): `--json`, `--plans DIR` (repeatable,
 * also `--plans=DIR`) and the remaining positional words.
 */
import { UserError } from '../errors.ts';
import { msg } from '../i18n/index.ts';

export interface KnowledgeCliArgs {
  json: boolean;
  planDirs: string[];
  positional: string[];
}

export function parseKnowledgeArgs(argv: readonly string[], usage: string): KnowledgeCliArgs {
  const out: KnowledgeCliArgs = { json: false, planDirs: [], positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') out.json = true;
    else if (a === '--plans') {
      const dir = argv[++i];
      if (!dir) throw new UserError(msg.startup.cli.plansNeedsDir, usage);
      out.planDirs.push(dir);
    } else if (a.startsWith('--plans=')) out.planDirs.push(a.slice('--plans='.length));
    else if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('--')) throw new UserError(msg.startup.cli.unknownOption(a), usage);
    else out.positional.push(a);
  }
  return out;
}
