// People: the faces signal's faces clustered into people, incrementally (services/people.ts keeps
// who is who; the faces worker does the search), and the user's edits: names, merges, faces taken
// off a person (they never rejoin it), split. Every edit is written to LanceDB (lance/faceTables.ts)
// before it is answered, and all of them are kept when faces are clustered again.
import { readFile } from 'node:fs/promises'
import { UserError } from '../../shared/errors'
import sharp from 'sharp'
import { faceCrop } from '../../core/faces'
import { FACE_NESTING } from '../../training/faceSpace'
import { PeopleTables } from '../adapters/lance/faceTables'
import { FaceClient } from '../adapters/workers/faceClient'
import { dataLayout } from '../adapters/fs/dataLayout'
import { openImage } from '../adapters/image/heic'
import { writeFileAtomicSync } from '../adapters/fs/atomicWrite'
import { openInside, realRoots } from '../adapters/fs/openInside'
import { FACES, faceKey, type PhotoFaces } from '../jobs/signals/faces'
import type { Output, PersonSummary } from '../../shared/api'
import type { EngineContext } from './context'

/**
 * The cosine of two faces' FaceRes embeddings from which a face joins a person: on our identity set
 * (test/faces.manifest.json, bench/faces.ts) 0.62-0.64 kept every pair of people apart (precision 1)
 * and 0.61 already merged strangers; precision first, a split person is one merge away.
 */
export const JOIN_THRESHOLD = Number(process.env.MRL_FACE_THRESHOLD ?? 0.63)
const SHORTLIST = { shortlistDims: 16, shortlistK: 32 }

interface Face {
  photo: number
  box: PhotoFaces['faces'][0]['box']
}

type PeopleOut = Output<'people'>

