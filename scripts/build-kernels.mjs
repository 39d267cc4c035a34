#!/usr/bin/env node
// Builds the search kernels (WebAssembly SIMD) into src/core/kernels/wasm.ts: the module's bytes
// as base64, so src/core stays pure (no file read). Run after editing the text below:
//   node scripts/build-kernels.mjs          writes the file
//   node scripts/build-kernels.mjs --check  exits 1 if the file is not what this script builds
//
// Every row is stored as bytes (u8, or i8 once any value is negative), the query as i16. The table
// keeps each block of rows as parts (dims 0-8, 8-16, 16-32, … of every row, each part contiguous),
// so a prefix scan reads only the parts it needs, front to back. For each row and part the kernels
// add the integer dot with the query's part and the row's own squared norm into i32 sums
// (i32x4.dot_i16x8_s on 8 dims at a time, a scalar loop for a tail under 8); `finish` turns the
// sums into dot / sqrt(norm²) as f32: the cosine times the query's norm, so the ranking.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import wabtInit from 'wabt'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'src', 'core', 'kernels', 'wasm.ts')

/**
 * The body adding one row's part at $p (dims $dims) to the i32 sums at $accD/$accN + 4 * $i: its
 * dot with the query part at $q and its own squared norm. `ext` is u or s (the row's sign).
 */
const rowBody = (ext) => `
      (local.set $dot0 (v128.const i32x4 0 0 0 0))
      (local.set $dot1 (v128.const i32x4 0 0 0 0))
      (local.set $nn0 (v128.const i32x4 0 0 0 0))
      (local.set $nn1 (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $b16 (loop $l16
        (br_if $b16 (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $dims)))
        (local.set $x (v128.load8x8_${ext} (i32.add (local.get $p) (local.get $j))))
        (local.set $y (v128.load8x8_${ext} (i32.add (i32.add (local.get $p) (local.get $j)) (i32.const 8))))
        (local.set $dot0 (i32x4.add (local.get $dot0) (i32x4.dot_i16x8_s (local.get $x) (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
        (local.set $dot1 (i32x4.add (local.get $dot1) (i32x4.dot_i16x8_s (local.get $y) (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
        (local.set $nn0 (i32x4.add (local.get $nn0) (i32x4.dot_i16x8_s (local.get $x) (local.get $x))))
        (local.set $nn1 (i32x4.add (local.get $nn1) (i32x4.dot_i16x8_s (local.get $y) (local.get $y))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l16)))
      (if (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $dims)) (then
        (local.set $x (v128.load8x8_${ext} (i32.add (local.get $p) (local.get $j))))
        (local.set $dot0 (i32x4.add (local.get $dot0) (i32x4.dot_i16x8_s (local.get $x) (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
        (local.set $nn0 (i32x4.add (local.get $nn0) (i32x4.dot_i16x8_s (local.get $x) (local.get $x))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))))
      (local.set $dot0 (i32x4.add (local.get $dot0) (local.get $dot1)))
      (local.set $nn0 (i32x4.add (local.get $nn0) (local.get $nn1)))
      (local.set $sd (i32.add (i32.add (i32x4.extract_lane 0 (local.get $dot0)) (i32x4.extract_lane 1 (local.get $dot0)))
                              (i32.add (i32x4.extract_lane 2 (local.get $dot0)) (i32x4.extract_lane 3 (local.get $dot0)))))
      (local.set $sn (i32.add (i32.add (i32x4.extract_lane 0 (local.get $nn0)) (i32x4.extract_lane 1 (local.get $nn0)))
                              (i32.add (i32x4.extract_lane 2 (local.get $nn0)) (i32x4.extract_lane 3 (local.get $nn0)))))
      (block $bt (loop $lt
        (br_if $bt (i32.ge_u (local.get $j) (local.get $dims)))
        (local.set $v (i32.load8_${ext} (i32.add (local.get $p) (local.get $j))))
        (local.set $sd (i32.add (local.get $sd) (i32.mul (local.get $v) (i32.load16_s (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
        (local.set $sn (i32.add (local.get $sn) (i32.mul (local.get $v) (local.get $v))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $lt)))
      (local.set $a (i32.shl (local.get $i) (i32.const 2)))
      (if (local.get $add) (then
        (local.set $sd (i32.add (local.get $sd) (i32.load (i32.add (local.get $accD) (local.get $a)))))
        (local.set $sn (i32.add (local.get $sn) (i32.load (i32.add (local.get $accN) (local.get $a)))))))
      (i32.store (i32.add (local.get $accD) (local.get $a)) (local.get $sd))
      (i32.store (i32.add (local.get $accN) (local.get $a)) (local.get $sn))`

/**
 * Touches the lines of the row at $pf (its first $dims bytes, 64 apart) so that their misses overlap
 * with the work on the rows before it; what is read goes into $sink so it is not dropped.
 */
