// The recordings module's imports point one way: routes → service → store/job on the HTTP side,
// worker → pipeline → stages on the job side; neither side reaches into the other's upper layers.
// recordings-module.ts is what roles/ composes (routes and jobs), so it stands above both sides.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const moduleDir = fileURLToPath(new URL('../../../src/modules/recordings/', import.meta.url));

/** Each file of the module (relative, `.ts`) with the module files it imports. */
async function importsOf(): Promise<Map<string, string[]>> {
  const files = (await readdir(moduleDir, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = await readFile(join(moduleDir, file), 'utf8');
    const targets = [...text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) =>
      relative(moduleDir, join(moduleDir, dirname(file), `${m[1] ?? ''}.ts`)),
    );
    graph.set(file, targets);
  }
  return graph;
}

const layers: { files: (file: string) => boolean; mayNotImport: RegExp }[] = [
  {
    files: (f) => ['recordings-routes.ts', 'recordings-service.ts'].includes(f),
    mayNotImport: /^(recording-pipeline|recordings-worker)\.ts$|^stages\//,
  },
  {
    files: (f) => f === 'recording-pipeline.ts',
    mayNotImport: /^recordings-(worker|service|routes|module)\.ts$/,
  },
  {
    files: (f) => f.startsWith('stages/'),
    mayNotImport:
      /^(recording-pipeline|recordings-worker|recordings-service|recordings-routes|recordings-module)\.ts$/,
  },
];

describe('recordings module dependencies', () => {
  it('when any file imports another, then it follows routes → service → store/job and worker → pipeline → stages', async () => {
    const graph = await importsOf();
    expect(graph.get('recording-pipeline.ts')).toContain('stages/compress-stage.ts');
    const wrong: string[] = [];
    for (const [file, targets] of graph)
      for (const layer of layers)
        if (layer.files(file))
          for (const target of targets)
            if (layer.mayNotImport.test(target)) wrong.push(`${file} → ${target}`);
    expect(wrong).toEqual([]);
  });
});
