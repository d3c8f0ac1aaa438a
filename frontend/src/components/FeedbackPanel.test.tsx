import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi, type Mock } from 'vitest'
import { ApiError, type Prediction } from '../api/client'
import type { FeedbackApi } from '../api/feedback'
import type { Input } from '../hooks/useInput'
import { emptyDrawing, type Drawing } from '../lib/strokes'
import { FAKE_PNG } from '../test/setup'
import { FeedbackPanel } from './FeedbackPanel'

function answer(digit: number, verdict: Prediction['verdict'] = 'digit'): Prediction {
  return {
    digit,
    confidence: 0.9,
    verdict,
    uncertain: verdict !== 'digit',
    not_a_digit: verdict === 'not_a_digit' ? 0.95 : 0.01,
    probabilities: Array.from({ length: 10 }, (_, d) => (d === digit ? 0.9 : 0.1 / 9)),
    model: 'cnn',
    model_version: 'cnn-v1',
    input_image: '',
  }
}

const drawn: Drawing = { strokes: [{ points: [{ x: 10, y: 10 }, { x: 50, y: 90 }], size: 20 }], active: null, undone: [] }

function input(overrides: Partial<Input> = {}): Input {
  return {
    drawing: drawn,
    image: null,
    empty: false,
    onAction: vi.fn(),
    undo: vi.fn(),
    redo: vi.fn(),
    clear: vi.fn(),
    showFile: vi.fn(),
    showExample: vi.fn(),
    ...overrides,
  }
}

type FakeFeedbackApi = FeedbackApi & { send: Mock<FeedbackApi['send']> }

function fakeApi(send?: FeedbackApi['send']): FakeFeedbackApi {
  return {
    send: vi.fn<FeedbackApi['send']>(send ?? (async () => 'id-1')),
    stats: vi.fn(async () => ({ total: 0, by_label: {}, agreement: null, by_model_version: {} })),
  }
}

function setup(props: { api?: FakeFeedbackApi; input?: Input; result?: Prediction | null; random?: () => number } = {}) {
  const api = props.api ?? fakeApi()
  const canvas = document.createElement('canvas')
  const view = render(
    <FeedbackPanel
      api={api}
      input={props.input ?? input()}
      canvasRef={{ current: canvas }}
      result={props.result === undefined ? answer(7) : props.result}
      random={props.random ?? (() => 0.45)}
    />,
  )
  return { api, ...view }
}

