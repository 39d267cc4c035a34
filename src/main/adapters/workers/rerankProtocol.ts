// Messages between the batch reranker (rerankPool.ts) and its worker (rerankWorker.ts).
import type { Stage } from '../../../core/mrl'
import type { Layout } from '../../../core/kernels'

export type RerankRequest =
  | { type: 'init'; memory: WebAssembly.Memory; layout: Layout; region: number }
  | { type: 'rerank'; id: number; signed: boolean; queries: Float32Array[]; pools: Int32Array[]; stages: Stage[] }

export type RerankReply = { type: 'result'; id: number; results: { slots: Int32Array; scores: Float32Array }[] } | { type: 'error'; id: number; message: string }
