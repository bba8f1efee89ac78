#!/usr/bin/env python
"""Benchmark `medimg.metadata.from_dicoms` against a plain pydicom loop and fastai's `pd.DataFrame.from_dicoms`.

    python bench/metadata.py [--copies 6] [--px-copies 1] [--repeats 5] [--px-repeats 2] [--workers] [--heavy]

`--workers` prints only the pool's scaling: `from_dicoms` on the same files with 1 and with 2 worker processes
(and here, `n_workers=0`), interleaved, best of `--repeats`: wall time, CPU time per file (this process and its
workers), the 2-vs-1 ratio and the load average (a ratio of 2 needs two idle cores). `--heavy` imports torch and
fastai first, as a notebook that trains has (the workers are forked from this process).

Data: every DICOM in the shared sample folder (`medimg.data.data_path()`) and in pydicom's `test_files` folder
(200 files, 58 of them deliberately broken or without pixels), replicated `--copies` times (hard links, or copies
where links fail) into a temporary folder, so that the header benchmark runs on >= 1,000 files. The pixel
benchmark uses `--px-copies` replicas (decoding dominates, and 200 files already include a 120-frame JPEG cine
and 2k x 2k JPEG 2000 radiographs). Each header method runs once to warm the page cache, then `--repeats`
times, interleaved (best kept). fastai runs in a subprocess, because importing `fastai.medical.imaging` re-patches pydicom's
`Dataset` with fastai's methods. Prints a markdown table."""
import os, sys, time, json, shutil, argparse, tempfile, subprocess, warnings
from pathlib import Path
import pandas as pd, pydicom
from medimg.reading import get_dicom_files
from medimg.data import data_path
from medimg.metadata import from_dicoms, _base_tag

warnings.simplefilter('ignore')

def replicate(dest, copies):
    "Copy (hard-link) the shared sample files and pydicom's test files `copies` times into `dest`"
    src = list(get_dicom_files(data_path())) + list(get_dicom_files(Path(pydicom.__file__).parent/'data'/'test_files'))
    out = []
    for k in range(copies):
        d = dest/f"copy{k}"; d.mkdir(parents=True)
        for i, f in enumerate(src):
            p = d/f"{i:03d}_{f.name}"
            try: os.link(f, p)
            except OSError: shutil.copy(f, p)
            out.append(p)
    return out, len(src)

def plain_loop(files, keywords):
    "The floor: pydicom.dcmread(stop_before_pixels=True), then the same tags (only those elements parsed), into a DataFrame"
    tags = {pydicom.datadict.tag_for_keyword(k) for k in keywords}
    rows = []
    for f in files:
        try: ds = pydicom.dcmread(f, stop_before_pixels=True)
        except Exception as e: rows.append(dict(fname=str(f), error=str(e))); continue
        row = dict(fname=str(f))
        for t in ds.keys():
            if t in tags: e = ds[t]; row[e.keyword] = e.value
        rows.append(row)
    return pd.DataFrame(rows)

def naive_loop(files, keywords):
    "The same, written the obvious way: `ds.get(keyword)` for every keyword"
    rows = []
    for f in files:
        try: ds = pydicom.dcmread(f, stop_before_pixels=True)
        except Exception as e: rows.append(dict(fname=str(f), error=str(e))); continue
        rows.append(dict(fname=str(f), **{k: ds.get(k) for k in keywords}))
    return pd.DataFrame(rows)

def decode_once(files):
    "Pixels decoded once per file with pydicom (what a pixel summary cannot avoid)"
    n = 0
    for f in files:
        try: pydicom.dcmread(f).pixel_array; n += 1
        except Exception: pass
    return n

FASTAI = r'''
import sys, json, time, warnings; warnings.simplefilter('ignore')
from pathlib import Path
import pandas as pd
import fastai.medical.imaging as fmi
files = [Path(l) for l in open(sys.argv[1]).read().split('\n') if l]
res = {}
t = time.perf_counter()
try: pd.DataFrame.from_dicoms(files, px_summ=False); res['all'] = 'ran'
except Exception as e: res['all'] = f"{type(e).__name__}: {e}"
res['all_s'] = time.perf_counter() - t
ok, t = 0, time.perf_counter()
for f in files:
    try: fmi._dcm2dict(f, px_summ=False); ok += 1
    except Exception: pass
res.update(per_file_s=time.perf_counter() - t, ok=ok, n=len(files))
print(json.dumps(res))
'''

