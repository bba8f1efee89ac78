#!/usr/bin/env python
"""`medimg prepare` against a hand-written pydicom + PIL loop doing the same conversion, side by side.

    python bench/prepare.py [--rounds 3] [--per-file 1000] [--sets ct,siim,lung1]

The hand loop (`hand_loop`, ~30 lines) is what a user would write instead of `prepare`: read each file with
pydicom, apply the modality LUT, the viewer's window (the file's first window, else W400/L40 for CT, else the
full range), invert MONOCHROME1, resize to 256x256 by area averaging, write an 8-bit PNG, and write a CSV of a
few header fields. `prepare` does that and more: a de-identified metadata table (PS3.15 basic profile), atomic
writes, collision-free names, resumability and a problems table. `prepare` runs twice: with its default (a pool of
forked worker processes, one per core up to 8, for 64 files or more) and with `n_workers=0` (this process alone, the
hand loop's one core). All run from this process, one after the other, interleaved over `--rounds` rounds on the
same files into fresh folders; the best time of each is kept.

Data, through medimg's data helper: the 100 CT slices (`tcia-ct-medical-images`), SIIM_SMALL (250 JPEG chest
radiographs) and LUNG1-001 (134 CT slices and an RTSTRUCT). The fixed cost (import, set-up, a one-file folder)
and the per-file cost (the slope between a one-file folder and `--per-file` hard-linked copies of the CT set)
are measured apart. Prints the load average, because other work on the machine slows both sides."""
import os, csv, time, shutil, argparse, tempfile, warnings
from pathlib import Path
import numpy as np
warnings.filterwarnings('ignore')

def hand_loop(src, dest, size=256):
    "The peer: pydicom + PIL, the same conversion as `prepare(src, dest)` with the default viewer window"
    import pydicom
    from pydicom.pixels import apply_modality_lut
    from PIL import Image
    dest = Path(dest); (dest/'images').mkdir(parents=True, exist_ok=True); rows = []
    for fn in sorted(p for p in Path(src).rglob('*') if p.is_file() and p.suffix.lower() == '.dcm'):
        ds = pydicom.dcmread(fn)
        if 'PixelData' not in ds: continue
        px = apply_modality_lut(ds.pixel_array, ds).astype(np.float32)
        if 'WindowWidth' in ds:
            w = float(ds.WindowWidth[0] if ds['WindowWidth'].VM > 1 else ds.WindowWidth)
            l = float(ds.WindowCenter[0] if ds['WindowCenter'].VM > 1 else ds.WindowCenter)
        elif ds.get('Modality') == 'CT': w, l = 400., 40.
        else: w, l = float(px.max() - px.min()) or 1., float(px.max() + px.min())/2
        out = np.clip((px - (l - 0.5)) / (w - 1) + 0.5, 0, 1)
        if ds.get('PhotometricInterpretation') == 'MONOCHROME1': out = 1 - out
        im = Image.fromarray(np.rint(out*255).astype(np.uint8)).resize((size, size), Image.BOX)
        rel = fn.relative_to(src).with_suffix('.png'); (dest/'images'/rel).parent.mkdir(parents=True, exist_ok=True)
        im.save(dest/'images'/rel)
        rows.append(dict(image=str(rel), Modality=ds.get('Modality'), Rows=ds.Rows, Columns=ds.Columns,
                         PatientSex=ds.get('PatientSex'), ViewPosition=ds.get('ViewPosition')))
    with open(dest/'metadata.csv', 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)
    return len(rows)

def medimg_prepare(src, dest, n_workers=None):
    "`prepare` with its default (a pool of the cores, at most 8, for 64 files or more), or `n_workers=0`: this process alone"
    from medimg.dataloaders import prepare
    return len(prepare(src, dest, progress=False, n_workers=n_workers).written)

METHODS = {'hand': hand_loop, 'medimg': medimg_prepare, 'one': lambda src, dest: medimg_prepare(src, dest, 0)}

def timed(f, src, tmp):
    dest = Path(tempfile.mkdtemp(dir=tmp))
    t = time.perf_counter(); n = f(src, dest); dt = time.perf_counter() - t
    shutil.rmtree(dest); return dt, n

def compare(src, rounds, tmp):
    "Best-of-`rounds` seconds of the hand loop and of prepare on `src`, interleaved; and the image counts"
    best = {k: float('inf') for k in METHODS}; counts = {}
    for _ in range(rounds):
        for k, f in METHODS.items():
            dt, counts[k] = timed(f, src, tmp); best[k] = min(best[k], dt)
    return best, counts

def linked(files, dest, copies):
    "Hard links (or copies) of `files`, `copies` times over, in `dest`"
    dest.mkdir(parents=True)
    for k in range(copies):
        for f in files:
            p = dest/f"c{k:03d}_{f.name}"
            try: os.link(f, p)
            except OSError: shutil.copy(f, p)
    return dest

def siim():
    "SIIM_SMALL through the data helper; until it is a named dataset there, the folder beside the others"
    from medimg.data import dataset, data_path
    try: return dataset('siim_small')
    except KeyError:
        p = (data_path() or Path('none'))/'siim_small'
        if not p.is_dir(): raise FileNotFoundError(f"{p}: no such folder")
        return p

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--per-file', type=int, default=1000, help='files for the per-file cost (0: skip)')
    p.add_argument('--sets', default='ct,siim,lung1')
    a = p.parse_args()
    from medimg.data import dataset
    sets = dict(ct=('100 CT slices (tcia-ct-medical-images)', lambda: dataset('tcia-ct-medical-images')/'dicom_dir'),
                siim=('SIIM_SMALL, 250 JPEG radiographs', siim),
                lung1=('LUNG1-001, 134 CT + RTSTRUCT', lambda: dataset('nsclc-radiomics/LUNG1-001')))
    print(f"load average at start: {os.getloadavg()[0]:.2f}\n")
    from medimg.metadata import auto_workers
    print(f"prepare's default: {auto_workers(None, 64)} worker process(es) for 64 files or more on this machine\n")
    print("| data | hand loop (s) | prepare (s) | prepare / hand loop | prepare, one process (s) | one process / hand loop | images (hand, medimg) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for k in a.sets.split(','):
            name, get = sets[k]
            try: src = get()
            except (KeyError, FileNotFoundError) as e: print(f"| {name} | not available: {e} | | | |"); continue
            best, n = compare(src, a.rounds, tmp)
            print(f"| {name} | {best['hand']:.2f} | {best['medimg']:.2f} | {best['medimg']/best['hand']:.2f}x | {best['one']:.2f} | "
                  f"{best['one']/best['hand']:.2f}x | {n['hand']}, {n['medimg']} |", flush=True)
        if a.per_file:
            ct = sorted((dataset('tcia-ct-medical-images')/'dicom_dir').glob('*.dcm'))
            one, many = linked(ct[:1], tmp/'one', 1), linked(ct, tmp/'many', -(-a.per_file // len(ct)))
            n_many = len(list(many.iterdir()))
            b1, _ = compare(one, a.rounds, tmp); bm, _ = compare(many, 1, tmp)
            print(f"\nfixed cost (a one-file folder): hand loop {b1['hand']:.2f} s, prepare {b1['medimg']:.2f} s")
            per = {k: (bm[k] - b1[k]) / (n_many - 1) * 1000 for k in bm}
            print(f"per-file cost over {n_many} files: hand loop {per['hand']:.1f} ms, prepare {per['medimg']:.1f} ms "
                  f"({per['medimg']/per['hand']:.2f}x), prepare in one process {per['one']:.1f} ms ({per['one']/per['hand']:.2f}x)")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
