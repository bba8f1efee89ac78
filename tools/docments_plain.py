#!/usr/bin/env python
"""Take markdown (backticks) out of docments comments in exported signatures: show_doc renders them raw.

    python tools/docments_plain.py [NOTEBOOK ...]"""
import sys, ast, json, re
from pathlib import Path

def fix_source(src):
    lines = src.splitlines(keepends=True)
    if not any(l.startswith('#|') and 'export' in l for l in lines): return src
    body = [l if not l.startswith('#|') else '\n' for l in lines]
    try: tree = ast.parse(''.join(body))
    except SyntaxError: return src
    sig = set()
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            sig |= set(range(n.lineno - 1, n.body[0].lineno - 1))
    for i in sig:
        l = lines[i]
        if '#' in l and '`' in l.split('#', 1)[1]:
            code, comment = l.split('#', 1)
            lines[i] = code + '#' + comment.replace('`', '')
    return ''.join(lines)

if __name__ == '__main__':
    fns = sys.argv[1:] or sorted(str(p) for p in Path(__file__).parent.parent.joinpath('nbs').glob('*.ipynb'))
    for fn in fns:
        nb = json.loads(Path(fn).read_text()); n = 0
        for c in nb['cells']:
            if c['cell_type'] != 'code': continue
            src = ''.join(c['source']); new = fix_source(src)
            if new != src: c['source'] = new.splitlines(keepends=True); n += 1
        if n:
            Path(fn).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n'); print(f"{Path(fn).name}: {n} cell(s)")