def fastai_run(files, tmp):
    lst = tmp/'files.txt'; lst.write_text('\n'.join(map(str, files)))
    r = subprocess.run([sys.executable, '-c', FASTAI, str(lst)], capture_output=True, text=True)
    try: return json.loads(r.stdout.strip().splitlines()[-1])
    except Exception: return dict(all=f"did not run: {r.stderr.strip()[-300:]}")

def best(f, repeats):
    "Best (wall, CPU of this process and its finished worker processes) seconds of `repeats` runs of `f`"
    cpu = lambda: (lambda t: t.user + t.system + t.children_user + t.children_system)(os.times())   # worker processes too
    res = []
    for _ in range(repeats):
        w, c = time.perf_counter(), cpu(); f()
        res.append((time.perf_counter() - w, cpu() - c))
    return min(res)

def workers(files, repeats):
    "from_dicoms with 0, 1 and 2 workers, interleaved: wall, CPU per file, 2 vs 1"
    load0 = os.getloadavg()
    from_dicoms(files, n_workers=0, progress=False, verbose=False)   # warm the page cache
    rounds = [[best(lambda: from_dicoms(files, n_workers=k, progress=False, verbose=False), 1) for k in (0, 1, 2)] for _ in range(repeats)]
    t = [min(r[i] for r in rounds) for i in range(3)]
    load1 = os.getloadavg()
    print(f"## from_dicoms: 1 vs 2 worker processes\n\n{len(files)} files; best of {repeats}, interleaved; "
          f"load average (1, 5, 15 min) {load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f} before, {load1[0]:.1f} {load1[1]:.1f} {load1[2]:.1f} after, "
          f"on {os.cpu_count()} cpus; torch imported: {'torch' in sys.modules}\n")
    print("| n_workers | wall (s) | CPU (s), workers included | CPU per file (ms) | files/s |\n|---|---:|---:|---:|---:|")
    for k, (w, c) in zip((0, 1, 2), t): print(f"| {k} | {w:.2f} | {c:.2f} | {c/len(files)*1e3:.2f} | {len(files)/w:,.0f} |")
    print(f"\n2 workers vs 1: **{t[1][0]/t[2][0]:.2f}x** faster (wall); 1 worker vs here: {t[0][0]/t[1][0]:.2f}x")

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--copies', type=int, default=6); p.add_argument('--px-copies', type=int, default=1)
    p.add_argument('--repeats', type=int, default=5); p.add_argument('--px-repeats', type=int, default=2)
    p.add_argument('--workers', action='store_true'); p.add_argument('--heavy', action='store_true')
    a = p.parse_args()
    if a.heavy: import torch, fastai.vision.all   # noqa: F401
    if a.workers:
        tmp = Path(tempfile.mkdtemp(prefix='bench_metadata_'))
        try: workers(replicate(tmp/'data', a.copies)[0], a.repeats)
        finally: shutil.rmtree(tmp, ignore_errors=True)
        return
    tmp = Path(tempfile.mkdtemp(prefix='bench_metadata_'))
    try:
        files, n_src = replicate(tmp/'data', a.copies)
        n, cores = len(files), len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
        load0 = os.getloadavg()[0]
        df = from_dicoms(files, n_workers=0, progress=False, verbose=False)           # warm-up, and the tag list
        keywords = sorted({pydicom.datadict.keyword_for_tag(_base_tag(c)[0]) for c in df.columns if _base_tag(c)[0] is not None} - {'TransferSyntaxUID'})
        plain_loop(files, keywords)
        t_naive = best(lambda: naive_loop(files, keywords), 1)
        rounds = [(best(lambda: plain_loop(files, keywords), 1),     # interleaved, so that changing load
                   best(lambda: from_dicoms(files, n_workers=0, progress=False, verbose=False), 1),   # hits all alike
                   best(lambda: from_dicoms(files, n_workers=cores, progress=False, verbose=False), 1)) for _ in range(a.repeats)]
        t_plain, t_serial, t_par = (min(r[i] for r in rounds) for i in range(3))
        fa = fastai_run(files, tmp)
        px_files = files[:n_src*a.px_copies]
        decode_once(px_files)                                                             # warm-up: decoder imports
        rounds = [(best(lambda: decode_once(px_files), 1),
                   best(lambda: from_dicoms(px_files, px_summ=True, n_workers=0, progress=False, verbose=False), 1),
                   best(lambda: from_dicoms(px_files, px_summ=True, n_workers=cores, progress=False, verbose=False), 1))
                  for _ in range(a.px_repeats)]
        t_dec, t_pxs, t_pxp = (min(r[i] for r in rounds) for i in range(3))
        load1 = os.getloadavg()[0]
    finally: shutil.rmtree(tmp, ignore_errors=True)

    rate = lambda k, t: f"{k/t:,.0f}"
    row = lambda name, k, t, ratio: print(f"| {name} | {k} | {t[0]:.2f} | {t[1]:.2f} | {rate(k, t[0])} | {ratio} |")
    print(f"## metadata: `from_dicoms`\n\n{n} files: the shared sample set + pydicom's test files ({n_src} files, "
          f"{df.attrs['n_failed']//a.copies} with errors) replicated {a.copies}x (hard links) in a temporary folder; "
          f"{len(df.columns)} columns, {len(keywords)} DICOM keywords. {cores} cores; load average {load0:.1f} "
          f"before, {load1:.1f} after (other work shares this machine, so wall times are noisy: per-core ratios use "
          f"CPU time, of the worker processes too; decoders may use threads). Best of {a.repeats} (pixels: best of {a.px_repeats}), "
          f"runs interleaved.\n")
    print("| method | files | wall (s) | CPU (s) | files/s (wall) | ratio |\n|---|---:|---:|---:|---:|---|")
    row("plain loop: `pydicom.dcmread(stop_before_pixels=True)` + the same tags (floor)", n, t_plain, "1.00")
    row(f"same loop, the obvious way: `ds.get(k)` for each of the {len(keywords)} keywords", n, t_naive, f"{t_naive[1]/t_plain[1]:.2f}x CPU")
    row("medimg `from_dicoms(n_workers=0)` (one core)", n, t_serial, f"**{t_serial[1]/t_plain[1]:.2f}x CPU** (target <= 1.3x)")
    row(f"medimg `from_dicoms(n_workers={cores})`", n, t_par, f"**{t_plain[0]/t_par[0]:.2f}x faster** wall (target > 1); {t_par[1]/t_plain[1]:.2f}x CPU in all")
    if 'per_file_s' in fa:
        print(f"| fastai `pd.DataFrame.from_dicoms(files, px_summ=False)` | {n} | {fa['all_s']:.2f} | - | - | fails at once: {fa['all'][:75]} |")
        print(f"| fastai `_dcm2dict` per file, failures caught | {n} | {fa['per_file_s']:.2f} | - | {rate(n, fa['per_file_s'])} "
              f"| {fa['per_file_s']/t_plain[0]:.2f}x wall; {fa['n']-fa['ok']} of {fa['n']} files fail |")
    else: print(f"| fastai | {n} | - | - | - | {fa['all']} |")
    m = len(px_files)
    row("pixels decoded once: `pydicom.dcmread(f).pixel_array` (floor)", m, t_dec, "1.00")
    row("medimg `from_dicoms(px_summ=True, n_workers=0)`", m, t_pxs, f"**{t_pxs[1]/t_dec[1]:.2f}x CPU**")
    row(f"medimg `from_dicoms(px_summ=True, n_workers={cores})`", m, t_pxp, f"**{t_dec[0]/t_pxp[0]:.2f}x faster** wall (target >= 1); {t_pxp[1]/t_dec[1]:.2f}x CPU in all")

if __name__ == '__main__': main()
