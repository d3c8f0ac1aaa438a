// @vitest-environment node
// The API client needs no DOM; Node's own fetch, FormData and File keep multipart bodies intact
// (jsdom's File and FormData do not survive a trip through Node's Request).
import { describe, expect, it, vi } from 'vitest'
import { ApiError, createDigitsApi, type Prediction } from './client'

const prediction: Prediction = {
  digit: 7,
  confidence: 0.93,
  verdict: 'digit',
  uncertain: false,
  not_a_digit: 0.02,
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

  it('names the model when one is chosen', async () => {
    const { api, fetch } = apiWith(() => json(prediction))
    await api.predict('AAAA', { model: 'cnn-keras' })
    expect(await (fetch.mock.calls[0]![0] as Request).json()).toEqual({ image: 'AAAA', model: 'cnn-keras' })
  })

  it('uploads a file as multipart/form-data to /predict/upload', async () => {
    const { api, fetch } = apiWith(() => json(prediction))
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'seven.png', { type: 'image/png' })
    await expect(api.predictFile(file, { model: 'cnn-keras' })).resolves.toEqual(prediction)
    const request = fetch.mock.calls[0]![0] as Request
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://api.test/predict/upload')
    expect(request.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/)
    const form = await request.formData()
    const sent = form.get('file') as File
    expect(sent.name).toBe('seven.png')
    expect(new Uint8Array(await sent.arrayBuffer())).toEqual(new Uint8Array([137, 80, 78, 71]))
    expect(form.get('model')).toBe('cnn-keras')
  })

  it('asks for saliency and a comparison only when told to, in the JSON body and in the form', async () => {
    const { api, fetch } = apiWith(() => json(prediction))
    await api.predict('AAAA', { explain: true, models: ['cnn', 'mlp-numpy'] })
    expect(await (fetch.mock.calls[0]![0] as Request).json()).toEqual({ image: 'AAAA', explain: true, models: ['cnn', 'mlp-numpy'] })
    await api.predict('AAAA', { explain: false, models: [] })
    expect(await (fetch.mock.calls[1]![0] as Request).json()).toEqual({ image: 'AAAA' })
    await api.predictFile(new Blob(['png'], { type: 'image/png' }), { explain: true, models: ['cnn', 'mlp-numpy'] })
    const form = await (fetch.mock.calls[2]![0] as Request).formData()
    expect(form.get('explain')).toBe('true')
    expect(form.getAll('models')).toEqual(['cnn', 'mlp-numpy'])
  })

  it('uploads a bare Blob without a model field when none is chosen', async () => {
    const { api, fetch } = apiWith(() => json(prediction))
    await api.predictFile(new Blob(['png'], { type: 'image/png' }))
    const form = await (fetch.mock.calls[0]![0] as Request).formData()
    expect(form.get('file')).toBeInstanceOf(Blob)
    expect(form.has('model')).toBe(false)
  })

  it('reports upload errors with the detail message', async () => {
    const { api } = apiWith(() => json({ detail: 'The file is not an image.', code: 'invalid_image' }, 400))
    await expect(api.predictFile(new Blob(['x']))).rejects.toMatchObject({
      kind: 'http',
      code: 'invalid_image',
      message: 'The file is not an image.',
    })
  })

  it('lists the models', async () => {
    const list = {
      default: 'cnn',
      models: [
        {
          name: 'cnn',
          description: 'CNN',
          engine: 'litert',
          version: 'v1',
          default: true,
          file: 'cnn.tflite',
          size_bytes: 1000,
          parameters: 100,
          test_accuracy: 0.99,
          card: {},
        },
      ],
    }
    const { api, fetch } = apiWith(() => json(list))
    await expect(api.models()).resolves.toEqual(list)
    expect((fetch.mock.calls[0]![0] as Request).url).toBe('http://api.test/models')
  })

  it('passes the abort signal through', async () => {
    const controller = new AbortController()
    const { api, fetch } = apiWith(() => json(prediction))
    await api.predict('x', { signal: controller.signal })
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

  it('names the status when the error body is not the API\'s (no string detail, or not JSON)', async () => {
    const { api } = apiWith(() => json({ detail: [{ msg: 'Field required' }] }, 422))
    await expect(api.predict('x')).rejects.toMatchObject({
      kind: 'http',
      status: 422,
      code: null,
      message: 'The recognition service answered with HTTP 422.',
    })
    const { api: plain } = apiWith(() => new Response('Forbidden', { status: 403 }))
    await expect(plain.predict('x')).rejects.toMatchObject({ kind: 'http', status: 403, message: 'The recognition service answered with HTTP 403.' })
  })

  it("reads nginx's JSON 413 like the API's own", async () => {
    const { api } = apiWith(() => json({ detail: 'The request body is too large.', code: 'payload_too_large' }, 413))
    await expect(api.predictFile(new Blob(['x']))).rejects.toMatchObject({
      kind: 'http',
      status: 413,
      code: 'payload_too_large',
      message: 'The request body is too large.',
    })
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

  it("explains a proxy's bare 413 for a file that is too large", async () => {
    const { api } = apiWith(() => new Response('<html>413 Request Entity Too Large</html>', { status: 413 }))
    await expect(api.predictFile(new Blob(['x']))).rejects.toMatchObject({ kind: 'http', status: 413, code: 'payload_too_large', message: expect.stringMatching(/too large/) })
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
