import { useEffect, useState } from 'react'
import type { DigitsApi, ModelList } from '../api/client'
import { isAbortError } from '../lib/predictor'

export type ModelsState =
  /** The service is not ready (yet): nothing asked. */
  | { status: 'waiting'; list: null }
  | { status: 'loading'; list: null }
  | { status: 'ok'; list: ModelList }
  | { status: 'error'; list: null }

/**
 * `GET /models`, fetched once the service is ready (and again each time it becomes ready, so a
 * restarted service with other models is picked up).
 */
export function useModels(api: DigitsApi, ready: boolean): ModelsState {
  const [state, setState] = useState<ModelsState>({ status: 'loading', list: null })
  useEffect(() => {
    if (!ready) return
    const controller = new AbortController()
    api.models(controller.signal).then(
      (list) => {
        if (!controller.signal.aborted) setState({ status: 'ok', list })
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbortError(error)) return
        setState({ status: 'error', list: null })
      },
    )
    return () => controller.abort()
  }, [api, ready])
  if (!ready && state.status !== 'ok') return { status: 'waiting', list: null }
  return state
}
