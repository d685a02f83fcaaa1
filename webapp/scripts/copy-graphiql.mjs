// GraphiQL for development (GET /graphql/ in a browser when DEBUG): its
// standalone builds, copied after `vite build` into dist/graphiql/ and served
// by Kanal itself as /static/graphiql/… — no CDN, so the IDE works offline
// and under the Content-Security-Policy. The page and its bootstrap script
// live in graphql/api/ (templates/api/graphiql.html, static/api/graphiql.js).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'graphiql');
// package → files of its own folder (React's "exports" hide umd/ from require.resolve).
const FILES = {
  react: ['umd/react.production.min.js'],
  'react-dom': ['umd/react-dom.production.min.js'],
  graphiql: ['graphiql.min.js', 'graphiql.min.css'],
};

mkdirSync(out, { recursive: true });
for (const [pkg, files] of Object.entries(FILES)) {
  const root = dirname(require.resolve(`${pkg}/package.json`));
  for (const file of files) {
    copyFileSync(join(root, file), join(out, file.split('/').pop()));
    console.log(`dist/graphiql/${file.split('/').pop()}`);
  }
}
