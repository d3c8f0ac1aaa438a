import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import type { Example } from '../lib/examples'
import { ExampleGallery } from './ExampleGallery'

const examples: Example[] = [
  { file: 'a.png', label: 7, mnist_test_index: 0 },
  { file: 'b.png', label: 2, mnist_test_index: 1 },
]
const store = { url: (e: Example) => `/examples/${e.file}` }

describe('ExampleGallery', () => {
  it('offers every example as a labelled button with its thumbnail', () => {
    const onPick = vi.fn()
    render(<ExampleGallery examples={{ status: 'ok', examples }} store={store} active="b.png" onPick={onPick} />)
    const buttons = screen.getAllByRole('button')
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Try handwritten 7 (MNIST test image 0)',
      'Try handwritten 2 (MNIST test image 1)',
    ])
    expect(buttons[0]!.querySelector('img')).toHaveAttribute('src', '/examples/a.png')
    expect(buttons[0]).toHaveAttribute('aria-pressed', 'false')
    expect(buttons[1]).toHaveAttribute('aria-pressed', 'true')
    fireEvent.click(buttons[0]!)
    expect(onPick).toHaveBeenCalledWith(examples[0])
  })

  it('says when the examples are loading or missing', () => {
    const { rerender } = render(<ExampleGallery examples={{ status: 'loading', examples: null }} store={store} active={null} onPick={vi.fn()} />)
    expect(screen.getByText('Loading examples…')).toBeInTheDocument()
    rerender(<ExampleGallery examples={{ status: 'error', examples: null }} store={store} active={null} onPick={vi.fn()} />)
    expect(screen.getByText('The examples could not be loaded.')).toBeInTheDocument()
  })
})
