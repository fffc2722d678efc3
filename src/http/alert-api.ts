/**
 * The alert HTTP API for other systems (a disaster-monitoring feed, a duty desk's tool), on the
 * bot's one HTTP server:
 *   POST /api/alerts      {region, type, level, text, drill?, new?, source?} → 201 {id, status, recipients}
 *   GET  /api/alerts/:id  → 200 state + timeline
 * Callers present `Authorization: Bearer <token>`; only SHA-256 digests of tokens are configured
 * (ALERT_API_TOKENS=sha256:<hex>,…), compared in constant time, and no token is ever logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '../roles/audit.ts';
import { UserError } from '../errors.ts';
import type { HttpRequest, HttpResult, HttpServer } from './server.ts';
import { msg } from '../i18n/index.ts';
import type { Logger } from '../log.ts';
import type { StartHook } from '../process.ts';
import { normaliseAlertId } from '../alerts/ids.ts';
import { LEVEL_NAMES, parseLevel } from '../alerts/levels.ts';
import { type AlertService, RegionLookupError } from '../alerts/service.ts';
import type { AlertState, TimelineEvent } from '../alerts/store.ts';

const t = msg.alerts;

/** `sha256:<hex>,…` → digests. */
export function parseTokenDigests(config: string): Buffer[] {
  return config
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => Buffer.from(s.replace(/^sha256:/i, ''), 'hex'));
}

/** What an operator puts in ALERT_API_TOKENS for a token. */
export function tokenDigest(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** Whether the Authorization header carries a configured token; every digest is compared, in constant time. */
export function authorised(header: string | undefined, digests: readonly Buffer[]): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return !!m && tokenMatches(m[1]!, digests);
}

/** Whether `token` is one of the configured ones: digests of equal length, compared in constant time. */
export function tokenMatches(token: string, digests: readonly Buffer[]): boolean {
  const given = createHash('sha256').update(token, 'utf8').digest();
  let ok = false;
  for (const d of digests) if (d.length === given.length && timingSafeEqual(d, given)) ok = true;
  return ok;
}

// One Chinese message per field, whatever is wrong with it (missing, wrong type, empty, too long):
// zod's own English defaults must never reach the caller.
const f = t.apiFields;
const boundedText = (message: string, max: number) => z.string({ error: message }).trim().min(1, { error: message }).max(max, { error: message });

const alertBodySchema = z.object(
  {
    region: boundedText(f.region, 60),
    type: boundedText(f.type, 30),
    level: z
      .union([z.string(), z.number()], { error: f.level })
      .transform((v, ctx) => {
        const l = parseLevel(String(v));
        if (!l) {
          ctx.addIssue({ code: 'custom', message: f.level });
          return z.NEVER;
        }
        return l;
      }),
    text: boundedText(f.text, 2000),
    drill: z.boolean({ error: f.drill }).optional(),
    new: z.boolean({ error: f.new }).optional(),
    source: boundedText(f.source, 100).optional(),
  },
  { error: f.body },
  // A misspelt field (`levle`, `drll`) would otherwise be dropped and the alert sent without it.
).strict();

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function recipientsOf(a: AlertState) {
  return a.notified.length ? a.notified : a.plan.initial;
}

/** The JSON form of an alert: state, per-group marks, plan and timeline (times in ISO-8601 UTC). */
function alertJson(a: AlertState, timeline: TimelineEvent[]) {
  return {
    id: a.id,
    drill: a.drill,
    status: a.status,
    level: a.level,
    levelName: LEVEL_NAMES[a.level],
    region: a.region,
    regionName: a.regionName,
    type: a.type,
    text: a.text,
    source: a.source,
    triggeredBy: a.triggeredBy,
    createdAt: iso(a.createdAt),
    sentAt: iso(a.sentAt),
    resolvedAt: iso(a.resolvedAt),
    summary: a.summary,
    // Steps taken at the current level (the raw counter skips a number at each raise).
    escalationStep: a.step - a.stepBase,
    recipients: recipientsOf(a),
    escalation: a.plan.escalation.map((s) => ({ tier: s.tier, name: s.name, groups: s.recipients.map((r) => r.group) })),
    acknowledgements: Object.fromEntries(Object.entries(a.acks).map(([g, m]) => [g, { ...m, at: iso(m.at) }])),
    owners: Object.fromEntries(Object.entries(a.owners).map(([g, m]) => [g, { ...m, at: iso(m.at) }])),
    timeline: timeline.map((e) => ({ ...e, at: iso(e.at) })),
  };
}

