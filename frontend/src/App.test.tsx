import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest'
import App, { type AppProps } from './App'
import { ApiError, type DigitsApi, type Health, type ModelInfo, type ModelList, type Prediction } from './api/client'
import type { Example, ExampleStore } from './lib/examples'
import { renderWithQueryClient } from './test/render'
import { FAKE_PNG } from './test/setup'

function prediction(digit: number, confidence = 0.95, model = 'cnn', verdict: Prediction['verdict'] = confidence < 0.6 ? 'uncertain' : 'digit'): Prediction {
  const rest = (1 - confidence) / 9
  return {
    digit,
    confidence,
    verdict,
    uncertain: verdict !== 'digit',
    not_a_digit: verdict === 'not_a_digit' ? 0.9 : 0.01,
    probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? confidence : rest)),
    model,
    model_version: 'test-model',
    input_image: 'iVBORw0KGgo=',
  }
}

const healthy: Health = { status: 'ok', model_loaded: true, model_version: 'test-model', models: ['cnn'] }

function modelInfo(name: string, engine: string, extra: Partial<ModelInfo> = {}): ModelInfo {
  return {
    name,
    description: `The ${name} model`,
    engine,
    version: `${name}-v1`,
    default: false,
    file: `${name}.bin`,
    size_bytes: 1_200_000,
    parameters: 1000,
    test_accuracy: 0.9961,
    card: {},
    ...extra,
  }
}

const modelList: ModelList = {
  default: 'cnn',
  models: [
    modelInfo('cnn', 'litert', { default: true }),
    modelInfo('cnn-keras', 'keras', { size_bytes: 3_400_000 }),
    modelInfo('mlp', 'numpy', { test_accuracy: 0.978 }),
  ],
}

interface FakeApi extends DigitsApi {
  predict: Mock<DigitsApi['predict']>
  predictFile: Mock<DigitsApi['predictFile']>
  models: Mock<DigitsApi['models']>
  health: Mock<DigitsApi['health']>
}

function fakeApi(overrides: Partial<FakeApi> = {}): FakeApi {
  return {
    predict: vi.fn<DigitsApi['predict']>(async () => prediction(7)),
    predictFile: vi.fn<DigitsApi['predictFile']>(async () => prediction(3)),
    models: vi.fn<DigitsApi['models']>(async () => modelList),
    health: vi.fn<DigitsApi['health']>(async () => healthy),
    ...overrides,
  }
}

const exampleList: Example[] = [
  { file: 'mnist-test-00003.png', label: 0, mnist_test_index: 3 },
  { file: 'mnist-test-00018.png', label: 3, mnist_test_index: 18 },
]
const exampleBlob = new Blob(['png'], { type: 'image/png' })

function fakeExamples(): ExampleStore & { image: Mock<ExampleStore['image']> } {
  return {
    list: async () => exampleList,
    url: (example) => `/examples/${example.file}`,
    image: vi.fn<ExampleStore['image']>(async () => exampleBlob),
  }
}

type FakeExamples = ReturnType<typeof fakeExamples>

function renderApp(props: Omit<AppProps, 'api' | 'examples'> & { api?: FakeApi; examples?: FakeExamples } = {}) {
  const api = props.api ?? fakeApi()
  const examples = props.examples ?? fakeExamples()
  return { api, examples, ...renderWithQueryClient(<App api={api} examples={examples} {...props} />) }
}

function drawStroke(canvas: HTMLElement, points: Array<[number, number]>, pointerId = 1) {
  const [first, ...rest] = points
  fireEvent.pointerDown(canvas, { pointerId, pointerType: 'mouse', button: 0, clientX: first![0], clientY: first![1] })
  for (const [x, y] of rest) fireEvent.pointerMove(canvas, { pointerId, pointerType: 'mouse', clientX: x, clientY: y })
  fireEvent.pointerUp(canvas, { pointerId, pointerType: 'mouse', button: 0, clientX: rest.at(-1)![0], clientY: rest.at(-1)![1] })
}

