import type { User } from '@swiftcloud/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { ApiClient } from './api/client';
import { ApiError } from './api/errors';
import { endpoints, type Endpoints } from './api/endpoints';

interface Session {
  api: Endpoints;
  /** Null while signed out; undefined while the console asks who is signed in. */
  user: User | null | undefined;
  /** Records a fresh session (sign-in, sign-up): its user and CSRF token. */
  signedIn(session: { user: User; csrfToken: string }): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

const ME = ['me'] as const;

/** The console's API client and who is signed in, for every page below it. */
export function SessionProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const queryClient = useQueryClient();
  const api = useMemo(() => endpoints(client), [client]);

  const me = useQuery({
    queryKey: ME,
    queryFn: async () => {
      try {
        const { data } = await api.auth.me();
        client.setCsrfToken(data.csrfToken);
        return data.user;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
    retry: 1,
  });

  const value = useMemo<Session>(() => {
    client.onUnauthorized = () => {
      client.setCsrfToken(null);
      queryClient.setQueryData(ME, null);
    };
    return {
      api,
      user: me.isError ? null : me.data,
      signedIn: ({ user, csrfToken }) => {
        client.setCsrfToken(csrfToken);
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
        queryClient.setQueryData(ME, user);
      },
      signOut: async () => {
        try {
          await api.auth.logout();
        } finally {
          client.setCsrfToken(null);
          // Forget everything the last person saw, but keep the `me` query its observer holds.
          queryClient.setQueryData(ME, null);
          queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
        }
      },
    };
  }, [api, client, me.data, me.isError, queryClient]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function useApi(): Endpoints {
  return useSession().api;
}

/** The signed-in user; pages under the signed-in layout only. */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('useUser while signed out');
  return user;
}