const prefetch = `
      (local.set $j (i32.const 0))
      (block $bp (loop $lp
        (br_if $bp (i32.ge_u (local.get $j) (local.get $dims)))
        (local.set $sink (i32.xor (local.get $sink) (i32.load8_u (i32.add (local.get $pf) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 64)))
        (br $lp)))`

/** rows ahead of the one being scored whose lines are touched first */
const AHEAD = 8

const locals = `(local $i i32) (local $p i32) (local $j i32) (local $v i32) (local $sd i32) (local $sn i32) (local $a i32) (local $slot i32) (local $pf i32) (local $sink i32)
    (local $x v128) (local $y v128) (local $dot0 v128) (local $dot1 v128) (local $nn0 v128) (local $nn1 v128)`

const name = (kind, ext) => `${kind}_${ext === 'u' ? 'u8' : 'i8'}`

/** rows base, base + stride, …: sums[i] for i < rows (set, or added to when $add) */
const scan = (ext) => `
  (func (export "${name('scan', ext)}") (param $base i32) (param $stride i32) (param $rows i32) (param $dims i32) (param $q i32) (param $accD i32) (param $accN i32) (param $add i32)
    ${locals}
    (block $done (loop $rowl
      (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $p (i32.add (local.get $base) (i32.mul (local.get $i) (local.get $stride))))
      (if (i32.lt_u (i32.add (local.get $i) (i32.const ${AHEAD})) (local.get $rows)) (then
        (local.set $pf (i32.add (local.get $p) (i32.mul (i32.const ${AHEAD}) (local.get $stride))))
        ${prefetch}))
      ${rowBody(ext)}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rowl)))
    (drop (local.get $sink)))`

/**
 * the rows of the i32 slots at $slots, in a blocked table: slot s lies in block s >> $shift at
 * $base + block * $blockBytes + $part + (s & (2^$shift - 1)) * $stride
 */
const rowAt = `(i32.add (i32.add (local.get $base) (local.get $part))
        (i32.add (i32.mul (i32.shr_u (local.get $slot) (local.get $shift)) (local.get $blockBytes))
                 (i32.mul (i32.and (local.get $slot) (i32.sub (i32.shl (i32.const 1) (local.get $shift)) (i32.const 1))) (local.get $stride))))`
const gather = (ext) => `
  (func (export "${name('gather', ext)}") (param $base i32) (param $blockBytes i32) (param $shift i32) (param $part i32) (param $stride i32) (param $slots i32) (param $count i32) (param $dims i32) (param $q i32) (param $accD i32) (param $accN i32) (param $add i32)
    ${locals}
    (block $done (loop $rowl
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (if (i32.lt_u (i32.add (local.get $i) (i32.const ${AHEAD})) (local.get $count)) (then
        (local.set $slot (i32.load (i32.add (local.get $slots) (i32.shl (i32.add (local.get $i) (i32.const ${AHEAD})) (i32.const 2)))))
        (local.set $pf ${rowAt})
        ${prefetch}))
      (local.set $slot (i32.load (i32.add (local.get $slots) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $p ${rowAt})
      ${rowBody(ext)}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rowl)))
    (drop (local.get $sink)))`

/** out[i] = dot / sqrt(norm²) as f32 (0 for a zero row) */
const finish = `
  (func (export "finish") (param $accD i32) (param $accN i32) (param $count i32) (param $out i32)
    (local $i i32) (local $a i32) (local $n i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $a (i32.shl (local.get $i) (i32.const 2)))
      (local.set $n (i32.load (i32.add (local.get $accN) (local.get $a))))
      (f32.store (i32.add (local.get $out) (local.get $a))
        (if (result f32) (local.get $n)
          (then (f32.div (f32.convert_i32_s (i32.load (i32.add (local.get $accD) (local.get $a)))) (f32.sqrt (f32.convert_i32_s (local.get $n)))))
          (else (f32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))`

export const WAT = `(module
  (import "env" "memory" (memory 1 65536 shared))
  ${scan('u')}
  ${scan('s')}
  ${gather('u')}
  ${gather('s')}
  ${finish}
)`

export async function build() {
  const wabt = await wabtInit()
  const mod = wabt.parseWat('kernels.wat', WAT, { simd: true, threads: true })
  // wabt's validator refuses a shared memory even with threads on; V8 validates when it compiles (test/kernels.test.ts)
  const { buffer } = mod.toBinary({})
  mod.destroy()
  const b64 = Buffer.from(buffer).toString('base64')
  return [
    '// Generated by scripts/build-kernels.mjs from the WebAssembly text there: do not edit.',
    `export const KERNELS_WASM = '${b64}'`,
    ''
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = await build()
  if (process.argv.includes('--check')) {
    const now = readFileSync(OUT, 'utf8')
    if (now !== text) {
      console.error(`${OUT} is stale: run node scripts/build-kernels.mjs`)
      process.exit(1)
    }
  } else {
    writeFileSync(OUT, text)
    console.log(`wrote ${OUT} (${text.length} bytes)`)
  }
}
