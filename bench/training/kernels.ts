// Which tensor code trains the adaptor faster on this machine: tfjs-core + tfjs-backend-cpu (pure JS,
// the maintained option that installs offline) or our typed-array kernels (src/training/linalg.ts)?
// One training step of the linear adaptor is three matmuls of a batch (256 x 512) with the weight
// (512 x 512): forward, weight gradient, input gradient. tfjs is measured when it resolves
// (TFJS_DIR=/path/with/node_modules), else only ours.
import { createRequire } from 'node:module'
import { addMatmulAT, matmul, matmulBT, rng } from '../../src/training/linalg'

const B = 256
const D = 512
const REPS = 20
const random = rng(1)
const x = Float32Array.from({ length: B * D }, () => random() - 0.5)
const w = Float32Array.from({ length: D * D }, () => random() - 0.5)
const dy = Float32Array.from({ length: B * D }, () => random() - 0.5)

function ours(): number {
  const gw = new Float32Array(D * D)
  const t0 = performance.now()
  for (let r = 0; r < REPS; r++) {
    matmul(x, w, B, D, D)
    gw.fill(0)
    addMatmulAT(x, dy, B, D, D, gw)
    matmulBT(dy, w, B, D, D)
  }
  return (performance.now() - t0) / REPS
}

async function tfjs(): Promise<number | null> {
  const dir = process.env.TFJS_DIR
  if (!dir) return null
  const req = createRequire(`${dir}/`)
  const tf = req('@tensorflow/tfjs-core')
  req('@tensorflow/tfjs-backend-cpu')
  await tf.setBackend('cpu')
  const X = tf.tensor2d(x, [B, D])
  const W = tf.tensor2d(w, [D, D])
  const DY = tf.tensor2d(dy, [B, D])
  const step = () => tf.tidy(() => [tf.matMul(X, W).dataSync(), tf.matMul(X, DY, true, false).dataSync(), tf.matMul(DY, W, false, true).dataSync()])
  step()
  const t0 = performance.now()
  for (let r = 0; r < REPS; r++) step()
  return (performance.now() - t0) / REPS
}

ours() // warm-up (JIT)
const mine = ours()
const theirs = await tfjs()
console.log(`one adaptor step (3 matmuls, ${B}x${D} · ${D}x${D}): typed arrays ${mine.toFixed(1)} ms` + (theirs === null ? '' : `, tfjs-backend-cpu ${theirs.toFixed(1)} ms`))
