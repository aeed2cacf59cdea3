// Who is calling: the subject of a verified token and the roles it carries.

export interface Principal {
  id: string;
  roles: string[];
}

export const hasRole = (principal: Principal | null, role: string): boolean =>
  principal !== null && principal.roles.includes(role);