export class PeopleService {
  private names = new Map<number, string>()
  private assigned = new Map<string, { person: number; user: boolean }>()
  private rejects = new Set<string>()
  private faces = new Map<string, Face>()
  private space: PeopleOut['space'] = null
  private tables: PeopleTables | null = null
  private opening: Promise<PeopleTables> | null = null
  /** edits and syncs one at a time */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly ctx: EngineContext) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }

  /** The tables, opened and read once: two callers at once (a sync and the screen) share one opening. */
  private db(): Promise<PeopleTables> {
    this.opening ??= (async () => {
      const tables = await PeopleTables.open(this.ctx.dataDir)
      const { people, faces, rejects } = await tables.read()
      this.names = new Map(people.map((p) => [p.id, p.name]))
      this.assigned = new Map(faces.map((f) => [f.key, { person: f.person, user: f.user }]))
      this.rejects = new Set(rejects.map((r) => `${r.key}|${r.person}`))
      this.tables = tables
      return tables
    })().catch((err) => {
      this.opening = null // the next call tries again
      throw err
    })
    return this.opening
  }

  /** The faces signal's values changed (a run ended, or the app opened): cluster the new faces. */
  sync(values: ReadonlyMap<number, PhotoFaces>): Promise<void> {
    return this.serial(async () => {
      await this.db()
      const meta = this.ctx.slot.current.meta
      const faces = new Map<string, Face>()
      for (const [id, v] of values) {
        const m = meta.get(id)
        if (m) v.faces.forEach((f, i) => faces.set(faceKey(m.hash, i), { photo: id, box: f.box }))
      }
      this.faces = faces
      await this.assign()
    })
  }

  /** Gives the faces without a (living) person one, in the faces worker. */
  private async assign(): Promise<void> {
    const tables = await this.db()
    const keys = [...this.faces.keys()]
    const open = keys.filter((k) => !this.names.has(this.assigned.get(k)?.person ?? -1))
    if (!open.length) return
    // new faces in the order their photos were taken, after every placed face
    const taken = (k: string) => this.ctx.slot.current.meta.get(this.faces.get(k)!.photo)?.taken_at ?? ''
    const placed = keys.filter((k) => this.names.has(this.assigned.get(k)?.person ?? -1))
    const order = [...placed, ...open.sort((a, b) => taken(a).localeCompare(taken(b)) || a.localeCompare(b))]
    const client = new FaceClient()
    try {
      const out = await client.cluster({
        dataDir: this.ctx.dataDir,
        keys: order,
        persons: Int32Array.from(order, (k) => (this.names.has(this.assigned.get(k)?.person ?? -1) ? this.assigned.get(k)!.person : -1)),
        rejects: [...this.rejects].map((r) => [r.slice(0, r.lastIndexOf('|')), Number(r.slice(r.lastIndexOf('|') + 1))]),
        nextPerson: Math.max(0, ...this.names.keys()) + 1,
        threshold: JOIN_THRESHOLD,
        ...SHORTLIST
      })
      this.space = out.space && { ...out.space, nesting: FACE_NESTING.filter((m) => m <= out.space!.dims) }
      await tables.putPeople(out.created.map((id) => ({ id, name: '' })))
      for (const id of out.created) this.names.set(id, '')
      const rows = order.map((key, i) => ({ key, person: out.persons[i], user: this.assigned.get(key)?.user ?? false })).filter((r, i) => r.person >= 0 && this.assigned.get(order[i])?.person !== r.person)
      await tables.putFaces(rows)
      for (const r of rows) this.assigned.set(r.key, { person: r.person, user: r.user })
    } finally {
      await client.close()
    }
  }

  /** Every person's faces (keys), in photo order. */
  private members(): Map<number, string[]> {
    const out = new Map<number, string[]>()
    for (const key of this.faces.keys()) {
      const p = this.assigned.get(key)?.person
      if (p === undefined || !this.names.has(p)) continue
      out.set(p, [...(out.get(p) ?? []), key])
    }
    return out
  }

  /** The photos of a person (by name, case and accents aside, or "#<id>"), each with score 1. */
  photosOf(person: string): Map<number, number> {
    const out = new Map<number, number>()
    const ids = this.resolve(person)
    for (const [key, f] of this.faces) if (ids.has(this.assigned.get(key)?.person ?? -1)) out.set(f.photo, 1)
    return out
  }

  private resolve(person: string): Set<number> {
    const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').trim().toLowerCase()
    const m = /^#(\d+)$/.exec(person.trim())
    if (m) return new Set([Number(m[1])])
    return new Set([...this.names].filter(([, name]) => name && fold(name) === fold(person)).map(([id]) => id))
  }

  /** The named people, for the query's words. */
  named(): { id: number; name: string }[] {
    const counted = this.members()
    return [...this.names].filter(([id, name]) => name && counted.has(id)).map(([id, name]) => ({ id, name }))
  }

  private async crop(key: string): Promise<string> {
    const file = dataLayout(this.ctx.dataDir).faceCrop(key)
    let jpeg = await readFile(file).catch(() => null)
    const face = this.faces.get(key)
    const photo = face && this.ctx.slot.current.meta.get(face.photo)
    if (!jpeg && face && photo) {
      // the cache was cleared: cut it again from the original
      try {
        const handle = await openInside(photo.path, await realRoots(await this.ctx.slot.current.store.listFolders()))
        const bytes = await handle.readFile().finally(() => handle.close())
        const upright = await (await openImage(bytes)).rotate().raw().toBuffer({ resolveWithObject: true })
        const { width, height, channels } = upright.info
        jpeg = await sharp(upright.data, { raw: { width, height, channels } }).extract(faceCrop(face.box, width, height)).resize(128, 128, { fit: 'cover' }).jpeg({ quality: 82 }).toBuffer()
        writeFileAtomicSync(file, jpeg)
      } catch {
        return ''
      }
    }
    return jpeg ? `data:image/jpeg;base64,${jpeg.toString('base64')}` : ''
  }

  private async summary(id: number, keys: string[]): Promise<PersonSummary> {
    return { id, name: this.names.get(id) ?? '', faces: keys.length, photos: new Set(keys.map((k) => this.faces.get(k)!.photo)).size, cover: await this.crop(keys[0]) }
  }

  async people(): Promise<PeopleOut> {
    await this.db()
    const members = [...this.members()].sort(([a, ka], [b, kb]) => Number(!this.names.get(a)) - Number(!this.names.get(b)) || kb.length - ka.length || a - b)
    return {
      people: await Promise.all(members.map(([id, keys]) => this.summary(id, keys))),
      faces: this.faces.size,
      photos: this.ctx.signals.values(FACES).size,
      space: this.space
    }
  }

  async personFaces(input: { id: number; offset?: number; limit?: number }): Promise<Output<'personFaces'>> {
    await this.db()
    const keys = this.members().get(input.id)
    if (!keys) throw new UserError(`no person ${input.id}`, 404)
    const page = keys.slice(input.offset ?? 0, (input.offset ?? 0) + (input.limit ?? 200))
    return {
      person: await this.summary(input.id, keys),
      total: keys.length,
      faces: await Promise.all(page.map(async (key) => ({ key, photo: this.faces.get(key)!.photo, crop: await this.crop(key), user: this.assigned.get(key)?.user ?? false })))
    }
  }

  private known(id: number): void {
    if (!this.names.has(id) || !this.members().has(id)) throw new UserError(`no person ${id}`, 404)
  }

  namePerson(input: { id: number; name: string }): Promise<PeopleOut> {
    return this.serial(async () => {
      const tables = await this.db()
      this.known(input.id)
      await tables.putPeople([{ id: input.id, name: input.name.trim() }])
      this.names.set(input.id, input.name.trim())
    }).then(() => this.people())
  }

  mergePeople(input: { into: number; from: number[] }): Promise<PeopleOut> {
    return this.serial(async () => {
      const tables = await this.db()
      const from = input.from.filter((id) => id !== input.into)
      for (const id of [input.into, ...from]) this.known(id)
      const members = this.members()
      const rows = [input.into, ...from].flatMap((id) => members.get(id)!.map((key) => ({ key, person: input.into, user: true })))
      await tables.putFaces(rows)
      for (const r of rows) this.assigned.set(r.key, { person: r.person, user: true })
      const name = this.names.get(input.into) || from.map((id) => this.names.get(id)).find(Boolean) || ''
      await tables.putPeople([{ id: input.into, name }])
      this.names.set(input.into, name)
      await tables.deletePeople(from)
      for (const id of from) this.names.delete(id)
    }).then(() => this.people())
  }

  removeFaces(input: { person: number; keys: string[]; split?: boolean }): Promise<PeopleOut> {
    return this.serial(async () => {
      const tables = await this.db()
      this.known(input.person)
      const keys = input.keys.filter((k) => this.assigned.get(k)?.person === input.person)
      if (!keys.length) throw new Error(`none of those faces is person ${input.person}'s`)
      await tables.addRejects(keys.map((key) => ({ key, person: input.person })))
      for (const key of keys) this.rejects.add(`${key}|${input.person}`)
      if (input.split) {
        const id = Math.max(0, ...this.names.keys()) + 1
        await tables.putPeople([{ id, name: '' }])
        this.names.set(id, '')
        await tables.putFaces(keys.map((key) => ({ key, person: id, user: true })))
        for (const key of keys) this.assigned.set(key, { person: id, user: true })
      } else {
        await tables.deleteFaces(keys)
        for (const key of keys) this.assigned.delete(key)
        await this.assign()
      }
    }).then(() => this.people())
  }

  /** Clusters again every face the user did not place and whose person has no name; edits stay. */
  recluster(): Promise<void> {
    return this.serial(async () => {
      const tables = await this.db()
      const loose = [...this.assigned].filter(([, a]) => !a.user && !this.names.get(a.person)).map(([key]) => key)
      await tables.deleteFaces(loose)
      for (const key of loose) this.assigned.delete(key)
      const emptied = [...this.names.keys()].filter((id) => !this.names.get(id) && ![...this.assigned.values()].some((a) => a.person === id))
      await tables.deletePeople(emptied)
      for (const id of emptied) this.names.delete(id)
      await this.assign()
    })
  }

  close(): void {
    this.tables?.close()
    this.tables = null
    this.opening = null
  }
}
