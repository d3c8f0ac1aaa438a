import { useId, useState, type ChangeEvent } from 'react'
import { pickFile } from '../hooks/useFileDrop'

export interface DropZoneProps {
  onFile: (file: File) => void
  /** Files are being dragged over the page. */
  dragging: boolean
}

/** "Drop an image here, or choose a file": the page-wide drop is handled by `useFileDrop`. */
export function DropZone({ onFile, dragging }: DropZoneProps) {
  const inputId = useId()
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const file = pickFile(event.target.files)
    // Let the same file be chosen again later.
    event.target.value = ''
    if (file) onFile(file)
  }
  return (
    <div className={`drop-zone${dragging ? ' is-dragging' : ''}`} data-testid="drop-zone">
      <span className="drop-zone-text">
        <span aria-hidden="true" className="drop-icon">
          ⤓
        </span>{' '}
        Drop an image of a digit here, or
      </span>
      <label htmlFor={inputId} className="button file-button">
        Choose a file…
      </label>
      <input
        id={inputId}
        className="visually-hidden"
        type="file"
        accept="image/png,image/jpeg,image/webp,image/bmp,image/gif"
        data-testid="file-input"
        aria-label="Choose an image file of a digit"
        onChange={onChange}
      />
    </div>
  )
}

export interface ImagePreviewProps {
  src: string
  /** What the image is, e.g. the file name. */
  caption: string
  size: number
}

/** The chosen image, shown where the canvas was (render it with `key={src}`). */
export function ImagePreview({ src, caption, size }: ImagePreviewProps) {
  const [broken, setBroken] = useState(false)
  return (
    <figure className="image-preview" data-testid="image-preview" style={{ width: size, maxWidth: '100%' }}>
      {broken ? (
        <div className="image-broken" data-testid="image-broken">
          The browser cannot show this file as an image.
        </div>
      ) : (
        <img src={src} alt={`The image being recognised: ${caption}`} onError={() => setBroken(true)} />
      )}
      <figcaption className="muted small" data-testid="image-caption">
        {caption}
      </figcaption>
    </figure>
  )
}

/** Shown over the page while a file is dragged over it. */
export function DropOverlay() {
  return (
    <div className="drop-overlay" aria-hidden="true" data-testid="drop-overlay">
      <div className="drop-overlay-box">Drop the image to recognise it</div>
    </div>
  )
}
