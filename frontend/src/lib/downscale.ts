/**
 * Big photos are scaled down in the browser before they are uploaded: a 12-megapixel phone photo
 * (3-6 MB) becomes a JPEG of at most `MAX_UPLOAD_SIDE` px a side (a few hundred kB), which the
 * service reads as well (it scales every image to 20 px anyway). The EXIF orientation is applied
 * while decoding (`createImageBitmap(..., { imageOrientation: 'from-image' })`), so a photo taken
 * sideways is sent upright. Small images, and browsers without `createImageBitmap`, send the file
 * as it is (the service applies the orientation itself).
 */

/** Longest side of an uploaded image, in pixels. */
export const MAX_UPLOAD_SIDE = 1024
/** Files at most this large and this small in pixels are sent as they are (bytes). */
export const SMALL_FILE_BYTES = 1_000_000

export interface DownscaleDeps {
  createImageBitmap?: (image: Blob, options: ImageBitmapOptions) => Promise<ImageBitmap>
  createCanvas?: (width: number, height: number) => HTMLCanvasElement
}

/** `file` scaled so that its longer side is at most `maxSide`, upright; the file itself when it is small already or cannot be decoded here. */
export async function downscaleImage(file: Blob, maxSide = MAX_UPLOAD_SIDE, deps: DownscaleDeps = {}): Promise<Blob> {
  const decode = deps.createImageBitmap ?? (typeof createImageBitmap === 'function' ? createImageBitmap : undefined)
  if (!decode) return file
  let bitmap: ImageBitmap
  try {
    bitmap = await decode(file, { imageOrientation: 'from-image' })
  } catch {
    return file // not decodable here: the service says what is wrong with it
  }
  try {
    const { width, height } = bitmap
    if (Math.max(width, height) <= maxSide && file.size <= SMALL_FILE_BYTES) return file
    const scale = Math.min(1, maxSide / Math.max(width, height))
    const w = Math.max(1, Math.round(width * scale))
    const h = Math.max(1, Math.round(height * scale))
    const canvas =
      deps.createCanvas?.(w, h) ??
      Object.assign(document.createElement('canvas'), {
        width: w,
        height: h,
      })
    const ctx = canvas.getContext('2d')
    if (!ctx) return file
    ctx.drawImage(bitmap, 0, 0, w, h)
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9))
    return blob ?? file
  } finally {
    bitmap.close?.()
  }
}
