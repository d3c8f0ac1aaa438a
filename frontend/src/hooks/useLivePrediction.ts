import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react'
import type { DigitsApi, Prediction } from '../api/client'
import { answersOf, type ModelAnswer } from '../lib/compare'
import { isEmpty, type Drawing } from '../lib/strokes'
import type { ImageSource } from './useInput'
import { useLatestRequest, type RequestState } from './useLatestRequest'
import type { PredictNow } from './usePredictNow'

export interface LivePredictionOptions {
  api: DigitsApi
  drawing: Drawing
  image: ImageSource | null
  /** The canvas the drawing is exported from (as a PNG data URL). */
  canvasRef: RefObject<HTMLCanvasElement | null>
  /** The model that answers; null for the service's default. */
  model: string | null
  /** The models to compare, one name a line; '' for no comparison (see `useModelChoice`). */
  compareKey: string
  /** Ask for the saliency map with every answer. */
  explain: boolean
  predictNow: PredictNow
  /** Whether requests may go out: false while `/health` fails (nothing is sent then). */
  enabled: boolean
  /** Shortest time between the starts of two requests while the pen moves (ms). */
  minIntervalMs: number
}

export interface LivePrediction {
  /** The answer of the chosen model. */
  single: RequestState<Prediction>
  /** Every model's answer, while comparing (from the same response as `single`). */
  comparison: RequestState<ModelAnswer[]>
  /** Sends the current input again, at once (e.g. the service came back). */
  resend: () => void
}

/**
 * Sends the input to the service whenever it changes, one request in flight at a time: a change
 * of the drawing goes out at once when nothing is in flight (so the first guess follows
 * pen-down), else as soon as the answer in flight is back (the latest drawing only); another
 * model, image, comparison or explanation aborts the request in flight and asks again. The
 * comparison of every model is the same request (`models`), not one request per model. Nothing is sent while
 * there is no input or while the service is down (`enabled` false); when it comes back the
 * input is sent at once.
 */
export function useLivePrediction({
  api,
  drawing,
  image,
  canvasRef,
  model,
  compareKey,
  explain,
  predictNow,
  enabled,
  minIntervalMs,
}: LivePredictionOptions): LivePrediction {
  const single = useLatestRequest<Prediction>({ minInterval: minIntervalMs })
  const [retry, setRetry] = useState(0)
  const asked = useRef<{ image: ImageSource | null; model: string | null; compareKey: string; explain: boolean; retry: number } | null>(null)

  const { submit, flush, restart, reset } = single

  useEffect(() => {
    if (image === null && isEmpty(drawing)) {
      predictNow.take()
      asked.current = null
      reset()
      return
    }
    if (!enabled) {
      // The service is down: nothing goes out; what changed is sent when it is back.
      asked.current = null
      return
    }
    const previous = asked.current
    asked.current = { image, model, compareKey, explain, retry }
    // Another question (model, image, comparison, explanation, the service back): the answer in
    // flight is stale.
    const changed =
      previous === null ||
      previous.image !== image ||
      previous.model !== model ||
      previous.compareKey !== compareKey ||
      previous.explain !== explain ||
      previous.retry !== retry
    const urgent = predictNow.take()
    const options = { model, explain, models: compareKey === '' ? null : compareKey.split('\n') }
    // The drawing is read from the canvas when the request goes out: the latest one is sent.
    const task = (signal: AbortSignal): Promise<Prediction> =>
      image
        ? image.getBlob().then((blob) => api.predictFile(blob, { ...options, signal }))
        : api.predict(canvasRef.current?.toDataURL('image/png') ?? '', { ...options, signal })
    if (changed) restart(task)
    else if (urgent) flush(task)
    else submit(task)
  }, [drawing, image, model, compareKey, explain, retry, enabled, api, canvasRef, predictNow, submit, flush, restart, reset])

  const resend = useCallback(() => {
    predictNow.request()
    setRetry((n) => n + 1)
  }, [predictNow])

  const { state } = single
  // Every model's answer comes with the chosen model's, in the same response.
  const comparison = useMemo<RequestState<ModelAnswer[]>>(
    () => ({
      ...state,
      result: compareKey !== '' && state.result?.comparison ? answersOf(state.result) : null,
      error: compareKey !== '' ? state.error : null,
    }),
    [state, compareKey],
  )
  return { single: state, comparison, resend }
}
