// The finer copy of a vector table's rows (core/vectors.ts FineRows): every row as f16 in a file,
// at slot x dims x 2, read back with pread (never mapped, so it costs page cache, not the process's
// RSS: 1 GB at 1,000,000 x 512). The byte table ranks; this rescores the last few dozen candidates,
// which is what lifts recall@10 at 1M from the byte table's ceiling (0.953) to that of f32.
//
// The file is a scratch file: it is unlinked as soon as it is open (POSIX keeps it until the
// descriptor closes), so a killed process leaves nothing behind; where unlinking an open file fails
// (Windows) it stays until the folder's sweep at the next start.
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { encodeRow, halfCosine, norm } from '../../../core/half'
import type { FineRows } from '../../../core/vectors'

/** rows buffered before one write (a library opening writes them in slot order) */
const RUN = 256

let made = 0
/** a copy whose table was dropped (a replaced search space) closes its descriptor when collected */
const dropped = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd)
  } catch {
    // already closed
  }
})

export class HalfRows implements FineRows {
  private readonly rowBytes: number
  private readonly run: Uint16Array
  private runFrom = -1
  private runCount = 0
  private readonly row: Uint16Array
  private closed = false
  /** false once a write failed: the table then ranks on its bytes alone (see VectorTable.rescores) */
  ok = true

  private constructor(
    private readonly fd: number,
    readonly dims: number,
    private readonly owner: boolean
  ) {
    this.rowBytes = dims * 2
    this.run = owner ? new Uint16Array(RUN * dims) : new Uint16Array(0)
    this.row = new Uint16Array(dims)
  }

  /** A new, empty copy in `dir` (a scratch file nobody else opens). */
  static create(dir: string, dims: number): HalfRows {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const path = join(dir, `rows-${process.pid}-${Date.now()}-${made++}.f16`)
    const fd = openSync(path, 'w+', 0o600)
    try {
      unlinkSync(path)
    } catch {
      // Windows: removed by sweepHalfRows at the next start
    }
    const rows = new HalfRows(fd, dims, true)
    dropped.register(rows, fd, rows)
    return rows
  }

  /** A reader over another thread's copy (a worker: descriptors are the process's). */
  static reader(fd: number, dims: number): HalfRows {
    return new HalfRows(fd, dims, false)
  }

  /** what a worker needs to read this copy */
  get handle(): { fd: number; dims: number } {
    return { fd: this.fd, dims: this.dims }
  }

  write(slot: number, v: Float32Array): void {
    if (!this.owner) throw new Error('a reader cannot write rows')
    if (!this.ok) return
    if (this.runCount === RUN || (this.runCount && slot !== this.runFrom + this.runCount)) this.flush()
    if (!this.runCount) this.runFrom = slot
    encodeRow(v.subarray(0, this.dims), this.run, this.runCount * this.dims)
    this.runCount++
  }

  move(from: number, to: number): void {
    this.flush()
    this.guard(() => {
      readSync(this.fd, this.row, 0, this.rowBytes, from * this.rowBytes)
      writeSync(this.fd, this.row, 0, this.rowBytes, to * this.rowBytes)
    })
  }

  flush(): void {
    if (!this.runCount) return
    const bytes = this.runCount * this.rowBytes
    this.runCount = 0
    this.guard(() => {
      if (writeSync(this.fd, this.run, 0, bytes, this.runFrom * this.rowBytes) !== bytes) throw new Error('a short write')
    })
  }

  /** A failed write (a full disk) must not fail indexing: the copy is given up, search ranks on the bytes. */
  private guard(io: () => void): void {
    if (!this.ok) return
    try {
      io()
    } catch (err) {
      this.ok = false
      console.error(`the f16 copy of the search rows could not be written (${(err as Error).message}): search ranks on the one-byte rows alone until the next start`)
    }
  }

  cosines(query: Float32Array, dims: number, slots: ArrayLike<number>, out = new Float32Array(slots.length)): Float32Array {
    if (dims > this.dims) throw new Error(`a ${dims}-dim query on ${this.dims}-dim rows`)
    this.flush()
    const q = norm(query, dims)
    const bytes = dims * 2
    for (let i = 0; i < slots.length; i++) {
      const got = readSync(this.fd, this.row, 0, bytes, slots[i] * this.rowBytes)
      if (got !== bytes) throw new Error(`row ${slots[i]} of the f16 copy is missing (read ${got} of ${bytes} bytes)`)
      out[i] = halfCosine(query, q, this.row, dims)
    }
    return out
  }

  close(): void {
    if (this.closed || !this.owner) return
    this.closed = true
    this.ok = false // never a write or read through a descriptor number the process may reuse
    dropped.unregister(this)
    closeSync(this.fd)
  }
}

/** Removes the scratch copies a previous run left (where they could not be unlinked while open). */
export function sweepHalfRows(dir: string): void {
  let names: string[] = []
  try {
    names = readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) if (/^rows-\d+-\d+-\d+\.f16$/.test(name) && !name.startsWith(`rows-${process.pid}-`)) rmSync(join(dir, name), { force: true })
}

