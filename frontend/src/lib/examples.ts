/**
 * The example gallery: real MNIST test images shipped as PNGs under `public/examples/`
 * (written by `scripts/make-examples.py`, listed in `manifest.json`).
 */

export interface Example {
  /** File name inside the examples folder. */
  readonly file: string
  /** The digit MNIST says it is. */
  readonly label: number
  /** Index of the image in the MNIST test set. */
  readonly mnist_test_index: number
}

export interface ExampleStore {
  /** Reads the manifest. */
  list(signal?: AbortSignal): Promise<Example[]>
  /** Where the browser can show the image. */
  url(example: Example): string
  /** The image file itself, to send to the service. */
  image(example: Example, signal?: AbortSignal): Promise<Blob>
}

function isExample(value: unknown): value is Example {
  if (typeof value !== 'object' || value === null) return false
  const { file, label, mnist_test_index } = value as Record<string, unknown>
  return (
    typeof file === 'string' &&
    /^[\w.-]+\.png$/.test(file) &&
    typeof label === 'number' &&
    Number.isInteger(label) &&
    label >= 0 &&
    label <= 9 &&
    typeof mnist_test_index === 'number'
  )
}

/** The examples of a manifest (`{"examples": [...]}`); malformed entries are skipped. */
export function parseManifest(body: unknown): Example[] {
  if (typeof body !== 'object' || body === null) throw new Error('The example manifest is not a JSON object.')
  const examples = (body as { examples?: unknown }).examples
  if (!Array.isArray(examples)) throw new Error('The example manifest has no list of examples.')
  return examples.filter(isExample)
}

/** Human wording for an example, e.g. for its button's accessible name. */
export function describeExample(example: Example): string {
  return `handwritten ${example.label} (MNIST test image ${example.mnist_test_index})`
}

export function createExampleStore(
  baseUrl = `${import.meta.env.BASE_URL}examples/`,
  fetchImpl: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init),
): ExampleStore {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  const url = (example: Example) => `${base}${example.file}`
  const get = async (target: string, signal?: AbortSignal) => {
    const response = await fetchImpl(target, { signal })
    if (!response.ok) throw new Error(`Could not load ${target} (HTTP ${response.status}).`)
    return response
  }
  return {
    async list(signal) {
      return parseManifest(await (await get(`${base}manifest.json`, signal)).json())
    },
    url,
    async image(example, signal) {
      return (await get(url(example), signal)).blob()
    },
  }
}

export const exampleStore: ExampleStore = createExampleStore()
