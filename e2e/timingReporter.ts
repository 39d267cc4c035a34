// Prints, at the end of a run, where its wall time went, spec file by spec file: its tests' own
// durations (what the list reporter shows), and the rest of its span, which is its hooks (beforeAll:
// building and indexing a library; afterAll: stopping the server) and Playwright's own set-up.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter'
import { relative } from 'node:path'

interface Span {
  file: string
  begin: number
  end: number
  tests: number
}

export default class TimingReporter implements Reporter {
  private readonly started = Date.now()
  private readonly spans: Span[] = []

  onTestBegin(test: TestCase): void {
    const file = relative(process.cwd(), test.location.file)
    const last = this.spans[this.spans.length - 1]
    if (last?.file !== file) this.spans.push({ file, begin: last?.end ?? this.started, end: Date.now(), tests: 0 })
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    const span = this.spans[this.spans.length - 1]
    span.end = Date.now()
    span.tests += result.duration
  }

  onEnd(): void {
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
    console.log('\nwall time by spec file: its tests, and the rest (hooks: building, indexing, stopping a server):')
    for (const x of this.spans) console.log(`  ${x.file}: ${s(x.end - x.begin)} = tests ${s(x.tests)} + rest ${s(x.end - x.begin - x.tests)}`)
    console.log(`  after the last test: ${s(Date.now() - (this.spans[this.spans.length - 1]?.end ?? this.started))}`)
  }
}
