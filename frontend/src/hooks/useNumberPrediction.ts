import { useEffect } from 'react'
import type { NumberReading, NumbersApi } from '../api/numbers'
import { isEmptyTimed, toRequestStrokes, type TimedDrawing } from '../lib/numberDrawing'
import { useLatestRequest, type RequestState } from './useLatestRequest'

export interface NumberPredictionOptions {
  api: NumbersApi
  drawing: TimedDrawing
  /** The model that reads the digits; null for the service's default. */
  model: string | null
  /** Shortest time between the starts of two requests (ms). */
  minIntervalMs?: number
}

const idle = { result: null, error: null, loading: false, queued: false, requestId: 0 } as const

/**
 * Reads the number as it is written: every finished stroke sends the strokes to
 * `POST /predict/number` (one request in flight, the latest strokes next; see
 * `useLatestRequest`), nothing while the drawing is empty.
 */
export function useNumberPrediction({
  api,
  drawing,
  model,
  minIntervalMs = 0,
}: NumberPredictionOptions): RequestState<NumberReading> {
  const { state, flush, reset } = useLatestRequest<NumberReading>({ minInterval: minIntervalMs })
  const finished = drawing.strokes
  useEffect(() => {
    if (finished.length === 0) {
      reset()
      return
    }
    const strokes = toRequestStrokes({ strokes: finished, active: null })
    flush((signal: AbortSignal) => api.predictNumber(strokes, { model, signal }))
  }, [api, finished, model, flush, reset])
  return isEmptyTimed(drawing) ? idle : state
}
