// A per-photo signal's own LanceDB table, `signal_<name>`: one row per photo with the file hash it
// was computed from and the signal version that computed it (its staleness), the value as JSON.
import { join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import { Field, Int32, Schema, Utf8 } from 'apache-arrow'
import { dataLayout } from '../fs/dataLayout'

export interface SignalRow {
  id: number
  hash: string
  version: string
  value: string
}

const schema = new Schema([
  new Field('id', new Int32(), false),
  new Field('hash', new Utf8(), false),
  new Field('version', new Utf8(), false),
  new Field('value', new Utf8(), false)
])

export class SignalTable {
  private constructor(private readonly table: lancedb.Table) {}

  static async open(dataDir: string, name: string): Promise<SignalTable> {
    // signal_versions is the bookkeeping table (signalVersions.ts)
    if (!/^[a-z][a-z0-9_]*$/.test(name) || name === 'versions') throw new Error(`not a signal name: ${name}`)
    const db = await lancedb.connect(dataLayout(dataDir).library)
    return new SignalTable(await db.createEmptyTable(`signal_${name}`, schema, { existOk: true }))
  }

  async all(): Promise<SignalRow[]> {
    return (await this.table.query().toArray()).map((r) => ({ id: r.id, hash: r.hash, version: r.version, value: r.value }))
  }

  /** One commit: rows replace those of the same photo. */
  async put(rows: SignalRow[]): Promise<void> {
    if (rows.length) await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows.map((r): Record<string, unknown> => ({ ...r })))
  }

  async delete(ids: number[]): Promise<void> {
    if (ids.length) await this.table.delete(`id IN (${ids.map((id) => Math.trunc(id)).join(', ')})`)
  }

  close(): void {
    this.table.close()
  }
}
