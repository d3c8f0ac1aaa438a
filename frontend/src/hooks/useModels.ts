import { useQuery } from '@tanstack/react-query'
import type { DigitsApi, ModelList } from '../api/client'

export type ModelsState =
  /** The service is not ready (yet): nothing asked. */
  | { status: 'waiting'; list: null }
  | { status: 'loading'; list: null }
  | { status: 'ok'; list: ModelList }
  | { status: 'error'; list: null }

export const modelsQueryKey = ['models'] as const

/**
 * `GET /models`, fetched once the service is ready (and again each time it becomes ready, so a
 * restarted service with other models is picked up: the answer is stale at once, and enabling
 * a query with stale data fetches it).
 */
export function useModels(api: DigitsApi, ready: boolean): ModelsState {
  const query = useQuery({
    queryKey: modelsQueryKey,
    queryFn: ({ signal }) => api.models(signal),
    enabled: ready,
    staleTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  })
  if (query.status === 'success') return { status: 'ok', list: query.data }
  if (!ready) return { status: 'waiting', list: null }
  if (query.status === 'error') return { status: 'error', list: null }
  return { status: 'loading', list: null }
}
