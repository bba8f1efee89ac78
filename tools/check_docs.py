#!/usr/bin/env python
"""Prove that every docs page would render well, as its readers see it, without Quarto (which the docs workflow runs on GitHub).

    python tools/check_docs.py [--html-dir DIR]
    python tools/check_docs.py --self-test     # each defect class planted in a small notebook must fail the check

Runs the docs build (`tools/docs_build.py`: `nbdev_docs` with signatures printed as Python) with a stand-in
for Quarto, so nbdev's notebook processing runs as on GitHub (show_doc output, nbdev's backtick links, import
cells re-run) into `_proc/`, and fails if that build changes, adds or deletes any file git sees (README.md
included). Then checks each processed page:
- no error outputs; every figure cell produced an image (or printed why it was skipped: 'Skipping ...',
  for data that exists only online);
- every link to a page of the site points to an existing page and to an anchor that page really has
  (pandoc's identifiers, with pandoc's `-1` suffixes); no two headings of a page share an identifier;
- no output shows a memory address, stderr, terminal colour codes, log lines (server access logs, logging),
  a warning, a machine path (/tmp/, /work/, /root/, /home/, site-packages) or a loopback URL with a port;
  no progress bar (fastprogress's `<progress>`, tqdm's text bar);
- no prose about the project's own process ("a session", "lent", "CI machines", "local wheel cache",
  `.ci/run`, "when this chapter was written", "Not done, not measured");
- no raw markdown: a link inside backticks or inside another link's text (nbdev links backticked names),
  unbalanced `*`/`_` italics in a show_doc description (its docstring's first line);
- show_doc signatures hold no markdown and read as Python (no `args:VAR_POSITIONAL`, `:NoneType=None`,
  empty parentheses over a blank line, a class as `def Name(...)->None:`);
- tables fit the 750 px column, estimated from characters and columns (an output's table may scroll up to
  1.5 columns when styles.css gives outputs their own scroll box); pandas hid no column ('...');
- shown code has no run of more than 90 characters without a space (it cannot wrap);
- the Colab badge is not a markdown image alone in a paragraph, and every chapter has the canonical header
  and Colab install cell (`tools/nb_header.py --check`); Quarto wraps long code lines;
- the site: previous/next links (`page-navigation`), a favicon that exists, `readme_nb` naming no notebook,
  a chapter called by its title in every list of chapters; the sidebar lists every page, and the page
  converts to HTML with nbconvert (written to `--html-dir`, default `_proc/_html`, to open in a browser).
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


# ---- what a reader sees (issue: the site as its readers see it) ----
ANSI_RE = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
LOG_RE = re.compile(r'^\S+ - - \[\d\d/\w{3}/\d{4}[ :]|^(DEBUG|INFO|WARNING|ERROR|CRITICAL)[:\s]|^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d+ ', re.M)
WARN_RE = re.compile(r'\b[A-Z]\w*Warning\b:|\bwarnings\.warn\(')
PATH_RE = re.compile(r'(?<![\w.])/(?:tmp|work|root|home)/|site-packages|/var/folders/|[A-Z]:\\\\Users\\\\')
LOOPBACK_RE = re.compile(r'\b(?:127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|\[::1\]):\d+')
PROCESS_RE = re.compile(r"\bsessions?\b|\b(?:was|were|is|are|be|been) lent\b|\bCI machines?\b|\blocal wheel cache\b|\.ci/run\b"
                        r"|\bnot done, not measured\b|\bwhen this chapter was written\b|\bwhile this chapter was written\b", re.I)
SESSION_OK_RE = re.compile(r'\b(?:same|python|jupyter|interactive|notebook|ipython|requests|boto3?|aiohttp|client|http)\W+sessions?\b|\bSession\(|`sessions?`|\bheaders?\W+(?:or|and)\W+sessions?\b', re.I)   # an HTTP session the user passes
PROGRESS_RE = re.compile(r'<progress\b|\b\d{1,3}%\|[#█▏▎▍▌▋▊▉ ]*\|')
SIG_RES = [re.compile(p, re.M) for p in (r':VAR_POSITIONAL', r':VAR_KEYWORD', r':NoneType=None', r'\(\s*\n\s*\n\s*\)',
                                          r'^(?:def )?[A-Z]\w*\((?:.|\n)*?\)->None:')]   # the last: a class shown as a function
NESTED_LINK_RE = re.compile(r'\[[^\]\n]*\[[^\]\n]*\]\([^)\s]*\)[^\]\n]*\]\(')
CODE_SPAN_RE = re.compile(r'(`+)(.+?)(?<!`)\1(?!`)', re.S)
COL_PX, CHAR_PX, CELL_PAD_PX, CODE_COLS, WRAP_CHARS, SCROLL_MAX = 750, 7.5, 16, 90, 40, 1.5

def _out_texts(o):
    "(kind, text) of what an output shows: stream text, and each text/* representation"
    if o.get('output_type') == 'stream': yield o.get('name', 'stdout'), _txt(o.get('text', ''))
    for k, v in o.get('data', {}).items():
        if k.startswith('text/'): yield k, _txt(v)
    if o.get('output_type') == 'error': yield 'error', '\n'.join(o.get('traceback', []))

def _shown(src):
    "Is a code cell's source shown on the page? (not `#| hide`, `#| echo: false`, `#| include: false`)"
    return not re.search(r'^#\|\s*(hide\b|echo:\s*false|include:\s*false)', src, re.M)

class _Table:
    "Rows of cells (text) of the HTML tables in an output, with `rowspan`/`colspan` cells repeated where they span"
    def __init__(self, html):
        from html.parser import HTMLParser
        raw = []   # per table: rows of [text, rowspan, colspan]
        class P(HTMLParser):
            def handle_starttag(p, tag, attrs):
                a = dict(attrs)
                if tag == 'table': raw.append([])
                elif tag == 'tr' and raw: raw[-1].append([])
                elif tag in ('td', 'th') and raw and raw[-1]:
                    raw[-1][-1].append(['', int(a.get('rowspan') or 1), int(a.get('colspan') or 1)])
            def handle_data(p, data):
                if raw and raw[-1] and raw[-1][-1]: raw[-1][-1][-1][0] += data
        P().feed(html)
        self.tables = []
        for t in raw:
            grid, carry = [], {}   # carry: column -> (text, rows left) from a rowspan above
            for r in t:
                row, j, cells = [], 0, list(r)
                while cells or j in carry:
                    if j in carry:
                        txt, left = carry[j]; row.append(txt)
                        if left > 1: carry[j] = (txt, left - 1)
                        else: del carry[j]
                        j += 1; continue
                    txt, rs, cs = cells.pop(0)
                    for _ in range(cs):
                        row.append(txt if _ == 0 else '')
                        if rs > 1: carry[j] = (txt, rs - 1)
                        j += 1
                grid.append(row)
            self.tables.append(grid)

def table_width_px(rows, wrap=WRAP_CHARS):
    """Estimated narrowest width of a table, as a browser lays it out: a cell's text wraps at spaces into lines of
    at most `wrap` characters (prose tables: `wrap=0`, down to their longest word), never inside a word or number;
    per column, its widest cell in characters x CHAR_PX, plus cell padding"""
    cols = max((len(r) for r in rows), default=0)
    def cell(t):
        t = ' '.join(t.split())
        return min(len(t), max(max((len(w) for w in t.split()), default=0), wrap))
    widths = [max((cell(r[j]) for r in rows if j < len(r)), default=0) for j in range(cols)]
    return int(sum(w * CHAR_PX + CELL_PAD_PX for w in widths)), cols

def md_tables(md):
    "Rows of the markdown (pipe) tables in `md`"
    res, cur = [], []
    for l in md.splitlines() + ['']:
        if l.strip().startswith('|') and l.strip().endswith('|'):
            if not re.match(r'^\s*\|[\s:|-]+\|\s*$', l): cur.append([c.strip() for c in l.strip()[1:-1].split('|')])
        elif cur: res.append(cur); cur = []
    return res

def check_reader(name, nb, problems):
    "The defects a reader sees on a processed page: logs, warnings, paths, process talk, raw markdown, wide tables..."
    seen = {}   # (cell, kind of problem) -> its report: one line per kind and cell, with a count
    def bad(i, msg):
        key = (i, msg.split(':')[0].split(' (')[0])
        if key in seen: seen[key][1] += 1; return
        seen[key] = [f"{name} cell {i}{ids.get(i, '')}: {msg}", 1]
    ids = {i: f" (id {c['id']})" for i, c in enumerate(nb['cells']) if c.get('id')}
    for i, c in enumerate(nb['cells']):
        src = _txt(c['source'])
        texts = []   # (where, text) of prose shown on the page
        if c['cell_type'] == 'markdown': texts.append(('text', src))
        if c['cell_type'] != 'code': pass
        else:
            if _shown(src):
                for l in src.splitlines():
                    if l.startswith('#|'): continue
                    m = re.search(r'\S{%d,}' % (CODE_COLS + 1), l)
                    if m: bad(i, f"a code line cannot wrap: {len(m.group(0))} characters without a space (over {CODE_COLS}): {m.group(0)[:60]!r}...")
            for o in c.get('outputs', []):
                for kind, t in _out_texts(o):
                    if kind == 'stderr' and t.strip(): bad(i, f"stderr in a saved output (logs or warnings): {t.strip().splitlines()[0][:100]!r}")
                    if ANSI_RE.search(t): bad(i, "ANSI colour codes in an output (terminal logs)")
                    m = LOG_RE.search(t)
                    if m: bad(i, f"log lines in an output: {t[m.start():m.start()+90]!r}")
                    m = WARN_RE.search(t)
                    if m: bad(i, f"a warning in an output: {t[max(0, m.start()-40):m.end()+60]!r}")
                    m = PATH_RE.search(t)
                    if m: bad(i, f"a machine path in an output: {t[max(0, m.start()-30):m.end()+40]!r}")
                    m = LOOPBACK_RE.search(t)
                    if m: bad(i, f"a loopback URL with a port in an output: {m.group(0)!r}")
                    if PROGRESS_RE.search(t): bad(i, "a progress bar in an output (use progress=False, or hide the cell)")
                    if kind == 'text/markdown': texts.append(('output', t))
                    if kind == 'text/html':
                        for rows in _Table(t).tables: _check_table(bad, i, rows, 'HTML')
                    if kind == 'text/markdown':
                        for rows in md_tables(prose(t)): _check_table(bad, i, rows, 'markdown')
                    if kind == 'text/html' and '<table' in t and re.search(r'<th>\s*\.\.\.\s*</th>', t):
                        bad(i, "a table with columns hidden by pandas ('...'): the reader loses columns silently")
        for where, t in texts:
            p = prose(t)
            for m in PROCESS_RE.finditer(p):
                ctx = p[max(0, m.start()-30):m.end()+30]
                if 'session' in m.group(0).lower() and SESSION_OK_RE.search(ctx): continue
                bad(i, f"process wording in the {where} ({m.group(0)!r}): {' '.join(ctx.split())!r}")
            if c['cell_type'] == 'markdown':
                m = LOOPBACK_RE.search(p)
                if m: bad(i, f"a loopback URL with a port in the text: {m.group(0)!r}")
                m = PATH_RE.search(p)
                if m: bad(i, f"a machine path in the text: {p[max(0, m.start()-30):m.end()+30]!r}")
                for tbl in md_tables(p): _check_table(bad, i, tbl, 'markdown')
            m = NESTED_LINK_RE.search(p)
            if m: bad(i, f"raw markdown: a link inside a link's text (nbdev links a backticked name; write the name once): {m.group(0)[:90]!r}")
            for m in CODE_SPAN_RE.finditer(p):
                if re.search(r'\]\((?:https?:|[\w./-]+\.(?:html|ipynb))', m.group(2)):
                    bad(i, f"raw markdown inside backticks (a link shown as code): {m.group(0)[:90]!r}")
            if where == 'output' and 'show_doc' in src:
                for line in p.splitlines():   # the description: show_doc's italic first line of the docstring
                    if not line.startswith('*') or line.startswith('**'): continue
                    plain = CODE_SPAN_RE.sub('', line)
                    stars = len(re.findall(r'(?<!\\)\*', plain))
                    unders = len(re.findall(r'(?<![\w\\])_|_(?!\w)', plain))
                    if stars != 2 or unders % 2: bad(i, f"unbalanced italics in a show_doc description ({stars} '*', {unders} free '_'; escape or backtick them): {line[:100]!r}")
                for sig in re.findall(r'^```\w*\n(.*?)^```', p + '\n', re.M | re.S) or re.findall(r'^```\w*\n(.*?)^```', t, re.M | re.S):
                    for sre in SIG_RES:
                        m = sre.search(sig)
                        if m: bad(i, f"a show_doc signature that is not Python ({m.group(0).strip()[-40:]!r}): {' '.join(sig.split())[:110]!r}")
        if c['cell_type'] == 'code' and 'show_doc' in src:
            for o in c.get('outputs', []):
                md = _txt(o.get('data', {}).get('text/markdown', ''))
                for sig in re.findall(r'^```\w*\n(.*?)^```', md, re.M | re.S):
                    if sig.startswith('\n') or sig.endswith('\n\n'): bad(i, "a show_doc signature opens or closes with a blank line")
    problems += [m if n == 1 else f"{m} (and {n - 1} more like it in this cell)" for m, n in seen.values()]

SCROLL_RE = re.compile(r'\.cell-output-display\s*\{[^}]*overflow-x:\s*auto', re.S)
def _scrolls():
    "Does styles.css give cell outputs their own horizontal scroll (a wide table scrolls instead of being cut)?"
    css = Path(STYLES_CSS)
    return css.exists() and bool(SCROLL_RE.search(css.read_text()))
STYLES_CSS = root/'nbs'/'styles.css'

def _check_table(bad, i, rows, kind):
    """A table must fit the column. An output's HTML table may be up to SCROLL_MAX x the column when styles.css
    lets cell outputs scroll sideways (no column is cut off); wider, it hides too much: fewer columns, or transpose.
    A markdown table in the text does not scroll: it must fit, its cells wrapped down to their longest word."""
    w, cols = table_width_px(rows, wrap=WRAP_CHARS if kind == 'HTML' else 0)
    limit = COL_PX * (SCROLL_MAX if kind == 'HTML' and _scrolls() else 1)
    if w > limit:
        how = f"a {COL_PX} px column" + (f" (scrolling up to {int(limit)} px)" if limit > COL_PX else
                                           " (styles.css does not let outputs scroll)" if kind == 'HTML' else '')
        bad(i, f"a {kind} table about {w} px wide ({cols} columns) in {how}: show fewer columns or transpose it")

def check_build_leaves_tree(root=root, timeout=900):
    """Run nbdev's `nbdev_docs` (through tools/docs_build.py) with a stand-in `quarto` that writes what Quarto
    writes (the site folder, and README.md when asked for one) and report every tracked or untracked file it
    changed, added or deleted. Returns (problems, processed folder)."""
    import subprocess, tempfile, hashlib, os, stat
    def state():
        out = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=all'], cwd=root, capture_output=True, text=True, check=True).stdout
        res = {}
        for l in out.splitlines():
            f = l[3:].split(' -> ')[-1].strip('"')
            p = Path(root)/f
            res[f] = (l[:2], hashlib.sha1(p.read_bytes()).hexdigest() if p.is_file() else None)
        return res
    bin_dir = Path(tempfile.mkdtemp())
    q = bin_dir/'quarto'
    q.write_text('#!/bin/sh\n# stand-in for Quarto: what `quarto render` leaves in the cache folder\n'
                 'doc=$(python -c "import configparser;c=configparser.ConfigParser();c.read(\'%s\');print(c[\'DEFAULT\'].get(\'doc_path\',\'_docs\'))")\n'
                 'doc=$(basename "$doc"); mkdir -p "$doc" && echo stub > "$doc/index.html"\n'
                 'case " $* " in *" -o README.md "*) echo "# stub readme" > "$doc/README.md"; mkdir -p "$doc/index_files" && echo x > "$doc/index_files/stub.png";; esac\n'
                 % (Path(root)/'settings.ini'))
    q.chmod(q.stat().st_mode | stat.S_IEXEC)
    before = state()
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    r = subprocess.run([sys.executable, str(Path(__file__).resolve().parent/'docs_build.py')], cwd=root, env=env,
                       capture_output=True, text=True, timeout=timeout)
    probs = []
    if r.returncode: probs.append(f"nbdev_docs (tools/docs_build.py) failed: {(r.stdout + r.stderr)[-1500:]}")
    after = state()
    for f in sorted(set(before) | set(after)):
        if before.get(f) != after.get(f):
            probs.append(f"nbdev_docs changes the work tree: {f} ({(after.get(f) or ('gone',))[0].strip() or 'changed'}): "
                         "README.md comes from tools/make_readme.py; the site goes to the ignored doc_path")
    return probs, Path(root)/'_proc'

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
    check_reader(fn.name, nb, problems)
    return nb


def nb_title(fn):
    "A chapter's title: its first `# ` heading (or the frontmatter's title)"
    nb = json.loads(Path(fn).read_text())
    for c in nb['cells'][:3]:
        t = _txt(c['source'])
        m = re.search(r'^title:\s*"?(.*?)"?\s*$', t, re.M) if c['cell_type'] == 'raw' else re.match(r'#\s+(.*)', t)
        if m: return m.group(1).strip()
    return None

def check_site(root=root):
    "Site-wide: page navigation, a favicon that exists, the README kept out of the docs build, names that agree"
    probs, nbs = [], Path(root)/'nbs'
    qy = (nbs/'_quarto.yml').read_text()
    if not re.search(r'^\s*page-navigation:\s*true\s*$', qy, re.M): probs.append("_quarto.yml: no `page-navigation: true` under website: (no previous/next links)")
    fav = re.search(r'^\s*favicon:\s*(\S+)\s*$', qy, re.M)
    if not fav: probs.append("_quarto.yml: no `favicon:` (browsers ask for favicon.ico and get a 404)")
    elif not (nbs/fav.group(1)).exists(): probs.append(f"_quarto.yml: favicon {fav.group(1)} does not exist in nbs/")
    cfg = settings() if Path(root) == globals()['root'] else None
    if cfg is None:
        import configparser
        cp = configparser.ConfigParser(delimiters=['=']); cp.read(Path(root)/'settings.ini'); cfg = cp['DEFAULT']
    if (nbs/cfg.get('readme_nb', 'index.ipynb')).exists():
        probs.append(f"settings.ini: readme_nb = {cfg.get('readme_nb', 'index.ipynb')} exists, so `nbdev_docs` rewrites README.md with Quarto "
                     "(README.md is tools/make_readme.py's): name no notebook")
    titles = {f.name: nb_title(f) for f in nbs.glob('*.ipynb')}
    for f in nbs.glob('*.ipynb'):   # a chapter is called what its page calls itself, in every list of chapters
        for i, md in md_blocks(json.loads(f.read_text())):
            for text, target in re.findall(r'^\s*(?:[-*]|\d+\.)\s+\[([^\]`]+)\]\((\w+\.ipynb)\)', prose(md), re.M):
                want = titles.get(target)
                if want and ' '.join(text.split()).lower() not in (want.lower(), want.split(':')[0].strip().lower()):
                    probs.append(f"{f.name} cell {i}: the link to {target} says {text!r}; the page and sidebar call it {want!r}")
    for text, target in re.findall(r'text:\s*"?([^"\n]+?)"?\s*\n\s*href:\s*(\S+\.ipynb)', (nbs/'sidebar.yml').read_text()):
        if titles.get(target) and text.lower() != titles[target].lower():
            probs.append(f"sidebar.yml: {target} is listed as {text!r}; the page calls itself {titles[target]!r}")
    return probs

def _nb(*cells):
    import nbformat
    nb = nbformat.v4.new_notebook()
    for c in cells:
        if isinstance(c, str): nb.cells.append(nbformat.v4.new_markdown_cell(c))
        else:
            src, outs = c
            cell = nbformat.v4.new_code_cell(src); cell.outputs = [nbformat.from_dict(o) for o in outs]; nb.cells.append(cell)
    return json.loads(nbformat.writes(nb))

def _stream(t, name='stdout'): return {'output_type': 'stream', 'name': name, 'text': t}
def _data(mime, v): return {'output_type': 'display_data', 'data': {mime: v}, 'metadata': {}}

def _good_sig():
    return ("---\n\n### f\n\n```python\ndef f(a, *args, x=None, **kwargs)->int:\n```\n\n"
            "*Add `a` to the sum of `args`, with `x*2`, `U*` and snake_case names*")

def self_test():
    """Plant each defect class in a small notebook written to a temp dir, and check that the check fails on it
    (naming the defect) and passes on the clean notebook; then the same for the site-wide checks and the docs build."""
    import tempfile, shutil, subprocess
    tmp = Path(tempfile.mkdtemp())
    narrow = '<table><tr><th></th><th>a</th><th>b</th></tr><tr><td>0</td><td>1</td><td>CT</td></tr></table>'
    wide = '<table><tr>' + ''.join(f'<th>SeriesInstanceUID_{k}</th>' for k in range(8)) + '</tr><tr>' + ''.join(f'<td>1.2.840.10008.{k}</td>' for k in range(8)) + '</tr></table>'
    clean = lambda **kw: _nb(
        "# Clean page\n\nProse with `code`, a [link](https://example.org/x) and *italics*, in a Python session too.",
        ("x = 1\nprint(x)", [_stream('1\n')]),
        ("show_doc(f)", [_data('text/markdown', kw.get('sig', _good_sig()))]),
        ("df.head()", [_data('text/html', kw.get('html', narrow))]),
        kw.get('md', "Measured on a GPU: 3.1x the CPU's rate."),
        (kw.get('code', "y = x.a.b"), kw.get('outs', [])))
    cases = {   # defect -> (notebook, words the report must contain)
        'stderr logs': (clean(outs=[_stream('127.0.0.1 - - [29/Nov/2026 12:38:43] "PUT /b HTTP/1.1" 200 -\n', 'stderr')]), 'stderr'),
        'server log on stdout': (clean(outs=[_stream('127.0.0.1 - - [29/Nov/2026 12:38:43] "PUT /b HTTP/1.1" 200 -\n')]), 'log lines'),
        'ANSI codes': (clean(outs=[_stream('\x1b[33mHEAD /bucket\x1b[0m\n')]), 'ANSI'),
        'warning': (clean(outs=[_stream('FutureWarning: `torch.jit.script` is deprecated\n')]), 'warning'),
        'machine path': (clean(outs=[_data('text/plain', "Path('/tmp/tmpab12/out.png')")]), 'machine path'),
        'site-packages': (clean(outs=[_stream('lib/python3.11/site-packages/torch/jit/_script.py:1491\n')]), 'machine path'),
        'home path in text': (clean(md="Files are in /home/alice/data."), 'machine path'),
        'loopback URL': (clean(outs=[_data('text/plain', "'s3://b/x failed at http://127.0.0.1:51234/b'")]), 'loopback'),
        'process: session': (clean(md="A session with a GPU must run this."), 'process wording'),
        'process: lent': (clean(md="No GPU was lent when this chapter was written."), 'process wording'),
        'process: CI machines': (clean(md="On the project's CI machines it comes from a local wheel cache."), 'process wording'),
        'process: .ci/run': (clean(md="CI (`.ci/run`) also checks it."), 'process wording'),
        'process: heading': (clean(md="## Not done, not measured\n\n- x"), 'process wording'),
        'link inside backticks': (clean(md="Use ``[`prepare`](https://medimg.github.io/medimg/cli.html#prepare)`` here."), 'raw markdown'),
        'nested link': (clean(md="See [[`prepare`](https://medimg.github.io/medimg/dataloaders.html#prepare)](04_dataloaders.ipynb)."), 'link inside a link'),
        'stray * in description': (clean(sig="### g\n\n```python\ndef g(tag)->str:\n```\n\n*The action (X, Z, D, U*, K or C) on `tag`*"), 'unbalanced italics'),
        'nested italics': (clean(sig="### h\n\n```python\ndef h()->None:\n```\n\n*A *dark* body on a *bright* background*"), 'unbalanced italics'),
        'very wide HTML table': (clean(html=wide), 'px wide'),
        'pandas hid columns': (clean(html='<table><tr><th>a</th><th>...</th><th>z</th></tr><tr><td>1</td><td>...</td><td>2</td></tr></table>'), 'hidden by pandas'),
        'wide markdown table': (clean(md='| ' + ' | '.join(f'column number {k} of many' for k in range(6)) + ' |\n|' + '---|' * 6 + '\n| ' + ' | '.join('1.2.840.10008.5.1.4' for _ in range(6)) + ' |'), 'px wide'),
        'code line that cannot wrap': (clean(code="m = " + '.'.join(['dls.train_ds.items.iloc[0]'] * 5)), 'cannot wrap'),
        'progress bar': (clean(outs=[_data('text/html', '<progress value="3" max="10"></progress> 30%')]), 'progress bar'),
        'tqdm bar': (clean(outs=[_stream(' 40%|████      | 4/10\n')]), 'progress bar'),
        'VAR_POSITIONAL': (clean(sig="### f\n\n```python\ndef f(args:VAR_POSITIONAL, kwargs:VAR_KEYWORD)->int:\n```"), 'not Python'),
        'NoneType=None': (clean(sig="### f\n\n```python\ndef f(x:NoneType=None)->int:\n```"), 'not Python'),
        'empty parens over a blank line': (clean(sig="### f\n\n```python\n\ndef find_backend(\n    \n)->str:\n\n```"), 'not Python'),
        'class ->None': (clean(sig="### P\n\n```python\ndef DeidProfile(\n    retain_uids:bool=False\n)->None:\n```"), 'not Python'),
    }
    fails = []
    def run(nb):
        probs = []; check_reader('t.ipynb', nb, probs); return probs
    base = run(clean())
    if base: fails.append(f"the clean notebook fails: {base}")
    for name, (nb, words) in cases.items():
        fn = tmp/(re.sub(r'\W+', '_', name) + '.ipynb'); fn.write_text(json.dumps(nb))   # written, then read back as the check reads pages
        probs = run(json.loads(fn.read_text()))
        if not any(words in m for m in probs): fails.append(f"planted '{name}' not caught (wanted {words!r}); got {probs}")
        else: print(f"ok  {name}: {next(m for m in probs if words in m)[:110]}")
    # the signature patch (tools/docs_build.py): nbdev's own rendering fails the check, the patched one passes
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    src = ("import inspect\nclass Profile:\n    def __init__(self, retain_uids:bool=False, salt=None)->None: pass\n"
           "def f(x=None, *args, **kwargs)->int:\n    'Add'\n    return 1\n"
           "def find_backend()->str:\n    'The backend'\n    return 'cpu'\n")
    modf = tmp/'sigmod.py'; modf.write_text(src); sys.path.insert(0, str(tmp))
    import importlib; sigmod = importlib.import_module('sigmod')
    from nbdev.showdoc import show_doc
    def sig_nb(): return _nb(*[(f"show_doc({o.__name__})", [_data('text/markdown', show_doc(o)._repr_markdown_())]) for o in (sigmod.Profile, sigmod.f, sigmod.find_backend)])
    before = run(sig_nb())
    for pat in (':VAR_POSITIONAL', ':NoneType=None', 'blank line', '->None:'):
        if not any(pat in m for m in before): fails.append(f"nbdev's unpatched signatures: {pat!r} not caught; got {before}")
    import docs_build   # patches at import
    after = run(sig_nb())
    if after: fails.append(f"patched signatures still fail: {after}")
    else: print("ok  show_doc signatures: nbdev's own fail the check (" + str(len(before)) + " problems), tools/docs_build.py's pass")
    # site-wide checks on a copy of this site's nbs/ config
    site = tmp/'site'; (site/'nbs').mkdir(parents=True)
    for f in ('_quarto.yml', 'sidebar.yml', 'index.ipynb'): shutil.copy(root/'nbs'/f, site/'nbs'/f)
    for f in (root/'nbs').glob('*.ipynb'): shutil.copy(f, site/'nbs'/f.name)
    fav = re.search(r'^\s*favicon:\s*(\S+)', (root/'nbs'/'_quarto.yml').read_text(), re.M)
    if fav and (root/'nbs'/fav.group(1)).exists(): shutil.copy(root/'nbs'/fav.group(1), site/'nbs'/fav.group(1))
    shutil.copy(root/'settings.ini', site/'settings.ini')
    if check_site(site): fails.append(f"site checks fail on this site's own config: {check_site(site)}")
    def planted(edit, words, name):
        d = tmp/re.sub(r'\W+', '_', name); shutil.copytree(site, d); edit(d)
        probs = check_site(d)
        if not any(words in m for m in probs): fails.append(f"planted '{name}' not caught; got {probs}")
        else: print(f"ok  {name}: {next(m for m in probs if words in m)[:110]}")
    def sub(f, a, b): return lambda d: (d/f).write_text(re.sub(a, b, (d/f).read_text(), flags=re.M))
    planted(sub('nbs/_quarto.yml', r'^\s*page-navigation:.*$', ''), 'page-navigation', 'no page navigation')
    planted(lambda d: [p.unlink() for p in (d/'nbs').glob('favicon*')], 'favicon', 'favicon missing')
    planted(sub('settings.ini', r'^readme_nb\s*=.*$', 'readme_nb = index.ipynb'), 'readme_nb', 'nbdev_docs would write README.md')
    def rename(d):
        nb = json.loads((d/'nbs'/'index.ipynb').read_text())
        nb['cells'].append({'cell_type': 'markdown', 'metadata': {}, 'id': 'x', 'source': '- [Beyond one machine](00e_storage.ipynb): storage.'})
        (d/'nbs'/'index.ipynb').write_text(json.dumps(nb))
    planted(rename, 'page and sidebar call it', 'a chapter called two names')
    # the docs build itself (nbdev_docs with a stand-in Quarto) on a two-notebook project: README and tracked files kept
    proj = tmp/'proj'
    (proj/'nbs').mkdir(parents=True); (proj/'toypkg').mkdir()
    (proj/'toypkg'/'__init__.py').write_text(''); (proj/'toypkg'/'_modidx.py').write_text("d = {'settings': {}, 'syms': {}}\n")
    ini = (root/'settings.ini').read_text()
    ini = re.sub(r'^(repo|lib_name)\s*=.*$', r'\1 = toypkg', ini, flags=re.M)
    ini = re.sub(r'^lib_path\s*=.*$', 'lib_path = toypkg', ini, flags=re.M)
    (proj/'settings.ini').write_text(ini)
    for f in ('_quarto.yml', 'nbdev.yml', 'styles.css'): shutil.copy(root/'nbs'/f, proj/'nbs'/f)
    (proj/'nbs'/'sidebar.yml').write_text('website:\n  sidebar:\n    contents:\n      - index.ipynb\n')
    (proj/'nbs'/'index.ipynb').write_text(json.dumps(_nb("# toypkg\n\n> A toy.", ("1 + 1", [_data('text/plain', '2')]))))
    (proj/'README.md').write_text('# toypkg\n\nkept as it is\n')
    (proj/'.gitignore').write_text((root/'.gitignore').read_text())
    g = lambda *a: subprocess.run(['git', *a], cwd=proj, check=True, capture_output=True)
    g('init', '-q'); g('add', '-A'); g('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'toy')
    check_build_leaves_tree(proj, timeout=300)   # a first build writes nbdev.yml and _modidx.py for the toy: commit them
    g('add', '-A'); g('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'generated', '--allow-empty')
    probs, _ = check_build_leaves_tree(proj, timeout=300)
    if probs: fails.append(f"nbdev_docs on a project with this settings.ini changes its tree: {probs}")
    else: print("ok  nbdev_docs with this settings.ini leaves the work tree as it was")
    (proj/'settings.ini').write_text(re.sub(r'^readme_nb\s*=.*$', 'readme_nb = index.ipynb', ini, flags=re.M))
    g('add', '-A'); g('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'readme_nb')
    (proj/'README.md').touch(); import os, time; t = time.time() - 60; os.utime(proj/'README.md', (t, t))   # older than index.ipynb
    probs, _ = check_build_leaves_tree(proj, timeout=300)
    if not any('README.md' in m for m in probs): fails.append(f"planted 'readme_nb = index.ipynb' not caught: {probs}")
    else: print(f"ok  nbdev_docs would write README.md: {next(m for m in probs if 'README.md' in m)[:110]}")
    # a table 1.2x the column: passes when styles.css lets outputs scroll, fails when it does not
    global STYLES_CSS
    mid = '<table><tr>' + ''.join(f'<th>column_{k}</th>' for k in range(10)) + '</tr><tr>' + ''.join(f'<td>{k}.000001</td>' for k in range(10)) + '</tr></table>'
    saved = STYLES_CSS
    try:
        (tmp/'scroll.css').write_text('.cell-output-display {\n  overflow-x: auto;\n}\n'); (tmp/'plain.css').write_text('.cell { margin: 0; }\n')
        STYLES_CSS = tmp/'scroll.css'; with_scroll = run(clean(html=mid))
        STYLES_CSS = tmp/'plain.css'; without = run(clean(html=mid))
    finally: STYLES_CSS = saved
    if with_scroll or not any('does not let outputs scroll' in m for m in without):
        fails.append(f"a 1.2x-wide table: with scrolling {with_scroll}, without {without}")
    else: print(f"ok  a table a little too wide fails without the scroll box in styles.css: {without[0][:100]}")
    rs = '<table><tr><th></th><th></th><th>tag</th></tr><tr><th rowspan="2">patient</th><th>0</th><td>(0010,0010)</td></tr><tr><th>1</th><td>(0010,0020)</td></tr></table>'
    if _Table(rs).tables[0][2] != ['patient', '1', '(0010,0020)']: fails.append(f"rowspan not followed: {_Table(rs).tables}")
    for m in fails: print('FAIL', m)
    n = len(cases) + 10
    print(f"self-test: {n - len(fails)} of {n} planted-defect checks passed" if fails else f"self-test: all {n} checks passed (each planted defect caught, clean pages pass)")
    return 1 if fails else 0

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--html-dir', default=None)
    p.add_argument('--self-test', action='store_true', help='plant each defect in a small notebook and prove the check fails on it')
    a = p.parse_args()
    if a.self_test: sys.exit(self_test())
    build_probs, proc = check_build_leaves_tree()
    if not list(proc.glob('*.ipynb')):
        print('PROBLEM ' + '\nPROBLEM '.join(build_probs or ["nbdev's docs processing wrote no page"]))
        print("(nbdev's docs build runs every cell that contains an import: keep imports in cells of their own)")
        print("docs pages: 0 passed, 1 failed"); sys.exit(1)
    from nbconvert import HTMLExporter
    import nbformat
    html_dir = Path(a.html_dir) if a.html_dir else proc/'_html'
    html_dir.mkdir(parents=True, exist_ok=True)
    pages = {f.name for f in proc.glob('*.ipynb')}
    targets = {f.name: f for f in proc.glob('*.ipynb')} | {output_file(f): f for f in proc.glob('*.ipynb')}
    problems = [f"docs build: {m}" for m in build_probs] + check_site(root)
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
    for f in ('sidebar.yml', '_quarto.yml', 'styles.css', 'docs', 'README.md', 'settings.ini'):
        if any(m.startswith(f) for m in problems): bad.add(f)
    print(f"docs pages: {len(pages - bad)} passed, {len(bad)} failed")
    sys.exit(1 if problems else 0)
