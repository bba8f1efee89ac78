#!/usr/bin/env python
"""Benchmark medimg's read + HU + 3-window stack against fastai.medical.imaging and against decoding alone.

    python bench/windowing.py [--copies 20] [--repeats 7] [--threads 1]

Data (replicated, say so when quoting numbers): the 3 real abdominal CT slices `dcmqi/ct-3slice/0[123].dcm`
(512x512 int16, uncompressed), the real NIH chest radiograph `nhsx-nccid/nih_cxr_no_finding.dcm` (1024x1024
8-bit, uncompressed), and, for contrast, pydicom's head CT `693_J2KI.dcm` (512x512, lossy JPEG 2000, where
decoding is real work), and pydicom-data's real chest CR `RG1_UNCR.dcm` (1955x1841, 15-bit MONOCHROME1: medimg folds
the inversion into the windows, so "medimg" against "medimg via HU" shows the fused path is taken; fastai does not
invert, so its images are the negative), each hard-linked `--copies` times into a temporary folder. Each pipeline runs over all files of a set; the sets are timed round-robin (`--repeats`
rounds; within a round each file goes through every contender in turn, so all see the same machine load; each
file's fastest call is kept, which filters out the other processes on a shared machine).

Contenders, per file:
- decode (floor): `medimg.reading.dcmread` + `pixel_array` (pydicom's reader and decoder; what every pipeline needs)
- medimg: `dcmread` + `to_nchan(ds, wins)`: 3 windows as a (3, H, W) float32 tensor in [0, 1]; the rescale is
  folded into each window and applied to the decoded integers
- medimg via HU: `dcmread` + HU tensor (`TensorDicom.create`: modality LUT, MONOCHROME1 recorded) + `to_nchan(hu, wins)` (the unfused path)
- fastai: fastai.medical.imaging 2.8's own code, imported in this process: `Path.dcmread()` + `scaled_px` +
  `windowed` per window + `torch.stack` (its `dcmread` passes `force` into pydicom's `defer_size`)
- fastai windows only: medimg's `dcmread`, then fastai's `scaled_px` + `windowed` + stack (its arithmetic alone)

medimg's functions are bound before fastai is imported (fastai re-patches pydicom's Dataset and torch's Tensor
with methods of the same names; medimg's library code does not call those methods). torch runs with
`--threads` threads (default 1: the setting of DataLoader workers, and fair on a shared 2-core machine).
A second table times `hist_scaled` (medimg, sampled and full sort, and its previous sort + searchsorted route)
against fastai's `Tensor.hist_scaled`, per image, including a 16x1x256x256 area-resized batch (the DataLoader case).
With a CUDA GPU, a third table times `ApplyWindows` on batches on the GPU. Prints markdown tables."""
import os, sys, time, shutil, argparse, tempfile, warnings
from pathlib import Path
warnings.simplefilter('ignore')
import numpy as np, torch
from medimg.reading import dcmread, pixel_array
from medimg.pixels import modality_lut
from medimg.vision import TensorCTScan, TensorDicom
from medimg.data import sample_file
from medimg.windowing import to_nchan, hist_scaled, dicom_windows, ApplyWindows
from medimg.windowing import _int_range, _row_bins, _row_bins_sort, _interp_search, _rank_levels   # the previous hist_scaled route, for comparison

def replicate(dest, names, copies):
    "Hard-link (or copy) the sample files `names` `copies` times into `dest`"
    out = []
    for n in names:
        src = sample_file(n)
        for k in range(copies):
            p = dest/f"{k:03d}_{Path(n).stem}.dcm"
            try: os.link(src, p)
            except OSError: shutil.copy(src, p)
            out.append(p)
    return out

