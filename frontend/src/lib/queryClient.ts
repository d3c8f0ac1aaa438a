import { QueryClient } from '@tanstack/react-query'

/**
 * The app's TanStack Query client. Each query (see `src/hooks/`) states when it is asked again;
 * nothing is refetched behind its back: no retries (the health check polls by itself, and the
 * model list is asked again when the service comes back), no refetch when the window regains
 * focus or the network returns.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
    },
  })
}
