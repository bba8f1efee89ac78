#!/usr/bin/env python
"""Prove that every docs page would render well, without Quarto (which the docs workflow runs on GitHub).

    python tools/check_docs.py [--html-dir DIR]

Runs nbdev's notebook processing (as `nbdev_proc_nbs`, into `_proc/`: show_doc output and nbdev's
backtick links included), then checks each processed page:
- no error outputs; every figure cell produced an image (or printed why it was skipped: 'Skipping ...',
  for data that exists only online);
- every link to a page of the site (relative, or absolute under settings.ini's doc_host + doc_baseurl, as
  nbdev writes its backtick links) points to an existing page and to an anchor that page really has
  (pandoc's identifiers for its headings and show_doc headings, with pandoc's `-1` suffixes);
- no two headings of a page share an identifier (e.g. class `Windowed` and function `windowed`: links to
  the second land on the first);
- show_doc signatures hold no markdown (backticks or links: a docments comment with a backticked name);
- no output shows a memory address (`<object object at 0x...>`, `<function f at 0x...>`);
- the Colab badge is not a markdown image alone in a paragraph (Quarto makes that a captioned figure),
  and every chapter has the canonical header and Colab install cell (`tools/nb_header.py --check`);
- Quarto wraps long code lines (`code-overflow: wrap` in nbs/_quarto.yml);
- the sidebar lists every page, and the page converts to HTML with nbconvert (written to `--html-dir`,
  default `_proc/_html`, to open in a browser).
Exits 1 listing every problem."""
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

def settings():
    import configparser
    cp = configparser.ConfigParser(delimiters=['='])
    cp.read(root/'settings.ini', encoding='utf-8')
    return cp['DEFAULT']

def site_url():
    s = settings()
    return (s['doc_host'] + s.get('doc_baseurl', '')).rstrip('/') + '/'

def slug(s):
    "pandoc's auto identifier for a heading (Quarto uses pandoc's): formatting and links removed, lower case"
    m = re.search(r'\{[^}]*#([\w.:-]+)[^}]*\}\s*$', s)
    if m: return m.group(1)
    s = re.sub(r'\{[^}]*\}\s*$', '', s)
    s = unicodedata.normalize('NFKD', s).encode('ascii', 'ignore').decode().lower()
    s = re.sub(r'[`*]', '', re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', s))
    s = re.sub(r'[^\w\s.-]', '', s).strip()
    s = re.sub(r'^[^a-z]+', '', re.sub(r'\s+', '-', s))
    return s or 'section'

FENCE_RE = re.compile(r'^(```|~~~).*?^\1\s*$', re.M | re.S)
def prose(md):
    "Markdown without its fenced code blocks"
    return FENCE_RE.sub('', md)

def _txt(v): return ''.join(v) if isinstance(v, list) else str(v)

def md_blocks(nb):
    "(cell index, markdown) for what the page shows as markdown: markdown cells and markdown outputs (show_doc)"
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] == 'markdown': yield i, _txt(c['source'])
        for o in c.get('outputs', []):
            md = o.get('data', {}).get('text/markdown')
            if md is not None: yield i, _txt(md)

def headings(nb):
    "(cell index, heading text, identifier) in page order, identifiers made unique as pandoc does"
    res, seen = [], {}
    for i, md in md_blocks(nb):
        for h in re.findall(r'^#{1,6}\s+(.*?)\s*#*\s*$', prose(md), re.M):
            base = slug(h)
            k = seen.get(base, 0); seen[base] = k + 1
            res.append((i, h, base if k == 0 else f"{base}-{k}"))
    return res

def anchors(nb):
    res = {a for _, _, a in headings(nb)}
    for _, md in md_blocks(nb): res |= set(re.findall(r'\{#([\w.:-]+)', md))
    for c in nb['cells']:
        for o in c.get('outputs', []):
            res |= set(re.findall(r'id="([\w.:-]+)"', _txt(o.get('data', {}).get('text/html', ''))))
    return res

def output_file(fn):
    "The page's HTML name: nbdev's frontmatter `output-file`, else the notebook name"
    nb = json.loads(fn.read_text())
    c0 = nb['cells'][0] if nb['cells'] else None
    if c0 and c0['cell_type'] == 'raw':
        m = re.search(r'^output-file:\s*(\S+)', _txt(c0['source']), re.M)
        if m: return m.group(1)
    return fn.with_suffix('.html').name

ADDR_RE = re.compile(r'<[^<>\n]{0,80}? at 0x[0-9a-fA-F]{4,}>|\bat 0x[0-9a-fA-F]{6,}')
BADGE_FIG_RE = re.compile(r'^\s*\[?!\[[^\]]*\]\([^)]*colab-badge[^)]*\)(\]\([^)]*\))?\s*$')
LINK_RE = re.compile(r'\]\(([^)\s]+)(?:\s+"[^"]*")?\)')

