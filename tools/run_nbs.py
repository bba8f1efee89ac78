#!/usr/bin/env python
"""Execute notebooks top to bottom with nbclient, as Colab or Jupyter would (not `nbdev_test`).

    python tools/run_nbs.py [NOTEBOOK ...] [--check]

Without `--check` each notebook is saved back with its outputs (so the docs site shows the figures);
with `--check` nothing is written. Exits non-zero naming every notebook that failed."""
import os, re, sys, time, argparse, tempfile
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets.config import Config

def run(fn, check=False, timeout=900):
    nb = nbformat.read(fn, as_version=4)
    t = time.time()
    os.environ['PYTHONWARNINGS'] = 'ignore'   # the kernel's: a dependency's warnings are not the page's content
    os.environ['MPLBACKEND'] = 'module://matplotlib_inline.backend_inline'   # figures as outputs, whatever the shell set
    # the kernel talks over local IPC sockets: over TCP, ipykernel warns on every start that the traffic is not encrypted
    # (IPC sockets are files: an absolute path, as the kernel runs in the notebook's folder and this process does not)
    with tempfile.TemporaryDirectory(prefix='medimg-kernel-') as sockets:
        ipc = Config({'KernelManager': {'transport': 'ipc', 'ip': str(Path(sockets)/'kernel')}})
        NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(fn.parent)}},
                       config=ipc).execute()
    for c in nb.cells:   # hidden cells never render: their outputs (test runs, temporary paths) are not kept
        if c.cell_type == 'code' and re.search(r'^#\|\s*hide\b', c.source, re.M): c.outputs = []
    if not check: nbformat.write(nb, fn)
    return time.time() - t

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: every nbs/*.ipynb)')
    p.add_argument('--check', action='store_true', help='do not write outputs back')
    a = p.parse_args()
    fns = [Path(o) for o in a.nbs] or sorted(Path(__file__).parent.parent.joinpath('nbs').glob('*.ipynb'))
    failed = []
    for fn in fns:
        try: print(f"{fn.name}: ran in {run(fn, a.check):.0f}s", flush=True)
        except CellExecutionError as e:
            failed.append(fn.name); print(f"{fn.name}: FAILED\n{str(e)[-3000:]}", flush=True)
    print(f"notebooks: {len(fns)-len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)
