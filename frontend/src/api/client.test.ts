import { describe, expect, it, vi } from 'vitest'
import { ApiError, createDigitsApi, type Prediction } from './client'

const prediction: Prediction = {
  digit: 7,
  confidence: 0.93,
  probabilities: [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.93, 0.0, 0.0],
  model: 'cnn',
  model_version: 'cnn-test',
  input_image: 'iVBORw0KGgo=',
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function apiWith(respond: (request: Request) => Response | Promise<Response>, baseUrl = 'http://api.test') {
  const fetch = vi.fn(async (input: RequestInfo | URL) => respond(input as Request))
  return { api: createDigitsApi({ baseUrl, fetch: fetch as unknown as typeof globalThis.fetch }), fetch }
}

describe('createDigitsApi', () => {
  it('posts the image as JSON to /predict and returns the typed prediction', async () => {
    const { api, fetch } = apiWith(() => json(prediction))
    await expect(api.predict('data:image/png;base64,AAAA')).resolves.toEqual(prediction)
    const request = fetch.mock.calls[0]![0] as Request
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://api.test/predict')
    expect(await request.json()).toEqual({ image: 'data:image/png;base64,AAAA' })
  })

  it('passes the abort signal through', async () => {
    const controller = new AbortController()
    const { api, fetch } = apiWith(() => json(prediction))
    await api.predict('x', controller.signal)
    const request = fetch.mock.calls[0]![0] as Request
    controller.abort()
    expect(request.signal.aborted).toBe(true)
  })

  it('turns an API error into an ApiError with the detail message and code', async () => {
    const { api } = apiWith(() => json({ detail: 'The image contains no ink.', code: 'empty_image' }, 422))
    const error = await api.predict('x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ kind: 'http', status: 422, code: 'empty_image', message: 'The image contains no ink.' })
  })

  it("understands FastAPI's default validation error list", async () => {
    const { api } = apiWith(() => json({ detail: [{ loc: ['body', 'image'], msg: 'Field required' }] }, 422))
    await expect(api.predict('x')).rejects.toMatchObject({ kind: 'http', message: 'Field required' })
  })

  it('reports a network failure as unreachable', async () => {
    const { api } = apiWith(() => {
      throw new TypeError('Failed to fetch')
    })
    await expect(api.health()).rejects.toMatchObject({ kind: 'unreachable' })
  })

  it('reports a bare 502 from a proxy as unreachable', async () => {
    const { api } = apiWith(() => new Response('Bad Gateway', { status: 502 }))
    await expect(api.predict('x')).rejects.toMatchObject({ kind: 'unreachable', status: 502 })
  })

  it('keeps aborts as AbortError so callers can ignore them', async () => {
    const { api } = apiWith(() => {
      throw new DOMException('aborted', 'AbortError')
    })
    await expect(api.predict('x')).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('reads the 503 health report of a service without a model', async () => {
    const report = { status: 'unavailable', model_loaded: false, model_version: null }
    const { api } = apiWith(() => json(report, 503))
    await expect(api.health()).resolves.toEqual(report)
  })

  it('reads /health', async () => {
    const { api, fetch } = apiWith(() => json({ status: 'ok', model_loaded: true, model_version: 'v1' }), 'http://api.test/')
    await expect(api.health()).resolves.toEqual({ status: 'ok', model_loaded: true, model_version: 'v1' })
    expect((fetch.mock.calls[0]![0] as Request).url).toBe('http://api.test/health')
  })
})
