import '@testing-library/jest-dom/vitest'
import { cleanup } from '@testing-library/react'
import { afterEach, vi } from 'vitest'

/** What a stubbed canvas exports; jsdom has no real canvas. */
export const FAKE_PNG = 'data:image/png;base64,iVBORw0KGgo='

// jsdom implements neither getContext nor toDataURL (they log "not implemented"): give the
// components a context that accepts every call, and a fixed PNG.
function fakeContext(): CanvasRenderingContext2D {
  const target: Record<string | symbol, unknown> = {}
  return new Proxy(target, {
    get(obj, key) {
      if (!(key in obj)) obj[key] = vi.fn()
      return obj[key]
    },
    set(obj, key, value) {
      obj[key] = value
      return true
    },
  }) as unknown as CanvasRenderingContext2D
}

// Test files that run in the node environment (no DOM) skip the DOM stubs.
if (typeof HTMLCanvasElement !== 'undefined') {
  const contexts = new WeakMap<HTMLCanvasElement, CanvasRenderingContext2D>()
  Object.defineProperty(HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value(this: HTMLCanvasElement) {
      let ctx = contexts.get(this)
      if (!ctx) {
        ctx = fakeContext()
        contexts.set(this, ctx)
      }
      return ctx
    },
  })
  Object.defineProperty(HTMLCanvasElement.prototype, 'toDataURL', {
    configurable: true,
    value: () => FAKE_PNG,
  })

  // jsdom has no object URLs (used to show a chosen image file).
  let nextUrl = 0
  if (typeof URL.createObjectURL !== 'function') {
    Object.defineProperty(URL, 'createObjectURL', {
      configurable: true,
      value: () => `blob:test/${++nextUrl}`,
    })
    Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => {} })
  }
}

afterEach(() => {
  cleanup()
})
