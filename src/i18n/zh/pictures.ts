/** Wording of the pictures (src/pictures/): labels drawn in the images and their text equivalents. */
export const pictures = {
  /** Said instead of a picture when no CJK font is installed: the text answer follows as usual. */
  noFont: '（服务器未安装中文字体（fonts-noto-cjk），无法生成图片，以下为文字版。）',
  /** Said instead of a picture when rendering failed for another reason. */
  failed: '（图片生成失败，以下为文字版。）',
  /** Console chat: where the picture was saved. */
  saved: (path: string) => `图片已保存：${path}`,

  mapButton: '关系图',
  /** Words after the region names that ask for the map: /pair 上海 图. */
  mapWords: ['图', '关系图', '图片', 'map'] as readonly string[],
  mapTitle: (who: string) => `${who} 结对与合作关系图`,
  mapSubtitle: (n: number, provinces: number) => `共 ${n} 项关系 · ${provinces} 个省级地区 · 按省份分组 · 虚线为规划期已结束或已移交的关系`,
  mapAltHead: (who: string, n: number) => `${who}的结对与合作关系图（共 ${n} 项，按省份分组）：`,
  mapAltLine: (from: string, to: string, kind: string, years: string, status: string) =>
    `${from} — ${to}：${kind}${years ? `，${years}` : ''}，${status}`,
  mapEdgeStatus: { active: '进行中', ended: '已结束', 'handed-over': '已移交', planned: '计划中' } as Record<string, string>,
  legendOngoing: '进行中 / 计划中',
  legendEnded: '已结束 / 已移交（标年份）',
  legendAsked: '所查地区',
  /** The whole province (云南省 as a side, not one of its prefectures). */
  wholeProvince: '（全省）',

  chartTitle: (id: string, group: string) => `群发 ${id} 送达情况 · ${group}`,
  chartSubtitle: (delivered: number, pending: number, failed: number, total: number) =>
    `已送达 ${delivered} · 待发送 ${pending} · 失败 ${failed} · 共 ${total}`,
  chartGroupRow: (group: string) => `组：${group}`,
  chartPlatformRow: (platform: string) => `平台：${platform}`,
  delivered: '已送达',
  pending: '待发送',
  failed_: '失败',
  chartAltHead: (id: string, group: string) => `群发 ${id}（${group}）送达情况图：`,
  chartAltLine: (label: string, d: number, p: number, f: number, total: number) => `${label}：已送达 ${d}，待发送 ${p}，失败 ${f}（共 ${total}）`,
  platformNames: { telegram: 'Telegram', slack: 'Slack', console: '控制台' } as Record<string, string>,

  timelineTitle: (id: string) => `警报 ${id} 收到确认时间线`,
  timelineSubtitle: (acked: number, total: number) => `已确认 ${acked}/${total} 个群组 · 横轴为时间`,
  sent: '发出',
  acked: '收到确认',
  escalated: '升级通知',
  notAcked: '未确认',
  timelineAltHead: (id: string) => `警报 ${id} 收到确认时间线图（各群组）：`,
  timelineAltLine: (group: string, sent: string, ack: string, escalated: boolean) =>
    `${group}：${escalated ? '升级后' : ''}发出 ${sent}，${ack ? `收到确认 ${ack}` : '尚未确认'}`,
} as const;