def check_page(fn, pages, problems):
    "`pages`: notebook name -> processed notebook path, and html name -> the same"
    nb = json.loads(fn.read_text())
    site = site_url()
    for i, c in enumerate(nb['cells']):
        src = _txt(c['source'])
        if c['cell_type'] == 'code':
            outs = c.get('outputs', [])
            for o in outs:
                if o.get('output_type') == 'error': problems.append(f"{fn.name} cell {i}: error output {o.get('ename')}: {o.get('evalue')}")
                if o.get('output_type') == 'stream' and o.get('name') == 'stderr' and 'Traceback' in ''.join(o.get('text', '')):
                    problems.append(f"{fn.name} cell {i}: a traceback on stderr")
                for txt in [_txt(o.get('text', ''))] + [_txt(v) for k, v in o.get('data', {}).items() if k.startswith('text/')]:
                    m = ADDR_RE.search(txt)
                    if m: problems.append(f"{fn.name} cell {i}: output shows a memory address: {m.group(0)!r}"); break
                md = _txt(o.get('data', {}).get('text/markdown', ''))
                if 'show_doc' in src:   # signatures are the fenced code blocks of show_doc's markdown
                    for sig in re.findall(r'^```\w*\n(.*?)^```', md, re.M | re.S):
                        if '`' in sig or '](' in sig:
                            name = (re.findall(r'^#+\s+(.*)$', md, re.M) or ['?'])[0]
                            bad = next(l.strip() for l in sig.splitlines() if '`' in l or '](' in l)
                            problems.append(f"{fn.name} cell {i}: markdown in the signature of {name}: {bad[:110]!r}")
            code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith('#'))
            if FIG_RE.search(code) and 'show_doc' not in code:
                has_img = any('image/png' in o.get('data', {}) or 'image/svg+xml' in o.get('data', {})
                              or '<img' in ''.join(o.get('data', {}).get('text/html', '')) for o in outs)
                skipped = any(''.join(o.get('text', '')).startswith('Skipping') for o in outs)  # data absent here, said so
                skipped = skipped or 'offline: this cell does nothing' in src   # data only online (Colab): code shown, no output
                if not has_img and not skipped: problems.append(f"{fn.name} cell {i}: a figure cell with no image output:\n    {src[:120]!r}")
        if c['cell_type'] == 'markdown':
            m = ADDR_RE.search(src)
            if m: problems.append(f"{fn.name} cell {i}: text shows a memory address: {m.group(0)!r}")
            for para in re.split(r'\n\s*\n', prose(src)):
                if BADGE_FIG_RE.match(para): problems.append(f"{fn.name} cell {i}: the Colab badge is an image alone in a paragraph, which Quarto makes a captioned figure: run `python tools/nb_header.py`")
    seen = {}
    for i, h, a in headings(nb):
        base = re.sub(r'-\d+$', '', a) if a not in seen and re.sub(r'-\d+$', '', a) in seen else a
        if base in seen: problems.append(f"{fn.name} cell {i}: heading {h!r} has the same identifier as {seen[base]!r} (#{base}): links to one land on the first")
        else: seen[base] = h
    for i, md in md_blocks(nb):
        for link in LINK_RE.findall(prose(md)):
            if link.startswith(site): link = link[len(site):]
            elif re.match(r'^(https?:|mailto:|data:)', link) or link.startswith('../'): continue
            page, _, anchor = link.partition('#')
            target = fn if not page else pages.get(page)
            if target is None: problems.append(f"{fn.name} cell {i}: link to missing page {link}"); continue
            if anchor and anchor not in anchors(json.loads(target.read_text())):
                problems.append(f"{fn.name} cell {i}: link to missing anchor {link} (the page has no heading with that identifier)")
    return nb

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--html-dir', default=None)
    a = p.parse_args()
    try: proc = proc_nbs()
    except Exception as e:   # e.g. a cell holding an import and other code: nbdev's docs build runs it alone
        print(f"PROBLEM nbdev's docs processing (nbdev_proc_nbs) failed: {str(e)[-1500:]}\n"
              "(nbdev's docs build runs every cell that contains an import: keep imports in cells of their own)")
        print("docs pages: 0 passed, 1 failed"); sys.exit(1)
    from nbconvert import HTMLExporter
    import nbformat
    html_dir = Path(a.html_dir) if a.html_dir else proc/'_html'
    html_dir.mkdir(parents=True, exist_ok=True)
    pages = {f.name for f in proc.glob('*.ipynb')}
    targets = {f.name: f for f in proc.glob('*.ipynb')} | {output_file(f): f for f in proc.glob('*.ipynb')}
    problems = []
    if not re.search(r'^\s*code-overflow:\s*wrap\s*$', (root/'nbs'/'_quarto.yml').read_text(), re.M):
        problems.append("_quarto.yml: no `code-overflow: wrap` under format: html (long code lines hide behind a scroll)")
    sys.path.insert(0, str(root/'tools'))
    import nb_header
    for f in nb_header.notebooks(): problems += [f"{m} (header)" for m in nb_header.check_nb(f)]
    side = (root/'nbs'/'sidebar.yml').read_text()
    listed = set(re.findall(r'-\s+(\S+\.ipynb)', side))
    for f in sorted(pages - listed): problems.append(f"sidebar.yml does not list {f}")
    for f in sorted(listed - pages): problems.append(f"sidebar.yml lists {f}, which does not exist")
    for fn in sorted(proc.glob('*.ipynb')):
        check_page(fn, targets, problems)
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
    for f in ('sidebar.yml', '_quarto.yml'):
        if any(m.startswith(f) for m in problems): bad.add(f)
    print(f"docs pages: {len(pages - bad)} passed, {len(bad)} failed")
    sys.exit(1 if problems else 0)
