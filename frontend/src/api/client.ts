/**
 * Typed access to the digits backend. The types come from the backend's OpenAPI schema
 * (`src/api/openapi.json` → `npm run gen:api` → `src/api/schema.ts`); calls go through
 * openapi-fetch, so a changed contract fails the type check instead of failing at run time.
 */
import createClient from 'openapi-fetch'
import { isAbortError } from '../lib/predictor'
import type { paths } from './schema'

export type Prediction =
  paths['/predict']['post']['responses'][200]['content']['application/json']
/** One model's reading in a comparison (`comparison` of a `/predict` response sent with `models`). */
export type ModelReading = NonNullable<Prediction['comparison']>[number]
export type Health = paths['/health']['get']['responses'][200]['content']['application/json']
export type ModelList = paths['/models']['get']['responses'][200]['content']['application/json']
export type ModelInfo = ModelList['models'][number]

/** Why a call failed, in terms the UI can act on. */
export type ApiErrorKind =
  /** No HTTP answer from the backend (network error, proxy without upstream: 502/503/504). */
  | 'unreachable'
  /** The backend answered with an error status. */
  | 'http'

export class ApiError extends Error {
  readonly kind: ApiErrorKind
  readonly status: number | null
  /** The machine-readable `code` of the backend's error body, when it sent one. */
  readonly code: string | null

  constructor(kind: ApiErrorKind, message: string, status: number | null = null, code: string | null = null) {
    super(message)
    this.name = 'ApiError'
    this.kind = kind
    this.status = status
    this.code = code
  }
}

export interface PredictOptions {
  /** Which model answers (a name from `GET /models`); the service's default when omitted. */
  model?: string | null
  /** Ask for `saliency` (what drove the answer). */
  explain?: boolean
  /** Models to compare on the same image, in one request (`comparison` in the answer). */
  models?: readonly string[] | null
  signal?: AbortSignal
}

export interface DigitsApi {
  /** `POST /predict`: a base64 image or data URL (e.g. a canvas's `toDataURL()`). */
  predict(image: string, options?: PredictOptions): Promise<Prediction>
  /** `POST /predict/upload`: an image file, sent as multipart/form-data. */
  predictFile(file: Blob, options?: PredictOptions): Promise<Prediction>
  /** `GET /models`: every model the service serves, with its model card. */
  models(signal?: AbortSignal): Promise<ModelList>
  health(signal?: AbortSignal): Promise<Health>
}

export interface ApiOptions {
  /** Origin (and optional path prefix) of the backend; '' means the page's own origin. */
  baseUrl?: string
  /** Replaces the global fetch (tests). */
  fetch?: typeof globalThis.fetch
}

/** Status codes a reverse proxy (Vite, nginx) answers with when the backend is down. */
const PROXY_DOWN_STATUSES = new Set([502, 503, 504])

/**
 * The API answers every error as `{"detail": "<message>", "code": "<machine-readable code>"}`
 * (validation errors included); anything else (an empty or HTML body from a proxy) has neither.
 */
function detailOf(body: unknown): { detail: string | null; code: string | null } {
  if (typeof body !== 'object' || body === null) return { detail: null, code: null }
  const { detail, code } = body as { detail?: unknown; code?: unknown }
  return {
    detail: typeof detail === 'string' && detail.trim() !== '' ? detail : null,
    code: typeof code === 'string' ? code : null,
  }
}

function isHealthReport(body: unknown): body is Health {
  if (typeof body !== 'object' || body === null) return false
  const { status, model_loaded } = body as { status?: unknown; model_loaded?: unknown }
  return typeof status === 'string' && typeof model_loaded === 'boolean'
}

/** Turns an error response into an ApiError that carries the backend's `detail` message. */
export function toApiError(response: Response, body: unknown): ApiError {
  const { detail, code } = detailOf(body)
  if (detail === null && (PROXY_DOWN_STATUSES.has(response.status) || response.status === 500)) {
    // A bare 5xx with no JSON body is what the dev/preview proxy and nginx send when the
    // backend is not running.
    return new ApiError('unreachable', 'The recognition service did not answer.', response.status)
  }
  if (detail === null && response.status === 413) {
    // A proxy in front of the service (nginx) refused the body before the service saw it.
    return new ApiError('http', 'The image is too large to send; use a smaller file (at most about 2 MB).', 413, 'payload_too_large')
  }
  const message = detail ?? `The recognition service answered with HTTP ${response.status}.`
  return new ApiError('http', message, response.status, code)
}

/** The name a File was chosen with, else a neutral one (the backend sniffs the format). */
function fileName(file: Blob): string {
  const name = (file as Partial<File>).name
  return typeof name === 'string' && name !== '' ? name : 'image'
}

function rethrow(error: unknown): never {
  if (isAbortError(error)) throw error
  // fetch rejects with a TypeError when the server cannot be reached at all.
  throw new ApiError('unreachable', error instanceof Error ? error.message : String(error))
}

export function createDigitsApi(options: ApiOptions = {}): DigitsApi {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    // Look the global up at call time so that tests can stub it.
    fetch: options.fetch ?? ((input: Request) => globalThis.fetch(input)),
  })

  return {
    async predict(image, { model, explain = false, models, signal } = {}) {
      // Only what is asked for is sent: a plain request stays `{"image": ...}`.
      const body = {
        image,
        ...(model ? { model } : {}),
        ...(explain ? { explain } : {}),
        ...(models && models.length > 0 ? { models: [...models] } : {}),
      } as { image: string; explain: boolean }
      const { data, error, response } = await client.POST('/predict', { body, signal }).catch(rethrow)
      if (data === undefined) throw toApiError(response, error)
      return data
    },
    async predictFile(file, { model, explain = false, models, signal } = {}) {
      const { data, error, response } = await client
        .POST('/predict/upload', {
          // The schema types the file part as a string (its OpenAPI type); the serializer below
          // sends the Blob itself.
          body: { file: file as unknown as string, model: model ?? null, explain, models: models ? [...models] : null },
          bodySerializer: () => {
            const form = new FormData()
            form.append('file', file, fileName(file))
            if (model) form.append('model', model)
            if (explain) form.append('explain', 'true')
            for (const name of models ?? []) form.append('models', name)
            return form
          },
          signal,
        })
        .catch(rethrow)
      if (data === undefined) throw toApiError(response, error)
      return data
    },
    async models(signal) {
      const { data, error, response } = await client.GET('/models', { signal }).catch(rethrow)
      if (data === undefined) throw toApiError(response, error)
      return data
    },
    async health(signal) {
      const { data, error, response } = await client.GET('/health', { signal }).catch(rethrow)
      if (data !== undefined) return data
      // While its model is not loaded the service answers 503 with a health report as body:
      // it is reachable, just not ready.
      if (isHealthReport(error)) return error
      throw toApiError(response, error)
    },
  }
}

/** Base URL from the build (`VITE_API_BASE_URL`), empty for same-origin deployments. */
export const apiBaseUrl: string = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '')

export const digitsApi: DigitsApi = createDigitsApi({ baseUrl: apiBaseUrl })
