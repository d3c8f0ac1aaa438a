/**
 * "Compare all models": the same image goes to every model, one request after another (so
 * that the latencies, measured in the browser, are not inflated by the other requests).
 */
import type { Prediction } from '../api/client'
import { isAbortError } from './predictor'

export interface ModelAnswer {
  readonly model: string
  /** The model's answer, or null when its request failed. */
  readonly result: Prediction | null
  /** Why the request failed (the API's `detail`). */
  readonly error: string | null
  /** Round trip measured in the browser, in ms. */
  readonly latencyMs: number
}

export type PredictWith = (model: string, signal: AbortSignal) => Promise<Prediction>

export interface CompareOptions {
  /** Clock in ms (tests). */
  now?: () => number
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'The request failed.'
}

/**
 * Asks every model in `models` through `predict`; a model that fails gets an answer with its
 * error, the others still answer. An abort stops the whole comparison (rethrown).
 */
export async function compareModels(
  models: readonly string[],
  predict: PredictWith,
  signal: AbortSignal,
  { now = () => performance.now() }: CompareOptions = {},
): Promise<ModelAnswer[]> {
  const answers: ModelAnswer[] = []
  for (const model of models) {
    signal.throwIfAborted()
    const started = now()
    try {
      const result = await predict(model, signal)
      answers.push({ model, result, error: null, latencyMs: now() - started })
    } catch (error) {
      if (isAbortError(error) || signal.aborted) throw error
      answers.push({ model, result: null, error: messageOf(error), latencyMs: now() - started })
    }
  }
  return answers
}

/** The digit every successful answer agrees on, or null when they disagree (or none answered). */
export function consensus(answers: readonly ModelAnswer[]): number | null {
  const digits = new Set(answers.flatMap((a) => (a.result ? [a.result.digit] : [])))
  if (digits.size !== 1) return null
  return [...digits][0] ?? null
}
