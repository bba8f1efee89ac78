#!/usr/bin/env python
"""Benchmark the dataset-wide jobs on one machine: single process, the local worker pool and Dask with 1 and 2 workers.

    python bench/scale.py [--files 3000] [--prepare-files 400] [--repeats 2]

Data: every DICOM in the shared sample folder and pydicom's `test_files` (about 200 files, 58 of them broken or
without pixels), hard-linked (copied where links fail) into a temporary folder until there are `--files` files.
For `from_dicoms` (headers only) the methods run side by side, interleaved `--repeats` times (best kept):
`n_workers=0` (this process), the local process pool with 1 and 2 workers, and `client=` a Dask `LocalCluster`
of 1 and 2 worker processes (one thread each; the clusters are started and warmed before timing, as a cluster
is in use). `prepare` (png, 64 x 64) runs on the first `--prepare-files` files in this process and on the two
clusters (it has no local pool). Last, the bytes a header-only read fetches over HTTP (a local server with
range requests) from the 6 MB, 120-frame `color3d_jpeg_baseline.dcm`, and header reads over HTTP per second.
Prints markdown tables."""
import os, sys, time, shutil, argparse, tempfile, logging, warnings, importlib
from pathlib import Path
import pydicom

def replicate(dest, n):
    "Hard-link the sample files into `dest` until there are `n` files"
    from medimg.reading import get_dicom_files
    from medimg.data import data_path
    src = list(get_dicom_files(data_path())) + list(get_dicom_files(Path(pydicom.__file__).parent/'data'/'test_files'))
    out, k = [], 0
    while len(out) < n:
        d = dest/f"copy{k}"; d.mkdir(parents=True)
        for i, f in enumerate(src[:n - len(out)]):
            p = d/f"{i:03d}_{f.name}"
            try: os.link(f, p)
            except OSError: shutil.copy(f, p)
            out.append(p)
        k += 1
    return out

