// Vite build of the dashboard: Preact JSX through Vite's own (oxc) transform, relative asset URLs
// (base './') so the control plane can serve the build under /dashboard/, output in ./dist.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1024 },
});
