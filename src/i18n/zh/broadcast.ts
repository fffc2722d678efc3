/** Broadcast wording: preview, progress, report, errors. */
export const broadcast = {
  summary: '向频道组群发通知（先预览，确认后发送）',
  usage: '/broadcast 组名 通知内容 [--at 2026-12-01 09:00 [时区]]；/broadcast status 编号；/broadcast cancel 编号',
  missingGroup: '请写明频道组名称和通知内容。',
  missingText: '请写明通知内容。',
  unknownGroup: (name: string) => `没有名为“${name}”的频道组。发送 /group list 查看全部频道组。`,
  noReachable: (name: string, chats: string[]) =>
    `频道组“${name}”没有本部署能送达的聊天（${chats.join('、')} 所在的平台未配置），没有发送。请先用 /group add 加入真实聊天。`,
  unreachable: (chats: string[]) =>
    `注意：另有 ${chats.length} 个聊天所在的平台本部署未配置，不会发送：${chats.join('、')}`,
  emptyGroup: (name: string) => `频道组“${name}”还没有任何聊天，无法群发。请先用 /group add 添加。`,
  badAt: '无法识别 --at 后的时间，请写成 2026-12-01 09:00（可在后面加时区，如 Asia/Shanghai 或 +08:00）。',
  badZone: '--at 中的时区无效，请用 IANA 时区名（如 Asia/Shanghai）或 +08:00 这样的偏移。',
  pastAt: (at: string) => `发送时间 ${at} 已经过去，请给出将来的时间。`,
  unknownId: (id: string) => `找不到群发 ${id}。编号形如 B-20261201-01。`,
  missingId: '请给出群发编号，例如 /broadcast status B-20261201-01。',
  previewTitle: (id: string) => `群发预览 ${id}`,
  preview: (group: string, count: number, at?: string) =>
    `将发送到频道组“${group}”的 ${count} 个聊天${at ? `，定时于 ${at} 发送` : ''}。请确认：`,
  confirm: '确认发送',
  cancel: '取消',
  confirmedScheduled: (id: string, at: string, count: number) => `群发 ${id} 已确认，将于 ${at} 发送到 ${count} 个聊天。`,
  cancelled: (id: string) => `群发 ${id} 已取消，没有发送任何消息。`,
  notCancellable: (id: string) => `群发 ${id} 已经开始发送或已结束，无法取消。`,
  notDraft: '这条群发已经确认或取消过了。',
  notYours: '只有发起人或管理员可以确认或取消这条群发。',
  noticeTitle: (group: string) => `通知 · ${group}`,
  noticeFooter: (by: string, id: string) => `发送人：${by} · 编号 ${id}`,
  progressTitle: (id: string, group: string) => `群发 ${id} · ${group}`,
  progress: (delivered: number, failed: number, total: number) =>
    `已送达 ${delivered}/${total}${failed ? `，失败 ${failed}` : ''}，发送中……`,
  reportTitle: (id: string, group: string) => `群发报告 ${id} · ${group}`,
  reportSummary: (r: { status: string; delivered: number; failed: number; pending: number; notSent?: number; total: number; at?: string | undefined }) =>
    [
      `状态：${r.status}`,
      r.at ? `定时：${r.at}` : undefined,
      `已送达 ${r.delivered}/${r.total}`,
      `失败 ${r.failed}`,
      r.pending > 0 ? `待发送 ${r.pending}` : undefined,
      r.notSent ? `因取消未发送 ${r.notSent}` : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
  failedHeading: (n: number) => `未送达（${n}）`,
  statusNames: {
    draft: '待确认',
    scheduled: '已定时',
    sending: '发送中',
    done: '已完成',
    cancelled: '已取消',
  } as Record<string, string>,
} as const;
