// The adaptive-deployment benchmark in its small configuration (5,000 database vectors, 200
// queries, no 1M, peers included): it runs end to end and its numbers are sane. No timing limits.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { runBench } from '../bench/run.ts'

const hasFaiss = spawnSync('/usr/bin/python3', ['-c', 'import faiss'], { stdio: 'ignore' }).status === 0

test('the small benchmark runs and its quality numbers are sane', { timeout: 30 * 60_000 }, async () => {
  const report = (await runBench(['--small', ...(hasFaiss ? [] : ['--no-peers'])]))!
  const entries = report.entries
  assert.ok(entries.length > 100, `${entries.length} configurations`)
  for (const e of entries) {
    assert.ok(e.recall10 !== null && e.recall10 >= 0 && e.recall10 <= 1, `${e.name}: recall ${e.recall10}`)
    assert.ok(e.map10 !== null && e.map10 >= 0 && e.map10 <= 100, `${e.name}: mAP ${e.map10}`)
    assert.ok(e.p50_ms !== null && e.p50_ms >= 0 && e.p99_ms! >= e.p50_ms, `${e.name}: latency`)
    assert.ok(e.qps! > 0, `${e.name}: QPS`)
  }
  const reference = entries.find((e) => e.family === 'reference')!
  assert.equal(reference.recall10, 1)
  // our exact search ranks the byte table: nearly the float32 answer
  const exact = entries.find((e) => e.system === 'ours' && e.name === 'exact 512')!
  assert.ok(exact.recall10! >= 0.97, `exact 512 on the byte table: recall ${exact.recall10}`)
  // a funnel reranking a large shortlist on all dims finds (nearly) the exact answer
  const wide = entries.filter((e) => e.family === 'funnel' && e.dr === 512 && e.k === 2000)
  assert.ok(wide.length >= 4)
  for (const e of wide) assert.ok(e.recall10! >= 0.9, `${e.name}: recall ${e.recall10}`)
  // the engine's runFunnel and the benchmark's reranker agree on the same candidates
  assert.ok(entries.some((x) => x.engine_agreement !== undefined), 'agreement measured')
  for (const e of entries.filter((x) => x.engine_agreement !== undefined)) assert.ok((e.engine_agreement as number) >= 0.99, `${e.name}: agreement ${e.engine_agreement}`)
  // the prefixes nest: a longer exact prefix agrees more with exact full-dim search
  const byDims = entries.filter((e) => e.system === 'ours' && e.family === 'exact').sort((a, b) => a.dr! - b.dr!)
  assert.ok(byDims[0].recall10! <= byDims[byDims.length - 1].recall10!)
  if (hasFaiss) {
    const flat = entries.find((e) => e.family === 'faiss-flat')!
    assert.ok(flat.recall10! >= 0.99, `FAISS flat recall ${flat.recall10}`)
    assert.ok(entries.some((e) => e.system === 'lancedb'))
    // the interleaved comparison ran its rounds, with a ratio per round for each claim it could make
    const inter = report.interleaved![0]
    assert.equal(inter.rounds, 2)
    for (const s of inter.series) assert.equal(s.p50_ms.length, 2, s.name)
    for (const c of inter.claims.filter((x) => x.ours)) assert.ok(c.ratios.length <= 2 && c.rounds_won <= c.ratios.length)
  }
  const scans = report.prefix_scans![0]
  assert.ok(scans.ms['exact 8'].length === scans.rounds)
  const c = report.cascade
  for (const p of c.points) {
    assert.ok(p.accuracy >= 0 && p.accuracy <= 100)
    assert.ok(p.expected_dims >= Math.min(...report.model.nesting) && p.expected_dims <= Math.max(...report.model.nesting))
  }
  assert.equal(c.points[c.points.length - 1].expected_dims, Math.max(...report.model.nesting), 'a threshold above 1 always uses the full prefix')
  for (const h of [c.calibrated.stable, c.calibrated.per_prefix]) {
    assert.ok(h.min_accuracy <= h.accuracy && h.accuracy <= h.max_accuracy && h.max_accuracy <= 100, `held out ${h.min_accuracy} ${h.accuracy} ${h.max_accuracy}`)
    assert.ok(h.expected_dims >= Math.min(...report.model.nesting) && h.expected_dims <= Math.max(...report.model.nesting))
    assert.ok(h.splits_reaching <= h.splits && h.thresholds.length === 5)
  }
})
