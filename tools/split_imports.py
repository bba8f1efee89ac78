#!/usr/bin/env python
"""Split code cells that mix imports with other code into an imports-only cell followed by the rest.

    python tools/split_imports.py [NOTEBOOK ...]

nbdev's docs build executes every cell that contains an import (to define names for `show_doc`): a cell that
also computes something then runs out of context and breaks the build. Export cells are left alone (the docs
build runs them anyway). Idempotent."""
import sys, ast, json
from pathlib import Path

def split(src):
    "`(import_lines, other_lines, directives)` of a cell's source, or None if it need not be split"
    lines = src.splitlines()
    dirs = [l for l in lines if l.startswith('#|')]
    if any('export' in d for d in dirs): return None
    body = '\n'.join(l for l in lines if not l.startswith('#|'))
    try: tree = ast.parse(body)
    except SyntaxError: return None
    imps = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) and not (isinstance(n, ast.ImportFrom) and n.module == '__future__')]
    if not imps or len(imps) == len(tree.body): return None
    if any(isinstance(n, ast.Try) for n in tree.body): return None
    blines = body.splitlines()
    take = set()
    for n in imps: take |= set(range(n.lineno - 1, n.end_lineno))
    return [blines[i] for i in sorted(take)], [l for i, l in enumerate(blines) if i not in take], dirs

def fix(fn):
    nb = json.loads(Path(fn).read_text())
    out, n = [], 0
    for c in nb['cells']:
        if c['cell_type'] == 'code':
            r = split(''.join(c['source']))
            if r:
                imps, rest, dirs = r
                hide = [d for d in dirs if 'hide' in d]
                new = dict(c, source=[l + '\n' for l in hide + imps][:-1] + [(hide + imps)[-1]], outputs=[], execution_count=None)
                new.pop('id', None)
                out.append(new)
                rest_src = dirs + rest
                c = dict(c, source=[l + '\n' for l in rest_src[:-1]] + [rest_src[-1]])
                n += 1
        out.append(c)
    if n:
        nb['cells'] = out
        Path(fn).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return n

if __name__ == '__main__':
    fns = sys.argv[1:] or sorted(str(p) for p in Path(__file__).parent.parent.joinpath('nbs').glob('*.ipynb'))
    for fn in fns:
        k = fix(fn)
        if k: print(f"{Path(fn).name}: {k} cell(s) split")
