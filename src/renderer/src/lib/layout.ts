// The grid's geometry: square cells in rows, the rows in sections under their headings (a day, with
// its month above the first day of each month; a folder), computed from the headings' counts alone,
// so 100,000 photos cost a few thousand numbers and only what is in view is ever drawn.
import type { TimelineGroup } from '../../../shared/api'

export const GAP = 4
export const PAD = 16
const DAY_HEAD = 40
const MONTH_HEAD = 84
const FOLDER_HEAD = 40
const SECTION_GAP = 12

export type Headings = 'dates' | 'folders' | 'none'

export interface Section {
  key: string
  start: number
  count: number
  fileDated: number
  /** the first day shown of its month: the heading names the month too */
  month: boolean
  /** y of the heading, and its height (0: no heading) */
  top: number
  head: number
  rows: number
}

export interface GridLayout {
  cols: number
  size: number
  rowH: number
  sections: Section[]
  height: number
}

export function gridLayout(width: number, count: number, groups: TimelineGroup[] | null, headings: Headings, cell = 180): GridLayout {
  const inner = Math.max(0, width - 2 * PAD)
  const cols = Math.max(1, Math.floor((inner + GAP) / (cell + GAP)))
  const size = Math.max(40, (inner - GAP * (cols - 1)) / cols)
  const rowH = size + GAP
  // no headings to show (yet): one section without one
  if (!groups || !groups.length) headings = 'none'
  const source = headings !== 'none' && groups ? groups : [{ key: '', start: 0, count, fileDated: 0 }]
  const sections: Section[] = []
  let y = PAD
  let lastMonth = ''
  for (const g of source) {
    const month = headings === 'dates' && g.key.slice(0, 7) !== lastMonth
    lastMonth = g.key.slice(0, 7)
    const head = headings === 'dates' ? (month ? MONTH_HEAD : DAY_HEAD) : headings === 'folders' ? FOLDER_HEAD : 0
    const rows = Math.ceil(g.count / cols)
    sections.push({ key: g.key, start: g.start, count: g.count, fileDated: g.fileDated, month, top: y, head, rows })
    y += head + rows * rowH + (headings === 'none' ? 0 : SECTION_GAP)
  }
  return { cols, size, rowH, sections, height: y + PAD }
}

/** The index of the last section whose `key` is at most `value` (sections are in order of both). */
function lastAtMost(layout: GridLayout, value: number, key: 'top' | 'start'): number {
  const s = layout.sections
  let lo = 0
  let hi = s.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (s[mid][key] <= value) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** The last section whose top is at or above y. */
export const sectionAt = (layout: GridLayout, y: number): number => lastAtMost(layout, y, 'top')

/** The section holding a photo's index. */
export const sectionOf = (layout: GridLayout, index: number): number => lastAtMost(layout, index, 'start')

export function cellPosition(layout: GridLayout, index: number): { x: number; y: number } {
  const sec = layout.sections[sectionOf(layout, index)]
  if (!sec) return { x: PAD, y: PAD }
  const i = index - sec.start
  return { x: PAD + (i % layout.cols) * layout.rowH, y: sec.top + sec.head + Math.floor(i / layout.cols) * layout.rowH }
}

export interface InView {
  sections: Section[]
  cells: { index: number; x: number; y: number }[]
  /** the first and one past the last photo index in view */
  first: number
  last: number
}

/** What lies in [top, bottom) of the canvas. */
export function inView(layout: GridLayout, top: number, bottom: number): InView {
  const out: InView = { sections: [], cells: [], first: Number.MAX_SAFE_INTEGER, last: 0 }
  if (!layout.sections.length) return { ...out, first: 0 }
  for (let si = sectionAt(layout, top); si < layout.sections.length; si++) {
    const sec = layout.sections[si]
    if (sec.top >= bottom) break
    const body = sec.top + sec.head
    if (sec.top + sec.head + sec.rows * layout.rowH < top) continue
    if (sec.head) out.sections.push(sec)
    const firstRow = Math.max(0, Math.floor((top - body) / layout.rowH))
    const lastRow = Math.min(sec.rows, Math.ceil((bottom - body) / layout.rowH))
    for (let r = firstRow; r < lastRow; r++) {
      for (let c = 0; c < layout.cols; c++) {
        const i = r * layout.cols + c
        if (i >= sec.count) break
        const index = sec.start + i
        out.cells.push({ index, x: PAD + c * layout.rowH, y: body + r * layout.rowH })
        out.first = Math.min(out.first, index)
        out.last = Math.max(out.last, index + 1)
      }
    }
  }
  if (out.first === Number.MAX_SAFE_INTEGER) out.first = 0
  return out
}

/** Where an arrow key takes the keyboard from `index`: along the row, or to the same column a row up or down, across headings. */
export function move(layout: GridLayout, index: number, key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End', count: number): number {
  if (count <= 0) return 0
  if (key === 'Home') return 0
  if (key === 'End') return count - 1
  if (key === 'ArrowLeft') return Math.max(0, index - 1)
  if (key === 'ArrowRight') return Math.min(count - 1, index + 1)
  const { cols, sections } = layout
  const si = sectionOf(layout, index)
  const sec = sections[si]
  const i = index - sec.start
  const row = Math.floor(i / cols)
  const col = i % cols
  if (key === 'ArrowUp') {
    if (row > 0) return index - cols
    const prev = sections[si - 1]
    if (!prev) return index
    const lastRowStart = prev.start + (prev.rows - 1) * cols
    return Math.min(lastRowStart + col, prev.start + prev.count - 1)
  }
  if (row < sec.rows - 1) return Math.min(index + cols, sec.start + sec.count - 1)
  const next = sections[si + 1]
  if (!next) return index
  return Math.min(next.start + col, next.start + next.count - 1)
}
