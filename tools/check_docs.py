#!/usr/bin/env python
"""Prove that every docs page would render well, without Quarto (which the docs workflow runs on GitHub).

    python tools/check_docs.py [--html-dir DIR]

Runs nbdev's notebook processing (as `nbdev_proc_nbs`, into `_proc/`), then checks each processed page:
no error outputs, every figure cell produced an image (or printed why it was skipped:
'Skipping ...', for data that exists only online), every internal link points to an existing page and
anchor, the sidebar lists every page, and the page converts to HTML with nbconvert (written to `--html-dir`,
default `_proc/_html`, to open in a browser). Exits 1 listing every problem."""
import sys, re, json, argparse, unicodedata
from pathlib import Path

root = Path(__file__).resolve().parent.parent
FIG_RE = re.compile(r'(\.show\(|\bshow_\w+\(|plt\.|\.imshow\(|\.plot\(|sns\.|\.hist\(|montage|animation|to_jshtml)')
LINK_RE = re.compile(r'\]\(([^)\s]+)\)')

def proc_nbs():
    "Process the notebooks like `nbdev_proc_nbs` does, minus its attempt to install Quarto"
    import nbdev.quarto as q
    q._ensure_quarto = lambda: None
    q._pre_docs()
    return root/'_proc'

def slug(s):
    "Quarto/pandoc heading identifier"
    s = unicodedata.normalize('NFKD', s).encode('ascii', 'ignore').decode().lower()
    s = re.sub(r'[`*]', '', re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', s))
    s = re.sub(r'[^\w\s.-]', '', s).strip()
    return re.sub(r'\s+', '-', s)

def anchors(nb):
    res = set()
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            res |= {slug(m) for m in re.findall(r'^#+\s+(.*)$', src, re.M)}
            res |= set(re.findall(r'\{#([\w-]+)\}', src))
        for o in c.get('outputs', []):   # show_doc headings and explicit ids
            for v in o.get('data', {}).values():
                txt = ''.join(v) if isinstance(v, list) else str(v)
                res |= set(re.findall(r'id="([\w.-]+)"', txt))
                res |= {slug(m) for m in re.findall(r'^#+\s+(.*)$', txt, re.M)}
    return res

def check_page(fn, pages, problems):
    nb = json.loads(fn.read_text())
    for i, c in enumerate(nb['cells']):
        src = ''.join(c['source'])
        if c['cell_type'] == 'code':
            outs = c.get('outputs', [])
            for o in outs:
                if o.get('output_type') == 'error': problems.append(f"{fn.name} cell {i}: error output {o.get('ename')}: {o.get('evalue')}")
                if o.get('output_type') == 'stream' and o.get('name') == 'stderr' and 'Traceback' in ''.join(o.get('text', '')):
                    problems.append(f"{fn.name} cell {i}: a traceback on stderr")
            code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith('#'))
            if FIG_RE.search(code) and 'show_doc' not in code:
                has_img = any('image/png' in o.get('data', {}) or 'image/svg+xml' in o.get('data', {})
                              or '<img' in ''.join(o.get('data', {}).get('text/html', '')) for o in outs)
                skipped = any(''.join(o.get('text', '')).startswith('Skipping') for o in outs)  # data absent here, said so
                if not has_img and not skipped: problems.append(f"{fn.name} cell {i}: a figure cell with no image output:\n    {src[:120]!r}")
        if c['cell_type'] == 'markdown':
            for link in LINK_RE.findall(src):
                if re.match(r'^(https?:|mailto:|data:)', link) or link.startswith('../'): continue
                page, _, anchor = link.partition('#')
                target = fn if not page else fn.parent/page.replace('.html', '.ipynb')
                if page and target.name not in pages: problems.append(f"{fn.name}: link to missing page {link}"); continue
                if anchor and anchor not in anchors(json.loads(target.read_text())):
                    problems.append(f"{fn.name}: link to missing anchor {link}")
    return nb

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--html-dir', default=None)
    a = p.parse_args()
    proc = proc_nbs()
    from nbconvert import HTMLExporter
    import nbformat
    html_dir = Path(a.html_dir) if a.html_dir else proc/'_html'
    html_dir.mkdir(parents=True, exist_ok=True)
    pages = {f.name for f in proc.glob('*.ipynb')}
    problems = []
    side = (root/'nbs'/'sidebar.yml').read_text()
    listed = set(re.findall(r'-\s+(\S+\.ipynb)', side))
    for f in sorted(pages - listed): problems.append(f"sidebar.yml does not list {f}")
    for f in sorted(listed - pages): problems.append(f"sidebar.yml lists {f}, which does not exist")
    for fn in sorted(proc.glob('*.ipynb')):
        check_page(fn, pages, problems)
        try:
            nb = nbformat.read(fn, as_version=4)
            c0 = nb.cells[0] if nb.cells else None
            if c0 is not None and c0.cell_type == 'raw' and c0.source.startswith('---'):  # Quarto's title block
                import yaml
                fm = yaml.safe_load(c0.source.strip().strip('-')) or {}
                title, desc = fm.get('title', ''), fm.get('description', '')
                nb.cells[0] = nbformat.v4.new_markdown_cell(f"# {title}\n\n*{desc}*")
            for i, c in enumerate(nb.cells):   # as Quarto shows them: directives gone, `echo: false` cells as their output
                if c.cell_type != 'code': continue
                if re.search(r'^#\|\s*echo:\s*false', c.source, re.M):
                    md = ''.join(''.join(o.get('data', {}).get('text/markdown', '')) for o in c.outputs)
                    nb.cells[i] = nbformat.v4.new_markdown_cell(re.sub(r'\{target=[^}]*\}', '', md))
                else: c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|'))
            body, _ = HTMLExporter().from_notebook_node(nb)
            (html_dir/fn.with_suffix('.html').name).write_text(body)
        except Exception as e: problems.append(f"{fn.name}: nbconvert to HTML failed: {type(e).__name__}: {e}")
    for m in problems: print('PROBLEM', m)
    bad = {m.split(':')[0].split()[0] for m in problems} & pages
    if any(m.startswith('sidebar') for m in problems): bad.add('sidebar.yml')
    print(f"docs pages: {len(pages - bad)} passed, {len(bad)} failed")
    sys.exit(1 if problems else 0)
