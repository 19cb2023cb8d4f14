import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { defineAbilityFor, type AppAbility, type MeResponse } from '@enclave/contracts';

export interface Session {
  user: MeResponse;
  /** The API's own rules, used here only to hide what the person cannot do; the API still decides. */
  ability: AppAbility;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ user, children }: { user: MeResponse; children: ReactNode }) {
  const session = useMemo<Session>(
    () => ({ user, ability: defineAbilityFor({ userId: user.id, role: user.role, orgId: user.orgId }) }),
    [user],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside <SessionProvider>');
  return session;
}
