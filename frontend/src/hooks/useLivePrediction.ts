import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'
import type { DigitsApi, Prediction } from '../api/client'
import { compareModels, type ModelAnswer } from '../lib/compare'
import type { PredictTask } from '../lib/predictor'
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
  predictNow: PredictNow
  /** Whether requests may go out: false while `/health` fails (nothing is sent then). */
  enabled: boolean
  /** Shortest time between the starts of two requests while the pen moves (ms). */
  minIntervalMs: number
}

export interface LivePrediction {
  /** The answer of the chosen model. */
  single: RequestState<Prediction>
  /** Every model's answer, while comparing. */
  comparison: RequestState<ModelAnswer[]>
  /** Sends the current input again, at once (e.g. the service came back). */
  resend: () => void
}

/**
 * Sends the input to the service whenever it changes, one request in flight at a time: a change
 * of the drawing goes out at once when nothing is in flight (so the first guess follows
 * pen-down), else as soon as the answer in flight is back (the latest drawing only); another
 * model, image or comparison aborts the request in flight and asks again. Nothing is sent while
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
  predictNow,
  enabled,
  minIntervalMs,
}: LivePredictionOptions): LivePrediction {
  const single = useLatestRequest<Prediction>({ minInterval: minIntervalMs })
  const comparison = useLatestRequest<ModelAnswer[]>({ minInterval: minIntervalMs })
  const [retry, setRetry] = useState(0)
  const asked = useRef<{ image: ImageSource | null; model: string | null; compareKey: string; retry: number } | null>(null)

  const { submit: submitOne, flush: flushOne, restart: restartOne, reset: resetOne } = single
  const { submit: submitAll, flush: flushAll, restart: restartAll, reset: resetAll } = comparison

  useEffect(() => {
    if (image === null && isEmpty(drawing)) {
      predictNow.take()
      asked.current = null
      resetOne()
      resetAll()
      return
    }
    if (!enabled) {
      // The service is down: nothing goes out; what changed is sent when it is back.
      asked.current = null
      return
    }
    const previous = asked.current
    asked.current = { image, model, compareKey, retry }
    // Another question (model, image, comparison, the service back): the answer in flight is stale.
    const changed =
      previous === null ||
      previous.image !== image ||
      previous.model !== model ||
      previous.compareKey !== compareKey ||
      previous.retry !== retry
    const urgent = predictNow.take()
    const dispatch = <T,>(task: PredictTask<T>, send: { submit: (t: PredictTask<T>) => void; flush: (t: PredictTask<T>) => void; restart: (t: PredictTask<T>) => void }) => {
      if (changed) send.restart(task)
      else if (urgent) send.flush(task)
      else send.submit(task)
    }
    // The drawing is read from the canvas when the request goes out: the latest one is sent.
    const captureDrawing = () => canvasRef.current?.toDataURL('image/png') ?? ''
    const send = (name: string | null, signal: AbortSignal, drawn?: string): Promise<Prediction> =>
      image
        ? image.getBlob().then((blob) => api.predictFile(blob, { model: name, signal }))
        : api.predict(drawn ?? captureDrawing(), { model: name, signal })

    dispatch((signal: AbortSignal) => send(model, signal), { submit: submitOne, flush: flushOne, restart: restartOne })

    if (compareKey === '') {
      resetAll()
      return
    }
    const names = compareKey.split('\n')
    const all = (signal: AbortSignal) => {
      // Every model gets the very same image.
      const drawn = image ? undefined : captureDrawing()
      return compareModels(names, (name, s) => send(name, s, drawn), signal)
    }
    dispatch(all, { submit: submitAll, flush: flushAll, restart: restartAll })
  }, [drawing, image, model, compareKey, retry, enabled, api, canvasRef, predictNow, submitOne, flushOne, restartOne, resetOne, submitAll, flushAll, restartAll, resetAll])

  const resend = useCallback(() => {
    predictNow.request()
    setRetry((n) => n + 1)
  }, [predictNow])

  return { single: single.state, comparison: comparison.state, resend }
}
