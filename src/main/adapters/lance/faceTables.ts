// The faces' own LanceDB tables beside the faces signal (signal_faces: each photo's boxes):
//   face_vectors  one row per face: its key (the photo's file hash and the face's index) and its
//                 raw embedding, read in the faces worker only
//   people        the people: id and the name the user gave (empty: unnamed)
//   face_people   which person each face belongs to, and whether the user put it there
//   face_rejects  faces the user took off a person, which never rejoin that person
// A face's key is its file's content hash plus its index, so it, its person and the user's edits
// survive re-indexing, a moved folder and re-computation.
import * as lancedb from '@lancedb/lancedb'
import { Bool, Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from 'apache-arrow'
import { dataLayout } from '../fs/dataLayout'
import { sqlString } from './filter'

export interface PersonRow {
  id: number
  name: string
}

export interface FacePersonRow {
  key: string
  person: number
  /** put there by the user (a merge, a move): kept when the rest is clustered again */
  user: boolean
}

const str = (name: string) => new Field(name, new Utf8(), false)
const i32 = (name: string) => new Field(name, new Int32(), false)
const vectorSchema = (dims: number) => new Schema([str('key'), new Field('vector', new FixedSizeList(dims, new Field('item', new Float32(), true)), false)])
const peopleSchema = new Schema([i32('id'), str('name')])
const facePeopleSchema = new Schema([str('key'), i32('person'), new Field('user', new Bool(), false)])
const rejectsSchema = new Schema([str('key'), i32('person')])

const keyList = (keys: string[]) => keys.map(sqlString).join(', ')

async function connect(dataDir: string) {
  return lancedb.connect(dataLayout(dataDir).library)
}

/** The raw face embeddings, written as photos are computed and read whole for clustering. */
export class FaceVectorTable {
  private constructor(private readonly table: lancedb.Table, readonly dims: number) {}

  static async open(dataDir: string, dims: number): Promise<FaceVectorTable> {
    const db = await connect(dataDir)
    return new FaceVectorTable(await db.createEmptyTable('face_vectors', vectorSchema(dims), { existOk: true }), dims)
  }

  async put(rows: { key: string; vector: Float32Array }[]): Promise<void> {
    if (rows.length) await this.table.mergeInsert('key').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows.map((r) => ({ key: r.key, vector: Array.from(r.vector) })))
  }

  /** Every stored face's key and embedding (n x dims), as Arrow so there is no object per row. */
  async all(): Promise<{ keys: string[]; vectors: Float32Array }> {
    const table = await this.table.query().select(['key', 'vector']).toArrow()
    const keys: string[] = []
    const vectors = new Float32Array(table.numRows * this.dims)
    for (const batch of table.batches) {
      const k = batch.getChild('key')!
      const v = batch.getChild('vector')!
      for (let i = 0; i < batch.numRows; i++) {
        vectors.set(v.get(i)!.toArray() as Float32Array, keys.length * this.dims)
        keys.push(String(k.get(i)))
      }
    }
    return { keys, vectors }
  }

  /** Folds the many small commits of a run (one per photo with faces) together. */
  async optimize(): Promise<void> {
    await this.table.optimize()
  }

  async keys(): Promise<string[]> {
    return (await this.table.query().select(['key']).toArray()).map((r) => String(r.key))
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 500) await this.table.delete(`key IN (${keyList(keys.slice(i, i + 500))})`)
  }

  close(): void {
    this.table.close()
  }
}

/** The people and the user's edits: names, which face is whose, faces taken off a person. */
export class PeopleTables {
  private constructor(
    private readonly people: lancedb.Table,
    private readonly facePeople: lancedb.Table,
    private readonly rejects: lancedb.Table
  ) {}

  static async open(dataDir: string): Promise<PeopleTables> {
    const db = await connect(dataDir)
    const open = (name: string, schema: Schema) => db.createEmptyTable(name, schema, { existOk: true })
    return new PeopleTables(await open('people', peopleSchema), await open('face_people', facePeopleSchema), await open('face_rejects', rejectsSchema))
  }

  async read(): Promise<{ people: PersonRow[]; faces: FacePersonRow[]; rejects: { key: string; person: number }[] }> {
    const [people, faces, rejects] = await Promise.all([this.people.query().toArray(), this.facePeople.query().toArray(), this.rejects.query().toArray()])
    return {
      people: people.map((r) => ({ id: Number(r.id), name: String(r.name) })),
      faces: faces.map((r) => ({ key: String(r.key), person: Number(r.person), user: Boolean(r.user) })),
      rejects: rejects.map((r) => ({ key: String(r.key), person: Number(r.person) }))
    }
  }

  async putPeople(rows: PersonRow[]): Promise<void> {
    if (rows.length) await this.people.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows.map((r) => ({ ...r })))
  }

  async deletePeople(ids: number[]): Promise<void> {
    if (ids.length) await this.people.delete(`id IN (${ids.map((id) => Math.trunc(id)).join(', ')})`)
  }

  async putFaces(rows: FacePersonRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000)
      await this.facePeople.mergeInsert('key').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(chunk.map((r) => ({ ...r })))
    }
  }

  async deleteFaces(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 500) await this.facePeople.delete(`key IN (${keyList(keys.slice(i, i + 500))})`)
  }

  async addRejects(rows: { key: string; person: number }[]): Promise<void> {
    if (rows.length) await this.rejects.add(rows.map((r) => ({ ...r })))
  }

  close(): void {
    this.people.close()
    this.facePeople.close()
    this.rejects.close()
  }
}
