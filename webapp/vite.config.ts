import { defineConfig } from 'vite';

// Built assets are served by Django as static files (STATICFILES_DIRS = webapp/dist);
// the HTML shell is dist/index.html, dressed per city by graphql/webshell.
export default defineConfig({
  base: '/static/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsDir: 'assets' },
  // The operation documents live in ../graphql/operations (the public contract).
  server: { fs: { allow: ['..'] } },
});
