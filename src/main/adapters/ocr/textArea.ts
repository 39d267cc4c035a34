// The cheap look at a photo: the detection network's text-probability map at a small size, reduced
// to one number, the share of the photo covered by text-like regions. Plain typed-array loops: the
// whole look must cost far less than reading the text, as most photos show none.
import type { Pixels } from '../image/textImage'

/** PaddleOCR's detection input: BGR, scaled to [0, 1], ImageNet mean and deviation, planar (NCHW). */
export function detectionTensor(p: Pixels): Float32Array {
  const n = p.width * p.height
  const out = new Float32Array(3 * n)
  // channel c of the tensor holds B, G, R in turn, normalised with the mean and deviation at c
  const mean = [0.485, 0.456, 0.406]
  const std = [0.229, 0.224, 0.225]
  for (let c = 0; c < 3; c++) {
    const src = 2 - c
    const scale = 1 / (255 * std[c])
    const shift = mean[c] / std[c]
    const plane = out.subarray(c * n, (c + 1) * n)
    for (let i = 0, j = src; i < n; i++, j += 3) plane[i] = p.data[j] * scale - shift
  }
  return out
}

export interface AreaRules {
  /** a pixel is text-like above this probability (PaddleOCR's thresh) */
  pixel: number
  /** a region counts when its mean probability reaches this (PaddleOCR's box_thresh) */
  region: number
  /** ...and its bounding box's short side has this many pixels */
  minSide: number
}

/**
 * The share of the map covered by text-like regions: 4-connected components of pixels above
 * `pixel`, each kept when its mean probability reaches `region` and it is not a speck.
 */
export function textArea(map: Float32Array, width: number, height: number, rules: AreaRules): number {
  const label = new Int32Array(width * height).fill(-1)
  const stack = new Int32Array(width * height)
  let covered = 0
  for (let start = 0; start < map.length; start++) {
    if (label[start] !== -1 || map[start] <= rules.pixel) continue
    // flood one component, tracking its size, probability sum and bounding box
    let top = 0
    stack[top++] = start
    label[start] = start
    let size = 0
    let sum = 0
    let x0 = width
    let x1 = 0
    let y0 = height
    let y1 = 0
    while (top) {
      const i = stack[--top]
      size++
      sum += map[i]
      const x = i % width
      const y = (i - x) / width
      if (x < x0) x0 = x
      if (x > x1) x1 = x
      if (y < y0) y0 = y
      if (y > y1) y1 = y
      const visit = (k: number) => {
        if (label[k] === -1 && map[k] > rules.pixel) {
          label[k] = start
          stack[top++] = k
        }
      }
      if (x > 0) visit(i - 1)
      if (x < width - 1) visit(i + 1)
      if (y > 0) visit(i - width)
      if (y < height - 1) visit(i + width)
    }
    if (sum / size >= rules.region && Math.min(x1 - x0 + 1, y1 - y0 + 1) >= rules.minSide) covered += size
  }
  return covered / map.length
}
