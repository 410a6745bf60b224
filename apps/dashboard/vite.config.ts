import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where `vite dev` sends API calls (a running `jobs start` or `jobs serve`). */
const apiUrl = process.env.JOBS_API_URL ?? 'http://127.0.0.1:3000';
const proxied = ['/api', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'];

export default defineConfig({
  root: fileURLToPath(new URL('./src/app', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/app', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: Object.fromEntries(
      proxied.map((path) => [path, { target: apiUrl, changeOrigin: false }]),
    ),
  },
});
