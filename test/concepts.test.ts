// The calibrated reading of a photo (src/main/engine/concepts.ts) on the bundled model's real card and
// heads, and its plain-words form (src/shared/describe.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadModel } from '../src/main/adapters/models/modelCard'
import { conceptReaderFor, readCalibration, relevanceCutoff } from '../src/core/concepts'
import { describeGuess } from '../src/shared/describe'

const model = await loadModel()
const names = model.card.classes

/** An embedding the full head reads as concept c: its head row, scaled up. */
function towards(name: string, scale: number): Float32Array {
  const head = model.heads.get(512)!
  const c = names.indexOf(name)
  return Float32Array.from(head.weight.subarray(c * 512, (c + 1) * 512), (w) => w * scale)
}

test('the bundled card carries a calibration with a cut-off for every prefix of both query kinds', () => {
  const cal = readCalibration(model.card.calibration)
  assert.ok(cal, 'calibration parses')
  for (const m of model.card.nesting) {
    for (const kind of ['text', 'photo'] as const) {
      const t = relevanceCutoff(cal, kind, m)
      assert.ok(t !== null && t > -1 && t < 1, `${kind} ${m}: ${t}`)
    }
  }
  assert.equal(relevanceCutoff(null, 'text', 512), null, 'no calibration, no cut-off')
})

test('a photo the head reads strongly as a golden retriever is named, with "dog" above it', () => {
  const reader = conceptReaderFor(model)!
  const g = reader.guess(towards('golden retriever', 50))
  assert.equal(g.label, 'golden retriever')
  assert.deepEqual(g.kinds, ['dog'])
  assert.ok(g.p >= readCalibration(model.card.calibration)!.label.threshold)
  assert.equal(describeGuess(g), 'golden retriever · dog')
})

test('a photo the head barely reads is not named: the likeliest concepts come with their probability', () => {
  const g = conceptReaderFor(model)!.guess(new Float32Array(512))
  assert.equal(g.label, null, 'a zero embedding is nothing in particular')
  assert.equal(g.top.length, 3)
  assert.ok(g.top[0].p >= g.top[1].p && g.top[1].p >= g.top[2].p)
  assert.match(describeGuess(g), /^maybe an? .+ \(\d+%\)/)
})

test('a general label says what it probably is below it', () => {
  assert.equal(describeGuess({ label: 'dog', p: 0.9, kinds: [], below: { name: 'golden retriever', p: 0.48 }, top: [] }),
    'dog · probably a golden retriever (48%)')
})

test('an imported model without calibration gets no reader', () => {
  const bare = { card: { ...model.card, calibration: undefined }, heads: model.heads }
  assert.equal(conceptReaderFor(bare), null)
})