export interface AlertApiOptions {
  service: AlertService;
  /** Every alert the API starts or joins is written here, like a chat trigger. */
  audit: Pick<AuditLog, 'record'>;
  /** ALERT_API_TOKENS as configured. */
  tokens: string;
  log: Logger;
}

function alertApiHandlers(o: AlertApiOptions) {
  const digests = parseTokenDigests(o.tokens);
  const guard = (req: HttpRequest): HttpResult | undefined =>
    authorised(req.header('authorization'), digests)
      ? undefined
      : { status: 401, body: { error: 'unauthorized', message: t.apiUnauthorized }, headers: { 'www-authenticate': 'Bearer' } };

  const create = async (req: HttpRequest): Promise<HttpResult> => {
    const denied = guard(req);
    if (denied) {
      o.log.warn('alert api refused', { path: req.path, hasAuthorization: req.header('authorization') !== undefined });
      return denied;
    }
    // A form or text body would be read by guesswork: only JSON is taken.
    if (!/^application\/json\s*(;|$)/i.test((req.header('content-type') ?? '').trim())) {
      return { status: 415, body: { error: 'unsupported_media_type', message: t.apiNeedsJson } };
    }
    const parsed = alertBodySchema.safeParse(req.json());
    if (!parsed.success) {
      const fields = parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ field: k, message: t.apiUnknownField(k) }))
          : [{ field: i.path.join('.') || '(body)', message: i.message }],
      );
      return { status: 400, body: { error: 'invalid_body', message: t.apiBadBody, fields } };
    }
    const b = parsed.data;
    const source = b.source ?? 'api';
    try {
      const r = await o.service.trigger({
        region: b.region,
        type: b.type,
        level: b.level,
        text: b.text,
        drill: b.drill ?? false,
        forceNew: b.new ?? false,
        by: { key: `api:${source}`, name: source },
        source: 'api',
        sourceName: source,
        skipPreview: true,
      });
      o.log.info('alert api trigger', { alert: r.alert.id, kind: r.kind, source });
      // The alert is out whatever happens here: a failed audit write is logged, not answered as
      // a failure that would make the caller send it again.
      await o.audit
        .record({
          user: { key: `api:${source}`, name: source },
          chat: 'api',
          action: b.drill ? 'alert.drill' : 'alert.trigger',
          detail: `${r.alert.id} ${r.kind} ${b.region} ${b.type} ${b.level}`,
        })
        .catch((err: unknown) => o.log.error('alert api audit failed', { alert: r.alert.id, err }));
      const joined = r.kind === 'joined' || r.kind === 'raised';
      return {
        status: joined ? 200 : 201,
        body: {
          id: r.alert.id,
          status: r.alert.status,
          joined,
          ...(r.kind === 'raised' ? { raisedFrom: r.from, level: r.alert.level } : {}),
          recipients: recipientsOf(r.alert),
          ...((r.kind === 'sent' || r.kind === 'raised') && r.missing.length ? { missingGroups: r.missing } : {}),
        },
      };
    } catch (e) {
      if (e instanceof RegionLookupError)
        return { status: 422, body: { error: 'unknown_region', message: e.message, candidates: e.candidates } };
      if (e instanceof UserError) return { status: 422, body: { error: 'rejected', message: e.message } };
      throw e;
    }
  };

  const get = async (req: HttpRequest): Promise<HttpResult> => {
    const denied = guard(req);
    if (denied) return denied;
    const id = normaliseAlertId(req.params.id ?? '');
    const a = id ? await o.service.find(id) : undefined;
    if (!a) return { status: 404, body: { error: 'not_found', message: t.apiNotFound } };
    return { status: 200, body: alertJson(a.alert, a.timeline) };
  };

  return { create, get };
}

/** Mount the alert API on the bot's HTTP server. */
export function registerAlertApi(server: HttpServer, o: AlertApiOptions): void {
  const h = alertApiHandlers(o);
  server.route('POST', '/api/alerts', h.create, { bodyLimit: 16 * 1024 });
  server.route('GET', '/api/alerts/:id', h.get);
}

/** Mounts the API in `xiezuo start` (src/cli/start.ts startHooks). */
export const alertApiHook: StartHook = {
  name: 'alert-api',
  async start(ctx) {
    registerAlertApi(ctx.http, {
      service: ctx.app.services.alerts,
      audit: ctx.app.services.audit,
      tokens: ctx.config.ALERT_API_TOKENS,
      log: ctx.log.child({ part: 'alert-api' }),
    });
  },
};
