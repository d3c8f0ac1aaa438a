import type { ExamplesState } from '../hooks/useExamples'
import { describeExample, type Example, type ExampleStore } from '../lib/examples'

export interface ExampleGalleryProps {
  examples: ExamplesState
  store: Pick<ExampleStore, 'url'>
  /** The example being shown, if any. */
  active: string | null
  onPick: (example: Example) => void
}

/** Real MNIST test digits to try with one click. */
export function ExampleGallery({ examples, store, active, onPick }: ExampleGalleryProps) {
  return (
    <section className="card examples-card" aria-labelledby="examples-heading" data-testid="examples">
      <div className="card-header">
        <h2 id="examples-heading">Examples</h2>
        <span className="muted small">Digits from the MNIST test set: click one to recognise it</span>
      </div>
      {examples.status === 'ok' ? (
        <ul className="example-grid">
          {examples.examples.map((example) => (
            <li key={example.file}>
              <button
                type="button"
                className="example"
                data-testid="example"
                data-label={example.label}
                aria-pressed={active === example.file}
                aria-label={`Try ${describeExample(example)}`}
                title={`MNIST test image ${example.mnist_test_index}, labelled ${example.label}`}
                onClick={() => onPick(example)}
              >
                <img src={store.url(example)} alt="" width={56} height={56} loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{examples.status === 'loading' ? 'Loading examples…' : 'The examples could not be loaded.'}</p>
      )}
    </section>
  )
}
