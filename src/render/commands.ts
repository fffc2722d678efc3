/**
 * Command references in reply text, in the form each platform types them. Replies are written
 * with Telegram's `/pair 大连`; on Slack every command goes through the one slash command, so
 * the same hint reads `/xiezuo pair 大连`.
 */

/** The one Slack slash command (src/platforms/slack/adapter.ts registers it). */
const SLACK_SLASH = '/xiezuo';

/**
 * `/name` at the start of a line or after a space or Chinese punctuation, a lower-case word not
 * followed by more of a path (so seeds/alert-routing.json and URLs stay as they are).
 */
const COMMAND_REF = /(^|[\s：:，,、；;（(“"【「])\/([a-z][a-z_]*)(?![\w/.-])/gm;

/** Rewrite `/pair 大连` as `/xiezuo pair 大连` for Slack; `/xiezuo …` itself stays. */
export function slackCommandForm(text: string): string {
  return text.replace(COMMAND_REF, (all, before: string, name: string) => (name === SLACK_SLASH.slice(1) ? all : `${before}${SLACK_SLASH} ${name}`));
}
