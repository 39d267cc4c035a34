// The typed metadata filter of the API as one LanceDB predicate: the only place SQL is written.
import type { Filter } from '../../../shared/api'

/** A SQL string literal for LanceDB's filters. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

function likeContains(value: string): string {
  return sqlString(`%${value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
}

/** Metadata filters as one LanceDB predicate (null: no filter). */
export function filterToSql(filter: Filter | undefined): string | null {
  if (!filter) return null
  const parts: string[] = []
  if (filter.from) parts.push(`taken_at >= ${sqlString(filter.from)}`)
  // `to` is inclusive of the whole day
  if (filter.to) parts.push(`taken_at < ${sqlString(`${filter.to}T99`)}`)
  if (filter.camera) parts.push(`lower(camera) LIKE ${likeContains(filter.camera)}`)
  if (filter.folder) parts.push(`lower(folder) LIKE ${likeContains(filter.folder)}`)
  if (filter.name) parts.push(`lower(name) LIKE ${likeContains(filter.name)}`)
  if (filter.label) parts.push(`lower(label) = ${sqlString(filter.label.toLowerCase())}`)
  return parts.length ? parts.join(' AND ') : null
}
