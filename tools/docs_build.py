#!/usr/bin/env python
"""Build the docs site with show_doc signatures that read as Python: `nbdev_docs`, plus one small patch.

    python tools/docs_build.py          # what the deploy workflow runs (needs Quarto)

nbdev 2 (fastcore's `DocmentText`) prints signatures that are not Python: `*args, **kwargs` come out as
`args:VAR_POSITIONAL, kwargs:VAR_KEYWORD`, an unannotated `x=None` as `x:NoneType=None` (the type of the
default, shown as an annotation), a function with no parameters as `def f(` + a blank line + `):`, a class as
`def Name(...)->None:` (its `__init__`), and the code block opens and closes with a blank line.
`patch_signatures()` replaces that formatting: parameters as `inspect.signature` has them (`*`, `**`, `/`
and the bare `*` included; annotations only where the code has them), one line when it fits, and a class as
its constructor call `Name(...)`. Docments comments stay as `# comment` after their parameter.
`tools/check_docs.py` runs this build (with a stand-in for Quarto) and fails on any signature that still
shows those patterns.

The build also keeps torch's FutureWarning about `torch.jit.script` (raised while fastai imports) out of the
pages: nbdev re-runs every import cell, outside `tools/run_nbs.py`'s kernel, and would save it under the cell.

README.md is written by `tools/make_readme.py`, never by the docs build: settings.ini's `readme_nb` names
no notebook, so `nbdev_docs` skips its README step, and `doc_path = _docs` (ignored by git) keeps Quarto's
output out of the tracked tree."""
import inspect, sys
from inspect import Parameter

def _anno(a):
    if a is Parameter.empty: return ''
    if isinstance(a, str): return a
    if getattr(a, '__module__', None) == 'builtins' or (hasattr(a, '__name__') and not getattr(a, '__args__', None)):
        return getattr(a, '__name__', str(a))
    return inspect.formatannotation(a).replace('typing.', '')

def _default(d):
    return d.__name__ if hasattr(d, '__name__') else repr(d)

def fmt_params(obj, dm):
    "[(text, docment)] for `obj`'s parameters, as Python writes them; `dm`: fastcore's docments (comments)"
    try: sig = inspect.signature(obj)   # a class: its constructor, without self
    except (TypeError, ValueError): sig = None
    if sig is None:   # no signature: fastcore's own view, without the made-up annotations
        return [(k, (v or {}).get('docment') or '') for k, v in dm.items() if k not in ('return', 'self')]
    res, ps = [], list(sig.parameters.values())
    if ps and ps[0].name in ('self', 'cls'): ps = ps[1:]   # a method or property shown from its class
    star_done = any(p.kind == Parameter.VAR_POSITIONAL for p in ps)
    for i, p in enumerate(ps):
        if p.kind == Parameter.KEYWORD_ONLY and not star_done: res.append(('*', '')); star_done = True
        pre = '*' if p.kind == Parameter.VAR_POSITIONAL else '**' if p.kind == Parameter.VAR_KEYWORD else ''
        a = _anno(p.annotation)
        txt = pre + p.name + (f':{a}' if a else '') + (f'={_default(p.default)}' if p.default is not Parameter.empty else '')
        res.append((txt, ((dm.get(p.name) or {}).get('docment') or '')))
        nxt = ps[i+1] if i + 1 < len(ps) else None
        if p.kind == Parameter.POSITIONAL_ONLY and (nxt is None or nxt.kind != Parameter.POSITIONAL_ONLY): res.append(('/', ''))
    return res

