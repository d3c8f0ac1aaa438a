import { describe, expect, it, vi } from 'vitest'
import manifest from '../../public/examples/manifest.json'
import { createExampleStore, describeExample, parseManifest } from './examples'

describe('parseManifest', () => {
  it('reads the committed manifest: two MNIST test images of every digit', () => {
    const examples = parseManifest(manifest)
    expect(examples).toHaveLength(20)
    for (let digit = 0; digit <= 9; digit++) expect(examples.filter((e) => e.label === digit)).toHaveLength(2)
    expect(new Set(examples.map((e) => e.mnist_test_index)).size).toBe(20)
  })

  it('skips malformed entries and rejects what is not a manifest', () => {
    const examples = parseManifest({
      examples: [
        { file: 'a.png', label: 3, mnist_test_index: 1 },
        { file: '../../etc/passwd', label: 3, mnist_test_index: 2 },
        { file: 'b.png', label: 12, mnist_test_index: 3 },
        { file: 'c.png', label: '4', mnist_test_index: 4 },
        null,
      ],
    })
    expect(examples.map((e) => e.file)).toEqual(['a.png'])
    expect(() => parseManifest([])).toThrow(/no list/)
    expect(() => parseManifest('x')).toThrow(/not a JSON object/)
  })

  it('describes an example in words', () => {
    expect(describeExample({ file: 'a.png', label: 5, mnist_test_index: 23 })).toBe('handwritten 5 (MNIST test image 23)')
  })
})

describe('createExampleStore', () => {
  it('loads the manifest and the images from the examples folder', async () => {
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input)
      if (url.endsWith('manifest.json')) {
        return new Response(JSON.stringify({ examples: [{ file: 'x.png', label: 1, mnist_test_index: 2 }] }))
      }
      return new Response('png', { headers: { 'Content-Type': 'image/png' } })
    })
    const store = createExampleStore('/app/examples', fetch as unknown as typeof globalThis.fetch)
    const [example] = await store.list()
    expect(fetch.mock.calls[0]![0]).toBe('/app/examples/manifest.json')
    expect(store.url(example!)).toBe('/app/examples/x.png')
    const blob = await store.image(example!)
    expect(await blob.text()).toBe('png')
  })

  it('fails with the status when a file is missing', async () => {
    const fetch = vi.fn(async () => new Response('nope', { status: 404 }))
    const store = createExampleStore('/examples/', fetch as unknown as typeof globalThis.fetch)
    await expect(store.list()).rejects.toThrow('Could not load /examples/manifest.json (HTTP 404).')
  })
})
