// The data folder's schema version and the steps that bring an older folder up to it.
// <dataDir>/schema.json holds {"version": N}: the last step applied. A folder without it but with
// library.lance was written before versions existed (version 0); a brand-new folder starts at the
// latest. Each step is idempotent, and schema.json is rewritten (atomically) after each one, so a
// kill between a step and its version write only runs that step again at the next start.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import { writeFileAtomicSync } from '../fs/atomicWrite'
import { ModelRegistry } from '../models/registry'
import { SIGNAL_VERSIONS, signalVersionRow, signalVersionsSchema } from './signalVersions'
import { dataLayout } from '../fs/dataLayout'

export interface Migration {
  /** the schema version the folder is at once this step has run (1, 2, ... in order) */
  version: number
  name: string
  /** Idempotent: it may run again on a folder it already changed (a kill before schema.json was written). */
  up(db: lancedb.Connection, dataDir: string): Promise<void>
}


/**
 * 1, "signals": a `signal_versions` table (signal, version, updated_at), the embedding as its first
 * signal, its version the model whose embeddings the photo table holds: the one model-state.json
 * names, else the `model` column of the photo table's first row (no row for an empty library).
 */
async function signals(db: lancedb.Connection, dataDir: string): Promise<void> {
  const table = await db.createEmptyTable(SIGNAL_VERSIONS, signalVersionsSchema, { existOk: true })
  try {
    if (await table.countRows(`signal = 'embedding'`)) return
    const model = await modelInUse(db, dataDir)
    if (model !== null) await table.add([{ ...signalVersionRow('embedding', model) }])
  } finally {
    table.close()
  }
}

async function modelInUse(db: lancedb.Connection, dataDir: string): Promise<string | null> {
  const active = new ModelRegistry(dataDir).state().active
  if (active) return active.model
  if (!(await db.tableNames()).includes('photos')) return null
  const photos = await db.openTable('photos')
  try {
    const rows = await photos.query().select(['model']).limit(1).toArray()
    return rows.length ? String(rows[0].model) : null
  } finally {
    photos.close()
  }
}

/** Every step, oldest first; a new one goes at the end with the next version. */
export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'signals', up: signals }]

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version

/** A folder that a newer build wrote: this one would misread it, so it is not touched. */
export class NewerSchemaError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(`this data folder was written by a newer version of MRL Photos (schema ${found}); this build reads up to ${supported}`)
  }
}

/** The folder's schema version: schema.json's, 0 for a folder from before it, null for a brand-new one. */
export function readSchemaVersion(dataDir: string): number | null {
  const file = dataLayout(dataDir).schema
  if (!existsSync(file)) return existsSync(dataLayout(dataDir).library) ? 0 : null
  let version: unknown
  try {
    version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version
  } catch (err) {
    throw new Error(`the data folder's ${file} cannot be read (${(err as Error).message}); it should hold {"version": N}`)
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new Error(`the data folder's ${file} does not hold a schema version ({"version": N}): ${JSON.stringify(version)}`)
  }
  return version
}

export function writeSchemaVersion(dataDir: string, version: number): void {
  writeFileAtomicSync(dataLayout(dataDir).schema, `${JSON.stringify({ version })}\n`)
}

export interface MigrationReport {
  /** the version found (0: from before schema.json; null: a brand-new folder) */
  from: number | null
  to: number
  /** the names of the steps that ran */
  applied: string[]
}

/**
 * Brings the data folder to the latest schema; call it with the folder's lock held, before
 * Store.open. A folder at the latest version is left as it is (nothing is written); one from a
 * newer build is refused with NewerSchemaError, nothing changed.
 */
export async function migrateDataFolder(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration “${m.name}” is numbered ${m.version}, expected ${i + 1}`)
  })
  const latest = migrations.length
  const from = readSchemaVersion(dataDir)
  if (from !== null && from > latest) throw new NewerSchemaError(from, latest)
  if (from === latest) return { from, to: latest, applied: [] }
  if (from === null) {
    writeSchemaVersion(dataDir, latest) // nothing to bring up: Store.open makes every table as it is now
    return { from, to: latest, applied: [] }
  }
  const applied: string[] = []
  const db = await lancedb.connect(dataLayout(dataDir).library)
  try {
    for (const m of migrations.slice(from)) {
      await m.up(db, dataDir)
      writeSchemaVersion(dataDir, m.version)
      applied.push(m.name)
    }
  } finally {
    db.close()
  }
  return { from, to: latest, applied }
}
