// The layering rules (ARCHITECTURE.md), checked by `npm run deps` inside `npm test`: a violation fails the run.
const layer = (name) => `^src/main/${name}/`
/** each layer of src/main may import only the layers below it */
const below = {
  shells: ['app', 'services', 'jobs', 'space', 'ports', 'adapters'],
  app: ['services', 'jobs', 'space', 'ports', 'adapters'],
  services: ['jobs', 'space', 'ports', 'adapters'],
  jobs: ['space', 'ports', 'adapters'],
  space: ['ports', 'adapters'],
  ports: [],
  adapters: ['ports']
}
const layers = Object.keys(below)
const layerRules = layers.filter((from) => below[from].length < layers.length - 1).map((from) => ({
  name: `main-${from}-imports-only-below`,
  comment: `src/main/${from} may import ${below[from].map((l) => `src/main/${l}`).join(', ') || 'no other layer of src/main'} (and src/core, src/shared, src/training)`,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: layers.filter((l) => l !== from && !below[from].includes(l)).map(layer) }
}))

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycle between files', severity: 'error', from: { path: '^(src|bench|test|e2e|fixtures)/' }, to: { circular: true } },
    { name: 'no-circular-folders', comment: 'no import cycle between folders', severity: 'error', scope: 'folder', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'core-is-pure',
      comment: 'src/core is the Matryoshka idea in plain TypeScript: no node:*, Electron, LanceDB or native code; only src/core, src/shared and zod',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/', '^src/shared/', '^node_modules/zod/'] }
    },
    {
      name: 'shared-is-pure',
      comment: 'src/shared (the contract) is read by the renderer and the main process alike: only itself and zod',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { pathNot: ['^src/shared/', '^node_modules/zod/'] }
    },
    {
      name: 'training-is-pure',
      comment: 'src/training is the adaptor math: src/core, src/shared and ml-matrix only (workers and files live in src/main/adapters)',
      severity: 'error',
      from: { path: '^src/training/' },
      to: { pathNot: ['^src/training/', '^src/core/', '^src/shared/', '^node_modules/ml-matrix/'] }
    },
    { name: 'renderer-sees-only-the-contract', severity: 'error', from: { path: '^src/renderer/' }, to: { path: '^src/(main|core|training|preload)/' } },
    { name: 'nothing-imports-the-shells', comment: 'the shells are entry points', severity: 'error', from: { pathNot: ['^src/main/shells/', '^(test|bench|e2e)/'] }, to: { path: '^src/main/shells/' } },
    { name: 'bench-does-not-import-test', comment: 'what both use lives in fixtures/', severity: 'error', from: { path: '^(bench|fixtures)/' }, to: { path: '^(test|e2e)/' } },
    { name: 'src-does-not-import-tests-or-bench', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|e2e|bench|fixtures)/' } },
    { name: 'not-to-unresolvable', severity: 'error', from: { path: '^src/' }, to: { couldNotResolve: true } },
    ...layerRules
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.svelte', '.json'] }
  }
}
