/** The roles a user can hold. admin implies every other role. */
export const ROLES = ['official', 'coordinator', 'emergency', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
