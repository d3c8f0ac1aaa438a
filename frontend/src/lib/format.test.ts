import { describe, expect, it } from 'vitest'
import type { ModelInfo } from '../api/client'
import { announcement, candidates, formatAccuracy, formatBytes, formatLatency, formatPercent, runnerUp, uncertainText, errorMessage, UNREACHABLE_SENTENCE } from './format'
import { ApiError } from '../api/client'
import { engineLabel, formatParameters, modelDetails, modelOptionLabel } from './models'

describe('formatting', () => {
  it('formats percentages, sizes, latencies and accuracies', () => {
    expect(formatPercent(0.9731)).toBe('97.3%')
    expect(formatPercent(0.99996)).toBe('>99.9%')
    expect(formatPercent(1)).toBe('100.0%')
    expect(formatPercent(0.00001)).toBe('<0.1%')
    expect(formatPercent(0)).toBe('0.0%')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1_234_567)).toBe('1.2 MB')
    expect(formatBytes(345_000)).toBe('345 kB')
    expect(formatLatency(37.6)).toBe('38 ms')
    expect(formatLatency(1420)).toBe('1.4 s')
    expect(formatAccuracy(0.99612)).toBe('99.61%')
    expect(formatAccuracy(null)).toBeNull()
  })

  it('words each verdict and what a screen reader hears', () => {
    expect(runnerUp([0.1, 0.5, 0.4], 1)).toBe(2)
    expect(uncertainText(4, 9)).toBe('Not sure — maybe 4, or 9')
    const probabilities = [0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.4]
    expect(candidates({ digit: 4, probabilities })).toEqual([
      { digit: 4, probability: 0.5 },
      { digit: 9, probability: 0.4 },
    ])
    expect(announcement({ digit: 4, verdict: 'uncertain', probabilities })).toBe('Not sure — maybe 4, or 9.')
    expect(announcement({ digit: 4, verdict: 'digit', probabilities })).toBe('The model reads 4.')
    expect(announcement({ digit: 4, verdict: 'not_a_digit', probabilities })).toBe("That doesn't look like a digit.")
  })
})

describe('model labels', () => {
  const model: ModelInfo = {
    name: 'cnn',
    description: 'Enhanced CNN',
    engine: 'litert',
    version: 'v1',
    default: true,
    file: 'cnn.tflite',
    size_bytes: 1_650_000,
    parameters: 400_000,
    test_accuracy: 0.9961,
    card: {},
  }

  it('names engines, and keeps unknown ones as they are', () => {
    expect(engineLabel('litert')).toBe('LiteRT')
    expect(engineLabel('keras')).toBe('Keras')
    expect(engineLabel('numpy')).toBe('NumPy')
    expect(engineLabel('tta')).toBe('TTA')
    // The class-derived name the service used to send for the NumPy MLP is no longer special.
    expect(engineLabel('numpymlp')).toBe('numpymlp')
    expect(engineLabel('onnx')).toBe('onnx')
  })

  it('summarises a model', () => {
    expect(modelOptionLabel(model)).toBe('cnn (default) — LiteRT · 99.61% · 1.6 MB')
    expect(modelOptionLabel({ ...model, default: false, test_accuracy: null })).toBe('cnn — LiteRT · 1.6 MB')
    expect(modelDetails(model)).toBe('Enhanced CNN · 400k parameters')
    expect(modelDetails({ ...model, parameters: null, test_accuracy: null })).toBe('Enhanced CNN · no test accuracy on record')
    expect(formatParameters(1_234_567)).toBe('1.2M parameters')
    expect(formatParameters(512)).toBe('512 parameters')
  })
})

describe('errorMessage', () => {
  it('gives a human sentence for every error code the API documents', async () => {
    const schema = (await import('../api/openapi.json')).default as {
      components: { schemas: { ErrorResponse: { properties: { code: { description: string } } } } }
    }
    const listed = schema.components.schemas.ErrorResponse.properties.code.description
      .split(':')[1]!
      .split(',')
      .map((code) => code.trim().replace(/\.$/, ''))
    expect(listed.length).toBeGreaterThan(8)
    for (const code of listed) {
      const sentence = errorMessage(new ApiError('http', `raw detail for ${code}`, 400, code))
      expect(sentence, code).toMatch(/^[A-Z].*[.!]$/)
      expect(sentence, code).not.toContain('raw detail')
    }
  })

  it('says an unreachable service will be retried, and turns an unknown detail into a sentence', () => {
    expect(errorMessage(new ApiError('unreachable', 'Failed to fetch'))).toBe(UNREACHABLE_SENTENCE)
    expect(errorMessage(new ApiError('http', 'strokes must not be empty', 422, 'some_new_code'))).toBe(
      'Strokes must not be empty.',
    )
    expect(errorMessage(new Error('Done!'))).toBe('Done!')
    expect(errorMessage('nope')).toBe('Something went wrong.')
  })
})
