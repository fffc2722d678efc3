/** Role and audit wording. */
export const roles = {
  summary: '管理角色：授予、撤销、列出（仅管理员）',
  usage: '/role grant 平台:用户ID 角色；/role revoke 平台:用户ID 角色；/role list（角色：official 官员、coordinator 协调员、emergency 应急、admin 管理员）',
  badUser: (text: string) => `“${text}”不是有效的用户，应写成 平台:用户ID，例如 telegram:12345 或 slack:U0123。`,
  badRole: (text: string) => `没有“${text}”这个角色。可选：official（官员）、coordinator（协调员）、emergency（应急）、admin（管理员）。`,
  missing: '请写明用户和角色。',
  granted: (user: string, role: string) => `已授予 ${user}“${role}”角色。`,
  alreadyHas: (user: string, role: string) => `${user} 已有“${role}”角色。`,
  revoked: (user: string, role: string) => `已撤销 ${user} 的“${role}”角色。`,
  notHeld: (user: string, role: string) => `${user} 没有“${role}”角色。`,
  bootstrapAdmin: (user: string) => `${user} 是环境变量 ADMINS 中的管理员，不能在聊天中撤销。`,
  listTitle: '角色',
  listEmpty: '除环境变量中的管理员外，还没有人被授予角色。',
  bootstrapMark: '（ADMINS 环境变量）',
  auditSummary: '查看审计日志的最新记录（仅管理员）',
  auditUsage: '/audit [条数，默认 20，最多 200] [--action 操作前缀，例如 broadcast]',
  auditTitle: '审计日志（最新在前）',
  auditEmpty: '审计日志中还没有记录。',
  badCount: '条数应为 1–200 之间的整数。',
  /** Audit-log detail of a refusal. */
  deniedDetail: (role: string) => `需要 ${role}`,
} as const;