def best(fn, repeats):
    "Best wall time of `repeats` calls of `fn`, and its last result"
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); r = fn(); ts.append(time.perf_counter() - t)
    return min(ts), r

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--files', type=int, default=3000)
    p.add_argument('--prepare-files', type=int, default=400)
    p.add_argument('--repeats', type=int, default=2)
    a = p.parse_args()
    warnings.simplefilter('ignore')
    logging.getLogger('distributed').setLevel(logging.ERROR)
    from distributed import LocalCluster, Client
    from medimg.metadata import from_dicoms
    from medimg.dataloaders import prepare
    from medimg.storage import local_http_server, read_dicom, relative
    from medimg.data import sample_file
    tmp = Path(tempfile.mkdtemp(prefix='medimg-scale-'))
    try:
        files = replicate(tmp/'src', a.files)
        print(f"{len(files)} files ({len({f.name[4:] for f in files})} distinct); load average before: "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
        clusters = {n: LocalCluster(n_workers=n, processes=True, threads_per_worker=1, host='127.0.0.1',
                                    dashboard_address=None, silence_logs=logging.ERROR) for n in (1, 2)}
        clients = {n: Client(c) for n, c in clusters.items()}
        for c in clients.values():   # warm: import medimg's modules on every worker
            c.run(importlib.import_module, 'medimg.dataloaders')
            from_dicoms(files[:8], client=c, progress=False, verbose=False)
            prepare(files[0], tmp/'warm', size=64, progress=False, client=c); shutil.rmtree(tmp/'warm')
        kw = dict(progress=False, verbose=False)
        methods = {'this process (n_workers=0)': lambda: from_dicoms(files, n_workers=0, **kw),
                   'local pool, 1 worker': lambda: from_dicoms(files, n_workers=1, **kw),
                   'local pool, 2 workers': lambda: from_dicoms(files, n_workers=2, **kw),
                   'Dask, 1 worker': lambda: from_dicoms(files, client=clients[1], **kw),
                   'Dask, 2 workers': lambda: from_dicoms(files, client=clients[2], **kw)}
        times, ref = {k: [] for k in methods}, None
        for _ in range(a.repeats):   # interleaved, so a busy moment hurts every method alike
            for k, m in methods.items():
                t = time.perf_counter(); df = m(); times[k].append(time.perf_counter() - t)
                if ref is None: ref = df
                assert df.shape == ref.shape and df['fname'].tolist() == ref['fname'].tolist(), k
        t = {k: min(v) for k, v in times.items()}
        single = t['this process (n_workers=0)']
        pool = {1: t['local pool, 1 worker'], 2: t['local pool, 2 workers']}
        print(f"### from_dicoms, headers of {len(files)} files (best of {a.repeats})\n")
        print("| method | s | files/s | vs this process | Dask vs pool at equal workers |\n|---|---|---|---|---|")
        for k, s in t.items():
            eq = f"{pool[int(k[6])]/s:.2f}x" if k.startswith('Dask') else ''
            print(f"| {k} | {s:.2f} | {len(files)/s:,.0f} | {single/s:.2f}x | {eq} |")
        print(f"\nDask 2 workers vs 1: {t['Dask, 1 worker']/t['Dask, 2 workers']:.2f}x; "
              f"pool 2 vs 1: {pool[1]/pool[2]:.2f}x\n")

        pf = files[:a.prepare_files]
        root = tmp/'src'
        run = {'this process': lambda d: prepare(root, d, size=64, progress=False, client=None),
               'Dask, 1 worker': lambda d: prepare(root, d, size=64, progress=False, client=clients[1]),
               'Dask, 2 workers': lambda d: prepare(root, d, size=64, progress=False, client=clients[2])}
        # prepare takes a folder: a folder of the first `--prepare-files` files
        sub = tmp/'psrc'
        for f in pf: (sub/f.relative_to(root)).parent.mkdir(parents=True, exist_ok=True); os.link(f, sub/f.relative_to(root))
        root = sub
        pt, outs = {}, {}
        for k, m in run.items():
            d = tmp/f"out_{k.replace(' ', '_').replace(',', '')}"
            s = time.perf_counter(); outs[k] = m(d); pt[k] = time.perf_counter() - s
        base = outs['this process']
        for k, r in outs.items():
            assert r.bad == base.bad and len(r.written) == len(base.written), k
            assert all((r.dest/relative(w, base.dest)).read_bytes() == w.read_bytes() for w in base.written), k
        n_img = len(base.written)
        print(f"### prepare, {len(pf)} files -> {n_img} png 64x64 ({len(base.bad)} bad, {len(base.skipped)} skipped; "
              "same bytes and reports on every path)\n")
        print("| method | s | files/s | vs this process |\n|---|---|---|---|")
        for k, s in pt.items(): print(f"| {k} | {s:.2f} | {len(pf)/s:,.1f} | {pt['this process']/s:.2f}x |")
        print(f"\nDask 2 workers vs 1: {pt['Dask, 1 worker']/pt['Dask, 2 workers']:.2f}x\n")

        big = sample_file('pydicom-data/color3d_jpeg_baseline.dcm')
        with local_http_server(big.parent) as srv:
            read_dicom(srv.url + big.name, header_only=True); hb = srv.bytes_sent
            read_dicom(srv.url + big.name); fb = srv.bytes_sent - hb
        print("### header-only read over HTTP (local server, range requests)\n")
        print(f"| file | size | bytes fetched, header only | share | bytes fetched, full read |\n|---|---|---|---|---|")
        print(f"| {big.name} (120 frames) | {big.stat().st_size:,} | {hb:,} | {hb/big.stat().st_size:.2%} | {fb:,} |")
        n_http = min(len(files), 600)
        with local_http_server(tmp/'src') as srv:
            urls = [srv.url + relative(f, tmp/'src') for f in files[:n_http]]
            s0 = srv.bytes_sent; t0 = time.perf_counter()
            df = from_dicoms(urls, n_workers=0, **kw); th = time.perf_counter() - t0
            sent = srv.bytes_sent - s0
            t0 = time.perf_counter(); from_dicoms(urls, client=clients[2], **kw); th2 = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in files[:n_http])
        print(f"\nfrom_dicoms over HTTP, {n_http} files: this process {n_http/th:,.0f} files/s, Dask 2 workers "
              f"{n_http/th2:,.0f} files/s; {sent/n_http/1024:.1f} KiB fetched per file ({sent/size:.1%} of their bytes)")
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
        for c in clients.values(): c.close()
        for c in clusters.values(): c.close()
    finally: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
