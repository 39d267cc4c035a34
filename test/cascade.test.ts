import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cascadeScore, stableThreshold, type PrefixPredictions } from '../src/core/mrl'

// Two prefixes, four rows. Row 0: the short head is right (confidence 0.5), the long one wrong.
// Row 1: the short head is wrong (confidence 0.8), the long one right. Rows 2-3: both right.
const nesting = [8, 512]
const labels = [0, 0, 0, 0]
const pred: PrefixPredictions = {
  classIndex: [Int32Array.from([0, 2, 0, 0]), Int32Array.from([1, 0, 0, 0])],
  confidence: [Float64Array.from([0.5, 0.8, 0.99, 0.99]), Float64Array.from([1, 1, 1, 1])]
}
const grid = [0, 0.45, 0.6, 0.85, 0.95, 1.01]

test('a stable threshold: the lowest from which every stricter one reaches the target, not a lucky dip', () => {
  const full = cascadeScore(pred, labels, nesting, [1.01, 1.01]).accuracy
  const at = (t: number) => cascadeScore(pred, labels, nesting, [t, t]).accuracy
  // 0 and 0.45 reach the full head's accuracy, 0.6 (stricter) falls below it, 0.85 reaches it again
  assert.ok(at(0) >= full && at(0.45) >= full && at(0.6) < full && at(0.85) >= full, `${at(0.45)} ${at(0.6)} ${at(0.85)} ${full}`)
  assert.equal(stableThreshold(pred, labels, nesting, full, grid), 0.85)
  assert.equal(stableThreshold(pred, labels, nesting, 2, grid), 1.01, 'an unreachable target walks to the full head')
})
