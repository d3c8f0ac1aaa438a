import { useEffect, useRef, useState } from 'react'

function carriesFiles(event: DragEvent): boolean {
  const types = event.dataTransfer?.types
  return types !== undefined && Array.from(types).includes('Files')
}

/** The first image of a drop (by MIME type), else its first file. */
export function pickFile(files: FileList | readonly File[] | null | undefined): File | null {
  const list = files ? Array.from(files) : []
  return list.find((file) => file.type.startsWith('image/')) ?? list[0] ?? null
}

/**
 * Lets the user drop an image file anywhere on the page. Returns whether files are being
 * dragged over the page (to show a drop target). Drops of other things (text, links) are left
 * to the browser; a dropped file never makes the browser navigate away from the app.
 */
export function useFileDrop(onFile: (file: File) => void, enabled = true): boolean {
  const [dragging, setDragging] = useState(false)
  const depth = useRef(0)
  const onFileRef = useRef(onFile)
  useEffect(() => {
    onFileRef.current = onFile
  })

  useEffect(() => {
    if (!enabled) return
    const onDragEnter = (event: DragEvent) => {
      if (!carriesFiles(event)) return
      event.preventDefault()
      depth.current++
      setDragging(true)
    }
    const onDragOver = (event: DragEvent) => {
      if (!carriesFiles(event)) return
      // Without this the browser would not fire `drop`.
      event.preventDefault()
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
    }
    const onDragLeave = (event: DragEvent) => {
      if (!carriesFiles(event)) return
      depth.current = Math.max(0, depth.current - 1)
      if (depth.current === 0) setDragging(false)
    }
    const onDrop = (event: DragEvent) => {
      if (!carriesFiles(event) && !(event.dataTransfer?.files.length ?? 0)) return
      event.preventDefault()
      depth.current = 0
      setDragging(false)
      const file = pickFile(event.dataTransfer?.files)
      if (file) onFileRef.current(file)
    }
    const onDragEnd = () => {
      depth.current = 0
      setDragging(false)
    }
    window.addEventListener('dragenter', onDragEnter)
    window.addEventListener('dragover', onDragOver)
    window.addEventListener('dragleave', onDragLeave)
    window.addEventListener('drop', onDrop)
    window.addEventListener('dragend', onDragEnd)
    return () => {
      window.removeEventListener('dragenter', onDragEnter)
      window.removeEventListener('dragover', onDragOver)
      window.removeEventListener('dragleave', onDragLeave)
      window.removeEventListener('drop', onDrop)
      window.removeEventListener('dragend', onDragEnd)
    }
  }, [enabled])

  return dragging
}
