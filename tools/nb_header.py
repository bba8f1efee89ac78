#!/usr/bin/env python
"""Give every chapter notebook the same header cells: title, Colab badge, Colab-only install.

    python tools/nb_header.py [NOTEBOOK ...] [--index] [--check]

For each nbs/*.ipynb (index.ipynb only with `--index`) the header becomes:

1. the markdown title cell `# Title` / `> one-line summary` (left as it is; it must come first);
2. a markdown cell with the "Open in Colab" badge as raw HTML (`<a href=...><img ...></a>`), which pandoc
   keeps as raw inline HTML: a markdown image (linked or not) alone in a paragraph becomes a figure whose
   caption is its alt text, and that caption became every page's search snippet;
3. `#| hide` `import sys, subprocess` (imports alone in their cell, as nbdev's docs build wants);
4. `#| hide` cell that pip-installs `git+<git_url>` (settings.ini) only when `google.colab` is imported.

Older forms of cells 2-4 found right after the title are replaced; running it twice changes nothing.
With `--check`, nothing is written: exit 1 naming every notebook whose header is not canonical, and
run the install cell's code with and without a fake `google.colab` to check what it would install."""
import sys, re, json, hashlib, argparse, configparser
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def settings():
    cp = configparser.ConfigParser(delimiters=['='])
    cp.read(root/'settings.ini', encoding='utf-8')
    return cp['DEFAULT']

def git_url(): return settings()['git_url'].rstrip('/')

def colab_url(nb_name):
    "Colab's address for notebook `nb_name` in nbs/ on the docs branch"
    s = settings()
    return f"https://colab.research.google.com/github/{s['user']}/{s['repo']}/blob/{s['branch']}/nbs/{nb_name}"

BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"
IMPORT_SRC = "#| hide\nimport sys, subprocess"

def badge_src(nb_name):
    "Raw HTML: pandoc reads it as raw inlines, so no figure, no caption and no text for the search snippet"
    return f'<a href="{colab_url(nb_name)}"><img src="{BADGE_IMG}" alt="Open In Colab"></a>'

def install_src(url=None):
    url = url or git_url()
    return ("#| hide\n"
            "# Google Colab only: install medimg from its repository (no release on PyPI yet)\n"
            "if 'google.colab' in sys.modules:\n"
            f"    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', 'git+{url}'], check=True)")

def _src(c): return ''.join(c['source']) if isinstance(c['source'], list) else c['source']

def is_old_header(c):
    "A badge, Colab-install or its import cell, in any of the forms this project has used"
    s = _src(c)
    if c['cell_type'] == 'markdown': return 'colab-badge.svg' in s and len(s) < 600
    if c['cell_type'] != 'code': return False
    body = '\n'.join(l for l in s.splitlines() if not l.startswith('#|')).strip()
    return "google.colab" in s or body == 'import sys, subprocess'

def _id(nb_name, role): return hashlib.sha1(f'{nb_name}:{role}'.encode()).hexdigest()[:8]

def _cell(kind, src, cid):
    c = {'cell_type': kind, 'id': cid, 'metadata': {}, 'source': src.splitlines(keepends=True)}
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c

def canonical(nb, nb_name):
    "`nb` with its header cells made canonical (a new dict; the title cell and the rest untouched)"
    cells = nb['cells']
    t = cells[0] if cells else None
    if not t or t['cell_type'] != 'markdown' or not _src(t).startswith('# '):
        raise ValueError(f"{nb_name}: the first cell must be the markdown title `# Title` / `> summary`")
    i, old = 1, []
    while i < len(cells) and is_old_header(cells[i]): old.append(cells[i]); i += 1
    ids = {r: next((c.get('id') for c in old if f(c)), None) for r, f in [
        ('badge', lambda c: c['cell_type'] == 'markdown'),
        ('import', lambda c: c['cell_type'] == 'code' and 'google.colab' not in _src(c)),
        ('install', lambda c: 'google.colab' in _src(c))]}
    new = [_cell('markdown', badge_src(nb_name), ids['badge'] or _id(nb_name, 'badge')),
           _cell('code', IMPORT_SRC, ids['import'] or _id(nb_name, 'import')),
           _cell('code', install_src(), ids['install'] or _id(nb_name, 'install'))]
    return {**nb, 'cells': [t] + new + cells[i:]}

def nb2str(nb):
    "As nbdev/execnb write notebooks"
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"

def install_calls(src):
    "Run the install cell's code with a fake `subprocess.run`: the argument lists it would run, without and with Colab"
    import types
    res = []
    for colab in (False, True):
        calls = []
        fake_sys = types.SimpleNamespace(modules={'google.colab': object()} if colab else {}, executable='PYTHON')
        fake_sp = types.SimpleNamespace(run=lambda args, **kw: calls.append((args, kw)))
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|'))
        exec(compile(code, '<install cell>', 'exec'), {'sys': fake_sys, 'subprocess': fake_sp})
        res.append(calls)
    return res

def check_nb(fn):
    "Problems with `fn`'s header cells (empty when canonical)"
    nb = json.loads(Path(fn).read_text(encoding='utf-8'))
    try: want = canonical(nb, Path(fn).name)
    except ValueError as e: return [str(e)]
    probs = []
    if nb2str(want) != nb2str(nb):
        probs.append(f"{Path(fn).name}: header cells are not canonical: run `python tools/nb_header.py`")
    inst = [c for c in nb['cells'] if c['cell_type'] == 'code' and 'google.colab' in _src(c)]
    if len(inst) != 1: probs.append(f"{Path(fn).name}: {len(inst)} Colab install cells (want exactly 1)")
    for c in inst:
        urls = re.findall(r"git\+(\S+?)'", _src(c))
        if urls != [git_url()]: probs.append(f"{Path(fn).name}: the Colab install cell installs {urls}, not git+{git_url()} (settings.ini git_url)")
        try: off, on = install_calls(_src(c))
        except Exception as e: probs.append(f"{Path(fn).name}: the Colab install cell fails: {type(e).__name__}: {e}"); continue
        if off: probs.append(f"{Path(fn).name}: the Colab install cell runs pip outside Colab")
        if [a for a, _ in on] != [['PYTHON', '-m', 'pip', 'install', '-q', f'git+{git_url()}']] or not on[0][1].get('check'):
            probs.append(f"{Path(fn).name}: in Colab the install cell runs {on}, not one checked `pip install -q git+{git_url()}`")
    return probs

def notebooks(index=False):
    return [f for f in sorted((root/'nbs').glob('*.ipynb')) if index or f.name != 'index.ipynb']

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: every nbs/*.ipynb except index.ipynb)')
    p.add_argument('--index', action='store_true', help='include nbs/index.ipynb')
    p.add_argument('--check', action='store_true', help='write nothing; exit 1 if a header is not canonical')
    a = p.parse_args()
    fns = [Path(o) for o in a.nbs] or notebooks(a.index)
    if a.check:
        probs = [m for f in fns for m in check_nb(f)]
        for m in probs: print('PROBLEM', m)
        print(f"notebook headers: {len(fns) - len({m.split(':')[0] for m in probs})} passed, {len({m.split(':')[0] for m in probs})} failed")
        sys.exit(1 if probs else 0)
    for f in fns:
        old = f.read_text(encoding='utf-8')
        new = nb2str(canonical(json.loads(old), f.name))
        if new != old: f.write_text(new, encoding='utf-8'); print(f"{f.name}: header updated")
        else: print(f"{f.name}: header already canonical")
