import { useCallback, useEffect, useReducer, useState } from 'react'
import { downscaleImage } from '../lib/downscale'
import type { Example, ExampleStore } from '../lib/examples'
import { drawingReducer, emptyDrawing, isEmpty, type Drawing, type DrawingAction } from '../lib/strokes'
import type { PredictNow } from './usePredictNow'

/** An image file or example shown (and recognised) instead of the drawing. */
export interface ImageSource {
  /** Where the browser shows it from. */
  src: string
  /** `src` is an object URL of ours, to be revoked. */
  ownsSrc: boolean
  caption: string
  /** The example's file, when it is one. */
  example: string | null
  /** The image bytes to send. */
  getBlob: () => Promise<Blob>
}

export interface Input {
  drawing: Drawing
  /** The image shown instead of the drawing, if any. */
  image: ImageSource | null
  /** Nothing drawn and no image. */
  empty: boolean
  /** What the canvas reports (begin, extend, end a stroke). */
  onAction: (action: DrawingAction) => void
  undo: () => void
  redo: () => void
  /** Empties the canvas, or goes back to drawing from an image. */
  clear: () => void
  /** Shows (and recognises) an image file chosen or dropped by the user. */
  showFile: (file: File) => void
  /** Shows (and recognises) an example of the gallery. */
  showExample: (example: Example) => void
}

/** What is recognised: the drawing (strokes with undo/redo) or an image that replaces it. */
export function useInput(examples: ExampleStore, predictNow: PredictNow): Input {
  const [drawing, dispatch] = useReducer(drawingReducer, emptyDrawing)
  const [image, setImage] = useState<ImageSource | null>(null)

  const onAction = useCallback(
    (action: DrawingAction) => {
      // Finishing, undoing or redoing a stroke asks for a prediction right away; moving the
      // pen is debounced.
      if (action.type === 'end' || action.type === 'undo' || action.type === 'redo') predictNow.request()
      dispatch(action)
    },
    [predictNow],
  )

  const undo = useCallback(() => onAction({ type: 'undo' }), [onAction])
  const redo = useCallback(() => onAction({ type: 'redo' }), [onAction])
  const clear = useCallback(() => {
    setImage(null)
    onAction({ type: 'clear' })
  }, [onAction])

  const showImage = useCallback(
    (next: ImageSource) => {
      predictNow.request()
      dispatch({ type: 'clear' })
      setImage(next)
    },
    [predictNow],
  )

  const showFile = useCallback(
    (file: File) => {
      // A big photo is scaled down (and turned upright) once, before its first upload.
      let scaled: Promise<Blob> | null = null
      showImage({
        src: URL.createObjectURL(file),
        ownsSrc: true,
        caption: file.name || 'Dropped image',
        example: null,
        getBlob: () => (scaled ??= downscaleImage(file)),
      })
    },
    [showImage],
  )

  const showExample = useCallback(
    (example: Example) => {
      let cached: Promise<Blob> | null = null
      showImage({
        src: examples.url(example),
        ownsSrc: false,
        caption: `MNIST test image ${example.mnist_test_index}, labelled ${example.label}`,
        example: example.file,
        getBlob: () => {
          // Fetched once (the comparison sends it to every model); a failed fetch is retried.
          cached ??= examples.image(example).catch((error: unknown) => {
            cached = null
            throw error
          })
          return cached
        },
      })
    },
    [examples, showImage],
  )

  // An object URL lives as long as its image is shown.
  useEffect(() => {
    if (!image?.ownsSrc) return
    const src = image.src
    return () => URL.revokeObjectURL(src)
  }, [image])

  const empty = isEmpty(drawing) && image === null
  return { drawing, image, empty, onAction, undo, redo, clear, showFile, showExample }
}
