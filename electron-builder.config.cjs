// Installers for Linux (AppImage, deb), Windows (NSIS) and macOS (dmg): `npx electron-vite build &&
// npx electron-builder --linux|--win|--mac`. A build downloads the Electron binary for the target
// (network) and signs per OS (README.md, "Installers"). The fuses are flipped in scripts/afterPack.cjs.
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.mrlphotos.app',
  productName: 'MRL Photos',
  executableName: 'mrl-photos',
  directories: { output: 'dist', buildResources: 'build' },
  // the built app (electron-vite's out/), the bundled model; production node_modules are added by electron-builder
  files: ['out/**', 'resources/models/**', 'package.json', '!**/*.map'],
  asar: true,
  // read by native code, which cannot see inside app.asar: the ONNX model (onnxruntime) and the native modules
  asarUnpack: ['resources/models/**', '**/*.node', 'node_modules/sharp/**', 'node_modules/@img/**', 'node_modules/onnxruntime-node/**', 'node_modules/@lancedb/**', 'node_modules/usearch/**'],
  // every native dependency is a Node-API module (ABI-stable across Node and Electron): nothing to rebuild
  npmRebuild: false,
  afterPack: './scripts/afterPack.cjs',
  linux: { target: ['AppImage', 'deb'], category: 'Graphics', maintainer: 'MRL Photos' },
  deb: { depends: ['libnss3', 'libgtk-3-0'] },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.photography', hardenedRuntime: true },
  publish: null
}
