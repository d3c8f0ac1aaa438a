import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { pickFile } from '../hooks/useFileDrop'
import { DropZone, ImagePreview } from './ImageInput'

describe('DropZone', () => {
  it('hands over the chosen file and lets the same file be chosen again', () => {
    const onFile = vi.fn()
    render(<DropZone onFile={onFile} dragging={false} />)
    const input = screen.getByLabelText('Choose an image file of a digit') as HTMLInputElement
    expect(input).toHaveAttribute('type', 'file')
    expect(input.accept).toContain('image/png')
    expect(screen.getByText('Choose a file…')).toBeInTheDocument()
    const file = new File(['x'], 'four.jpg', { type: 'image/jpeg' })
    fireEvent.change(input, { target: { files: [file] } })
    expect(onFile).toHaveBeenCalledWith(file)
    expect(input.value).toBe('')
  })

  it('highlights itself while a file is dragged over the page', () => {
    render(<DropZone onFile={vi.fn()} dragging />)
    expect(screen.getByTestId('drop-zone')).toHaveClass('is-dragging')
  })
})

describe('ImagePreview', () => {
  it('shows the image with a caption', () => {
    render(<ImagePreview src="blob:x" caption="four.jpg" size={280} />)
    expect(screen.getByRole('img', { name: 'The image being recognised: four.jpg' })).toHaveAttribute('src', 'blob:x')
    expect(screen.getByTestId('image-caption')).toHaveTextContent('four.jpg')
  })

  it('says so when the browser cannot show the file', () => {
    render(<ImagePreview src="blob:x" caption="notes.txt" size={280} />)
    fireEvent.error(screen.getByRole('img'))
    expect(screen.getByTestId('image-broken')).toHaveTextContent('cannot show this file')
    expect(screen.getByTestId('image-caption')).toHaveTextContent('notes.txt')
  })
})

describe('pickFile', () => {
  it('prefers an image among several files', () => {
    const text = new File(['a'], 'a.txt', { type: 'text/plain' })
    const image = new File(['b'], 'b.webp', { type: 'image/webp' })
    expect(pickFile([text, image])).toBe(image)
    expect(pickFile([text])).toBe(text)
    expect(pickFile([])).toBeNull()
    expect(pickFile(null)).toBeNull()
  })
})
