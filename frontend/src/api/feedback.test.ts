import { describe, expect, it, vi } from 'vitest'
import { ApiError } from './client'
import { createFeedbackApi, type FeedbackBody } from './feedback'

const body: FeedbackBody = { image: 'data:image/png;base64,xyz', label: 4, predicted: 9, model_version: 'v1' }

function json(status: number, payload: unknown): Response {
  return new Response(JSON.stringify(payload), { status, headers: { 'content-type': 'application/json' } })
}

describe('feedback API client', () => {
  it('posts the drawing with the browser id and returns the stored id', async () => {
    const fetch = vi.fn<(input: RequestInfo | URL) => Promise<Response>>(async () => json(201, { id: 'abc' }))
    const api = createFeedbackApi({ baseUrl: 'http://api', fetch, client: () => 'browser-1' })
    await expect(api.send(body)).resolves.toBe('abc')
    const request = fetch.mock.calls[0]![0] as Request
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://api/feedback')
    expect(request.headers.get('X-Digits-Client')).toBe('browser-1')
    expect(await request.json()).toEqual(body)
  })

  it('reads the stats', async () => {
    const stats = { total: 1, by_label: { '4': 1 }, agreement: 0, by_model_version: {} }
    const api = createFeedbackApi({ baseUrl: 'http://api', fetch: async () => json(200, stats), client: () => 'browser-1' })
    await expect(api.stats()).resolves.toEqual(stats)
  })

  it('turns refusals and network failures into ApiErrors', async () => {
    const limited = createFeedbackApi({ baseUrl: 'http://api',
      fetch: async () => json(429, { detail: 'too many drawings', code: 'rate_limited' }),
      client: () => 'b',
    })
    await expect(limited.send(body)).rejects.toMatchObject({ kind: 'http', status: 429, code: 'rate_limited' })
    await expect(limited.stats()).rejects.toBeInstanceOf(ApiError)
    const down = createFeedbackApi({ baseUrl: 'http://api',
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      },
      client: () => 'b',
    })
    await expect(down.send(body)).rejects.toMatchObject({ kind: 'unreachable' })
  })

  it('passes an abort through', async () => {
    const api = createFeedbackApi({ baseUrl: 'http://api',
      fetch: async () => {
        throw new DOMException('aborted', 'AbortError')
      },
      client: () => 'b',
    })
    await expect(api.stats()).rejects.toMatchObject({ name: 'AbortError' })
  })
})
