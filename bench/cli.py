#!/usr/bin/env python
"""Start-up time of the `medimg` command line against `python -c "import pydicom"`.

    python bench/cli.py [--n 5] [--imports-only]

Runs, side by side in one process and interleaved, `--n` times each: `python -c "import pydicom"` (the floor:
any DICOM tool pays it), `medimg --help` and `medimg info CT_small.dcm` (pydicom's test file), each a fresh
process; prints a markdown table of the median and fastest wall times and the median's ratio to
`import pydicom`. Then checks, in a fresh process, that `medimg.cli.main(['info', F])` imports none of
torch, fastai, matplotlib and pandas (the heavy imports the command line must not pay for). Exits 1 if
it does, or if a command fails. `--imports-only` skips the timing (a quick check for CI)."""
import sys, time, shutil, argparse, statistics, subprocess
from pathlib import Path

HEAVY = ('torch', 'fastai', 'matplotlib', 'pandas')

def medimg_cmd():
    "The `medimg` console script of this Python's environment (else the one on PATH)"
    exe = Path(sys.executable).parent/'medimg'
    if exe.exists(): return [str(exe)]
    found = shutil.which('medimg')
    if not found: sys.exit("no `medimg` command: install medimg (`pip install -e .`) in this environment")
    return [found]

def heavy_imports(fn):
    "The modules of `HEAVY` that `main(['info', fn])` imports, from a fresh interpreter"
    code = ("import sys\nfrom medimg.cli import main\nrc = main(['info', sys.argv[1]])\n"
            f"print('MODULES:', sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))\n"
            "sys.exit(rc)")
    r = subprocess.run([sys.executable, '-c', code, str(fn)], capture_output=True, text=True)
    if r.returncode != 0: sys.exit(f"`main(['info', ...])` failed (exit {r.returncode}):\n{r.stdout}\n{r.stderr}")
    line = [l for l in r.stdout.splitlines() if l.startswith('MODULES:')][-1]
    return eval(line.split(':', 1)[1])

def time_cmds(cmds, n):
    "Wall seconds of each command run `n` times, interleaved (one round runs every command once)"
    res = {k: [] for k in cmds}
    for _ in range(n):
        for k, cmd in cmds.items():
            t = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            res[k].append(time.perf_counter() - t)
            if r.returncode != 0: sys.exit(f"`{k}` failed (exit {r.returncode}):\n{r.stdout}\n{r.stderr}")
    return res

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=5, help='runs of each command')
    p.add_argument('--imports-only', action='store_true', help='only check what `medimg info` imports')
    a = p.parse_args()
    import pydicom.data
    fn = pydicom.data.get_testdata_file('CT_small.dcm')
    if not a.imports_only:
        med = medimg_cmd()
        cmds = {'python -c "import pydicom"': [sys.executable, '-c', 'import pydicom'],
                'medimg --help': med + ['--help'],
                'medimg info CT_small.dcm': med + ['info', fn]}
        res = time_cmds(cmds, a.n)
        floor = statistics.median(res['python -c "import pydicom"'])
        print(f"| command | median (ms) | fastest (ms) | median / import pydicom |\n|---|---:|---:|---:|")
        for k, ts in res.items():
            print(f"| `{k}` | {statistics.median(ts)*1000:.0f} | {min(ts)*1000:.0f} | {statistics.median(ts)/floor:.2f}x |")
        print(f"\n({a.n} runs each, interleaved; Python {sys.version.split()[0]})")
    heavy = heavy_imports(fn)
    print(f"\nheavy modules imported by `medimg info`: {heavy or 'none'} (checked: {', '.join(HEAVY)})")
    sys.exit(1 if heavy else 0)
