/**
 * Splitting long text for platforms with a per-message or per-block size limit. Sizes are
 * measured after escaping `&`, `<`, `>` (Telegram HTML and Slack mrkdwn escape the same three),
 * in UTF-16 units, which is how both platforms count.
 */

function escapedLength(s: string): number {
  let n = 0;
  for (const ch of s) n += ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : ch.length;
  return n;
}

/**
 * Cut raw text into pieces whose escaped form fits `budget`, preferring line ends, then
 * sentence ends (。！？；), and only then an arbitrary character.
 */
export function splitText(raw: string, budget: number): string[] {
  const out: string[] = [];
  let rest = raw;
  while (escapedLength(rest) > budget) {
    // Longest prefix whose escaped length fits.
    let fit = 0;
    let len = 0;
    for (const ch of rest) {
      const l = escapedLength(ch);
      if (len + l > budget) break;
      len += l;
      fit += ch.length;
    }
    const head = rest.slice(0, fit);
    let cut = head.lastIndexOf('\n') + 1;
    if (cut < fit / 2) {
      const sentence = Math.max(...['。', '！', '？', '；', '. '].map((p) => head.lastIndexOf(p)));
      cut = sentence >= fit / 2 ? sentence + 1 : fit;
    }
    if (cut <= 0) cut = Math.max(fit, 1);
    out.push(rest.slice(0, cut).replace(/\n+$/, ''));
    rest = rest.slice(cut).replace(/^\n+/, '');
  }
  if (rest || out.length === 0) out.push(rest);
  return out;
}

