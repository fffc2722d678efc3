/**
 * The queue dashboard (bull-board) at /admin/queues on the bot's HTTP server: every queue of this
 * deployment (its REDIS_PREFIX), its jobs and their errors. Off unless ADMIN_UI_TOKEN is set; then
 * every request must carry the token — as HTTP basic auth's password (any user name; the browser
 * asks for it) or as `Authorization: Bearer <token>`. Read-only unless ADMIN_UI_WRITE=1 allows
 * retrying, cleaning and the rest of bull-board's actions.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { bullmq } from '../store/bullmq.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { StartHook } from '../process.ts';
import { closeConnection, createBullConnection, redisTarget, reportErrors } from '../store/redis.ts';
import { ALL_QUEUES, bullPrefix } from '../../jobs/queues.ts';
import { parseTokenDigests, tokenDigest, tokenMatches } from './alert-api.ts';
import type { HttpRequest, HttpResult, HttpServer } from './server.ts';

export const ADMIN_UI_PATH = '/admin/queues';
const REALM = 'Basic realm="xiezuo queues", charset="UTF-8"';

/** The token from `Authorization: Basic base64(user:token)` or `Bearer token`, if any. */
function presentedToken(header: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** Who may pass, and what they may do: a guard for HttpServer.mount. */
function adminGuard(token: string, writable: boolean, log: Logger): (req: HttpRequest) => HttpResult | undefined {
  const digests = parseTokenDigests(tokenDigest(token));
  return (req) => {
    const given = presentedToken(req.header('authorization'));
    if (given === undefined || !tokenMatches(given, digests)) {
      // A refusal leaves a trace (never the token): who keeps knocking is an operator's business.
      log.warn('admin ui refused', { status: 401, method: req.method, path: req.path, presented: given !== undefined });
      return { status: 401, headers: { 'www-authenticate': REALM }, body: { error: 'unauthorized' } };
    }
    // bull-board hides its buttons in read-only mode; its API must refuse them too.
    if (!writable && req.method !== 'GET' && req.method !== 'HEAD') {
      log.warn('admin ui refused', { status: 403, method: req.method, path: req.path, reason: 'read_only' });
      return { status: 403, body: { error: 'read_only' } };
    }
    return undefined;
  };
}

export interface AdminUi {
  close(): Promise<void>;
}

/** Mount the dashboard on `http`; undefined (nothing mounted, /admin/queues is 404) without ADMIN_UI_TOKEN. */
export function mountAdminUi(http: HttpServer, config: Config, log: Logger): AdminUi | undefined {
  if (!config.ADMIN_UI_TOKEN) return undefined;
  const writable = config.ADMIN_UI_WRITE;
  const connection = createBullConnection(redisTarget(config));
  reportErrors(connection, log, 'admin ui');
  const queues = ALL_QUEUES.map((name) => new (bullmq().Queue)(name, { connection, prefix: bullPrefix(config) }));
  const server = new ExpressAdapter();
  server.setBasePath(ADMIN_UI_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: !writable, allowRetries: writable, description: config.REDIS_PREFIX })),
    serverAdapter: server,
    options: { uiConfig: { boardTitle: `xiezuo · ${config.REDIS_PREFIX}`, hideDocsLink: true } },
  });
  const app = server.getRouter() as (req: unknown, res: unknown) => void;
  http.mount({ prefix: ADMIN_UI_PATH, guard: adminGuard(config.ADMIN_UI_TOKEN, writable, log), handler: (req, res) => app(req, res) });
  log.info('queue dashboard mounted', { path: ADMIN_UI_PATH, writable });
  return {
    close: async () => {
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      await closeConnection(connection);
    },
  };
}

export const adminUiHook: StartHook = {
  name: 'admin-ui',
  async start(ctx) {
    const ui = mountAdminUi(ctx.http, ctx.config, ctx.log.child({ part: 'admin-ui' }));
    return ui ? () => ui.close() : undefined;
  },
};
