/**
 * Wording an operator reads while starting or running the processes: configuration errors, the
 * `xiezuo` CLI, seed and document validation, and platform connection failures.
 */
export const startup = {
  /** The environment schema (src/config.ts): one message per variable that is wrong. */
  config: {
    url: '必须是 URL，例如 http://127.0.0.1:8081',
    webhookUrl: '必须是 URL，例如 https://bot.example.org/telegram/webhook',
    timeZone: '不是有效的 IANA 时区名（例如 Asia/Shanghai）',
    admins: '格式应为 平台:用户ID，用逗号分隔，例如 telegram:12345,slack:U0123',
    meetingRemind: '格式应为 7d,1d,1h,30m（天、小时、分钟、秒）',
    deadlineRemind: '格式应为 7d,1d（天、小时、分钟、秒）',
    webhookSecretFormat: '只能包含 A-Z a-z 0-9 _ -，最长 256 个字符（Telegram 的要求）',
    alertTimeouts: '格式应为 级别=毫秒，用逗号分隔，例如 I=300000,II=900000',
    adminUiToken: '至少 12 个字符；生成：openssl rand -hex 24',
    alertTokens: '格式应为 sha256:<64 位十六进制>，用逗号分隔；生成：printf %s "$TOKEN" | sha256sum',
    hostPorts: '格式应为 主机:端口，用逗号分隔，例如 10.0.0.1:26379,10.0.0.2:26379',
    redisModes: 'REDIS_SENTINELS 与 REDIS_CLUSTER_NODES 只能设置其一（Sentinel 或 Cluster）',
    /** Stands in for the variable name when an issue concerns the environment as a whole. */
    wholeEnv: '(环境)',
    /** `lines` are already indented, one per bad variable. */
    invalid: (lines: readonly string[]) => `配置有误，无法启动：\n${lines.join('\n')}`,
    webhookSecretRequired: 'TELEGRAM_WEBHOOK_SECRET: webhook 模式必须设置，用于校验 Telegram 的请求',
    signingSecretRequired: 'SLACK_SIGNING_SECRET: HTTP 模式必须设置（或设置 SLACK_APP_TOKEN 使用 Socket Mode）',
    httpListenFailed: (host: string, port: number, reason: string) => `HTTP_PORT: 无法在 ${host}:${port} 监听（${reason}）`,
  },

  /** The redis-server `npm start` runs itself when REDIS_URL is unset and nothing answers at the default address. */
  embeddedRedis: {
    missing:
      '未找到 redis-server：提问照常可用，但频道组、会议提醒、广播和应急告警需要 Redis。请安装（Debian/Ubuntu：sudo apt-get install redis-server；macOS：brew install redis），或设置 REDIS_URL 指向已有的 Redis。',
    failed: (reason: string) => `内置 redis-server 未能启动（${reason}）：频道组、会议提醒、广播和应急告警暂不可用；可设置 REDIS_URL 指向已有的 Redis。`,
  },

  /** `xiezuo <subcommand>` and the knowledge CLIs (ask, ingest). */
  cli: {
    summaries: {
      start: '启动机器人（未配置平台令牌时打开控制台对话）',
      ask: '提问并打印答复：xiezuo ask [--json] ["问题"]（无问题时逐行读标准输入）',
      ingest: '解析文档并打印提纲与条款数：xiezuo ingest FILE',
      worker: '只运行后台任务进程（BullMQ workers）',
      seed: '把 seeds/ 中的示例频道组等载入 Redis',
      bench: '性能测量：xiezuo bench [--json]',
    },
    /** `lines`: one indented line per subcommand with its summary. */
    usage: (lines: readonly string[]) => `用法：xiezuo <子命令> [参数]\n${lines.join('\n')}`,
    unknownSubcommand: (sub: string) => `未知子命令：${sub}`,
    askUsage: 'xiezuo ask [--json] [--plans DIR]… ["问题"]（无问题时逐行读标准输入）',
    ingestUsage: 'xiezuo ingest FILE [--json] [--plans DIR]…',
    plansNeedsDir: '--plans 后面要写一个目录',
    unknownOption: (option: string) => `未知选项：${option}`,
    ingestNeedsFile: '请给出一个文件',
    noBody: (file: string) => `${file} 没有可识别的正文`,
    /** The first line of `xiezuo ingest`'s outline. */
    docHeading: (title: string, id: string) => `《${title}》（${id}）`,
  },

  /** Validation of the JSON files in seeds/ (regions, pairings, deadlines, meetings). */
  seeds: {
    /** `where` is entryIndex or entryId (or wholeFile). */
    error: (file: string, where: string, reason: string) => `种子数据有误，无法启动：${file} ${where}：${reason}`,
    /** `n` counts from 1. */
    entryIndex: (n: number) => `第 ${n} 项`,
    entryId: (id: string) => `条目 ${id}`,
    wholeFile: '(整个文件)',
    hostPorts: '格式应为 主机:端口，用逗号分隔，例如 10.0.0.1:26379,10.0.0.2:26379',
    redisModes: 'REDIS_SENTINELS 与 REDIS_CLUSTER_NODES 只能设置其一（Sentinel 或 Cluster）',
    /** Stands in for the field name when an issue concerns the entry as a whole. */
    wholeEntry: '(条目)',
    /** Joins several field problems of one entry. */
    issues: (list: readonly string[]) => list.join('；'),
    unreadable: (file: string, reason: string) => `种子数据有误，无法启动：无法读取 ${file}：${reason}`,
    invalidJsonFile: (file: string, reason: string) => `种子数据有误，无法启动：${file} 不是有效的 JSON：${reason}`,
    invalidJson: (reason: string) => `不是有效的 JSON：${reason}`,
    notArray: '应为 JSON 数组',
    duplicateId: 'id 重复',
    nonEmpty: '不能为空',
    kebabId: '必须是小写 kebab-case（如 sh-fyp11）',
    kebabIdPlain: '必须是小写 kebab-case',
    dateLike: '日期格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD',
    dueFormat: 'due 格式应为 YYYY 或 YYYY-MM-DD',
    unknownRegion: (id: string) => `地区 ${id} 不在 regions.json 中`,
    missingParent: (parent: string) => `上级地区 ${parent} 不存在`,
    parentCycle: '上级地区形成循环',
    docMissing: (doc: string) => `文档 ${doc} 不存在`,
    quoteEmpty: 'quote 为空',
    quoteNotFound: (quote: string, doc: string) => `quote「${quote}」在文档 ${doc} 中找不到`,
    quoteAmbiguous: (quote: string, doc: string, refs: readonly string[]) =>
      `quote「${quote}」在文档 ${doc} 的多个条款中出现：${refs.join('、')}`,
    badEvery: (every: string) => `every “${every}” 不是 yearly/monthly/weekly 或 cron 表达式`,
    badRemind: (bad: string) => `remind 中的“${bad}”无法识别`,
  },

  /** Loading the plan documents (seeds/plans, --plans, PLANS_DIRS). */
  docs: {
    badFrontMatter: (file: string, reason: string) => `文档有误，无法启动：${file} 的头部信息（front matter）：${reason}`,
    missingFrontMatter: (file: string) => `文档有误，无法启动：${file} 缺少头部信息（--- id/title/… ---）`,
    noBody: (file: string) => `文档有误，无法启动：${file} 没有可识别的正文`,
    unreadableDir: (dir: string, reason: string) => `无法读取文档目录 ${dir}：${reason}`,
    unreadableFile: (file: string, reason: string) => `无法读取文档 ${file}：${reason}`,
    notUtf8: (file: string) => `${file} 不是 UTF-8 编码的文本（可能是二进制文件，或 GBK、UTF-16 编码），请另存为 UTF-8 文本后再加入。`,
    /** File-system error codes in words; other codes show the system's message. */
    fsReasons: { ENOENT: '不存在', ENOTDIR: '不是目录', EISDIR: '是目录，不是文件', EACCES: '没有读取权限', EPERM: '没有读取权限' } as Record<string, string>,
    duplicateId: (file: string, id: string, prev: string) => `文档有误，无法启动：${file} 的 id「${id}」与 ${prev} 重复`,
  },

  /** Connecting to the platforms at start. */
  connect: {
    slackNeedsHttp: 'Slack HTTP 模式需要 HTTP 服务器',
    slackFailed: (reason: string, socketMode: boolean) =>
      `Slack 连接失败：${reason}；请检查 SLACK_BOT_TOKEN、SLACK_API_URL${socketMode ? '、SLACK_APP_TOKEN' : ''}`,
    telegramNoAnswer: (seconds: number) => `${seconds} 秒内没有应答`,
    telegramFailed: (reason: string) => `Telegram 连接失败（getMe）：${reason}；请检查 TELEGRAM_BOT_TOKEN 和 TELEGRAM_API_ROOT`,
    telegramWebhookNeedsHttp: 'Telegram webhook 模式需要 HTTP 服务器',
    telegramWebhookSecretRequired: 'TELEGRAM_WEBHOOK_SECRET: webhook 模式必须设置',
  },
} as const;
