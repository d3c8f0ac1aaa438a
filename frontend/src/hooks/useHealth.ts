import { useQuery, type QueryState } from '@tanstack/react-query'
import { useCallback, useRef } from 'react'
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

/** The wait before the next check after `failures` failed ones in a row: doubling, capped. */
export function healthBackoff(failures: number, retryMs: number, maxRetryMs: number): number {
  return Math.min(maxRetryMs, retryMs * 2 ** Math.max(0, failures - 1))
}

/**
 * Polls `GET /health`: once at start, then, while the service is unreachable or has no model
 * loaded, again after `retryMs`, doubling after each failure up to `maxRetryMs` (exponential
 * backoff), so the UI recovers by itself when the backend comes up without hammering it while
 * it is down; a ready service is not polled. The browser coming back online checks at once, and
 * `recheck` asks again at once (aborting a check in flight).
 */
export function useHealth(api: DigitsApi, retryMs = 1000, maxRetryMs = 8000): HealthState & { recheck: () => void } {
  const failures = useRef(0)
  const query = useQuery({
    queryKey: healthQueryKey,
    queryFn: async ({ signal }) => {
      try {
        const health = await api.health(signal)
        failures.current = health.model_loaded === false ? failures.current + 1 : 0
        return health
      } catch (error) {
        failures.current += 1
        throw error
      }
    },
    // The interval restarts after every answer; a ready service is not polled.
    refetchInterval: (q) =>
      q.state.status === 'pending' || isReady(q.state) ? false : healthBackoff(failures.current, retryMs, maxRetryMs),
    refetchIntervalInBackground: true,
    refetchOnReconnect: 'always',
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
