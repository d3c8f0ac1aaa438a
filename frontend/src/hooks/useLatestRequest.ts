import { useCallback, useEffect, useMemo, useState } from 'react'
import { createPredictor, type Predictor, type PredictTask } from '../lib/predictor'

export interface RequestState<T> {
  /** The latest answer (null while none has arrived, or after an error). */
  result: T | null
  /** Why the latest request failed. */
  error: unknown
  /** A request is in flight. */
  loading: boolean
  /** A newer input waits for the request in flight (or for its turn) to be sent. */
  queued: boolean
  /** Counts the requests started: a new request restarts the "slow" clock. */
  requestId: number
}

export interface LatestRequestControls<T> {
  state: RequestState<T>
  /** The input changed: send `task` now if nothing is in flight, else once the answer is back. */
  submit: (task: PredictTask<T>) => void
  /** As `submit`, without waiting for the minimum interval (a stroke ended). */
  flush: (task: PredictTask<T>) => void
  /** The question changed (another model or image): abort the request in flight and send `task`. */
  restart: (task: PredictTask<T>) => void
  /** Forget everything: there is no input. */
  reset: () => void
}

export interface LatestRequestOptions {
  /** Shortest time between the starts of two requests (ms). */
  minInterval?: number
}

const idle = { result: null, error: null, loading: false, queued: false } as const

/**
 * Live requests through `createPredictor`: one in flight at a time, the latest input next, and
 * every answer shown as it arrives.
 */
export function useLatestRequest<T>({ minInterval = 0 }: LatestRequestOptions = {}): LatestRequestControls<T> {
  const [state, setState] = useState<RequestState<T>>({ ...idle, requestId: 0 })

  const predictor: Predictor<T> = useMemo(() => {
    const flags = () => ({ loading: predictor.busy, queued: predictor.queued })
    const predictor: Predictor<T> = createPredictor<T>({
      minInterval,
      onStart: () => setState((s) => ({ ...s, ...flags(), requestId: s.requestId + 1 })),
      onResult: (result) => setState((s) => ({ ...s, result, error: null, ...flags() })),
      onError: (error) => setState((s) => ({ ...s, result: null, error, ...flags() })),
    })
    return predictor
  }, [minInterval])

  useEffect(() => () => predictor.cancel(), [predictor])

  const sync = useCallback(
    () =>
      setState((s) =>
        s.loading === predictor.busy && s.queued === predictor.queued
          ? s
          : { ...s, loading: predictor.busy, queued: predictor.queued },
      ),
    [predictor],
  )
  const submit = useCallback(
    (task: PredictTask<T>) => {
      predictor.submit(task)
      sync()
    },
    [predictor, sync],
  )
  const flush = useCallback(
    (task: PredictTask<T>) => {
      predictor.flush(task)
      sync()
    },
    [predictor, sync],
  )
  const restart = useCallback(
    (task: PredictTask<T>) => {
      predictor.restart(task)
      sync()
    },
    [predictor, sync],
  )
  const reset = useCallback(() => {
    predictor.cancel()
    setState((s) => (s.result === null && s.error === null && !s.loading && !s.queued ? s : { ...idle, requestId: s.requestId }))
  }, [predictor])

  return { state, submit, flush, restart, reset }
}