const seven: Array<[number, number]> = [
  [80, 70],
  [200, 70],
  [150, 150],
  [120, 220],
]

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('App', () => {
  it('switches to the Number mode and back to the single digit', async () => {
    renderApp()
    await screen.findByText(/Service online/)
    fireEvent.click(screen.getByTestId('mode-number'))
    expect(screen.getByTestId('number-pad')).toBeInTheDocument()
    expect(screen.getByTestId('mode-number')).toHaveAttribute('aria-pressed', 'true')
    expect(screen.queryByTestId('workspace')).toBeNull()
    fireEvent.click(screen.getByTestId('mode-digit'))
    expect(screen.getByTestId('workspace')).toBeInTheDocument()
    expect(screen.queryByTestId('number-pad')).toBeNull()
  })

  it('prompts for a digit and sends nothing while the canvas is empty', async () => {
    const api = fakeApi()
    renderApp({ api })
    expect(screen.getByTestId('prompt')).toHaveTextContent('Draw a digit 0–9')
    await act(() => vi.advanceTimersByTimeAsync(1000))
    expect(api.predict).not.toHaveBeenCalled()
    expect(screen.getByTestId('clear-button')).toBeDisabled()
    expect(screen.getByTestId('service-status')).toHaveTextContent('Service online · model test-model')
  })

  it('predicts the drawing when a stroke ends and shows the result', async () => {
    const api = fakeApi()
    renderApp({ api })
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
    expect(api.predict).toHaveBeenCalled()
    expect(api.predict.mock.calls.at(-1)![0]).toBe(FAKE_PNG)
    expect(screen.getByTestId('confidence')).toHaveTextContent('95.0%')
  })

  it('sends the first guess at pen-down, keeps one request in flight and sends the latest drawing next', async () => {
    const answers: Array<(p: Prediction) => void> = []
    const api = fakeApi({
      predict: vi.fn<DigitsApi['predict']>(() => new Promise<Prediction>((resolve) => answers.push(resolve))),
    })
    renderApp({ api, minIntervalMs: 0 })
    await screen.findByText(/Service online/)
    const canvas = screen.getByTestId('draw-canvas')
    fireEvent.pointerDown(canvas, { pointerId: 1, pointerType: 'mouse', button: 0, clientX: 10, clientY: 10 })
    // No debounce: the pen touching the canvas sends the drawing.
    expect(api.predict).toHaveBeenCalledTimes(1)
    fireEvent.pointerMove(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 40, clientY: 40 })
    fireEvent.pointerMove(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 60, clientY: 80 })
    // The drawing changed twice while a request is in flight: nothing more goes out, nothing is aborted.
    expect(api.predict).toHaveBeenCalledTimes(1)
    expect(api.predict.mock.calls[0]![1]!.signal!.aborted).toBe(false)
    expect(screen.getByTestId('workspace')).toHaveAttribute('data-pending', 'true')
    await act(async () => answers[0]!(prediction(1)))
    // Its answer is shown and the latest drawing goes next.
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1')
    expect(api.predict).toHaveBeenCalledTimes(2)
    await act(async () => answers[1]!(prediction(7)))
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7')
    expect(screen.getByTestId('workspace')).toHaveAttribute('data-pending', 'false')
    expect(api.predict).toHaveBeenCalledTimes(2)
  })

  it('aborts the request in flight when the model changes', async () => {
    const signals: AbortSignal[] = []
    const api = fakeApi({
      predict: vi.fn<DigitsApi['predict']>((_image, options) => {
        signals.push(options!.signal!)
        return new Promise<Prediction>(() => {})
      }),
    })
    renderApp({ api })
    await screen.findByText(/Service online/)
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('cnn'))
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    expect(signals).toHaveLength(1)
    fireEvent.change(screen.getByRole('combobox', { name: 'Model' }), { target: { value: 'mlp' } })
    expect(signals).toHaveLength(2)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[1]!.aborted).toBe(false)
    expect(api.predict.mock.calls[1]![1]).toMatchObject({ model: 'mlp' })
  })

  it('sends no prediction while /health fails, and predicts at once when it recovers', async () => {
    let up = false
    const api = fakeApi({
      health: vi.fn<DigitsApi['health']>(async () => {
        if (!up) throw new ApiError('unreachable', 'Failed to fetch')
        return healthy
      }),
    })
    renderApp({ api, healthRetryMs: 1000, healthMaxRetryMs: 4000 })
    await screen.findByTestId('service-unreachable')
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    // Backoff: checks at 0, +1 s, +2 s, +4 s, +4 s...
    await act(() => vi.advanceTimersByTimeAsync(11_500))
    expect(api.predict).not.toHaveBeenCalled()
    expect(api.health.mock.calls.length).toBeGreaterThanOrEqual(4)
    expect(api.health.mock.calls.length).toBeLessThanOrEqual(6)
    up = true
    await act(() => vi.advanceTimersByTimeAsync(4100))
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
    expect(api.predict).toHaveBeenCalledTimes(1)
  })

  it('a prediction that cannot reach the service stops predictions until /health answers again', async () => {
    let up = true
    const api = fakeApi({
      health: vi.fn<DigitsApi['health']>(async () => {
        if (!up) throw new ApiError('unreachable', 'Failed to fetch')
        return healthy
      }),
      predict: vi.fn<DigitsApi['predict']>(async () => {
        if (!up) throw new ApiError('unreachable', 'Failed to fetch')
        return prediction(7)
      }),
    })
    renderApp({ api, healthRetryMs: 1000, healthMaxRetryMs: 1000 })
    await screen.findByText(/Service online/)
    up = false
    const canvas = screen.getByTestId('draw-canvas')
    drawStroke(canvas, seven)
    await screen.findByTestId('service-unreachable')
    const sent = api.predict.mock.calls.length
    drawStroke(canvas, [
      [100, 150],
      [180, 150],
    ])
    await act(() => vi.advanceTimersByTimeAsync(3000))
    expect(api.predict.mock.calls.length).toBe(sent)
    up = true
    await act(() => vi.advanceTimersByTimeAsync(1100))
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
  })

  it('Escape does not clear while a form control has focus; Clear can be undone', async () => {
    renderApp()
    const canvas = screen.getByTestId('draw-canvas')
    drawStroke(canvas, seven)
    const picker = screen.getByRole('combobox', { name: 'Model' })
    picker.focus()
    fireEvent.keyDown(picker, { key: 'Escape' })
    expect(screen.getByText('1 stroke')).toBeInTheDocument()
    fireEvent.keyDown(document.body, { key: 'Escape' })
    expect(screen.getByText('Empty canvas')).toBeInTheDocument()
    const undo = screen.getByRole('button', { name: 'Undo clear' })
    fireEvent.click(undo)
    expect(screen.getByText('1 stroke')).toBeInTheDocument()
  })

  it('clear (button or Escape) returns to the prompt; Ctrl+Z undoes a stroke', async () => {
    const api = fakeApi()
    renderApp({ api })
    const canvas = screen.getByTestId('draw-canvas')
    drawStroke(canvas, seven)
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toBeInTheDocument())
    fireEvent.click(screen.getByTestId('clear-button'))
    expect(screen.getByTestId('prompt')).toBeInTheDocument()

    drawStroke(canvas, seven)
    drawStroke(canvas, [
      [100, 150],
      [180, 150],
    ])
    expect(screen.getByText('2 strokes')).toBeInTheDocument()
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true })
    expect(screen.getByText('1 stroke')).toBeInTheDocument()
    fireEvent.keyDown(window, { key: 'Escape' })
    expect(screen.getByText('Empty canvas')).toBeInTheDocument()
    expect(screen.getByTestId('prompt')).toBeInTheDocument()
  })

  it('undo button removes the last stroke', () => {
    renderApp()
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    fireEvent.click(screen.getByRole('button', { name: 'Undo last stroke' }))
    expect(screen.getByTestId('prompt')).toBeInTheDocument()
  })

  it('shows the API detail message when a request fails', async () => {
    const api = fakeApi({
      predict: vi.fn<DigitsApi['predict']>(async () => {
        throw new ApiError('http', 'The image contains no ink.', 422, 'empty_image')
      }),
    })
    renderApp({ api })
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('prediction-error')).toHaveTextContent("There's nothing to read yet"))
  })

  it('says the service is unreachable and recovers when it comes up', async () => {
    let up = false
    const api = fakeApi({
      health: vi.fn<DigitsApi['health']>(async () => {
        if (!up) throw new ApiError('unreachable', 'Failed to fetch')
        return healthy
      }),
    })
    renderApp({ api, healthRetryMs: 1000 })
    await waitFor(() =>
      expect(screen.getByTestId('service-unreachable')).toHaveTextContent(
        "Can't reach the recognition service right now.",
      ),
    )
    expect(screen.getByTestId('model-details')).toHaveTextContent('once the service is ready')
    expect(api.models).not.toHaveBeenCalled()
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    up = true
    await act(() => vi.advanceTimersByTimeAsync(1100))
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('cnn'))
  })

  it('says when the service has no model loaded', async () => {
    const api = fakeApi({
      health: vi.fn<DigitsApi['health']>(async () => ({
        status: 'unavailable',
        model_loaded: false,
        model_version: null,
        models: [],
      })),
    })
    renderApp({ api })
    expect(await screen.findByTestId('model-missing')).toHaveTextContent('no model loaded')
  })

  it('a brush size can be chosen', () => {
    renderApp()
    const slider = screen.getByLabelText('Brush size')
    fireEvent.change(slider, { target: { value: '30' } })
    expect(slider).toHaveValue('30')
  })

  it('redo puts an undone stroke back (button, Ctrl+Shift+Z and Ctrl+Y); a new stroke ends redo', async () => {
    const { api } = renderApp()
    await screen.findByText(/Service online/)
    const canvas = screen.getByTestId('draw-canvas')
    const redo = screen.getByRole('button', { name: 'Redo stroke' })
    expect(redo).toBeDisabled()
    drawStroke(canvas, seven)
    drawStroke(canvas, [
      [100, 150],
      [180, 150],
    ])
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true })
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true })
    expect(screen.getByTestId('prompt')).toBeInTheDocument()
    expect(redo).toBeEnabled()

    fireEvent.click(redo)
    expect(screen.getByText('1 stroke')).toBeInTheDocument()
    const calls = api.predict.mock.calls.length
    fireEvent.keyDown(window, { key: 'Z', ctrlKey: true, shiftKey: true })
    expect(screen.getByText('2 strokes')).toBeInTheDocument()
    expect(redo).toBeDisabled()
    // Redo asks for a prediction right away (as soon as the one in flight is back).
    await waitFor(() => expect(api.predict.mock.calls.length).toBeGreaterThan(calls))

    fireEvent.keyDown(window, { key: 'z', metaKey: true })
    fireEvent.keyDown(window, { key: 'y', ctrlKey: true })
    expect(screen.getByText('2 strokes')).toBeInTheDocument()

    fireEvent.keyDown(window, { key: 'z', ctrlKey: true })
    drawStroke(canvas, seven)
    expect(redo).toBeDisabled()
    expect(screen.getByText('2 strokes')).toBeInTheDocument()
  })

  it('shows an uncertain answer with its runner-up', async () => {
    const unsure = prediction(4, 0.48)
    unsure.probabilities[9] = 0.43
    renderApp({ api: fakeApi({ predict: vi.fn<DigitsApi['predict']>(async () => unsure) }) })
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('uncertain-text')).toHaveTextContent('Not sure — maybe 4, or 9'))
    expect(screen.getByTestId('quick-result')).toHaveTextContent('Maybe 4 or 9')
  })

  it("says that a drawing the service refuses doesn't look like a digit", async () => {
    renderApp({ api: fakeApi({ predict: vi.fn<DigitsApi['predict']>(async () => prediction(4, 0.97, 'cnn', 'not_a_digit')) }) })
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('not-a-digit')).toHaveTextContent("That doesn't look like a digit"))
    expect(screen.queryByTestId('prediction-digit')).not.toBeInTheDocument()
    expect(screen.getByTestId('quick-result')).toHaveTextContent('Not a digit')
    expect(screen.getByTestId('announcement')).toHaveTextContent("That doesn't look like a digit.")
  })

  it('says so when the service is slow to answer', async () => {
    const api = fakeApi({ predict: vi.fn<DigitsApi['predict']>(() => new Promise<Prediction>(() => {})) })
    renderApp({ api, slowAfterMs: 2000 })
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await act(() => vi.advanceTimersByTimeAsync(500))
    expect(screen.queryByTestId('slow')).not.toBeInTheDocument()
    await act(() => vi.advanceTimersByTimeAsync(2000))
    expect(screen.getByTestId('slow')).toHaveTextContent('taking longer than usual')
  })

  it('recognises a chosen image file through the upload endpoint and shows it', async () => {
    const { api } = renderApp()
    const file = new File(['png bytes'], 'my-three.png', { type: 'image/png' })
    fireEvent.change(screen.getByLabelText('Choose an image file of a digit'), { target: { files: [file] } })
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('3'))
    expect(api.predictFile).toHaveBeenCalledTimes(1)
    expect(api.predictFile.mock.calls[0]![0]).toBe(file)
    expect(api.predictFile.mock.calls[0]![1]).toMatchObject({ model: null })
    expect(api.predict).not.toHaveBeenCalled()
    expect(screen.getByTestId('image-preview')).toBeInTheDocument()
    expect(screen.getByRole('img', { name: 'The image being recognised: my-three.png' })).toHaveAttribute(
      'src',
      expect.stringMatching(/^blob:/),
    )
    expect(screen.queryByTestId('draw-canvas')).not.toBeInTheDocument()
    expect(screen.getByTestId('undo-button')).toBeDisabled()

    // Clear goes back to an empty canvas.
    fireEvent.click(screen.getByRole('button', { name: 'Remove the image and draw' }))
    expect(screen.getByTestId('draw-canvas')).toBeInTheDocument()
    expect(screen.getByTestId('prompt')).toBeInTheDocument()
  })

  it('accepts an image dropped onto the page, showing a drop target while dragging', async () => {
    const { api } = renderApp()
    const file = new File(['png bytes'], 'dropped.png', { type: 'image/png' })
    const zone = screen.getByTestId('drop-zone')
    const dataTransfer = { types: ['Files'], files: [new File(['x'], 'notes.txt', { type: 'text/plain' }), file] }
    fireEvent.dragEnter(zone, { dataTransfer })
    expect(screen.getByTestId('drop-overlay')).toHaveTextContent('Drop the image to recognise it')
    expect(zone).toHaveClass('is-dragging')
    fireEvent.dragOver(zone, { dataTransfer })
    fireEvent.drop(zone, { dataTransfer })
    expect(screen.queryByTestId('drop-overlay')).not.toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('3'))
    // The image among the dropped files is the one sent.
    expect(api.predictFile.mock.calls[0]![0]).toBe(file)
    expect(screen.getByTestId('image-caption')).toHaveTextContent('dropped.png')
  })

  it('a drawing replaces nothing while dragging text; leaving the page hides the drop target', () => {
    renderApp()
    const zone = screen.getByTestId('drop-zone')
    fireEvent.dragEnter(zone, { dataTransfer: { types: ['text/plain'], files: [] } })
    expect(screen.queryByTestId('drop-overlay')).not.toBeInTheDocument()
    fireEvent.dragEnter(zone, { dataTransfer: { types: ['Files'], files: [] } })
    expect(screen.getByTestId('drop-overlay')).toBeInTheDocument()
    fireEvent.dragLeave(zone, { dataTransfer: { types: ['Files'], files: [] } })
    expect(screen.queryByTestId('drop-overlay')).not.toBeInTheDocument()
  })

  it('shows the API detail when an uploaded file is not an image', async () => {
    const api = fakeApi({
      predictFile: vi.fn<DigitsApi['predictFile']>(async () => {
        throw new ApiError('http', 'The file is not a PNG, JPEG, WebP, BMP or GIF image.', 400, 'invalid_image')
      }),
    })
    renderApp({ api })
    const file = new File(['hello'], 'notes.txt', { type: 'text/plain' })
    fireEvent.change(screen.getByLabelText('Choose an image file of a digit'), { target: { files: [file] } })
    await waitFor(() => expect(screen.getByTestId('prediction-error')).toHaveTextContent("isn't an image the service can read"))
  })

  it('recognises an example from the gallery with one click', async () => {
    const { api, examples } = renderApp()
    const button = await screen.findByRole('button', { name: 'Try handwritten 3 (MNIST test image 18)' })
    expect(screen.getAllByTestId('example')).toHaveLength(2)
    expect(button).toHaveAttribute('aria-pressed', 'false')
    fireEvent.click(button)
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('3'))
    expect(examples.image).toHaveBeenCalledWith(exampleList[1])
    expect(api.predictFile.mock.calls[0]![0]).toBe(exampleBlob)
    expect(button).toHaveAttribute('aria-pressed', 'true')
    expect(screen.getByTestId('image-caption')).toHaveTextContent('MNIST test image 18, labelled 3')
    expect(screen.getByRole('img', { name: /being recognised/ })).toHaveAttribute('src', '/examples/mnist-test-00018.png')

    // Escape returns to drawing.
    fireEvent.keyDown(window, { key: 'Escape' })
    expect(screen.getByTestId('prompt')).toBeInTheDocument()
    expect(button).toHaveAttribute('aria-pressed', 'false')
  })

  it('lists the models and sends the drawing to the one chosen', async () => {
    const api = fakeApi({
      predict: vi.fn<DigitsApi['predict']>(async (_image, options) => prediction(7, 0.95, options?.model ?? 'cnn')),
    })
    renderApp({ api })
    const select = await screen.findByRole('combobox', { name: 'Model' })
    await waitFor(() => expect(select).toBeEnabled())
    expect(select).toHaveValue('cnn')
    const options = within(select).getAllByRole('option')
    expect(options.map((o) => o.textContent)).toEqual([
      'cnn (default) — LiteRT · 99.61% · 1.2 MB',
      'cnn-keras — Keras · 99.61% · 3.4 MB',
      'mlp — NumPy · 97.80% · 1.2 MB',
    ])
    expect(screen.getByTestId('model-details')).toHaveTextContent('The cnn model · 1k parameters')

    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('model-version')).toHaveTextContent('Answered by cnn'))
    // Until one is chosen, the service's default answers.
    expect(api.predict.mock.calls.at(-1)![1]).toMatchObject({ model: null })

    fireEvent.change(select, { target: { value: 'cnn-keras' } })
    await waitFor(() => expect(screen.getByTestId('model-version')).toHaveTextContent('Answered by cnn-keras'))
    expect(api.predict.mock.calls.at(-1)![1]).toMatchObject({ model: 'cnn-keras' })
    expect(screen.getByTestId('model-details')).toHaveTextContent('The cnn-keras model')
  })

  it('compares every model side by side with one request per drawing change', async () => {
    const digits: Record<string, number> = { cnn: 7, 'cnn-keras': 7, mlp: 1 }
    const api = fakeApi({
      predict: vi.fn<DigitsApi['predict']>(async (_image, options) => {
        const answer = prediction(7, 0.9, options?.model ?? 'cnn')
        if (!options?.models) return answer
        return {
          ...answer,
          comparison: options.models.map((name, i) => ({ ...prediction(digits[name]!, 0.9, name), inference_ms: 0.5 + i })),
        }
      }),
    })
    renderApp({ api })
    const toggle = await screen.findByRole('switch', { name: 'Compare all models' })
    await waitFor(() => expect(toggle).toBeEnabled())
    fireEvent.click(toggle)
    expect(screen.getByTestId('compare-view')).toHaveTextContent('every model will read it')
    expect(api.predict).not.toHaveBeenCalled()

    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getAllByTestId('compare-item')).toHaveLength(3))
    await waitFor(() => expect(screen.getByTestId('workspace')).toHaveAttribute('data-pending', 'false'))
    const items = screen.getAllByTestId('compare-item')
    expect(items.map((item) => item.dataset.model)).toEqual(['cnn', 'cnn-keras', 'mlp'])
    expect(within(items[0]!).getByTestId('compare-digit')).toHaveTextContent('7')
    expect(within(items[2]!).getByTestId('compare-digit')).toHaveTextContent('1')
    expect(within(items[1]!).getByText('Keras')).toBeInTheDocument()
    expect(within(items[0]!).getByTestId('compare-latency')).toHaveTextContent('0.50 ms')
    expect(within(items[0]!).getByRole('img', { name: /Top probabilities: 7: 90\.0%/ })).toBeInTheDocument()
    expect(items[0]).toHaveClass('is-selected')
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('The models disagree.')

    // Every request of the drawing named all the models: no request per model.
    for (const [image, options] of api.predict.mock.calls) {
      expect(image).toBe(FAKE_PNG)
      expect(options!.models).toEqual(['cnn', 'cnn-keras', 'mlp'])
    }
    const before = api.predict.mock.calls.length
    drawStroke(screen.getByTestId('draw-canvas'), [
      [100, 150],
      [180, 150],
    ])
    await waitFor(() => expect(screen.getByTestId('workspace')).toHaveAttribute('data-pending', 'false'))
    // One stroke: pen-down, the moves (latest only while one is in flight) and pen-up.
    expect(api.predict.mock.calls.length - before).toBeLessThanOrEqual(4)

    fireEvent.click(toggle)
    expect(screen.queryByTestId('compare-view')).not.toBeInTheDocument()
  })

  it('asks for the saliency when "Show what drove the answer" is on and shows it', async () => {
    const saliency = Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => 0.5))
    const api = fakeApi({
      predict: vi.fn<DigitsApi['predict']>(async (_image, options) => ({
        ...prediction(7),
        ...(options?.explain ? { saliency } : {}),
      })),
    })
    renderApp({ api })
    await screen.findByText(/Service online/)
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
    expect(api.predict.mock.calls.at(-1)![1]).toMatchObject({ explain: false })
    expect(screen.queryByTestId('saliency-input')).not.toBeInTheDocument()
    fireEvent.click(screen.getByRole('switch', { name: 'Show what drove the answer' }))
    await waitFor(() => expect(screen.getByTestId('saliency-input')).toBeInTheDocument())
    expect(api.predict.mock.calls.at(-1)![1]).toMatchObject({ explain: true })
    expect(screen.getByTestId('saliency-drawing')).toBeInTheDocument()
    expect(screen.getByRole('img', { name: /with what drove the answer in red/ })).toBeInTheDocument()
  })

  it('hides the comparison switch when the model list is not available', async () => {
    renderApp({
      api: fakeApi({
        models: vi.fn<DigitsApi['models']>(async () => {
          throw new ApiError('http', 'Not Found', 404)
        }),
      }),
    })
    await waitFor(() => expect(screen.getByTestId('model-details')).toHaveTextContent('not available'))
    expect(screen.getByRole('switch', { name: 'Compare all models' })).toBeDisabled()
  })
})
