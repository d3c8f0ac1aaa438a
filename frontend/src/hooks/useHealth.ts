import { useQuery, type QueryState } from '@tanstack/react-query'
import { useCallback } from 'react'
import type { DigitsApi, Health } from '../api/client'

export type HealthStatus = 'checking' | 'ok' | 'unreachable'

export interface HealthState {
  status: HealthStatus
  health: Health | null
}

export const healthQueryKey = ['health'] as const

/** The service answered and has its model loaded. */
function isReady(state: QueryState<Health>): boolean {
  return state.status === 'success' && state.data?.model_loaded !== false
}

/**
 * Polls `GET /health`: once at start, then every `retryMs` while the service is unreachable
 * or has no model loaded, so the UI recovers by itself when the backend comes up. `recheck`
 * asks again at once (aborting a check in flight).
 */
export function useHealth(api: DigitsApi, retryMs = 5000): HealthState & { recheck: () => void } {
  const query = useQuery({
    queryKey: healthQueryKey,
    queryFn: ({ signal }) => api.health(signal),
    // The interval restarts after every answer; a ready service is not polled.
    refetchInterval: (q) => (q.state.status === 'pending' || isReady(q.state) ? false : retryMs),
    refetchIntervalInBackground: true,
    staleTime: Infinity,
    retry: false,
  })

  const { refetch } = query
  const recheck = useCallback(() => {
    void refetch()
  }, [refetch])

  // A failed check says "unreachable" even while an older answer is still cached.
  if (query.status === 'error') return { status: 'unreachable', health: null, recheck }
  if (query.status === 'success') return { status: 'ok', health: query.data, recheck }
  return { status: 'checking', health: null, recheck }
}
