import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadScanners, scanImports, sourceClosure, stageSources } from '../src/source-closure.mjs';
import { readWorkspace } from '../src/workspace.mjs';

// The plugin loads its lexers only when a scan needs them (createNodes retries through withScanners); these tests call
// the synchronous scanners directly.
await loadScanners();

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'closure');

describe('scanImports', () => {
  const specs = (source: string) => scanImports(source).map((s) => `${s.kind} ${s.specifier}`);

  it('finds static, side-effect, re-export, dynamic and require specifiers, in order', () => {
    const source = [
      "import a from './a.ts';",
      "import './side-effect.ts';",
      "import * as ns from 'ns-pkg';",
      "import def, { b, c as d } from '@scope/pkg/sub';",
      "export * from './star.ts';",
      "export * as named from './star-named.ts';",
      "export { e, f as g } from './braces.ts';",
      "const lazy = await import('./lazy.ts');",
      "const lazyTpl = await import(`./lazy-template.ts`);",
      "const r = require('cjs-pkg'); const p = require.resolve('fonts/package.json');",
      "const wasm = new URL('../wasm/x.wasm', import.meta.url);",
      "import x = require('ts-require');",
    ].join('\n');
    assert.deepEqual(specs(source), [
      'static ./a.ts',
      'static ./side-effect.ts',
      'static ns-pkg',
      'static @scope/pkg/sub',
      'static ./star.ts',
      'static ./star-named.ts',
      'static ./braces.ts',
      'dynamic ./lazy.ts',
      'dynamic ./lazy-template.ts',
      'require cjs-pkg',
      'require fonts/package.json',
      'url ../wasm/x.wasm',
      'require ts-require',
    ]);
  });

  it('reads clauses across lines and comments', () => {
    const source = "import {\n  a, // first\n  /* second */ b,\n} from\n  './multi-line.ts';\nexport {\n  c,\n} from './multi-export.ts';";
    assert.deepEqual(specs(source), ['static ./multi-line.ts', 'static ./multi-export.ts']);
  });

  it('marks type-only imports and exports, but not a default import named "type" nor inline type specifiers', () => {
    const source = [
      "import type { A } from './type-braces.ts';",
      "import type B from './type-default.ts';",
      "import type * as C from './type-star.ts';",
      "export type { D } from './export-type.ts';",
      "export type * from './export-type-star.ts';",
      "import type from './default-named-type.ts';",
      "import type, { e } from './default-named-type-and-more.ts';",
      "import { type F, g } from './inline-type.ts';",
      "import { type H } from './only-inline-type.ts';",
    ].join('\n');
    assert.deepEqual(specs(source), [
      'type ./type-braces.ts',
      'type ./type-default.ts',
      'type ./type-star.ts',
      'type ./export-type.ts',
      'type ./export-type-star.ts',
      'static ./default-named-type.ts',
      'static ./default-named-type-and-more.ts',
      'static ./inline-type.ts',
      // verbatimModuleSyntax keeps `import {} from '…'`: the module still loads
      'static ./only-inline-type.ts',
    ]);
  });

  it('ignores import-like text in comments, strings, templates and regular expressions', () => {
    const source = [
      "// import a from './line-comment.ts';",
      "/* import b from './block-comment.ts';\n export * from './block-comment-2.ts'; */",
      "const s1 = \"import c from './double-quoted.ts'\";",
      "const s2 = 'import(\\'./single-quoted.ts\\')';",
      "const t = `import d from './template.ts' ${ await import('./in-substitution.ts') } require('./template-tail.ts')`;",
      "const nested = `a ${ `b ${ { k: import('./nested-substitution.ts') }.k } c` } import('./nested-tail.ts')`;",
      "const re = /import e from '.\\/regex.ts'/g;",
      "const cls = /[/'\"]import('.\\/regex-class.ts')/;",
      "const div = a / b; const div2 = (c) / 2; // '.\\/after-division.ts'",
      "const m = import.meta.url; obj.import('./member.ts'); obj.require('./member-require.ts');",
      "const reexport = { a }; export { reexport };",
      "import f from './real.ts';",
    ].join('\n');
    assert.deepEqual(specs(source), ['dynamic ./in-substitution.ts', 'dynamic ./nested-substitution.ts', 'static ./real.ts']);
  });

  it('ignores non-literal dynamic imports and `export { a }` without `from`, without swallowing the next import', () => {
    const source = "const name = './x.ts';\nawait import(name);\nawait import(`./${name}`);\nexport { name }\nimport y from './after-export.ts';\nexport type T = { a: string }\nimport z from './after-type-alias.ts';";
    assert.deepEqual(specs(source), ['static ./after-export.ts', 'static ./after-type-alias.ts']);
  });

  it('skips a shebang line; a text that does not parse adds nothing (it cannot run, so no cache entry can depend on it)', () => {
    assert.deepEqual(specs("#!/usr/bin/env node\nimport a from './a.mjs';"), ['static ./a.mjs']);
    assert.deepEqual(specs("const s = 'unterminated\nimport b from './b.ts';"), []);
    assert.deepEqual(specs("import e from './e.ts';\nconst t = `unterminated ${"), []);
  });
});

