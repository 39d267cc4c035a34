// The measured dial: positions on the recall/latency frontier, exact search at the precise end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { frontierDial, type Measured } from '../src/core/dial.ts'
import { DEFAULT_NESTING, funnelCandidates, paretoFrontier } from '../src/core/mrl.ts'

const point = (ds: number, k: number, dr: number, recall: number, ms: number): Measured => ({ config: { ds, k, dr }, recall, ms })
const exact = point(512, 0, 512, 1, 50)

test('the frontier keeps the points no faster point beats on recall, fastest first', () => {
  const pts = [point(8, 50, 64, 0.5, 1), point(8, 200, 64, 0.4, 2), point(16, 200, 128, 0.8, 3), point(16, 800, 512, 0.8, 4), point(32, 800, 512, 0.99, 6)]
  assert.deepEqual(paretoFrontier(pts).map((p) => p.recall), [0.5, 0.8, 0.99])
})

test('the dial spreads over the frontier, drops funnels slower than exact, ends exact', () => {
  const pts = [point(8, 50, 64, 0.5, 1), point(16, 200, 128, 0.8, 3), point(32, 800, 512, 0.99, 6), point(64, 2000, 512, 1, 80)]
  const dial = frontierDial(DEFAULT_NESTING, pts, exact)
  assert.deepEqual(dial.map((d) => d.config.k), [50, 200, 800, 0])
  assert.equal(dial[dial.length - 1].exact, true)
  assert.deepEqual(dial.map((d) => d.position), [0, 1 / 3, 2 / 3, 1])
})

test('a one-point frontier still gives the dial a distinct middle', () => {
  const dial = frontierDial(DEFAULT_NESTING, [point(8, 50, 512, 1, 1), point(16, 50, 512, 1, 2)], exact)
  assert.equal(dial.length, 3)
  assert.equal(new Set(dial.map((d) => JSON.stringify(d.config))).size, 3)
})

test('candidates shortlist on short prefixes with K below the library size', () => {
  const c = funnelCandidates(DEFAULT_NESTING, 1000)
  assert.ok(c.length > 0)
  for (const f of c) assert.ok(f.ds <= 64 && f.k < 1000 && f.dr >= f.ds)
})
