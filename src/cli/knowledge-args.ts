/**
 * Arguments shared by the knowledge CLIs (ask, ingest): `--json`, `--plans DIR` (repeatable,
 * also `--plans=DIR`) and the remaining positional words.
 */
import { UserError } from '../errors.ts';
import { msg } from '../i18n/index.ts';

export interface KnowledgeCliArgs {
  /** --help / -h: print the usage and do nothing else. */
  help: boolean;
  json: boolean;
  planDirs: string[];
  positional: string[];
}

export function parseKnowledgeArgs(argv: readonly string[], usage: string): KnowledgeCliArgs {
  const out: KnowledgeCliArgs = { help: false, json: false, planDirs: [], positional: [] };
  const plansDir = (dir: string | undefined) => {
    // A missing value, or the next option read as one (--plans --json), is no folder.
    if (!dir?.trim() || /^[-—–]/.test(dir)) throw new UserError(msg.startup.cli.plansNeedsDir, usage);
    out.planDirs.push(dir);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') out.json = true;
    else if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--plans') plansDir(argv[++i]);
    else if (a.startsWith('--plans=')) plansDir(a.slice('--plans='.length));
    else if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('--') || /^[-—–][A-Za-z]/.test(a)) throw new UserError(msg.startup.cli.unknownOption(a), usage);
    else out.positional.push(a);
  }
  return out;
}
