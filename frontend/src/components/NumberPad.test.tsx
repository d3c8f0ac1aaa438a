import { act, fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api/client'
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

function setup(api: NumbersApi) {
  render(<NumberPad api={api} model="cnn" minIntervalMs={0} />)
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
