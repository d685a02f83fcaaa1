// The app runs exactly the public contract's operation documents
// (graphql/operations/*.graphql), imported as raw text at build time.
const files = import.meta.glob('../../graphql/operations/*.graphql', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const byName = new Map<string, string>();
for (const [path, text] of Object.entries(files)) {
  byName.set(path.split('/').pop()!.replace(/\.graphql$/, ''), text);
}

/** The operation's document with every fragment it spreads (transitively). */
export function documentFor(name: string): string {
  const text = byName.get(name);
  if (!text) throw new Error(`Unknown operation ${name}`);
  const parts = [text];
  const seen = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    for (const match of parts[i].matchAll(/\.\.\.\s*(\w+)/g)) {
      const fragment = match[1];
      if (seen.has(fragment) || !byName.has(fragment)) continue;
      seen.add(fragment);
      parts.push(byName.get(fragment)!);
    }
  }
  return parts.join('\n');
}
