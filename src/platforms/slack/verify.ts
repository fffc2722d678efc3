/**
 * Slack request signing (v0): HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing
 * secret. A pure function with the clock passed in, so tests can sign with any time and check
 * the five-minute replay window without sleeping.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Requests older (or newer) than this are refused as possible replays. */
const SLACK_MAX_SKEW_MS = 5 * 60 * 1000;

export type SlackVerifyFailure = 'missing_headers' | 'stale_timestamp' | 'bad_signature';

export function slackSignature(signingSecret: string, timestamp: number | string, body: string | Buffer): string {
  const h = createHmac('sha256', signingSecret);
  h.update(`v0:${timestamp}:`);
  h.update(body);
  return `v0=${h.digest('hex')}`;
}

/** undefined when the request is authentic and fresh; otherwise why it is not. */
export function verifySlackSignature(opts: {
  signingSecret: string;
  body: string | Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  nowMs: number;
}): SlackVerifyFailure | undefined {
  const { signature, timestamp } = opts;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return 'missing_headers';
  if (Math.abs(opts.nowMs - Number(timestamp) * 1000) > SLACK_MAX_SKEW_MS) return 'stale_timestamp';
  const expected = Buffer.from(slackSignature(opts.signingSecret, timestamp, opts.body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
  return undefined;
}
