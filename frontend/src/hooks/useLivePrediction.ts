import { useCallback, useEffect, useState, type RefObject } from 'react'
import type { DigitsApi, Prediction } from '../api/client'
import { compareModels, type ModelAnswer } from '../lib/compare'
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
  /** Debounce before a request while the pen moves (ms). */
  debounceMs: number
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
 * Sends the input to the service whenever it changes: every change of the drawing (after the
 * canvas has been repainted) or the image, of the model or of the comparison sends it again,
 * debounced unless `predictNow` says otherwise; a newer request aborts the older one. Nothing
 * is sent while there is no input.
 */
export function useLivePrediction({
  api,
  drawing,
  image,
  canvasRef,
  model,
  compareKey,
  predictNow,
  debounceMs,
}: LivePredictionOptions): LivePrediction {
  const single = useLatestRequest<Prediction>({ delay: debounceMs })
  const comparison = useLatestRequest<ModelAnswer[]>({ delay: debounceMs })
  const [retry, setRetry] = useState(0)

  const { flush: flushOne, schedule: scheduleOne, reset: resetOne } = single
  const { flush: flushAll, schedule: scheduleAll, reset: resetAll } = comparison

  useEffect(() => {
    if (image === null && isEmpty(drawing)) {
      predictNow.take()
      resetOne()
      resetAll()
      return
    }
    const now = predictNow.take()
    const captureDrawing = () => canvasRef.current?.toDataURL('image/png') ?? ''
    const send = (name: string | null, signal: AbortSignal, drawn?: string): Promise<Prediction> =>
      image
        ? image.getBlob().then((blob) => api.predictFile(blob, { model: name, signal }))
        : api.predict(drawn ?? captureDrawing(), { model: name, signal })

    const one = (signal: AbortSignal) => send(model, signal)
    if (now) flushOne(one)
    else scheduleOne(one)

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
    if (now) flushAll(all)
    else scheduleAll(all)
  }, [drawing, image, model, compareKey, retry, api, canvasRef, predictNow, flushOne, scheduleOne, resetOne, flushAll, scheduleAll, resetAll])

  const resend = useCallback(() => {
    predictNow.request()
    setRetry((n) => n + 1)
  }, [predictNow])

  return { single: single.state, comparison: comparison.state, resend }
}
