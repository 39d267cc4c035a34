// The library's rows in memory without a JS object per photo: numbers in typed columns, repeated
// strings (folder, camera, lens, label, model) as codes into a dictionary, the rest (path, taken_at,
// a name that is not the path's last part, a hash that is not hex) in one UTF-8 byte heap. It
// answers like the Map<number, PhotoMeta> it replaces (get, has, set, delete, keys, values,
// entries, size, iteration), building a PhotoMeta only when one is asked for.
// About 120 bytes a photo plus its path, against ~1 KB as objects (bench/memory.ts).
import { IdIndex } from '../../core/ids'
import type { PhotoMeta } from '../ports/photos'

const NULL = -1
const HASH_BYTES = 32

/** Strings that repeat (a folder, a camera): each kept once, a row holds its code. */
class Dictionary {
  private readonly codes = new Map<string, number>()
  private readonly values: string[] = []

  code(v: string | null): number {
    if (v === null) return NULL
    let c = this.codes.get(v)
    if (c === undefined) {
      c = this.values.length
      this.values.push(v)
      this.codes.set(v, c)
    }
    return c
  }

  value(c: number): string | null {
    return c === NULL ? null : this.values[c]
  }
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Variable-length strings, appended to one byte heap; a row holds (offset, length), -1 for null. */
class StringHeap {
  private bytes = new Uint8Array(1 << 16)
  private used = 0
  /** bytes no row points to any more (replaced or deleted): compacted away when over half */
  garbage = 0

  put(v: string | null): [number, number] {
    if (v === null) return [NULL, 0]
    const b = encoder.encode(v)
    if (this.used + b.length > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, this.used + b.length))
      next.set(this.bytes.subarray(0, this.used))
      this.bytes = next
    }
    this.bytes.set(b, this.used)
    this.used += b.length
    return [this.used - b.length, b.length]
  }

  get(offset: number, length: number): string | null {
    return offset === NULL ? null : decoder.decode(this.bytes.subarray(offset, offset + length))
  }

  get size(): number {
    return this.used
  }

  /** A fresh heap holding only the strings at (offsets, lengths), which are rewritten in place. */
  compact(offsets: Int32Array, lengths: Int32Array, rows: number): void {
    const next = new Uint8Array(Math.max(1 << 16, this.used - this.garbage))
    let at = 0
    for (let r = 0; r < rows; r++) {
      if (offsets[r] === NULL) continue
      next.set(this.bytes.subarray(offsets[r], offsets[r] + lengths[r]), at)
      offsets[r] = at
      at += lengths[r]
    }
    this.bytes = next
    this.used = at
    this.garbage = 0
  }
}

const STRINGS = ['path', 'name', 'taken_at', 'hash'] as const
const CODED = ['folder', 'camera', 'lens', 'label', 'model'] as const
const F64 = ['size', 'mtime_ms', 'latitude', 'longitude', 'label_conf'] as const
const I32 = ['width', 'height', 'orientation', 'label_dims'] as const
/** a null in an integer column (no real width, height, orientation or dims is this) */
const NO_INT = -2147483648

export class PhotoTable {
  private n = 0
  private capacity = 0
  private readonly rowOf = new IdIndex()
  private ids = new Int32Array(0)
  private readonly f64: Record<(typeof F64)[number], Float64Array> = Object.fromEntries(F64.map((k) => [k, new Float64Array(0)])) as never
  private readonly i32: Record<(typeof I32)[number], Int32Array> = Object.fromEntries(I32.map((k) => [k, new Int32Array(0)])) as never
  private readonly coded: Record<(typeof CODED)[number], Int32Array> = Object.fromEntries(CODED.map((k) => [k, new Int32Array(0)])) as never
  private readonly dicts: Record<(typeof CODED)[number], Dictionary> = Object.fromEntries(CODED.map((k) => [k, new Dictionary()])) as never
  /** per string column: offset and length into the heap */
  private readonly off: Record<(typeof STRINGS)[number], Int32Array> = Object.fromEntries(STRINGS.map((k) => [k, new Int32Array(0)])) as never
  private readonly len: Record<(typeof STRINGS)[number], Int32Array> = Object.fromEntries(STRINGS.map((k) => [k, new Int32Array(0)])) as never
  /** a lowercase hex hash of up to 32 bytes, as bytes (its length in hashLen; 0: in the heap) */
  private hashes = new Uint8Array(0)
  private hashLen = new Uint8Array(0)
  private readonly heap = new StringHeap()

  static from(rows: Iterable<PhotoMeta>): PhotoTable {
    const t = new PhotoTable()
    for (const r of rows) t.set(r.id, r)
    return t
  }

  get size(): number {
    return this.n
  }

  /** bytes held in typed arrays and the string heap (the dictionaries aside) */
  get bytes(): number {
    const cols = [this.ids, ...Object.values(this.f64), ...Object.values(this.i32), ...Object.values(this.coded), ...Object.values(this.off), ...Object.values(this.len), this.hashes, this.hashLen]
    return cols.reduce((s, a) => s + a.byteLength, 0) + this.heap.size
  }

  has(id: number): boolean {
    return this.rowOf.get(id) >= 0
  }

  get(id: number): PhotoMeta | undefined {
    const r = this.rowOf.get(id)
    return r < 0 ? undefined : this.at(r)
  }

