import { render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { ModelInfo, Prediction } from '../api/client'
import type { ModelAnswer } from '../lib/compare'
import { CompareView, type CompareViewProps } from './CompareView'

function result(model: string, digit: number, confidence: number, second = (digit + 1) % 10): Prediction {
  const probabilities = Array.from({ length: 10 }, () => 0)
  probabilities[digit] = confidence
  probabilities[second] = 1 - confidence
  return { digit, confidence, uncertain: confidence < 0.6, probabilities, model, model_version: 'v', input_image: '' }
}

const models = [{ name: 'cnn', engine: 'litert' }, { name: 'cnn-keras', engine: 'keras' }] as ModelInfo[]

const answers: ModelAnswer[] = [
  { model: 'cnn', result: result('cnn', 4, 0.97), error: null, latencyMs: 12.4 },
  { model: 'cnn-keras', result: result('cnn-keras', 9, 0.52, 4), error: null, latencyMs: 1520 },
]

const base: CompareViewProps = { models, answers, loading: false, error: null, empty: false, selected: 'cnn' }

describe('CompareView', () => {
  it("shows every model's digit, confidence, bars and latency", () => {
    render(<CompareView {...base} />)
    const [first, second] = screen.getAllByTestId('compare-item')
    expect(within(first!).getByRole('heading', { name: 'cnn' })).toBeInTheDocument()
    expect(within(first!).getByText('LiteRT')).toBeInTheDocument()
    expect(within(first!).getByTestId('compare-digit')).toHaveTextContent('4')
    expect(within(first!).getByTestId('compare-confidence')).toHaveTextContent('97.0%')
    expect(within(first!).getByTestId('compare-latency')).toHaveTextContent('12 ms')
    expect(within(first!).getByTestId('mini-bars').children).toHaveLength(10)
    expect(first).toHaveClass('is-selected')

    expect(within(second!).getByTestId('compare-digit')).toHaveTextContent('9')
    expect(within(second!).getByText('not sure, or 4')).toBeInTheDocument()
    expect(within(second!).getByTestId('compare-latency')).toHaveTextContent('1.5 s')
    expect(within(second!).getByRole('img')).toHaveAccessibleName('Top probabilities: 9: 52.0%, 4: 48.0%, 0: 0.0%')
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('The models disagree.')
  })

  it('says when all models agree', () => {
    render(<CompareView {...base} answers={[answers[0]!, { ...answers[0]!, model: 'cnn-keras' }]} />)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('All 2 models read 4.')
  })

  it('prompts for input, waits for the first answers and shows a failure', () => {
    const { rerender } = render(<CompareView {...base} answers={null} empty />)
    expect(screen.getByTestId('compare-view')).toHaveTextContent('Draw a digit or choose an image')
    rerender(<CompareView {...base} answers={null} loading />)
    expect(screen.getByText('Asking every model…')).toBeInTheDocument()
    expect(screen.getByRole('status')).toHaveTextContent('Comparing…')
    rerender(<CompareView {...base} error="The recognition service did not answer." />)
    expect(screen.getByRole('alert')).toHaveTextContent('did not answer')
  })
})
