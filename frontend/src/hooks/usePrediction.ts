import { useCallback, useEffect, useMemo, useState } from 'react'
import type { DigitsApi, Prediction } from '../api/client'
import { createPredictor } from '../lib/predictor'

export interface PredictionState {
  /** Prediction for the current drawing (null while none has arrived, or after an error). */
  result: Prediction | null
  /** Why the latest request failed. */
  error: unknown
  /** A request is in flight. */
  loading: boolean
}

const idle: PredictionState = { result: null, error: null, loading: false }

export interface PredictionControls {
  state: PredictionState
  /** Debounced: predict `getImage()` once the drawing has been quiet for a moment. */
  schedule: (getImage: () => string) => void
  /** Predict right away (end of a stroke). */
  flush: (getImage: () => string) => void
  /** Forget everything: the canvas is empty. */
  reset: () => void
}

export interface PredictionOptions {
  delay?: number
  maxWait?: number
}

export function usePrediction(api: DigitsApi, { delay = 150, maxWait = 400 }: PredictionOptions = {}): PredictionControls {
  const [state, setState] = useState<PredictionState>(idle)

  const predictor = useMemo(
    () =>
      createPredictor<Prediction>({
        delay,
        maxWait,
        onStart: () => setState((s) => (s.loading ? s : { ...s, loading: true })),
        onResult: (result) => setState({ result, error: null, loading: false }),
        onError: (error) => setState({ result: null, error, loading: false }),
      }),
    [delay, maxWait],
  )

  useEffect(() => () => predictor.cancel(), [predictor])

  const schedule = useCallback(
    (getImage: () => string) => predictor.schedule((signal) => api.predict(getImage(), signal)),
    [api, predictor],
  )
  const flush = useCallback(
    (getImage: () => string) => predictor.flush((signal) => api.predict(getImage(), signal)),
    [api, predictor],
  )
  const reset = useCallback(() => {
    predictor.cancel()
    setState(idle)
  }, [predictor])

  return { state, schedule, flush, reset }
}
