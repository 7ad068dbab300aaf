import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The dashboard talks only to the gateway; in development, /api goes to it (NATIONPULSE_GATEWAY_URL, default the embedded platform). */
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', assetsInlineLimit: 0 },
  server: { proxy: { '/api': { target: process.env['NATIONPULSE_GATEWAY_URL'] ?? 'http://127.0.0.1:8080', changeOrigin: true } } },
});
