/**
 * `POST /predict/number`: a whole number written in one go, typed from the OpenAPI schema.
 * Kept beside `client.ts` (same errors, same client) so that the Number mode adds no code to it.
 */
import createClient from 'openapi-fetch'
import { apiBaseUrl, ApiError, toApiError, type ApiOptions } from './client'
import { isAbortError } from '../lib/predictor'
import type { components, paths } from './schema'

export type NumberReading = components['schemas']['NumberResponse']
export type NumberDigit = components['schemas']['NumberDigit']
/** Strokes as the API takes them: each stroke a list of `[x, y, t_ms]` points in canvas pixels. */
export type StrokePoints = number[][][]

export interface NumbersApi {
  predictNumber(strokes: StrokePoints, options?: { model?: string | null; signal?: AbortSignal }): Promise<NumberReading>
}

export function createNumbersApi(options: ApiOptions = {}): NumbersApi {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    fetch: options.fetch ?? ((input: Request) => globalThis.fetch(input)),
  })
  return {
    async predictNumber(strokes, { model, signal } = {}) {
      const body = model ? { strokes, model } : { strokes }
      const { data, error, response } = await client.POST('/predict/number', { body, signal }).catch((e: unknown) => {
        if (isAbortError(e)) throw e
        throw new ApiError('unreachable', e instanceof Error ? e.message : String(e))
      })
      if (data === undefined) throw toApiError(response, error)
      return data
    },
  }
}

export const numbersApi: NumbersApi = createNumbersApi({ baseUrl: apiBaseUrl })
