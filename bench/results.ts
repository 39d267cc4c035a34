// One row of the benchmark's results: a configuration measured at one scale.
import { cpus, totalmem } from 'node:os'

export interface Entry {
  name: string
  system: 'ours' | 'faiss' | 'lancedb'
  family: string
  /** shortlist source (f32/f16/i8 HNSW, exact prefix scan) or the peer's index */
  source: string | null
  ds: number | null
  k: number | null
  dr: number | null
  via?: { dims: number; keep: number }[]
  scale: string
  n: number
  /** mAP@10 / precision@10 (percent) on the real embeddings; at 1M, the same configuration's value on the real 50,000 */
  map10: number | null
  precision10: number | null
  /** recall@10 against our exact full-dim search at this scale */
  recall10: number | null
  quality_queries: number
  p50_ms: number | null
  p99_ms: number | null
  /** batch throughput, queries per second */
  qps: number | null
  /** how the batch used the cores */
  qps_note?: string
  speed_queries: number
  build_s: number | null
  /** serialised size of the index this configuration searches (0: it scans the table) */
  index_bytes: number | null
  machine: string
  [extra: string]: unknown
}

export function machine(): string {
  return `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`
}

export const log = (s: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`)
