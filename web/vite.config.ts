import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/**
 * Both apps in one build (shared chunks for React and i18next): the merchant app at /, the console
 * at /console/. Charts and antd are only reachable from the console's entry, so the merchant app's
 * first load never carries them.
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        merchant: path.join(root, 'merchant/index.html'),
        console: path.join(root, 'console/index.html'),
      },
    },
  },
});
