// What the app's process is started with, beside the user's environment (scripts/start.mjs; the
// benchmarks that measure the app's memory start it the same way). glibc reads these once, at
// process start, so they have to come from the launcher.
//
// MALLOC_MMAP_THRESHOLD_=4194304: a fixed threshold turns off glibc's sliding one, which after the
// first large free serves blocks up to 32 MB from the heap and keeps them when freed. Opening a
// library streams every embedding through LanceDB's Arrow batches: scanning 1,000,000 rows left
// 280 MB behind by default (RSS 118 -> 397 MB), 17 MB with this (118 -> 135 MB). At 128 KB it left
// 8 MB, but the interleaved benchmark at 1M run under it had FAISS HNSW ef=16 at 0.88 ms against
// 0.21 ms (our funnels 1.2-1.6x slower too): likely the per-query buffers of a few hundred KB, such
// as FAISS's 1 MB visited table, being mapped and unmapped on every query.
// MALLOC_ARENA_MAX=2: every thread that allocates gets its own 64 MB arena by default and keeps
// what was freed in it (LanceDB's, onnxruntime's and the workers' threads).
export const LAUNCH_ENV = process.platform === 'linux' ? { MALLOC_MMAP_THRESHOLD_: '4194304', MALLOC_ARENA_MAX: '2' } : {}

/** The environment to start the app with: the caller's, with LAUNCH_ENV where the caller set nothing. */
export function launchEnv(base = process.env) {
  const env = { ...base }
  for (const [key, value] of Object.entries(LAUNCH_ENV)) env[key] ??= value
  return env
}
