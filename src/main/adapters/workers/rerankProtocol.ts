// Messages between the batch reranker (rerankPool.ts) and its worker (rerankWorker.ts).
import type { Stage } from '../../../core/mrl'
import type { Layout } from '../../../core/kernels'

export type RerankRequest =
  | { type: 'init'; memory: WebAssembly.Memory; layout: Layout; region: number }
  /** fine: the table's f16 copy (adapters/vectors/halfRows.ts) to rescore the best `limit` from */
  | { type: 'rerank'; id: number; signed: boolean; queries: Float32Array[]; pools: Int32Array[]; stages: Stage[]; fine: { fd: number; dims: number; limit: number } | null }

export type RerankReply = { type: 'result'; id: number; results: { slots: Int32Array; scores: Float32Array }[] } | { type: 'error'; id: number; message: string }
