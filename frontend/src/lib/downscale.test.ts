import { describe, expect, it, vi } from 'vitest'
import { downscaleImage, MAX_UPLOAD_SIDE } from './downscale'

function fakeCanvas() {
  const drawn: number[][] = []
  const canvas = {
    width: 0,
    height: 0,
    getContext: () => ({ drawImage: (_b: unknown, ...box: number[]) => drawn.push(box) }),
    toBlob: (done: (b: Blob | null) => void, type: string) => done(new Blob(['jpeg'], { type })),
  }
  return { canvas, drawn }
}

describe('downscaleImage', () => {
  it('scales a big photo to MAX_UPLOAD_SIDE, decoded upright (EXIF orientation applied)', async () => {
    const { canvas, drawn } = fakeCanvas()
    const close = vi.fn()
    const decode = vi.fn(async () => ({ width: 3000, height: 4000, close }) as unknown as ImageBitmap)
    const photo = new Blob([new Uint8Array(4_000_000)], { type: 'image/jpeg' })
    const sent = await downscaleImage(photo, MAX_UPLOAD_SIDE, {
      createImageBitmap: decode,
      createCanvas: (w, h) => Object.assign(canvas, { width: w, height: h }) as unknown as HTMLCanvasElement,
    })
    expect(decode).toHaveBeenCalledWith(photo, { imageOrientation: 'from-image' })
    expect([canvas.width, canvas.height]).toEqual([768, 1024])
    expect(drawn).toEqual([[0, 0, 768, 1024]])
    expect(sent.type).toBe('image/jpeg')
    expect(sent.size).toBeLessThan(photo.size)
    expect(close).toHaveBeenCalled()
  })

  it('sends a small image, an undecodable file, or anything without createImageBitmap as it is', async () => {
    const small = new Blob(['png'], { type: 'image/png' })
    const decodeSmall = vi.fn(async () => ({ width: 280, height: 280, close: () => {} }) as unknown as ImageBitmap)
    expect(await downscaleImage(small, MAX_UPLOAD_SIDE, { createImageBitmap: decodeSmall })).toBe(small)
    const broken = vi.fn(async () => {
      throw new Error('not an image')
    })
    expect(await downscaleImage(small, MAX_UPLOAD_SIDE, { createImageBitmap: broken })).toBe(small)
    vi.stubGlobal('createImageBitmap', undefined)
    expect(await downscaleImage(small)).toBe(small)
    vi.unstubAllGlobals()
  })
})
