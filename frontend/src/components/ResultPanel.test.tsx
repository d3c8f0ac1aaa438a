import { render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { Prediction } from '../api/client'
import { ResultPanel, type ResultPanelProps } from './ResultPanel'

const confident: Prediction = {
  digit: 3,
  confidence: 0.912,
  verdict: 'digit',
  uncertain: false,
  not_a_digit: 0.01,
  probabilities: [0.002, 0.01, 0.02, 0.912, 0.001, 0.03, 0.005, 0.01, 0.005, 0.005],
  model: 'cnn',
  model_version: 'cnn-2024',
  input_image: 'iVBORw0KGgo=',
}

const unsure: Prediction = {
  ...confident,
  digit: 4,
  confidence: 0.48,
  verdict: 'uncertain',
  uncertain: true,
  probabilities: [0.01, 0.01, 0.01, 0.01, 0.48, 0.01, 0.01, 0.01, 0.01, 0.43],
}

/** A letter: the closest digit is confidently 4, but the service says it is not a digit. */
const letter: Prediction = {
  ...confident,
  digit: 4,
  confidence: 0.97,
  verdict: 'not_a_digit',
  uncertain: true,
  not_a_digit: 0.93,
  probabilities: [0.001, 0.002, 0.003, 0.004, 0.97, 0.005, 0.005, 0.004, 0.003, 0.003],
}

const base: ResultPanelProps = { empty: false, unreachable: false, result: null, error: null, loading: false }

describe('ResultPanel', () => {
  it('prompts for a digit when nothing is drawn', () => {
    render(<ResultPanel {...base} empty />)
    expect(screen.getByTestId('prompt')).toHaveTextContent('Draw a digit 0–9')
    expect(screen.queryByTestId('prediction-digit')).not.toBeInTheDocument()
  })

  it('shows the digit, its confidence, the chart and the model input', () => {
    render(<ResultPanel {...base} result={confident} />)
    expect(screen.getByTestId('prediction')).toHaveAttribute('data-verdict', 'digit')
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('3')
    expect(screen.getByTestId('confidence')).toHaveTextContent('91.2%')
    expect(screen.queryByTestId('uncertain')).not.toBeInTheDocument()
    expect(screen.queryByTestId('not-a-digit')).not.toBeInTheDocument()
    expect(screen.getByTestId('probability-chart')).not.toHaveClass('is-muted')
    const image = screen.getByTestId('model-input-image')
    expect(image).toHaveAttribute('src', 'data:image/png;base64,iVBORw0KGgo=')
    expect(image).toHaveAccessibleName(/28 × 28/)
    expect(screen.getByTestId('model-version')).toHaveTextContent('Answered by cnn · cnn-2024')
    expect(screen.getByTestId('announcement')).toHaveTextContent('The model reads 3.')
  })

  it('lists all ten probabilities, marking the predicted digit', () => {
    render(<ResultPanel {...base} result={confident} />)
    const rows = within(screen.getByTestId('probability-table')).getAllByRole('row').slice(1)
    expect(rows).toHaveLength(10)
    expect(rows[3]).toHaveTextContent('391.2%')
    expect(rows[3]).toHaveAttribute('aria-current', 'true')
    expect(rows[5]).toHaveTextContent('53.0%')
    expect(rows[5]).not.toHaveAttribute('aria-current')
  })

  it('renders the bars of the chart', () => {
    const { container } = render(<ResultPanel {...base} result={confident} />)
    expect(container.querySelectorAll('.recharts-bar-rectangle').length).toBe(10)
  })

  it('shows an uncertain answer as its two leading candidates with their percentages, not one big digit', () => {
    render(<ResultPanel {...base} result={unsure} />)
    expect(screen.getByTestId('prediction')).toHaveAttribute('data-verdict', 'uncertain')
    expect(screen.queryByTestId('prediction-digit')).not.toBeInTheDocument()
    const shown = screen.getAllByTestId('candidate')
    expect(shown).toHaveLength(2)
    expect(shown[0]).toHaveTextContent('448.0%')
    expect(shown[1]).toHaveTextContent('943.0%')
    expect(screen.getByTestId('candidates')).toHaveAccessibleName('Maybe 4 (48.0%), or 9 (43.0%)')
    expect(screen.getByTestId('uncertain-text')).toHaveTextContent('Not sure — maybe 4, or 9')
    expect(screen.getByTestId('runner-up')).toHaveTextContent('9')
    expect(screen.getByText(/for 4,/)).toHaveTextContent('48.0% for 4, 43.0% for 9')
    expect(screen.getByTestId('announcement')).toHaveTextContent('Not sure — maybe 4, or 9.')
    expect(screen.queryByTestId('not-a-digit')).not.toBeInTheDocument()
    expect(screen.getByTestId('probability-chart')).not.toHaveClass('is-muted')
  })

  it("says that a drawing the service refuses doesn't look like a digit, with the chart muted", () => {
    render(<ResultPanel {...base} result={letter} />)
    expect(screen.getByTestId('prediction')).toHaveAttribute('data-verdict', 'not_a_digit')
    expect(screen.getByTestId('prediction')).toHaveAttribute('data-not-a-digit', '0.93')
    const verdict = screen.getByTestId('not-a-digit')
    expect(verdict).toHaveTextContent("That doesn't look like a digit")
    expect(verdict).toHaveTextContent('Draw one digit, 0–9, large and clear')
    // No digit, confident or not, is offered as the reading.
    expect(screen.queryByTestId('prediction-digit')).not.toBeInTheDocument()
    expect(screen.queryByTestId('candidates')).not.toBeInTheDocument()
    expect(screen.queryByTestId('confidence')).not.toBeInTheDocument()
    expect(screen.getByTestId('prediction')).not.toHaveTextContent('97.0%')
    // What the model saw and would read stays, faded.
    const chart = screen.getByTestId('probability-chart')
    expect(chart).toHaveClass('is-muted')
    expect(chart).toHaveTextContent('If it were a digit')
    expect(screen.getByTestId('model-input-image').closest('figure')).toHaveClass('is-muted')
    // Screen readers hear the verdict in the live region the digit used.
    const live = screen.getByTestId('announcement')
    expect(live).toHaveAttribute('aria-live', 'polite')
    expect(live).toHaveTextContent("That doesn't look like a digit.")
  })

  it('follows the verdict, not the uncertain flag or a confidence threshold of its own', () => {
    const { rerender } = render(<ResultPanel {...base} result={{ ...unsure, verdict: 'digit', uncertain: false }} />)
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('4')
    expect(screen.queryByTestId('uncertain')).not.toBeInTheDocument()
    rerender(<ResultPanel {...base} result={{ ...confident, verdict: 'uncertain', uncertain: true }} />)
    expect(screen.getByTestId('uncertain-text')).toHaveTextContent('Not sure — maybe 3, or 5')
    expect(screen.queryByTestId('prediction-digit')).not.toBeInTheDocument()
    rerender(<ResultPanel {...base} result={{ ...confident, verdict: 'not_a_digit', uncertain: true }} />)
    expect(screen.getByTestId('not-a-digit')).toBeInTheDocument()
    expect(screen.queryByTestId('uncertain')).not.toBeInTheDocument()
    expect(screen.getByTestId('announcement')).toHaveTextContent("That doesn't look like a digit.")
  })

  it('says when the service is slow', () => {
    const { rerender } = render(<ResultPanel {...base} result={confident} loading slow />)
    expect(screen.getByTestId('slow')).toHaveTextContent('taking longer than usual')
    rerender(<ResultPanel {...base} result={confident} />)
    expect(screen.queryByTestId('slow')).not.toBeInTheDocument()
  })

  it('renders what it is given above the result (the model picker)', () => {
    render(
      <ResultPanel {...base} empty>
        <p>picker</p>
      </ResultPanel>,
    )
    expect(screen.getByText('picker')).toBeInTheDocument()
    expect(screen.getByTestId('announcement')).toBeEmptyDOMElement()
  })

  it('shows the message of a failed request', () => {
    const { rerender } = render(<ResultPanel {...base} error="The image contains no ink." />)
    expect(screen.getByRole('alert')).toHaveTextContent('Could not recognise the drawing.')
    rerender(<ResultPanel {...base} input="image" error="The image contains no ink." />)
    expect(screen.getByRole('alert')).toHaveTextContent('Could not recognise the image.')
    expect(screen.getByRole('alert')).toHaveTextContent('The image contains no ink.')
    expect(screen.queryByTestId('prediction-digit')).not.toBeInTheDocument()
  })

  it('tells an end user that the service cannot be reached and that the page recovers by itself', () => {
    render(<ResultPanel {...base} empty unreachable />)
    const alert = screen.getByTestId('service-unreachable')
    expect(alert).toHaveTextContent("Can't reach the recognition service right now.")
    expect(alert).toHaveTextContent('no need to reload')
    expect(alert).not.toHaveTextContent('make run')
  })

  it('says when the service has no model', () => {
    render(<ResultPanel {...base} modelMissing />)
    expect(screen.getByTestId('model-missing')).toBeInTheDocument()
  })

  it('shows a loading indicator before the first answer and while updating', () => {
    const { rerender } = render(<ResultPanel {...base} loading />)
    expect(screen.getByTestId('loading')).toHaveTextContent('Recognising')
    rerender(<ResultPanel {...base} result={confident} loading />)
    expect(screen.getByTestId('loading')).toHaveTextContent('Updating')
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('3')
  })
})
