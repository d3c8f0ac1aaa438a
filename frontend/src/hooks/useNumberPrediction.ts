import { useEffect } from 'react'
import type { NumberReading, NumbersApi } from '../api/numbers'
import { isEmptyTimed, toRequestStrokes, type TimedDrawing } from '../lib/numberDrawing'
import { useLatestRequest, type RequestState } from './useLatestRequest'

export interface NumberPredictionOptions {
  api: NumbersApi
  drawing: TimedDrawing
  /** The model that reads the digits; null for the service's default. */
  model: string | null
  /** Debounce before a request (ms). */
  debounceMs: number
}

/**
 * Reads the number as it is written: every finished stroke sends the strokes to
 * `POST /predict/number` (debounced; a newer request aborts the older one), nothing while the
 * drawing is empty.
 */
export function useNumberPrediction({ api, drawing, model, debounceMs }: NumberPredictionOptions): RequestState<NumberReading> {
  const { state, schedule, reset } = useLatestRequest<NumberReading>({ delay: debounceMs })
  const finished = drawing.strokes
  useEffect(() => {
    if (finished.length === 0) {
      reset()
      return
    }
    const strokes = toRequestStrokes({ strokes: finished, active: null })
    schedule((signal) => api.predictNumber(strokes, { model, signal }))
  }, [api, finished, model, schedule, reset])
  return isEmptyTimed(drawing) ? { result: null, error: null, loading: false, queued: false } : state
}
