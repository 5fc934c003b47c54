import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer: the same build runs in Electron and is served by the backend at `/`.
export default defineConfig({
  root: 'src/renderer',
  base: '/',
  plugins: [react()],
  resolve: { conditions: ['ktrdr-source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // `npm run dev -w @ktrdr/desktop`: the UI with hot reload against a running backend
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
});
