// Runs the exported ONNX in onnxruntime-node (the app's runtime) on the batch PyTorch saw and
// prints the largest absolute difference as JSON. Usage: node onnx_parity.mjs model.onnx batch.json
import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'

const [modelPath, batchPath] = process.argv.slice(2)
const batch = JSON.parse(readFileSync(batchPath, 'utf8'))
const session = await ort.InferenceSession.create(modelPath)
const feeds = { image: new ort.Tensor('float32', Float32Array.from(batch.image), batch.shape) }
const out = await session.run(feeds)
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)
let worst = maxDiff(out.embedding.data, batch.embedding)
for (const [m, logits] of Object.entries(batch.logits)) worst = Math.max(worst, maxDiff(out[`logits_${m}`].data, logits))
console.log(JSON.stringify({ max_abs_diff: worst, outputs: Object.keys(out).length }))
