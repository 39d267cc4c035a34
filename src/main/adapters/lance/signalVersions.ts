// The `signal_versions` table: which version of each per-photo signal the library holds (the
// embedding first: the model that computed it), one row per signal. Made by migration 1
// (migrations.ts) in a folder from before it, by Store.open in a new one.
import { Field, Schema, Utf8 } from 'apache-arrow'

export const SIGNAL_VERSIONS = 'signal_versions'

export const signalVersionsSchema = new Schema([
  new Field('signal', new Utf8(), false),
  new Field('version', new Utf8(), false),
  new Field('updated_at', new Utf8(), false)
])

export interface SignalVersionRow {
  signal: string
  version: string
  updated_at: string
}

export const signalVersionRow = (signal: string, version: string): SignalVersionRow => ({ signal, version, updated_at: new Date().toISOString() })
