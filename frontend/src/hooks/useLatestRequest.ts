import { useCallback, useEffect, useMemo, useState } from 'react'
import { createPredictor, type PredictTask } from '../lib/predictor'

export interface RequestState<T> {
  /** Answer for the current input (null while none has arrived, or after an error). */
  result: T | null
  /** Why the latest request failed. */
  error: unknown
  /** A request is in flight. */
  loading: boolean
  /** A request is scheduled (debounced) and has not started yet. */
  queued: boolean
}

export interface LatestRequestControls<T> {
  state: RequestState<T>
  /** Debounced: run `task` once the input has been quiet for a moment. */
  schedule: (task: PredictTask<T>) => void
  /** Run `task` right away (end of a stroke, a new image, another model). */
  flush: (task: PredictTask<T>) => void
  /** Forget everything: there is no input. */
  reset: () => void
}

export interface LatestRequestOptions {
  delay?: number
  maxWait?: number
}

const idle = { result: null, error: null, loading: false, queued: false } as const

/**
 * Keeps the answer to the latest request only: a newer request aborts the one in flight
 * (see `createPredictor`), so what is shown always belongs to the current input.
 */
export function useLatestRequest<T>({ delay = 150, maxWait = 400 }: LatestRequestOptions = {}): LatestRequestControls<T> {
  const [state, setState] = useState<RequestState<T>>(idle)

  const predictor = useMemo(
    () =>
      createPredictor<T>({
        delay,
        maxWait,
        onStart: () => setState((s) => (s.loading && !s.queued ? s : { ...s, loading: true, queued: false })),
        // An older answer may still arrive while a newer request waits for its turn.
        onResult: (result) => setState((s) => ({ result, error: null, loading: false, queued: s.queued })),
        onError: (error) => setState((s) => ({ result: null, error, loading: false, queued: s.queued })),
      }),
    [delay, maxWait],
  )

  useEffect(() => () => predictor.cancel(), [predictor])

  const schedule = useCallback(
    (task: PredictTask<T>) => {
      setState((s) => (s.queued ? s : { ...s, queued: true }))
      predictor.schedule(task)
    },
    [predictor],
  )
  const flush = useCallback((task: PredictTask<T>) => predictor.flush(task), [predictor])
  const reset = useCallback(() => {
    predictor.cancel()
    setState((s) => (s.result === null && s.error === null && !s.loading && !s.queued ? s : idle))
  }, [predictor])

  return { state, schedule, flush, reset }
}