def run(fn, files):
    "Apply `fn` to every file; returns seconds"
    t0 = time.perf_counter()
    for f in files: fn(f)
    return time.perf_counter() - t0

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--copies', type=int, default=20)
    p.add_argument('--repeats', type=int, default=7)
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    tmp = Path(tempfile.mkdtemp())
    for d in ('ct', 'cx', 'j2k', 'cr'): (tmp/d).mkdir()
    sets = {   # name: (files, 3 windows)
        'CT 512x512 int16 (3 dcmqi slices)': (replicate(tmp/'ct', [f'dcmqi/ct-3slice/0{i}.dcm' for i in (1, 2, 3)], a.copies),
                                              [dicom_windows.brain, dicom_windows.subdural, dicom_windows.brain_bone]),
        'CXR 1024x1024 uint8 (NIH)': (replicate(tmp/'cx', ['nhsx-nccid/nih_cxr_no_finding.dcm'], a.copies),
                                      [(255, 128), (128, 96), (128, 160)]),   # windows on the 8-bit pixel values
        'head CT 512x512 JPEG 2000 (693_J2KI)': (replicate(tmp/'j2k', ['693_J2KI.dcm'], a.copies),
                                                 [dicom_windows.brain, dicom_windows.subdural, dicom_windows.brain_bone]),
        'CR 1955x1841 (3.6 MP) MONOCHROME1, 15-bit (RG1_UNCR)': (replicate(tmp/'cr', ['RG1_UNCR.dcm'], a.copies),
                                                               [(30000, 15000), (20000, 12000), (8000, 5000)]),   # the file's window and two narrower
    }
    MONO1 = 'CR 1955x1841 (3.6 MP) MONOCHROME1, 15-bit (RG1_UNCR)'   # fastai does not invert MONOCHROME1: other images, the same work
    # medimg's pipelines, bound before fastai is imported
    def floor(f): return pixel_array(dcmread(f))
    def mm(wins): return lambda f: to_nchan(dcmread(f), wins)
    def mm_hu(wins):
        def _f(f):
            return to_nchan(TensorDicom.create(dcmread(f)), wins)   # modality values as a tensor (MONOCHROME1 recorded), then the windows
        return _f
    import fastai.medical.imaging as fmi   # real fastai code; patches Dataset/Tensor/Path from here on
    def fa(wins):
        def _f(f):
            px = Path(f).dcmread().scaled_px
            return torch.stack([px.windowed(*w) for w in wins])
        return _f
    def fa_win(wins):
        def _f(f):
            px = dcmread(f).scaled_px
            return torch.stack([px.windowed(*w) for w in wins])
        return _f
    # sanity: the contenders compute the same images (fastai's integer window ends differ slightly)
    for name, (files, wins) in sets.items():
        x, y = mm(wins)(files[0]), fa(wins)(files[0])
        assert x.shape == y.shape == (3, *pixel_array(dcmread(files[0])).shape), (x.shape, y.shape)
        assert (x - mm_hu(wins)(files[0])).abs().max() < 1e-5
        if name != MONO1: assert (x - y).abs().max() < 0.15   # MONOCHROME1: medimg windows the inverted (bone bright) values, fastai the stored ones
    contenders = dict(decode=lambda w: floor, medimg=mm, medimg_hu=mm_hu, fastai=fa, fastai_win=fa_win)
    best = {}   # (set, contender): seconds for the whole set, from each file's fastest of `repeats` calls
    for name, (files, wins) in sets.items():
        fns = {k: v(wins) for k, v in contenders.items()}
        for k, f in fns.items(): run(f, files[:3])                 # warm up (page cache, imports)
        tbest = {k: [1e9]*len(files) for k in fns}
        for r in range(a.repeats):                                 # interleaved per file: every contender sees the same load
            for i, fn in enumerate(files):
                for k, f in fns.items(): tbest[k][i] = min(tbest[k][i], run(f, [fn]))
        for k in fns: best[name, k] = sum(tbest[k])
    print(f"\n### read + HU + 3-window stack, images/s (torch threads: {a.threads}; {a.copies} copies per file; each file's best of {a.repeats}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)\n")
    print("| images | decode (floor) | medimg | medimg via HU | fastai | fastai windows only | medimg extra over decode "
          "| one write of the float32 output | fastai extra over decode | medimg / fastai |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (files, _) in sets.items():
        ips = {k: len(files)/best[name, k] for k in contenders}
        ms = {k: 1e3*best[name, k]/len(files) for k in contenders}
        ex = lambda k: (ms[k] - ms['decode'])/ms['decode']
        h, w = pixel_array(dcmread(files[0])).shape
        wr = min(run(lambda _: torch.empty(3, h, w).fill_(0.5), range(20)) for _ in range(a.repeats))/20*1e3
        print(f"| {name} | {ips['decode']:.0f} | {ips['medimg']:.0f} | {ips['medimg_hu']:.0f} | {ips['fastai']:.0f} | "
              f"{ips['fastai_win']:.0f} | {ms['medimg'] - ms['decode']:.2f} ms = {ex('medimg'):.0%} of decode | "
              f"{wr:.2f} ms = {wr/ms['decode']:.0%} | {ms['fastai'] - ms['decode']:.2f} ms = {ex('fastai'):.0%} | "
              f"{ips['medimg']/ips['fastai']:.1f}x faster |")

    # hist_scaled: sampled vs full sort vs the previous sort + searchsorted route vs fastai, per image (decoded already)
    print("\n### hist_scaled per image, ms (decoded tensor in memory)\n")
    print("Integer images take medimg's exact histogram route (no sort, no sample) whatever `max_samples`; the MR's")
    print("values are not integers (rescale slope 3.774), nor are those of the area-resized batch (what `HistScaled`")
    print("gets in a DataLoader), so they take the sampling route (the batch: all 65,536 values of each image).")
    print("'previous' = medimg before the bin-based selection: a sort for the breakpoints and `torch.searchsorted` for")
    print("every value (kept in the library as the reference `_row_bins_sort` + `_interp_search`, with the same output).\n")
    print("| image | medimg default | medimg `max_samples=None` (every value of non-integer images) | previous medimg default | fastai `Tensor.hist_scaled` | previous / medimg | fastai / medimg default |")
    print("|---|---|---|---|---|---|---|")
    imgs = {name: files[0] for name, (files, _) in sets.items() if 'J2KI' not in name}
    imgs['MR 1024x1024, non-integer values (MR2_J2KI)'] = sample_file('MR2_J2KI.dcm')
    batch_name = 'CXR batch 16x1x256x256 area-resized (non-integer), per image'
    imgs[batch_name] = imgs['CXR 1024x1024 uint8 (NIH)']
    fa_hs = fmi.Tensor.hist_scaled
    def prev(x, max_samples=2**16):
        rows = x.reshape(x.shape[0] if x.ndim >= 4 else 1, -1)
        ir = _int_range(rows)
        if ir is not None:   # integers: the histogram route (unchanged), with the searchsorted interpolation on the grid
            xp = _row_bins(rows, 100, max_samples, ir); lo, n = ir
            grid = (torch.arange(n).float() + lo)[None].expand(rows.shape[0], -1).contiguous()
            return _interp_search(grid, xp, _rank_levels(xp)).gather(1, (rows - lo).long()).reshape(x.shape)
        xp = _row_bins_sort(rows, 100, max_samples)
        return _interp_search(rows, xp, _rank_levels(xp)).reshape(x.shape)
    for name, f in imgs.items():
        ds = dcmread(f); x = torch.from_numpy(modality_lut(pixel_array(ds), ds))
        nb = 1
        if name == batch_name:
            nb = 16; x = torch.nn.functional.interpolate(x[None, None].repeat(nb, 1, 1, 1), size=(256, 256), mode='area')
        assert torch.equal(hist_scaled(x), prev(x))
        fa = (lambda: [fa_hs(o[0]) for o in x]) if nb > 1 else (lambda: fa_hs(x))
        tm = lambda g: min(run(lambda _: g(), range(3)) for _ in range(a.repeats))/3*1e3/nb
        t1, t2, t0, t3 = tm(lambda: hist_scaled(x)), tm(lambda: hist_scaled(x, max_samples=None)), tm(lambda: prev(x)), tm(fa)
        print(f"| {name} | {t1:.1f} | {t2:.1f} | {t0:.1f} | {t3:.1f} | {t0/t1:.1f}x | {t3/t1:.1f}x |")

    if torch.cuda.is_available():
        print(f"\n### `ApplyWindows` (3 windows) on a batch on the GPU ({torch.cuda.get_device_name()}), images/s\n")
        print("| batch | CPU | GPU | GPU / CPU |")
        print("|---|---|---|---|")
        hu = torch.from_numpy(modality_lut(pixel_array(dcmread(sets[next(iter(sets))][0][0])), dcmread(sets[next(iter(sets))][0][0])))
        tfm = ApplyWindows(sets[next(iter(sets))][1])
        for bs in (16, 64):
            xb = TensorCTScan(hu[None, None].repeat(bs, 1, 1, 1))
            res = {}
            for dev in ('cpu', 'cuda'):
                xd = xb.to(dev); tfm(xd); torch.cuda.synchronize()
                t0 = time.perf_counter()
                for _ in range(10): tfm(xd)
                torch.cuda.synchronize(); res[dev] = 10*bs/(time.perf_counter() - t0)
            print(f"| {bs}x1x512x512 | {res['cpu']:.0f} | {res['cuda']:.0f} | {res['cuda']/res['cpu']:.0f}x |")
    shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
