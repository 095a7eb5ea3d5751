// One config for the dev server, the production build and the unit tests of the web UI.
// Run from the repository root (see package.json); paths are resolved from this file so
// the config does not depend on the current directory.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

const uiDir = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: uiDir,
  // Vite would put its cache in ui/node_modules (next to `root`); keep ui/ free of it.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite', import.meta.url)),
  // Tauri loads the built files from disk, so every asset URL must be relative.
  base: './',
  // All Svelte options are the defaults (TypeScript is supported natively), so there is no
  // svelte.config.js to look for.
  plugins: [svelte({ configFile: false }), svelteTesting()],
  // Keep Rust compiler output visible when `tauri dev` runs this in the same terminal.
  clearScreen: false,
  server: {
    // Tauri's devUrl points at this port; failing beats silently picking another one.
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
});
