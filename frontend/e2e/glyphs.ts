/**
 * The ten digits as pen strokes, the way people write them on paper: one digit about 60% of
 * the canvas high, roughly centred, drawn with a thick pen (about a tenth of the canvas wide),
 * with the slants and overshoots of MNIST handwriting. Coordinates are canvas units: 0..1
 * from the left/top edge of the drawing area.
 */

/** A point in canvas units. */
export type UnitPoint = readonly [number, number]
/** A digit as strokes; each stroke is a polyline in canvas units, in writing order. */
export type Glyph = readonly (readonly UnitPoint[])[]

/**
 * Points on an ellipse from angle `from` to `to` (degrees; 0 is to the right and, the y axis
 * pointing down, growing angles turn clockwise on screen).
 */
export function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 32): UnitPoint[] {
  const points: UnitPoint[] = []
  for (let i = 0; i <= steps; i++) {
    const a = ((from + ((to - from) * i) / steps) * Math.PI) / 180
    points.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)])
  }
  return points
}

/** A cubic Bézier curve from p0 to p3, sampled. */
export function curve(p0: UnitPoint, p1: UnitPoint, p2: UnitPoint, p3: UnitPoint, steps = 16): UnitPoint[] {
  const points: UnitPoint[] = []
  for (let i = 0; i <= steps; i++) {
    const t = i / steps
    const u = 1 - t
    const x = u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0]
    const y = u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1]
    points.push([x, y])
  }
  return points
}

/** Tilts a stroke like slanted handwriting: points move right the higher they are. */
function slant(points: readonly UnitPoint[], amount = 0.12, baseline = 0.8): UnitPoint[] {
  return points.map(([x, y]) => [x + (baseline - y) * amount, y] as const)
}

export const GLYPHS: Record<number, Glyph> = {
  // An upright oval whose end overshoots its start a little.
  0: [slant(arc(0.47, 0.5, 0.17, 0.3, -100, 268, 44), 0.08)],
  // A single down-stroke, slightly slanted.
  1: [
    [
      [0.54, 0.2],
      [0.52, 0.35],
      [0.5, 0.5],
      [0.48, 0.65],
      [0.46, 0.8],
    ],
  ],
  // A hook over the top, a diagonal down to the left, a base line.
  2: [
    [
      ...arc(0.5, 0.34, 0.16, 0.14, 195, 375, 24),
      ...curve([0.655, 0.39], [0.6, 0.52], [0.45, 0.64], [0.33, 0.78], 12),
      [0.45, 0.775],
      [0.58, 0.77],
      [0.7, 0.775],
    ],
  ],
  // Two bowls open to the left, written in one go.
  3: [[...arc(0.48, 0.34, 0.16, 0.14, -160, 90, 24), ...arc(0.48, 0.64, 0.18, 0.16, -90, 150, 28)]],
  // An open 4: down and across in one stroke, then the long down-stroke.
  4: [
    [
      [0.42, 0.2],
      [0.38, 0.34],
      [0.33, 0.5],
      [0.31, 0.57],
      [0.45, 0.57],
      [0.58, 0.565],
      [0.72, 0.56],
    ],
    [
      [0.6, 0.24],
      [0.6, 0.4],
      [0.59, 0.6],
      [0.58, 0.8],
    ],
  ],
  // Down, round the belly, then the flag on top.
  5: [
    [[0.39, 0.21], [0.38, 0.33], [0.37, 0.46], ...arc(0.5, 0.62, 0.17, 0.17, -140, 150, 28)],
    [
      [0.39, 0.21],
      [0.52, 0.205],
      [0.67, 0.2],
    ],
  ],
  // From the top right down the left side into a loop at the bottom.
  6: [[...curve([0.63, 0.2], [0.47, 0.3], [0.35, 0.46], [0.35, 0.64], 14), ...arc(0.5, 0.64, 0.15, 0.15, 180, -175, 30)]],
  // A top bar and a long diagonal.
  7: [
    [
      [0.3, 0.22],
      [0.5, 0.21],
      [0.7, 0.21],
      [0.62, 0.38],
      [0.53, 0.58],
      [0.45, 0.8],
    ],
  ],
  // Two loops, the lower one bigger.
  8: [slant(arc(0.49, 0.335, 0.13, 0.125, -30, 330, 30), 0.06), slant(arc(0.49, 0.63, 0.16, 0.165, -90, 270, 34), 0.06)],
  // A loop on top and a straight tail.
  9: [[...arc(0.5, 0.35, 0.15, 0.14, 5, -355, 32), [0.645, 0.5], [0.63, 0.65], [0.61, 0.8]]],
}

/**
 * Letters, drawn big (most of the canvas), that the service should refuse as "not a digit":
 * an X (two crossing diagonals) and a W (one zigzag stroke).
 */
export const LETTERS: Record<'X' | 'W', Glyph> = {
  X: [
    [
      [0.22, 0.2],
      [0.5, 0.5],
      [0.78, 0.8],
    ],
    [
      [0.78, 0.2],
      [0.5, 0.5],
      [0.22, 0.8],
    ],
  ],
  W: [
    [
      [0.12, 0.22],
      [0.24, 0.5],
      [0.31, 0.78],
      [0.41, 0.5],
      [0.5, 0.3],
      [0.59, 0.5],
      [0.69, 0.78],
      [0.76, 0.5],
      [0.88, 0.22],
    ],
  ],
}

/**
 * A small 1: one vertical stroke `heightPx` tall with its top at (`left`, `top`) in canvas units,
 * for a canvas `canvasPx` high on screen (a digit written small, in a corner).
 */
export function smallOne(heightPx: number, canvasPx: number, left = 0.15, top = 0.1): Glyph {
  const height = heightPx / canvasPx
  return [
    [
      [left, top],
      [left, top + height / 2],
      [left, top + height],
    ],
  ]
}