describe('FeedbackPanel', () => {
  afterEach(() => window.localStorage.clear())

  it('confirms the answer with one tap', async () => {
    const { api } = setup()
    expect(screen.getByText('Is it 7?')).toBeInTheDocument()
    fireEvent.pointerDown(window, { pointerType: 'touch' })
    fireEvent.click(screen.getByTestId('feedback-yes'))
    await screen.findByTestId('feedback-done')
    expect(screen.getByTestId('feedback-done')).toHaveTextContent('saved as 7')
    const body = api.send.mock.calls[0]![0]
    expect(body).toMatchObject({ image: FAKE_PNG, label: 7, predicted: 7, model_version: 'cnn-v1' })
    expect(body.strokes).toEqual([[[10, 10, 0], [50, 90, 0]]])
    expect(body.canvas).toEqual({ width: 280, height: 280 })
    expect(screen.getByTestId('teach-count')).toHaveTextContent('You have given 1 drawing.')
  })

  it('corrects it with a digit or "not a digit"', async () => {
    const { api } = setup()
    expect(screen.queryByTestId('feedback-digit-7')).toBeNull() // the answer itself is "Yes"
    fireEvent.click(screen.getByTestId('feedback-digit-1'))
    await screen.findByTestId('feedback-done')
    expect(api.send.mock.calls[0]![0]).toMatchObject({ label: 1, predicted: 7 })

    const second = setup({ api: fakeApi() })
    fireEvent.click(second.getAllByTestId('feedback-not-a-digit')[0]!)
    await waitFor(() => expect(second.api.send).toHaveBeenCalled())
    expect(second.api.send.mock.calls[0]![0]).toMatchObject({ label: null, predicted: 7 })
  })

  it('asks "Not a digit, right?" when the model refused the drawing', async () => {
    const { api } = setup({ result: answer(3, 'not_a_digit') })
    expect(screen.getByText('Not a digit, right?')).toBeInTheDocument()
    expect(screen.queryByTestId('feedback-not-a-digit')).toBeNull()
    fireEvent.click(screen.getByTestId('feedback-yes'))
    await waitFor(() => expect(api.send).toHaveBeenCalled())
    expect(api.send.mock.calls[0]![0]).toMatchObject({ label: null, predicted: null })
    expect(await screen.findByTestId('feedback-done')).toHaveTextContent('saved as not a digit')
  })

  it('says why a drawing was not saved, and lets the user try again', async () => {
    let fail = true
    const api = fakeApi(async () => {
      if (fail) throw new ApiError('http', 'too many drawings from this client', 429, 'rate_limited')
      return 'id-2'
    })
    setup({ api })
    fireEvent.click(screen.getByTestId('feedback-yes'))
    expect(await screen.findByRole('alert')).toHaveTextContent('a lot of drawings in a short time')
    expect(screen.getByTestId('teach-count')).toHaveTextContent('You have given 0 drawings.')
    fail = false
    fireEvent.click(screen.getByTestId('feedback-yes'))
    await screen.findByTestId('feedback-done')
  })

  it('shows no question before an answer, for an empty canvas or an image', () => {
    setup({ result: null })
    expect(screen.queryByTestId('feedback-bar')).toBeNull()
    setup({ input: input({ empty: true, drawing: emptyDrawing }) })
    expect(screen.queryByTestId('feedback-bar')).toBeNull()
  })

  it('sends nothing once the switch is off, and remembers it', async () => {
    const { api, unmount } = setup()
    expect(screen.getByTestId('feedback-notice')).toHaveTextContent('stored to improve the model')
    fireEvent.click(screen.getByTestId('feedback-switch'))
    expect(screen.getByTestId('feedback-off')).toBeInTheDocument()
    expect(screen.queryByTestId('feedback-yes')).toBeNull()
    expect(screen.getByTestId('teach-toggle')).toBeDisabled()
    expect(window.localStorage.getItem('digits.feedback')).toBe('off')
    unmount()
    setup({ api })
    expect(screen.getByTestId('feedback-switch')).not.toBeChecked()
    fireEvent.click(screen.getByTestId('feedback-switch'))
    expect(screen.getByTestId('feedback-yes')).toBeInTheDocument()
    expect(window.localStorage.getItem('digits.feedback')).toBe('on')
    expect(api.send).not.toHaveBeenCalled()
  })

  it('Teach mode asks for a digit, sends it labelled, clears the canvas and asks for another', async () => {
    const current = input()
    const rolls = [0.45, 0.05, 0.95]
    const { api } = setup({ input: current, random: () => rolls.shift() ?? 0.5 })
    fireEvent.click(screen.getByTestId('teach-toggle'))
    expect(screen.getByTestId('teach-toggle')).toHaveAttribute('aria-pressed', 'true')
    expect(screen.getByTestId('teach-target')).toHaveTextContent('4')
    await act(async () => {
      fireEvent.click(screen.getByTestId('teach-send'))
    })
    expect(api.send.mock.calls[0]![0]).toMatchObject({ label: 4, predicted: 7 })
    expect(current.clear).toHaveBeenCalled()
    expect(screen.getByTestId('teach-target')).toHaveTextContent('0')
    expect(screen.getByTestId('teach-count')).toHaveTextContent('You have given 1 drawing.')
    fireEvent.click(screen.getByTestId('teach-skip'))
    expect(screen.getByTestId('teach-target')).toHaveTextContent('9')  // 0.95 of the nine digits other than 0
    expect(api.send).toHaveBeenCalledTimes(1)
    expect(window.localStorage.getItem('digits.taught')).toBe('1')
    fireEvent.click(screen.getByTestId('teach-toggle'))
    expect(screen.getByText('Was it right?')).toBeInTheDocument()
  })

  it('Teach mode cannot send an empty canvas, and shows a failure', async () => {
    const api = fakeApi(async () => {
      throw new ApiError('unreachable', 'The recognition service did not answer.')
    })
    const { rerender } = setup({ api, input: input({ empty: true, drawing: emptyDrawing }), result: null })
    fireEvent.click(screen.getByTestId('teach-toggle'))
    expect(screen.getByTestId('teach-send')).toBeDisabled()
    const canvas = document.createElement('canvas')
    rerender(<FeedbackPanel api={api} input={input()} canvasRef={{ current: canvas }} result={null} random={() => 0.45} />)
    fireEvent.click(screen.getByTestId('teach-send'))
    expect(await screen.findByRole('alert')).toHaveTextContent("Can't reach the recognition service")
  })

  it('keeps the count across visits', () => {
    window.localStorage.setItem('digits.taught', '12')
    setup()
    expect(screen.getByTestId('teach-count')).toHaveTextContent('You have given 12 drawings.')
  })

  it('does not send without a canvas', async () => {
    const api = fakeApi()
    render(<FeedbackPanel api={api} input={input()} canvasRef={{ current: null }} result={answer(2)} />)
    fireEvent.click(screen.getByTestId('feedback-yes'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(api.send).not.toHaveBeenCalled()
  })
})
