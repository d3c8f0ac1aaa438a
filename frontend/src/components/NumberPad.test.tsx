import { act, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api/client'
import type { FeedbackApi } from '../api/feedback'
import { CONSENT_KEY } from '../hooks/useFeedbackConsent'
import { ERROR_SENTENCES } from '../lib/format'
import { FAKE_PNG } from '../test/setup'
import { createNumbersApi, type NumberReading, type NumbersApi } from '../api/numbers'
import { NumberPad } from './NumberPad'

const probabilities = (d: number) => Array.from({ length: 10 }, (_, i) => (i === d ? 0.91 : 0.01))
const READING: NumberReading = {
  number: '26',
  confidence: 0.5,
  model: 'cnn',
  model_version: 'v',
  digits: [
    { digit: 2, confidence: 0.99, probabilities: probabilities(2), verdict: 'digit', box: [84, 28, 100, 140], input_image: 'AAAA' },
    { digit: 6, confidence: 0.55, probabilities: probabilities(6), verdict: 'uncertain', box: [300, 28, 100, 140], input_image: 'BBBB' },
    { digit: 1, confidence: 0.4, probabilities: probabilities(1), verdict: 'not_a_digit', box: [500, 28, 100, 140], input_image: 'CCCC' },
  ],
}

function write(canvas: HTMLElement, x0: number, x1: number) {
  fireEvent.pointerDown(canvas, { pointerId: 1, clientX: x0, clientY: 20 })
  fireEvent.pointerMove(canvas, { pointerId: 1, clientX: x1, clientY: 120 })
  fireEvent.pointerMove(canvas, { pointerId: 2, clientX: 0, clientY: 0 }) // another pointer: ignored
  fireEvent.pointerUp(canvas, { pointerId: 1, clientX: x1, clientY: 120 })
}

function fakeFeedback(send: FeedbackApi['send'] = async () => 'id-1') {
  return {
    send: vi.fn<FeedbackApi['send']>(send),
    stats: vi.fn(async () => ({ total: 0, by_label: {}, agreement: null, by_model_version: {} })),
  }
}

function setup(api: NumbersApi, feedback: FeedbackApi = fakeFeedback()) {
  render(<NumberPad api={api} feedback={feedback} model="cnn" minIntervalMs={0} />)
  const canvas = screen.getByTestId('number-canvas')
  vi.spyOn(canvas, 'getBoundingClientRect').mockReturnValue(DOMRect.fromRect({ x: 0, y: 0, width: 420, height: 140 }))
  return canvas
}

describe('NumberPad', () => {
  // Renders the Recharts chart: slow on a busy machine.
  it('sends the finished strokes in canvas pixels and shows the number, boxes and a tapped digit', { timeout: 20_000 }, async () => {
    const predictNumber = vi.fn().mockResolvedValue(READING)
    const canvas = setup({ predictNumber })
    expect(screen.getByTestId('number-prompt')).toHaveTextContent('2026')
    write(canvas, 10, 30)
    expect(await screen.findByTestId('number-value')).toHaveTextContent('26')
    const [strokes, options] = predictNumber.mock.calls[0]!
    expect(strokes[0][0].slice(0, 2)).toEqual([20, 40]) // shown at half size: doubled
    expect(options.model).toBe('cnn')
    const boxes = screen.getAllByTestId('digit-box')
    expect(boxes.map((b) => b.getAttribute('data-verdict'))).toEqual(['digit', 'uncertain', 'not_a_digit'])
    expect(boxes[1]).toHaveTextContent('6?')
    expect(boxes[2]).toHaveTextContent('✕')
    expect(parseFloat(boxes[0]!.style.left)).toBe(10)
    fireEvent.click(boxes[1]!)
    expect(screen.getByTestId('digit-detail')).toBeInTheDocument()
    expect(screen.getByTestId('digit-input-image')).toHaveAttribute('src', 'data:image/png;base64,BBBB')
    fireEvent.click(boxes[1]!)
    expect(screen.queryByTestId('digit-detail')).toBeNull()
    fireEvent.click(screen.getByText('Undo'))
    expect(screen.getByTestId('number-prompt')).toBeInTheDocument()
  })

  it('shows the error of a failed reading and clears', async () => {
    const predictNumber = vi.fn().mockRejectedValue(new ApiError('http', 'the drawing has 14 separate pieces', 422, 'too_many_digits'))
    const canvas = setup({ predictNumber })
    write(canvas, 10, 30)
    expect(await screen.findByRole('alert')).toHaveTextContent(/14 separate pieces/)
    fireEvent.pointerDown(canvas, { pointerId: 4, clientX: 40, clientY: 20 })
    fireEvent.pointerCancel(canvas, { pointerId: 4 })
    await act(async () => {})
    fireEvent.click(screen.getByTestId('number-clear'))
    expect(screen.getByTestId('number-prompt')).toBeInTheDocument()
  })
})

describe('NumberPad feedback per digit', () => {
  afterEach(() => localStorage.clear())

  /** One stroke inside the second digit's box ([300, 28, 100, 140]), in canvas px at half size. */
  function writeSix(canvas: HTMLElement) {
    fireEvent.pointerDown(canvas, { pointerId: 1, clientX: 160, clientY: 30, pointerType: 'mouse' })
    fireEvent.pointerMove(canvas, { pointerId: 1, clientX: 180, clientY: 60 })
    fireEvent.pointerUp(canvas, { pointerId: 1, clientX: 180, clientY: 60 })
  }

  it('corrects a tapped digit: its crop, its strokes, the digit read and the version are sent; the box is marked', { timeout: 20_000 }, async () => {
    const feedback = fakeFeedback()
    const canvas = setup({ predictNumber: vi.fn().mockResolvedValue(READING) }, feedback)
    writeSix(canvas)
    await screen.findByTestId('number-value')
    fireEvent.click(screen.getAllByTestId('digit-box')[1]!)
    const bar = screen.getByRole('group', { name: 'Is digit 2 right?' })
    expect(bar).toHaveTextContent('Is it 6?')
    await act(async () => {
      fireEvent.click(within(bar).getByRole('button', { name: 'It is 5' }))
    })
    expect(feedback.send).toHaveBeenCalledTimes(1)
    const body = feedback.send.mock.calls[0]![0]
    // The box grown by 8 px: x 292-408, y 20-176; the stroke (320, 60) -> (360, 120) moved by (-292, -20).
    expect(body).toMatchObject({
      image: FAKE_PNG,
      label: 5,
      predicted: 6,
      model_version: 'v',
      probabilities: probabilities(6),
      canvas: { width: 116, height: 156 },
      device: 'mouse',
    })
    expect(body.strokes).toHaveLength(1)
    expect(body.strokes![0]!.map(([x, y]) => [x, y])).toEqual([[28, 40], [68, 100]])
    expect(screen.getByTestId('feedback-done')).toHaveTextContent('Thanks: saved as 5.')
    const box = screen.getAllByTestId('digit-box')[1]!
    expect(box).toHaveAttribute('data-feedback', 'corrected')
    expect(box).toHaveAccessibleName(/corrected to 5$/)
    // Another digit has its own state; "not a digit" for a piece read as not a digit is a confirmation.
    fireEvent.click(screen.getAllByTestId('digit-box')[2]!)
    expect(screen.getByTestId('feedback-bar')).toHaveTextContent('Not a digit, right?')
    await act(async () => {
      fireEvent.click(screen.getByTestId('feedback-yes'))
    })
    expect(feedback.send.mock.calls[1]![0]).toMatchObject({ label: null, predicted: null, strokes: null })
    expect(screen.getAllByTestId('digit-box')[2]).toHaveAttribute('data-feedback', 'confirmed')
    expect(screen.getAllByTestId('digit-box')[1]).toHaveAttribute('data-feedback', 'corrected')
  })

  it('shows the error sentence when the digit is not stored, and nothing is marked', async () => {
    const feedback = fakeFeedback(async () => {
      throw new ApiError('http', 'too many', 429, 'rate_limited')
    })
    const canvas = setup({ predictNumber: vi.fn().mockResolvedValue(READING) }, feedback)
    writeSix(canvas)
    await screen.findByTestId('number-value')
    fireEvent.click(screen.getAllByTestId('digit-box')[0]!)
    await act(async () => {
      fireEvent.click(screen.getByTestId('feedback-yes'))
    })
    expect(feedback.send.mock.calls[0]![0]).toMatchObject({ label: 2, predicted: 2 })
    expect(screen.getByRole('alert')).toHaveTextContent(`Not saved: ${ERROR_SENTENCES.rate_limited}`)
    expect(screen.getAllByTestId('digit-box')[0]).not.toHaveAttribute('data-feedback')
  })

  it('sends nothing while feedback is switched off (remembered in the browser), and the switch turns it on', async () => {
    localStorage.setItem(CONSENT_KEY, 'off')
    const feedback = fakeFeedback()
    const canvas = setup({ predictNumber: vi.fn().mockResolvedValue(READING) }, feedback)
    expect(screen.getByTestId('feedback-notice')).toHaveTextContent('stored to improve the model')
    expect(screen.getByTestId('feedback-switch')).not.toBeChecked()
    writeSix(canvas)
    await screen.findByTestId('number-value')
    fireEvent.click(screen.getAllByTestId('digit-box')[1]!)
    expect(screen.getByTestId('feedback-off')).toBeInTheDocument()
    expect(screen.queryByTestId('feedback-bar')).toBeNull()
    fireEvent.click(screen.getByTestId('feedback-switch'))
    expect(localStorage.getItem(CONSENT_KEY)).toBe('on')
    expect(screen.getByTestId('feedback-bar')).toBeInTheDocument()
    expect(feedback.send).not.toHaveBeenCalled()
  })
})

describe('createNumbersApi', () => {
  it('posts strokes and the model, and turns error bodies into ApiErrors', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify(READING), { status: 200, headers: { 'content-type': 'application/json' } }))
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ detail: 'bad strokes', code: 'invalid_strokes' }), {
          status: 422,
          headers: { 'content-type': 'application/json' },
        }),
      )
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const api = createNumbersApi({ baseUrl: 'http://api', fetch })
    await expect(api.predictNumber([[[1, 2, 3]]], { model: 'cnn' })).resolves.toEqual(READING)
    const request = fetch.mock.calls[0]![0] as Request
    expect(request.url).toBe('http://api/predict/number')
    expect(await request.json()).toEqual({ strokes: [[[1, 2, 3]]], model: 'cnn' })
    await expect(api.predictNumber([[[1, 2]]])).rejects.toMatchObject({ code: 'invalid_strokes', status: 422 })
    await expect(api.predictNumber([[[1, 2]]])).rejects.toMatchObject({ kind: 'unreachable' })
    const aborted = vi.fn().mockRejectedValue(new DOMException('aborted', 'AbortError'))
    await expect(createNumbersApi({ baseUrl: 'http://api', fetch: aborted }).predictNumber([[[1, 2]]])).rejects.toMatchObject({ name: 'AbortError' })
  })
})
