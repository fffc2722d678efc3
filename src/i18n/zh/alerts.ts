/** Wording of emergency-aid alerts (受灾援助应急响应): triggers, alert cards, status and API errors. */
export const alerts = {
  summary: '发起/更新/结束受灾援助应急警报（需应急角色）',
  usage:
    '/alert <地区> <灾害类型> <级别I–IV> <情况说明> [--new]｜/alert drill <地区> <类型> <级别> <说明>｜/alert update <编号> <内容>｜/alert resolve <编号> <总结>｜/alert status [编号]',
  ackSummary: '确认收到警报（等同于按“收到”）',
  ackUsage: '/ack <警报编号>',

  drillMark: '【演练】',
  drillFooter: '【演练】本消息为应急演练，无需实际行动。',
  /** The official grade names, used in every message users read (input forms are parsed in src/alerts/levels.ts). */
  levelNames: { I: '特别重大', II: '重大', III: '较大', IV: '一般' },
  levelLabel: (level: string, name: string) => `${level}级（${name}）`,
  levelMissing: '缺少或无法识别响应级别：请写 I、II、III、IV（或 1–4、一级…四级、特别重大/重大/较大/一般）。',
  regionMissing: '请写明受灾地区、灾害类型、级别和情况说明。',
  typeMissing: '请写明灾害类型，例如 地震、洪涝、泥石流、台风。',
  textMissing: '请附上情况说明，例如：州府震感强烈，已有房屋倒塌。',
  idMissing: '请写明警报编号，例如 A-20261122-03。',
  badId: (t: string) => `“${t}”不是警报编号（形如 A-20261122-03，演练为 Y-20261122-01）。`,
  notFound: (id: string) => `没有编号为 ${id} 的警报。`,
  updateTextMissing: '请写明更新内容。',
  summaryMissing: '请写明处置总结。',
  unknownRegion: (name: string, suggestions: string[]) =>
    suggestions.length
      ? `没有找到地区“${name}”，未发送任何消息。你是否指：${suggestions.join('、')}？`
      : `没有找到地区“${name}”，未发送任何消息。请写地区的正式名称或常用简称，例如 文山、红河州、日喀则。`,
  ambiguousRegion: (name: string, candidates: string[]) =>
    `“${name}”可指多个地区，未发送任何消息。请写得更具体：${candidates.join('、')}。`,
  noRecipients: (region: string) =>
    `路由规则中没有 ${region} 及其上级地区和结对方的应急频道组，无法发送。请管理员检查 seeds/alert-routing.json。`,

  // Card wording.
  title: (level: string, region: string, type: string) => `受灾援助应急响应 ${level} · ${region}${type}`,
  escalatedTitle: (step: number) => `【升级·第${step}次】`,
  updateTitle: (n: number) => `【续报${n}】`,
  raisedMark: '【级别提升】',
  raisedNotice: (from: string, to: string) => `响应级别由 ${from} 提升为 ${to}，请各频道组按新级别重新确认。`,
  raisedCondolence: (from: string, to: string) => `响应级别由 ${from} 提升为 ${to}。`,
  resolvedTitle: '【响应结束】',
  condolenceTitle: (region: string, type: string) => `慰问通报 · ${region}${type}`,
  condolenceText: (region: string, type: string, level: string) =>
    `${region}发生${type}，响应级别 ${level}。请按兄弟省区市对本市慰问的鸣谢应对响应方案，视情况开展慰问与联络。`,
  facts: (f: { id: string; level: string; region: string; type: string; by: string; at: string }) =>
    `编号：${f.id}\n级别：${f.level}\n地区：${f.region}\n类型：${f.type}\n发起：${f.by}　${f.at}`,
  asPartner: (region: string) => `你组作为结对方（${region}）收到此警报。`,
  asStricken: '你组为受灾地区应急频道组。',
  asTier: (tier: string) => `你组作为“${tier}”收到此警报。`,
  ackHint: (minutes: string, next: string | undefined) =>
    next ? `请按“收到”确认；${minutes}内无人确认将升级至：${next}。` : '请按“收到”确认；按“我来负责”认领处置。',
  escalatedText: (minutes: string) => `${minutes}内无任何频道组确认，警报已升级，请立即处理。`,
  ackButton: '收到',
  ownButton: '我来负责',
  confirmButton: '确认发送',
  cancelButton: '取消',

  // Trigger replies.
  previewTitle: (id: string) => `待确认：警报 ${id}`,
  previewText: '以下频道组将收到此警报。确认无误后请按“确认发送”；III–IV 级警报须确认后才发出。',
  sentTitle: (id: string) => `警报 ${id} 已发出`,
  joinedTitle: (id: string) => `已并入进行中的警报 ${id}`,
  raisedTitle: (id: string, level: string) => `进行中的警报 ${id} 已提升为 ${level}`,
  raisedText: (from: string, to: string) =>
    `同一地区同类灾害 30 分钟内已有 ${from} 警报，本次级别更高：已将该警报提升为 ${to}，按新级别重新通知并重新计时升级。如确属新事件，请加 --new 重新发起。`,
  joinedText: (n: number) =>
    `同一地区同类灾害 30 分钟内已有警报，本次内容作为续报${n}发给已通知的频道组。如确属新事件，请加 --new 重新发起。`,
  initialHeading: '立即通知',
  affectedTierName: '受灾地区及结对方',
  escalationHeading: (step: number, minutes: string, tier: string) => `第${step}次升级（${minutes}无人确认时）：${tier}`,
  groupLine: (group: string, role: string, size: number | undefined) =>
    size === undefined
      ? `· ${group}（${role}）——频道组尚未建立，将无法送达`
      : size === 0
        ? `· ${group}（${role}）——没有本部署能送达的会话，将无法送达`
        : `· ${group}（${role}，${size} 个会话）`,
  roleStricken: '受灾地区',
  rolePartner: (region: string) => `结对方 ${region}`,
  roleCondolence: (region: string) => `慰问 ${region}`,
  missingGroups: (groups: string[]) => `以下频道组尚未建立，或没有本部署能送达的会话（如示例里的 console: 占位地址），未能送达：${groups.join('、')}`,
  /** Preview and status: groups of the plan nobody will hear the alert in. */
  unreachableGroups: (groups: string[]) =>
    `注意：${groups.length} 个频道组尚未建立或没有本部署能送达的会话，不会收到此警报：${groups.join('、')}。请先用 /group add 加入真实聊天。`,
  unreachedCount: (groups: string[]) => `未能送达的频道组 ${groups.length} 个：${groups.join('、')}`,
  reachedNobodyTitle: (id: string) => `警报 ${id} 未能送达任何聊天`,
  reachedNobody: '此警报没有送达任何真实聊天：立即通知的频道组都尚未建立，或只有本部署不能送达的地址。请立即电话联系受灾地区，并用 /group add 补齐频道组。已通知协调层级。',
  reachedNobodyNotice: (id: string, region: string, type: string, level: string) =>
    `【送达失败】${level} 警报 ${id}（${region} ${type}）没有送达任何受灾地区或结对方的聊天。请立即电话联系，并补齐频道组。`,
  cancelled: (id: string) => `警报 ${id} 已取消，未发送任何消息。`,
  alreadySent: (id: string) => `警报 ${id} 已经发出。`,
  notPending: (id: string) => `警报 ${id} 已不在待确认状态。`,
  confirmedToast: '已发出',

  // Acknowledgement and ownership.
  ackToast: (group: string) => `已记录：${group} 收到`,
  ackAgain: (group: string) => `${group} 已确认过`,
  ownToast: (group: string) => `已记录：由你代表 ${group} 负责`,
  notOpen: (id: string, status: string) => `警报 ${id} ${status}，无需再确认。`,
  notRecipient: '本会话不在此警报的通知范围内；如需确认，请由应急角色成员在此操作。',
  directGroup: (dest: string) => `（直接确认：${dest}）`,
  condolenceNoAck: (group: string) =>
    `本会话（${group}）收到的是慰问通报，无需也不能确认或认领此警报；确认由受灾地区及应急频道组负责。`,

  updateSent: (id: string, n: number, groups: number) => `续报${n}已发给警报 ${id} 的 ${groups} 个频道组。`,
  resolved: (id: string, groups: number) => `警报 ${id} 已结束，结束通报已发给 ${groups} 个频道组。`,
  alreadyClosed: (id: string) => `警报 ${id} 已经结束或取消。`,

  // Status.
  statusTitle: (id: string) => `警报 ${id}`,
  /** First line of a closed alert's card copies, edited in place when it is resolved. */
  endedBanner: (status: string) => `【已结束】此警报${status}，无需再按“收到”。`,
  statusNames: { pending: '待确认', open: '响应中', resolved: '已结束', cancelled: '已取消' } as Record<string, string>,
  statusLine: (status: string, acked: number, total: number) => `状态：${status}　已确认 ${acked}/${total} 个频道组`,
  ackHeading: '各频道组确认情况',
  ackLine: (group: string, ack: string | undefined, owner: string | undefined) =>
    `· ${group}：${ack ? `收到（${ack}）` : '未确认'}${owner ? `；负责人 ${owner}` : ''}`,
  timelineHeading: '时间线',
  listTitle: '进行中的警报',
  listEmpty: '当前没有进行中的警报。',
  listDrillHeading: '进行中的演练',
  statsLine: (s: Record<string, number>) =>
    `累计 ${s.created ?? 0} 起（I ${s['level:I'] ?? 0}、II ${s['level:II'] ?? 0}、III ${s['level:III'] ?? 0}、IV ${s['level:IV'] ?? 0}），升级 ${s.escalated ?? 0} 次，已确认 ${s.acknowledged ?? 0} 起，已结束 ${s.resolved ?? 0} 起`,
  statsRealHeading: '统计（实战）',
  statsDrillHeading: '统计（演练，单独计）',
  listLine: (id: string, level: string, region: string, type: string, status: string) => `· ${id}　${level} ${region}${type}　${status}`,
  events: {
    created: '创建',
    sent: '发出',
    delivered: '送达',
    failed: '未能送达',
    acknowledged: '确认收到',
    owned: '认领负责',
    escalated: '升级',
    updated: '续报',
    joined: '重复触发并入',
    raised: '级别提升',
    resolved: '结束',
    cancelled: '取消',
  } as Record<string, string>,

  minutes: (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} 分钟` : `${Math.max(1, Math.round(ms / 1000))} 秒`),

  // HTTP API (JSON error texts).
  apiUnauthorized: '缺少或错误的访问令牌',
  apiBadBody: '请求体有误',
  /** One message per body field, whatever is wrong with it (missing, wrong type, too long). */
  apiFields: {
    body: '请求体应为 JSON 对象，包含 region、type、level、text 字段',
    region: '必填，受灾地区名称（字符串，1–60 字）',
    type: '必填，灾害类型（字符串，1–30 字），例如 地震、洪涝',
    level: '必填，响应级别：I–IV、1–4 或 特别重大/重大/较大/一般',
    text: '必填，情况说明（字符串，1–2000 字）',
    drill: '可选，是否演练：true 或 false',
    new: '可选，是否强制新建警报：true 或 false',
    source: '可选，来源系统名称（字符串，1–100 字）',
  },
  apiNotFound: '没有这个警报',
  apiNeedsJson: '请求体须为 JSON，Content-Type 应为 application/json',
  apiUnknownField: (field: string) => `不认识的字段“${field}”；可用字段：region、type、level、text、drill、new、source`,
} as const;
