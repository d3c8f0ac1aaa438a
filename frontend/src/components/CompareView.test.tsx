import { render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { ModelInfo, ModelReading, Prediction } from '../api/client'
import type { ModelAnswer } from '../lib/compare'
import { CompareView, type CompareViewProps } from './CompareView'

function result(
  model: string,
  digit: number,
  confidence: number,
  second = (digit + 1) % 10,
  verdict: Prediction['verdict'] = confidence < 0.6 ? 'uncertain' : 'digit',
): ModelReading {
  const probabilities = Array.from({ length: 10 }, () => 0)
  probabilities[digit] = confidence
  probabilities[second] = 1 - confidence
  const uncertain = verdict !== 'digit'
  const notADigit = verdict === 'not_a_digit' ? 0.9 : 0.01
  return { digit, confidence, verdict, uncertain, not_a_digit: notADigit, probabilities, model, model_version: 'v', inference_ms: 1 }
}

const models = [
  { name: 'cnn', engine: 'litert' },
  { name: 'cnn-keras', engine: 'keras' },
  { name: 'mlp', engine: 'numpy' },
] as ModelInfo[]

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

    expect(within(second!).getByTestId('compare-latency')).toHaveTextContent('1.5 s')
    expect(within(second!).getByRole('img')).toHaveAccessibleName('Top probabilities: 9: 52.0%, 4: 48.0%, 0: 0.0%')
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('The models disagree.')
  })

  it("words each model's answer by its verdict: a digit, two candidates, or not a digit", () => {
    render(
      <CompareView
        {...base}
        answers={[
          answers[0]!,
          answers[1]!,
          { model: 'mlp', result: result('mlp', 4, 0.95, 1, 'not_a_digit'), error: null, latencyMs: 3 },
        ]}
      />,
    )
    const [sure, unsure, refused] = screen.getAllByTestId('compare-item')
    expect(sure).toHaveAttribute('data-verdict', 'digit')
    expect(within(sure!).getByTestId('compare-digit')).toHaveTextContent('4')
    expect(within(sure!).queryByTestId('compare-not-digit')).not.toBeInTheDocument()
    expect(within(sure!).getByTestId('mini-bars')).not.toHaveClass('is-muted')

    // Uncertain: the two leading candidates with their percentages, not one digit.
    expect(unsure).toHaveAttribute('data-verdict', 'uncertain')
    expect(within(unsure!).queryByTestId('compare-digit')).not.toBeInTheDocument()
    expect(within(unsure!).getByTestId('compare-uncertain')).toHaveTextContent('9 or 4')
    expect(within(unsure!).getByTestId('compare-candidates')).toHaveTextContent('52.0% / 48.0%')
    expect(within(unsure!).getByText('not sure')).toBeInTheDocument()

    // Not a digit: said instead of a digit; the bars stay, faded.
    expect(refused).toHaveAttribute('data-verdict', 'not_a_digit')
    expect(within(refused!).getByTestId('compare-not-digit')).toHaveTextContent('not a digit')
    expect(within(refused!).queryByTestId('compare-digit')).not.toBeInTheDocument()
    expect(within(refused!).queryByTestId('compare-confidence')).not.toBeInTheDocument()
    expect(within(refused!).queryByText('95.0%')).not.toBeInTheDocument()
    expect(within(refused!).getByTestId('mini-bars')).toHaveClass('is-muted')
    expect(within(refused!).getByTestId('mini-bars')).toHaveAccessibleName(/^If it were a digit, top probabilities: 4: 95.0%/)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('The models disagree.')
  })

  it('sums up the verdicts: agreement on a digit needs every model to read it', () => {
    const digit = (model: string) => ({ model, result: result(model, 4, 0.97), error: null, latencyMs: 1 })
    const refusal = (model: string, d = 4) => ({ model, result: result(model, d, 0.9, 1, 'not_a_digit'), error: null, latencyMs: 1 })
    const guess = (model: string) => ({ model, result: result(model, 4, 0.5, 9, 'uncertain'), error: null, latencyMs: 1 })
    const failed = { model: 'mlp', result: null, error: 'down', latencyMs: 1 }
    const { rerender } = render(<CompareView {...base} answers={[digit('cnn'), refusal('cnn-keras')]} />)
    // Same closest digit, but one model says it is not a digit: no agreement on 4.
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('The models disagree.')
    rerender(<CompareView {...base} answers={[refusal('cnn', 4), refusal('cnn-keras', 7)]} />)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('No model sees a digit.')
    rerender(<CompareView {...base} answers={[refusal('cnn'), failed]} />)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('One model answered: not a digit (1 failed).')
    rerender(<CompareView {...base} answers={[guess('cnn'), guess('cnn-keras')]} />)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('No model is sure.')
    rerender(<CompareView {...base} answers={[guess('cnn')]} />)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('One model answered: not sure.')
    rerender(<CompareView {...base} answers={[digit('cnn'), failed]} />)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('One model answered: 4 (1 failed).')
    rerender(<CompareView {...base} answers={[failed]} />)
    expect(screen.getByTestId('compare-summary')).toHaveTextContent('No model could answer.')
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
