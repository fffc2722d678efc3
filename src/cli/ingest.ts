/**
 * `xiezuo ingest FILE [--json] [--plans DIR]…`: parse one document as the knowledge base would
 * and print its outline (indented labels and headings) and clause count. A FILE that is already
 * in the corpus (a seed plan or under --plans) is shown as loaded; any other file is parsed alone.
 */
import { resolve } from 'node:path';
import { loadKnowledge } from '../app.ts';
import { loadConfig } from '../config.ts';
import { StartupError, UserError } from '../errors.ts';
import { msg } from '../i18n/index.ts';
import { loadPlanText, readPlanFile } from '../knowledge/corpus.ts';
import { docCounts, outline } from '../knowledge/parser.ts';
import { type KnowledgeCliArgs, parseKnowledgeArgs } from './knowledge-args.ts';

const t = msg.startup.cli;
const USAGE = t.ingestUsage;

export async function main(argv: string[]): Promise<number> {
  let args: KnowledgeCliArgs;
  try {
    args = parseKnowledgeArgs(argv, USAGE);
    if (!args.help && args.positional.length !== 1) throw new UserError(t.ingestNeedsFile, USAGE);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`${e.message}\n${msg.common.usagePrefix}${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${msg.common.usagePrefix}${USAGE}\n`);
    return 0;
  }
  const file = resolve(args.positional[0]!);
  let src: string;
  try {
    src = await readPlanFile(file);
  } catch (e) {
    if (!(e instanceof StartupError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  // Loading the corpus validates the seeds and the --plans folders as a real start would.
  const knowledge = await loadKnowledge(loadConfig(), args.planDirs);
  const doc = knowledge.docs.find((d) => resolve(d.file) === file) ?? loadPlanText(src, file, false);
  if (!doc.clauses.length) throw new StartupError(t.noBody(file));
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({
        id: doc.meta.id,
        title: doc.meta.title,
        clauses: doc.clauses.length,
        counts: docCounts(doc),
        outline: doc.clauses.map((c) => ({
          id: c.id,
          depth: c.depth,
          kind: c.kind,
          label: c.label,
          heading: c.heading,
          citation: c.citation,
        })),
      })}\n`,
    );
    return 0;
  }
  process.stdout.write(`${t.docHeading(doc.meta.title, doc.meta.id)}\n${outline(doc).join('\n')}\n${msg.knowledge.outlineCount(msg.knowledge.docCount(docCounts(doc)))}\n`);
  return 0;
}
