// One fresh process opening a data folder's search space the way the app does (Store.open, then
// SearchSpace.open: the rows streamed into the byte table and the columnar rows), then its
// shortlist index (loaded, or built and saved), then searches; prints the process's memory at each
// step (and the peak since the previous step) as one JSON line. The f16 copy of the rows the funnel
// rescores from is a scratch file read with pread: its size is printed, and it is not in the RSS.
// Run by bench/memory.ts so that nothing else lives in the process.
//   node --import tsx bench/memoryProbe.ts DATA_DIR DS K QUERIES.f32
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { runFunnel } from '../src/core/funnel'
import { loadModel } from '../src/main/adapters/models/modelCard'
import { Store } from '../src/main/adapters/lance/store'
import { dataLayout } from '../src/main/adapters/fs/dataLayout'
import { SearchSpace } from '../src/main/space/searchSpace'
import { percentile } from './quality'

const [dataDir, dsArg, kArg, queriesFile] = process.argv.slice(2)
const mb = (b: number) => Math.round(b / 2 ** 20)
/** the peak RSS since the last reset (VmHWM): getrusage's maxrss keeps the spawning parent's size across exec */
const peakMb = () => Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024)
const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5')
/** the process now, and its peak since the previous sample */
const sample = () => {
  const m = process.memoryUsage()
  const out = { rss_mb: mb(m.rss), heap_mb: mb(m.heapUsed), external_mb: mb(m.external), peak_rss_mb: peakMb() }
  resetPeak()
  return out
}

async function main(): Promise<void> {
  const steps: Record<string, unknown> = {}
  resetPeak()
  const model = await loadModel()
  steps.baseline = sample()
  let t0 = performance.now()
  await Store.migrate(dataDir)
  const store = await Store.open(dataLayout(dataDir).library, model.card.embedding_dim, 'photos')
  const space = await SearchSpace.open(dataDir, model, store)
  const openS = (performance.now() - t0) / 1000
  global.gc?.()
  // the f16 copy of the rows is a file read with pread: page cache the kernel may drop, not RSS
  const f16CopyMb = space.vectors.fine ? mb(space.vectors.size * space.vectors.dims * 2) : 0
  steps.opened = { ...sample(), seconds: openS, photos: space.vectors.size, table_mb: mb(space.vectors.memory.buffer.byteLength), rows_mb: mb(space.meta.bytes), f16_copy_file_mb: f16CopyMb }
  const ds = Number(dsArg)
  t0 = performance.now()
  const shortlist = space.shortlist(ds)
  const indexS = (performance.now() - t0) / 1000
  global.gc?.()
  const file = dataLayout(dataDir).shortlist(ds, shortlist.quantization)
  steps.shortlist = { ...sample(), seconds: indexS, ds, quantization: shortlist.quantization, connectivity: shortlist.connectivity, index_file_mb: mb(statSync(file).size) }
  const b = readFileSync(queriesFile)
  const d = model.card.embedding_dim
  const queries = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)
  const ms: number[] = []
  for (let i = 0; i < queries.length / d; i++) {
    const q = queries.subarray(i * d, (i + 1) * d)
    const t = performance.now()
    runFunnel(space.funnel(), { at: () => [q] }, { ds, k: Number(kArg), dr: d }, 10)
    ms.push(performance.now() - t)
  }
  global.gc?.()
  steps.searched = { ...sample(), queries: ms.length, p50_ms: percentile(ms, 50) }
  store.close()
  console.log(JSON.stringify(steps))
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
