// A second thread for batch search: it reranks its share of a batch's shortlists straight from the
// vector table's shared WebAssembly memory (no copy), with its own scratch region.
import { parentPort } from 'node:worker_threads'
import { rerankSlots } from '../../../core/funnel'
import { Scorer, type Layout } from '../../../core/kernels'
import type { RerankReply, RerankRequest } from './rerankProtocol'
import { HalfRows } from '../vectors/halfRows'

let scorer: Scorer | null = null
let layout: Layout | null = null

parentPort!.on('message', (msg: RerankRequest) => {
  try {
    if (msg.type === 'init') {
      scorer = new Scorer(msg.memory, msg.region)
      layout = msg.layout
      return
    }
    const s = scorer!
    const t = { ...layout!, signed: msg.signed }
    const score = (q: Float32Array, dims: number, slots: Int32Array) => {
      s.setQuery(q, dims)
      s.slots(slots.length).set(slots)
      const raw = s.gather(t, slots.length)
      const out = new Float32Array(slots.length)
      for (let i = 0; i < out.length; i++) out[i] = raw[i] * s.scale
      return out
    }
    const fine = msg.fine && HalfRows.reader(msg.fine.fd, msg.fine.dims)
    const rescore = fine ? { score: (q: Float32Array, dims: number, slots: Int32Array) => fine.cosines(q, dims, slots), limit: msg.fine!.limit } : undefined
    const results = msg.queries.map((q, i) => rerankSlots(score, q, msg.pools[i], msg.stages, rescore))
    parentPort!.postMessage({ type: 'result', id: msg.id, results } satisfies RerankReply)
  } catch (err) {
    parentPort!.postMessage({ type: 'error', id: msg.type === 'init' ? -1 : msg.id, message: (err as Error).message } satisfies RerankReply)
  }
})
