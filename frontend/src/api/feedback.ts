/**
 * Typed access to the feedback routes (`POST /feedback`, `GET /feedback/stats`), with the
 * browser's random id in `X-Digits-Client` (the server keeps only a salted hash of it).
 */
import createClient from 'openapi-fetch'
import { apiBaseUrl, toApiError, type ApiOptions } from './client'
import { ApiError } from './client'
import { isAbortError } from '../lib/predictor'
import { clientId } from '../lib/clientId'
import type { paths } from './schema'

export type FeedbackBody = paths['/feedback']['post']['requestBody']['content']['application/json']
export type FeedbackStats = paths['/feedback/stats']['get']['responses'][200]['content']['application/json']

export interface FeedbackApi {
  /** `POST /feedback`: a drawing and its label (null: not a digit); the stored id. */
  send(body: FeedbackBody): Promise<string>
  /** `GET /feedback/stats`: totals, per label, agreement. */
  stats(signal?: AbortSignal): Promise<FeedbackStats>
}

function rethrow(error: unknown): never {
  if (isAbortError(error)) throw error
  throw new ApiError('unreachable', error instanceof Error ? error.message : String(error))
}

export function createFeedbackApi(options: ApiOptions & { client?: () => string } = {}): FeedbackApi {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    fetch: options.fetch ?? ((input: Request) => globalThis.fetch(input)),
  })
  const id = options.client ?? clientId
  return {
    async send(body) {
      const { data, error, response } = await client
        .POST('/feedback', { body, params: { header: { 'X-Digits-Client': id() } } })
        .catch(rethrow)
      if (data === undefined) throw toApiError(response, error)
      return data.id
    },
    async stats(signal) {
      const { data, error, response } = await client.GET('/feedback/stats', { signal }).catch(rethrow)
      if (data === undefined) throw toApiError(response, error)
      return data
    },
  }
}

export const feedbackApi: FeedbackApi = createFeedbackApi({ baseUrl: apiBaseUrl })
