// Packs every workspace package (built beforehand) into dist-packages/ and prints the tarballs as JSON.
// Run through `npm run release:pack`, which builds first.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const destination = join(root, 'dist-packages');
mkdirSync(destination, { recursive: true });

const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tarballs = [];
for (const workspace of workspaces) {
  const dir = join(root, workspace);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!existsSync(join(dir, 'dist'))) {
    console.error(`pack-all: ${pkg.name} has no dist/ — run \`npm run build\` first`);
    process.exit(1);
  }
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, encoding: 'utf8' });
  const [info] = JSON.parse(output);
  tarballs.push({ name: pkg.name, version: pkg.version, file: join(destination, info.filename), size: info.size });
}
console.log(JSON.stringify(tarballs, null, 2));
