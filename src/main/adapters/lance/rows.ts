// LanceDB's record batches as the app's rows: read a column at a time, embeddings as one float copy.
import type { RecordBatch, Table } from 'apache-arrow'
import type { PhotoMeta } from '../../ports/photos'

// Opening a library reads every row: a row proxy per photo (RecordBatch.toArray) and a Vector per
// embedding (get(i).toArray()) took 2.4 s of 2.4 s for 50,000 photos, the stream itself 0.3 s.

/** A batch's rows as plain objects, read a column at a time. */
export function columnsToRows(batch: RecordBatch, names: string[]): Record<string, unknown>[] {
  const columns = names.map((name) => {
    const v = batch.getChild(name)!
    // a typed array's nulls read as 0: a column with nulls is read value by value
    return [name, v.nullCount === 0 ? v.toArray() : Array.from({ length: v.length }, (_, i) => v.get(i))] as const
  })
  const rows: Record<string, unknown>[] = new Array(batch.numRows)
  for (let i = 0; i < batch.numRows; i++) {
    const r: Record<string, unknown> = {}
    for (const [name, values] of columns) r[name] = values[i]
    rows[i] = r
  }
  return rows
}

/** Every batch of a query's result, as rows read a column at a time. */
export const tableRows = (table: Table, names: string[]): Record<string, unknown>[] => table.batches.flatMap((b) => columnsToRows(b, names))

/** A batch's embeddings as one copy: a fixed-size list's values lie in its child, already sliced to the batch. */
export function embeddingsOf(batch: RecordBatch, dims: number): Float32Array {
  const emb = batch.getChild('embedding')!
  const out = new Float32Array(batch.numRows * dims)
  if (emb.data.length === 1 && emb.nullCount === 0) out.set((emb.data[0].children[0].values as Float32Array).subarray(0, out.length))
  else for (let i = 0; i < batch.numRows; i++) out.set(emb.get(i)!.toArray() as Float32Array, i * dims)
  return out
}

export function plainMeta(r: Record<string, unknown>): PhotoMeta {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v))
  return {
    id: Number(r.id),
    path: String(r.path),
    folder: String(r.folder),
    name: String(r.name),
    hash: String(r.hash),
    size: Number(r.size),
    mtime_ms: Number(r.mtime_ms),
    width: Number(r.width),
    height: Number(r.height),
    taken_at: str(r.taken_at),
    camera: str(r.camera),
    lens: str(r.lens),
    latitude: num(r.latitude),
    longitude: num(r.longitude),
    orientation: num(r.orientation),
    label: String(r.label),
    label_conf: Number(r.label_conf),
    label_dims: Number(r.label_dims),
    model: String(r.model)
  }
}
