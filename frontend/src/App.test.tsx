import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest'
import App from './App'
import { ApiError, type DigitsApi, type Health, type Prediction } from './api/client'
import { FAKE_PNG } from './test/setup'

function prediction(digit: number, confidence = 0.95): Prediction {
  const rest = (1 - confidence) / 9
  return {
    digit,
    confidence,
    probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? confidence : rest)),
    model: 'cnn',
    model_version: 'test-model',
    input_image: 'iVBORw0KGgo=',
  }
}

const healthy: Health = { status: 'ok', model_loaded: true, model_version: 'test-model', models: ['cnn'] }

interface FakeApi extends DigitsApi {
  predict: Mock<DigitsApi['predict']>
  health: Mock<DigitsApi['health']>
}

function fakeApi(overrides: Partial<FakeApi> = {}): FakeApi {
  return {
    predict: vi.fn<DigitsApi['predict']>(async () => prediction(7)),
    health: vi.fn<DigitsApi['health']>(async () => healthy),
    ...overrides,
  }
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
  it('prompts for a digit and sends nothing while the canvas is empty', async () => {
    const api = fakeApi()
    render(<App api={api} />)
    expect(screen.getByTestId('prompt')).toHaveTextContent('Draw a digit 0–9')
    await act(() => vi.advanceTimersByTimeAsync(1000))
    expect(api.predict).not.toHaveBeenCalled()
    expect(screen.getByTestId('clear-button')).toBeDisabled()
    expect(screen.getByTestId('service-status')).toHaveTextContent('Service online · model test-model')
  })

  it('predicts the drawing when a stroke ends and shows the result', async () => {
    const api = fakeApi()
    render(<App api={api} />)
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
    expect(api.predict).toHaveBeenCalled()
    expect(api.predict.mock.calls.at(-1)![0]).toBe(FAKE_PNG)
    expect(screen.getByTestId('confidence')).toHaveTextContent('95.0%')
  })

  it('predicts while drawing, debounced', async () => {
    const api = fakeApi()
    render(<App api={api} debounceMs={150} />)
    await screen.findByText(/Service online/)
    const canvas = screen.getByTestId('draw-canvas')
    fireEvent.pointerDown(canvas, { pointerId: 1, pointerType: 'mouse', button: 0, clientX: 10, clientY: 10 })
    fireEvent.pointerMove(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 40, clientY: 40 })
    fireEvent.pointerMove(canvas, { pointerId: 1, pointerType: 'mouse', clientX: 60, clientY: 80 })
    expect(api.predict).not.toHaveBeenCalled()
    await act(() => vi.advanceTimersByTimeAsync(200))
    expect(api.predict).toHaveBeenCalledTimes(1)
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
  })

  it('aborts a stale request when the drawing changes', async () => {
    const signals: AbortSignal[] = []
    const api = fakeApi({
      predict: vi.fn<DigitsApi['predict']>((_image, signal) => {
        signals.push(signal!)
        return new Promise<Prediction>(() => {})
      }),
    })
    render(<App api={api} />)
    const canvas = screen.getByTestId('draw-canvas')
    drawStroke(canvas, seven)
    drawStroke(canvas, [
      [100, 150],
      [180, 150],
    ])
    expect(signals.length).toBeGreaterThanOrEqual(2)
    expect(signals.slice(0, -1).every((s) => s.aborted)).toBe(true)
    expect(signals.at(-1)!.aborted).toBe(false)
  })

  it('clear (button or Escape) returns to the prompt; Ctrl+Z undoes a stroke', async () => {
    const api = fakeApi()
    render(<App api={api} />)
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
    render(<App api={fakeApi()} />)
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
    render(<App api={api} />)
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    await waitFor(() => expect(screen.getByTestId('prediction-error')).toHaveTextContent('The image contains no ink.'))
  })

  it('says the service is unreachable and recovers when it comes up', async () => {
    let up = false
    const api = fakeApi({
      health: vi.fn<DigitsApi['health']>(async () => {
        if (!up) throw new ApiError('unreachable', 'Failed to fetch')
        return healthy
      }),
    })
    render(<App api={api} healthRetryMs={1000} />)
    await waitFor(() =>
      expect(screen.getByTestId('service-unreachable')).toHaveTextContent(
        'The recognition service is not reachable. Start it with make run.',
      ),
    )
    drawStroke(screen.getByTestId('draw-canvas'), seven)
    up = true
    await act(() => vi.advanceTimersByTimeAsync(1100))
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7'))
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
    render(<App api={api} />)
    expect(await screen.findByTestId('model-missing')).toHaveTextContent('no model loaded')
  })

  it('a brush size can be chosen', () => {
    render(<App api={fakeApi()} />)
    const slider = screen.getByLabelText('Brush size')
    fireEvent.change(slider, { target: { value: '30' } })
    expect(slider).toHaveValue('30')
  })
})
