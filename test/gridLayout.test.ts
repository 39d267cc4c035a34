// The timeline grid's geometry (src/renderer/src/lib/layout.ts): headings take their room, only
// what is in view is drawn, and the arrow keys cross headings to the photo above or below.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gridLayout, inView, move, cellPosition, sectionOf } from '../src/renderer/src/lib/layout.ts'
import type { TimelineGroup } from '../src/shared/api.ts'

const groups = (counts: [string, number][]): TimelineGroup[] => {
  let start = 0
  return counts.map(([key, count]) => {
    const g = { key, start, count, fileDated: 0 }
    start += count
    return g
  })
}

test('a month heading above the first day of each month, a day heading above every day', () => {
  const layout = gridLayout(1000, 12, groups([['2024-05-03', 5], ['2024-05-01', 4], ['2024-04-30', 3]]), 'dates')
  assert.deepEqual(layout.sections.map((s) => s.month), [true, false, true])
  assert.ok(layout.sections[0].head > layout.sections[1].head)
  // sections follow one another without overlapping
  for (let i = 1; i < layout.sections.length; i++) {
    const prev = layout.sections[i - 1]
    assert.ok(layout.sections[i].top >= prev.top + prev.head + prev.rows * layout.rowH)
  }
})

test('no headings yet (the counts have not answered): one section without a heading, never a "1900" one', () => {
  const layout = gridLayout(1000, 0, [], 'dates')
  assert.equal(layout.sections.length, 1)
  assert.equal(layout.sections[0].head, 0)
})

test('only the rows in view are drawn, at 100,000 photos too', () => {
  const many = groups(Array.from({ length: 2000 }, (_, i) => [`2020-01-${String(1 + (i % 28)).padStart(2, '0')}`, 50] as [string, number]))
  const layout = gridLayout(1400, 100_000, many, 'dates')
  const top = layout.height / 2
  const view = inView(layout, top, top + 900)
  assert.ok(view.cells.length > 0 && view.cells.length < 100, `${view.cells.length} cells drawn`)
  for (const c of view.cells) {
    assert.ok(c.y + layout.size >= top && c.y < top + 900)
    assert.deepEqual(cellPosition(layout, c.index), { x: c.x, y: c.y })
  }
  assert.equal(view.first, Math.min(...view.cells.map((c) => c.index)))
})

test('arrow keys: along a row, then up and down to the same column across headings, never past the ends', () => {
  // 7 columns at this width: a day of 10 photos (two rows), then a day of 3
  const layout = gridLayout(7 * 184 + 32, 13, groups([['2024-05-03', 10], ['2024-05-02', 3]]), 'dates')
  assert.equal(layout.cols, 7)
  assert.equal(move(layout, 0, 'ArrowRight', 13), 1)
  assert.equal(move(layout, 0, 'ArrowLeft', 13), 0)
  assert.equal(move(layout, 2, 'ArrowDown', 13), 9) // the short second row: its last photo
  assert.equal(move(layout, 1, 'ArrowDown', 13), 8)
  assert.equal(move(layout, 8, 'ArrowDown', 13), 11) // across the heading, same column
  assert.equal(move(layout, 12, 'ArrowUp', 13), 9) // back up to the last row of the day before
  assert.equal(move(layout, 11, 'ArrowUp', 13), 8)
  assert.equal(move(layout, 12, 'ArrowDown', 13), 12)
  assert.equal(move(layout, 3, 'End', 13), 12)
  assert.equal(sectionOf(layout, 10), 1)
})
