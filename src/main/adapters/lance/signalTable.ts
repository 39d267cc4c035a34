// A per-photo signal's own LanceDB table, `signal_<name>`: one row per photo with the file hash it
// was computed from and the signal version that computed it (its staleness), the value as JSON.
// A signal with words (text read in photos) also keeps them in a `text` column under LanceDB's
// full-text index.
import * as lancedb from '@lancedb/lancedb'
import { Field, Int32, Schema, Utf8 } from 'apache-arrow'
import { dataLayout } from '../fs/dataLayout'

export interface SignalRow {
  id: number
  hash: string
  version: string
  value: string
  /** the words the full-text index holds (tables opened with fullText only) */
  text?: string
}

const fields = () => [
  new Field('id', new Int32(), false),
  new Field('hash', new Utf8(), false),
  new Field('version', new Utf8(), false),
  new Field('value', new Utf8(), false)
]

/**
 * Trigrams, so that a word is found inside a longer one: OCR often runs words together
 * ("HOTEL ADLON" read as "hoteladlon"). No stemming or stop words: a trigram is not a word.
 */
const fts = () => lancedb.Index.fts({ baseTokenizer: 'ngram', ngramMinLength: 3, ngramMaxLength: 3, lowercase: true, asciiFolding: true, stem: false, removeStopWords: false, withPosition: false })

export class SignalTable {
  private constructor(
    private readonly table: lancedb.Table,
    private readonly fullText: boolean
  ) {}

  static async open(dataDir: string, name: string, opts: { fullText?: boolean } = {}): Promise<SignalTable> {
    // signal_versions is the bookkeeping table (signalVersions.ts)
    if (!/^[a-z][a-z0-9_]*$/.test(name) || name === 'versions') throw new Error(`not a signal name: ${name}`)
    const db = await lancedb.connect(dataLayout(dataDir).library)
    const schema = new Schema([...fields(), ...(opts.fullText ? [new Field('text', new Utf8(), false)] : [])])
    const table = await db.createEmptyTable(`signal_${name}`, schema, { existOk: true })
    if (opts.fullText && !(await table.listIndices()).some((i) => i.columns.includes('text'))) await table.createIndex('text', { config: fts() }) // a native Index is used once
    return new SignalTable(table, !!opts.fullText)
  }

  async all(): Promise<SignalRow[]> {
    return (await this.table.query().select(['id', 'hash', 'version', 'value']).toArray()).map((r) => ({ id: r.id, hash: r.hash, version: r.version, value: r.value }))
  }

  /** One commit: rows replace those of the same photo. */
  async put(rows: SignalRow[]): Promise<void> {
    const out = rows.map((r): Record<string, unknown> => (this.fullText ? { ...r, text: r.text ?? '' } : { id: r.id, hash: r.hash, version: r.version, value: r.value }))
    if (out.length) await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(out)
  }

  async delete(ids: number[]): Promise<void> {
    if (ids.length) await this.table.delete(`id IN (${ids.map((id) => Math.trunc(id)).join(', ')})`)
  }

  /**
   * The rows whose words hold every word of the query (each as a run of trigrams), best first by
   * BM25. Rows written since the index was last brought up to date are searched too (unindexed).
   */
  async searchText(words: string[], limit: number): Promise<{ id: number; text: string; score: number }[]> {
    const grams = words.filter((w) => w.length >= 3)
    if (!this.fullText || !grams.length) return []
    const must = grams.map((w): [lancedb.Occur, lancedb.FullTextQuery] => [lancedb.Occur.Must, new lancedb.MatchQuery(w, 'text', { operator: lancedb.Operator.And })])
    const query = must.length === 1 ? must[0][1] : new lancedb.BooleanQuery(must)
    const rows = await this.table.query().fullTextSearch(query).select(['id', 'text', '_score']).limit(limit).toArray()
    return rows.map((r) => ({ id: r.id, text: r.text, score: r._score }))
  }

  /** Folds the commits of a run into fewer files, and new rows into the full-text index. */
  async optimize(): Promise<void> {
    await this.table.optimize()
  }

  close(): void {
    this.table.close()
  }
}