def fmt_sig(prefix, name, params, ret, maxline=110):
    "One line when it fits and nothing carries a comment, else fastcore's layout (4-space indent)"
    if not any(d for _, d in params):
        one = f"{prefix}{name}({', '.join(p for p, _ in params)}){ret}"
        if len(one) <= maxline: return one
    lines, cur = [], []
    for p, d in params:
        if cur and len(', '.join(cur + [p])) + 6 > maxline: lines.append(', '.join(cur) + ','); cur = []
        cur.append(p)
        if d: lines.append(', '.join(cur) + ', # ' + d); cur = []
    if cur: lines.append(', '.join(cur))
    return f"{prefix}{name}(\n    " + '\n    '.join(lines) + f"\n){ret}"

def patch_signatures():
    "Make fastcore's `DocmentText` (what show_doc prints) and nbdev's markdown renderer print Python"
    import fastcore.docments as fd
    from fastcore.docments import DocmentText, MarkdownRenderer, get_name, _clean_text_sig
    if getattr(DocmentText, '_medimg_patched', False): return
    def __str__(self):
        o = self.obj
        is_inst = callable(o) and not (inspect.isfunction(o) or inspect.isclass(o) or inspect.isbuiltin(o) or inspect.ismethod(o))
        params = fmt_params(o, self.dm)
        if inspect.isclass(o): prefix, ret = '', ''
        else:
            prefix = 'async def ' if inspect.iscoroutinefunction(o) else 'def '
            r = self.dm.get('return', {}) or {}
            a = _anno(r.get('anno', Parameter.empty))
            ret = (f"->{a}" if a else '') + ':' + (f" # {r['docment']}" if r.get('docment') else '')
        nm = get_name(o) if hasattr(o, '__name__') else f'{type(o).__name__}.__call__' if is_inst else get_name(o)
        if (sig := _clean_text_sig(o)) and not params: s = f"{prefix}{sig}"
        else: s = fmt_sig(prefix, nm, params, ret, self.maxline)
        doc = getattr(o.__call__, '__doc__', None) if is_inst else o.__doc__
        return s + (f'\n    "{doc}"' if self.docstring and doc else '')
    DocmentText.__str__ = DocmentText.__repr__ = __str__
    def _repr_markdown_(self):
        doc = f'```python\n{self.dm}\n```'
        if self.docs: doc += f"\n\n{fd._ital_first(self.docs)}"
        return doc
    MarkdownRenderer._repr_markdown_ = _repr_markdown_
    DocmentText._medimg_patched = True

def patch_doc_eval():
    """nbdev's build runs every cell that imports anything, to have the names show_doc needs. A test cell that
    also imports (and uses the cells before it, which the build does not run) would fail there, and nbdev warns
    about each: run exported cells, cells of imports alone and show_doc cells, as before, but no test cells."""
    import ast, nbdev.processors as P
    if getattr(P._do_eval, '_medimg_patched', False): return
    orig = P._do_eval
    def _do_eval(cell):
        if cell.cell_type == 'code' and cell.source and not (cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}):
            trees = cell.parsed_()
            if trees and P._ast_contains(trees, (ast.Import, ast.ImportFrom)) and P._ast_contains(trees, (ast.Expr, ast.Assign)):
                return None
        return orig(cell)
    _do_eval._medimg_patched = True
    P._do_eval = _do_eval

# At import, not only under __main__: nbdev processes the notebooks in worker processes started with `spawn`,
# which import this script again (as __mp_main__) before they run show_doc.
patch_signatures()
patch_doc_eval()

if __name__ == '__main__':
    import os, shutil
    # nbdev's build re-runs each page's import cells; fastai's import raises torch's FutureWarning about
    # torch.jit.script, which would be saved under the cell. The workers inherit this filter.
    os.environ['PYTHONWARNINGS'] = ','.join(w for w in (os.environ.get('PYTHONWARNINGS'), 'ignore:`torch.jit.script` is deprecated:FutureWarning') if w)
    from nbdev.config import get_config
    shutil.rmtree(get_config().config_path/'_proc', ignore_errors=True)   # nbdev reuses processed pages by mtime
    from nbdev.quarto import nbdev_docs
    nbdev_docs.__wrapped__(*sys.argv[1:])