describe('sourceClosure on a fixture workspace', () => {
  const workspace = readWorkspace(FIXTURE);

  it('collects what the bin loads: relative files, subpath exports, dynamic imports, URL-read files, package.json and runtime files', () => {
    const closure = sourceClosure(workspace, 'packages/stage/bin/fx-stage.mjs');
    assert.deepEqual(closure.files, [
      'packages/lib/assets/font.bin', // tbpipe.runtimeFiles of @fx/lib
      'packages/lib/package.json',
      'packages/lib/src/contract.ts', // "@fx/lib/contract" through exports ("import" condition, not "types")
      'packages/lib/src/shared.ts', // './shared.js' in TypeScript names shared.ts
      'packages/stage/bin/fx-stage.mjs',
      'packages/stage/data/table.bin', // new URL('../data/table.bin', import.meta.url)
      'packages/stage/package.json',
      'packages/stage/src/cli.ts',
      'packages/stage/src/helpers/in-substitution.ts', // import() inside a template substitution
      'packages/stage/src/helpers/index.ts', // './helpers' → helpers/index.ts
      'packages/stage/src/lazy.mjs', // import('./lazy.mjs')
      'packages/stage/src/run.ts', // './run' → run.ts
    ]);
    // Not: lib's index.ts and implementation.ts (behind "." and imported only as a type), types.ts and types-only.ts
    // (type-only), @fx/unused (declared, never imported), nor any file named only in a comment, string or regex.
    assert.deepEqual(closure.packages, ['@fx/lib', '@fx/stage']);
    assert.deepEqual(closure.npmPackages, ['left-pad', 'lib-declared', 'tsx']);
  });

  it('hashes imported and declared npm packages that the lockfile knows, plus the tools', () => {
    const sources = stageSources(workspace, { name: '@fx/stage', bin: 'packages/stage/bin/fx-stage.mjs' }, ['tsx']);
    // "not-locked" is declared by @fx/stage but absent from package-lock.json: Nx would reject it.
    assert.deepEqual(sources.externalDependencies, ['left-pad', 'lib-declared', 'tsx']);
    assert.deepEqual(sources.packages, ['@fx/lib', '@fx/stage']);
  });

  it('makes a bin that does not exist yet its own closure (it fails at run time with Node’s message)', () => {
    assert.deepEqual(sourceClosure(workspace, 'packages/unlisted/bin/not-there.mjs').files, [
      'packages/unlisted/bin/not-there.mjs',
      'packages/unlisted/package.json',
    ]);
  });

  it('fails with one line naming the importing file when a specifier resolves to nothing', () => {
    assert.throws(
      () => sourceClosure(workspace, 'packages/broken/bin/fx-broken.mjs'),
      {
        name: 'PipelineError',
        code: 'SOURCE_UNRESOLVED',
        message:
          'packages/broken/bin/fx-broken.mjs: imports "../src/missing.ts", which resolves to no file (tried packages/broken/src/missing.ts with .ts, .mts, .tsx, .mjs, .js, .cjs, .cts, .json and packages/broken/src/missing.ts/index.*), expected a path to a file of the workspace',
      },
    );
    assert.throws(() => sourceClosure(workspace, 'packages/unlisted/bin/fx-unlisted.mjs'), {
      code: 'SOURCE_UNRESOLVED',
      message: /^packages\/unlisted\/bin\/fx-unlisted\.mjs: imports "\.\.\/src\/not-written-yet\.mjs", which resolves to no file/,
    });
  });

  it('fails naming the importing file and the subpaths on offer when a workspace package does not export a subpath', () => {
    assert.throws(() => sourceClosure(workspace, 'packages/private/bin/fx-private.mjs'), {
      code: 'SOURCE_UNRESOLVED',
      message:
        'packages/private/bin/fx-private.mjs: imports "@fx/lib/src/implementation.ts", which packages/lib/package.json "exports" does not define, expected one of "@fx/lib", "@fx/lib/contract"; import one of those or add the subpath to "exports"',
    });
  });
});

describe('sourceClosure after edits', () => {
  it('sees a changed file on the next call (a long-lived Nx process re-reads, but lexes only what changed)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tbpipe-closure-'));
    try {
      await cp(FIXTURE, root, { recursive: true });
      const bin = 'packages/stage/bin/fx-stage.mjs';
      assert.ok(!sourceClosure(readWorkspace(root), bin).files.includes('packages/lib/src/index.ts'));
      await writeFile(join(root, 'packages/stage/src/helpers/index.ts'), "export * from '@fx/lib';\n");
      assert.ok(sourceClosure(readWorkspace(root), bin).files.includes('packages/lib/src/implementation.ts'));
      await writeFile(join(root, 'packages/lib/package.json'), JSON.stringify({ name: '@fx/lib', exports: { '.': './src/index.ts', './contract': './src/contract.ts' }, tbpipe: { runtimeFiles: ['assets/missing.bin'] } }));
      assert.throws(() => sourceClosure(readWorkspace(root), bin), {
        code: 'PACKAGE_TBPIPE',
        message: 'packages/lib/package.json: tbpipe.runtimeFiles[0] is "assets/missing.bin", which is not a file (packages/lib/assets/missing.bin), expected a file the package reads at run time',
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
