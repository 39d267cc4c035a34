// Batch search on every core: usearch answers all the shortlists at once on its own threads, then
// the reranks are split between this thread and a worker reading the same vector table (its shared
// WebAssembly memory). For many queries at once (a batch API, a self-join such as a duplicates
// finder: the K nearest of each row), not for one search.
import { Worker } from 'node:worker_threads'
import type { Funnel } from '../../../core/mrl'
import { rerankSlots, stagesFor } from '../../../core/funnel'
import type { Hit } from '../../../core/funnel'
import type { VectorTable } from '../../../core/vectors'
import type { RerankReply, RerankRequest } from './rerankProtocol'
import { workerUrl } from './workerUrl'
import { HalfRows } from '../vectors/halfRows'

export class RerankPool {
  private readonly worker: Worker
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (r: Extract<RerankReply, { type: 'result' }>) => void; reject: (e: Error) => void }>()

  constructor(private readonly table: VectorTable) {
    this.worker = new Worker(workerUrl('rerankWorker', import.meta.url))
    this.worker.on('message', (msg: RerankReply) => {
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      if (msg.type === 'result') p.resolve(msg)
      else p.reject(new Error(msg.message))
    })
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new Error(`the rerank worker exited (${code})`)))
    this.worker.postMessage({ type: 'init', memory: table.memory, layout: table.layout, region: 1 } satisfies RerankRequest)
  }

  /**
   * The funnel's answer for each query, given each one's shortlist of ids: the second half of the
   * batch is reranked by the worker while this thread reranks the first.
   */
  async rerank(queries: Float32Array[], shortlists: number[][], config: Funnel, limit: number): Promise<Hit[][]> {
    const t = this.table
    // the worker reads the finer copy through the same descriptor: what is buffered is written first
    const fine = t.rescores && t.fine instanceof HalfRows ? t.fine : null
    fine?.flush()
    const stages = stagesFor(config, limit, t.size, fine !== null)
    // the shortlist stage is the index's: only the reranks after it run here
    const reranks = stages.length > 1 ? stages.slice(1) : stages
    const pools = shortlists.map((ids) => Int32Array.from(ids, (id) => t.slotOf(id)))
    const half = Math.ceil(queries.length / 2)
    const id = this.nextId++
    const theirs = new Promise<Extract<RerankReply, { type: 'result' }>>((resolve, reject) => this.pending.set(id, { resolve, reject }))
    this.worker.postMessage({ type: 'rerank', id, signed: t.signed, queries: queries.slice(half), pools: pools.slice(half), stages: reranks, fine: fine && { ...fine.handle, limit } } satisfies RerankRequest)
    const score = (q: Float32Array, dims: number, slots: Int32Array) => t.scoreSlots(q, dims, slots)
    const rescore = fine ? { score: (q: Float32Array, dims: number, slots: Int32Array) => t.fineSlots(q, dims, slots), limit } : undefined
    const mine = queries.slice(0, half).map((q, i) => rerankSlots(score, q, pools[i], reranks, rescore))
    const all = [...mine, ...(await theirs).results]
    return all.map((r) => Array.from(r.slots, (s, i) => ({ id: t.idAt(s), score: r.scores[i] })))
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}

/**
 * A self-join on every core: the `k` nearest photos of each of `ids` (the photo itself left out)
 * by the funnel `config`, the shortlists from `index` in one batch. For a duplicates finder.
 */
export async function nearestOfEach(table: VectorTable, index: { searchMany(q: Float32Array[], k: number): number[][] }, ids: number[], config: Funnel, k: number): Promise<Hit[][]> {
  const queries = ids.map((id) => table.vector(id))
  const lists = index.searchMany(queries, config.k + 1)
  const pool = new RerankPool(table)
  try {
    const hits = await pool.rerank(queries, lists, config, k + 1)
    return hits.map((h, i) => h.filter((x) => x.id !== ids[i]).slice(0, k))
  } finally {
    await pool.close()
  }
}
