// `npm run build`'s second step (`rollup -c declarations.config.js`): one bundled declaration
// file per library entry, dist/<name>.d.ts beside dist/<name>.js. tsc's per-file output keeps
// src/'s extensionless relative imports, which Node's own resolution (NodeNext, Node16) rejects
// (TS2834); a bundle has no relative imports left except those to a sibling entry, written as
// './<name>.js'. The entries are vite.config.ts's build.lib.entry: one list for code and types.
import { resolve } from 'node:path';
import { dts } from 'rollup-plugin-dts';
import { loadConfigFromFile } from 'vite';

const root = import.meta.dirname;
const outDir = resolve(root, 'dist');

/** The library entries, name → source file, as vite.config.ts lists them for `--mode lib`. */
async function libraryEntries() {
  const loaded = await loadConfigFromFile({ command: 'build', mode: 'lib' }, resolve(root, 'vite.config.ts'), root, 'silent');
  const entry = loaded?.config.build?.lib?.entry;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || Object.keys(entry).length === 0) {
    throw new Error(`vite.config.ts (mode 'lib') must name its entries as { name: file }, got ${JSON.stringify(entry)}`);
  }
  return Object.entries(entry).map(([name, file]) => ({ name, file: resolve(root, file) }));
}

const entries = await libraryEntries();

/** The placeholder id of an entry's built module, written out as './<name>.js' (output.paths). */
const siblingId = (entry) => `library-entry:${entry.name}`;

/**
 * Keeps every other entry out of this entry's bundle: an import of another entry's source file
 * becomes an import of that entry's built module, so both share one declaration of each class
 * (MLP's private fields make two copies incompatible types).
 */
function siblingEntriesExternal(self) {
  return {
    name: 'sibling-entries-external',
    async resolveId(source, importer, options) {
      if (importer === undefined || !source.startsWith('.')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      const sibling = entries.find((e) => e !== self && e.file === resolved?.id);
      return sibling ? { id: siblingId(sibling), external: true } : null;
    },
  };
}

export default entries.map((entry) => ({
  input: { [entry.name]: entry.file },
  output: {
    dir: outDir,
    format: 'es',
    entryFileNames: '[name].d.ts',
    paths: Object.fromEntries(entries.map((e) => [siblingId(e), `./${e.name}.js`])),
  },
  plugins: [siblingEntriesExternal(entry), dts({ tsconfig: resolve(root, 'tsconfig.build.json') })],
}));