  set(id: number, m: PhotoMeta): this {
    if (m.id !== id) throw new Error(`photo ${m.id} set under id ${id}`)
    let r = this.rowOf.get(id)
    if (r < 0) {
      if (this.n === this.capacity) this.grow()
      r = this.n++
      this.rowOf.set(id, r)
      this.ids[r] = id
    } else for (const k of STRINGS) this.heap.garbage += this.len[k][r]
    for (const k of F64) this.f64[k][r] = m[k] ?? NaN
    for (const k of I32) this.i32[k][r] = m[k] ?? NO_INT
    for (const k of CODED) this.coded[k][r] = this.dicts[k].code(m[k])
    const hex = /^(?:[0-9a-f]{2}){1,32}$/.test(m.hash)
    this.hashLen[r] = hex ? m.hash.length / 2 : 0
    if (hex) for (let i = 0; i < m.hash.length / 2; i++) this.hashes[r * HASH_BYTES + i] = parseInt(m.hash.slice(2 * i, 2 * i + 2), 16)
    const strings: Record<(typeof STRINGS)[number], string | null> = {
      path: m.path,
      // most names are the path's last part: kept once
      name: m.path.endsWith(`/${m.name}`) || m.path === m.name ? null : m.name,
      taken_at: m.taken_at,
      hash: hex ? null : m.hash
    }
    for (const k of STRINGS) [this.off[k][r], this.len[k][r]] = this.heap.put(strings[k])
    return this
  }

  delete(id: number): boolean {
    const r = this.rowOf.get(id)
    if (r < 0) return false
    for (const k of STRINGS) this.heap.garbage += this.len[k][r]
    const last = --this.n
    if (r !== last) {
      const moved = this.ids[last]
      this.ids[r] = moved
      for (const col of [...Object.values(this.f64), ...Object.values(this.i32), ...Object.values(this.coded), ...Object.values(this.off), ...Object.values(this.len)]) col[r] = col[last]
      this.hashes.copyWithin(r * HASH_BYTES, last * HASH_BYTES, (last + 1) * HASH_BYTES)
      this.hashLen[r] = this.hashLen[last]
      this.rowOf.set(moved, r)
    }
    this.rowOf.delete(id)
    if (this.heap.garbage > this.heap.size / 2 && this.heap.size > 1 << 20) this.compact()
    return true
  }

  clear(): void {
    for (const id of this.ids.slice(0, this.n)) this.delete(id)
  }

  *keys(): IterableIterator<number> {
    for (let r = 0; r < this.n; r++) yield this.ids[r]
  }

  *values(): IterableIterator<PhotoMeta> {
    for (let r = 0; r < this.n; r++) yield this.at(r)
  }

  *entries(): IterableIterator<[number, PhotoMeta]> {
    for (let r = 0; r < this.n; r++) yield [this.ids[r], this.at(r)]
  }

  [Symbol.iterator](): IterableIterator<[number, PhotoMeta]> {
    return this.entries()
  }

  forEach(each: (m: PhotoMeta, id: number) => void): void {
    for (let r = 0; r < this.n; r++) each(this.at(r), this.ids[r])
  }

  private str(k: (typeof STRINGS)[number], r: number): string | null {
    return this.heap.get(this.off[k][r], this.len[k][r])
  }

  private at(r: number): PhotoMeta {
    const path = this.str('path', r)!
    const num = (v: number) => (Number.isNaN(v) ? null : v)
    const int = (v: number) => (v === NO_INT ? null : v)
    let hash = this.str('hash', r)
    if (hash === null) {
      hash = ''
      for (let i = 0; i < this.hashLen[r]; i++) hash += this.hashes[r * HASH_BYTES + i].toString(16).padStart(2, '0')
    }
    const m = {
      id: this.ids[r],
      path,
      folder: this.dicts.folder.value(this.coded.folder[r])!,
      name: this.str('name', r) ?? path.slice(path.lastIndexOf('/') + 1),
      hash,
      size: this.f64.size[r],
      mtime_ms: this.f64.mtime_ms[r],
      width: this.i32.width[r],
      height: this.i32.height[r],
      taken_at: this.str('taken_at', r),
      camera: this.dicts.camera.value(this.coded.camera[r]),
      lens: this.dicts.lens.value(this.coded.lens[r]),
      latitude: num(this.f64.latitude[r]),
      longitude: num(this.f64.longitude[r]),
      orientation: int(this.i32.orientation[r]),
      label: this.dicts.label.value(this.coded.label[r])!,
      label_conf: this.f64.label_conf[r],
      label_dims: this.i32.label_dims[r],
      model: this.dicts.model.value(this.coded.model[r])!
    }
    return m
  }

  private compact(): void {
    // every string column's (offset, length) pairs, rewritten into one fresh heap
    const all = STRINGS.length * this.n
    const offsets = new Int32Array(all)
    const lengths = new Int32Array(all)
    STRINGS.forEach((k, i) => {
      offsets.set(this.off[k].subarray(0, this.n), i * this.n)
      lengths.set(this.len[k].subarray(0, this.n), i * this.n)
    })
    this.heap.compact(offsets, lengths, all)
    STRINGS.forEach((k, i) => this.off[k].set(offsets.subarray(i * this.n, (i + 1) * this.n)))
  }

  private grow(): void {
    const c = Math.max(1024, this.capacity * 2)
    const more = <T extends Int32Array | Float64Array | Uint8Array>(a: T, per = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(c * per)
      b.set(a as never)
      return b
    }
    this.ids = more(this.ids)
    for (const k of F64) this.f64[k] = more(this.f64[k])
    for (const k of I32) this.i32[k] = more(this.i32[k])
    for (const k of CODED) this.coded[k] = more(this.coded[k])
    for (const k of STRINGS) {
      this.off[k] = more(this.off[k])
      this.len[k] = more(this.len[k])
    }
    this.hashes = more(this.hashes, HASH_BYTES)
    this.hashLen = more(this.hashLen)
    this.capacity = c
  }
}
