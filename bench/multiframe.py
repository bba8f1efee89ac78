"""Frame access on 600-frame files: medimg (one frame decoded) vs pydicom's whole array vs fastai's `pixels`.

    python bench/multiframe.py [--ratios]

`--ratios` prints only the ratio rows (best of 3, load average printed): all frames through `DicomFrames` against
`dcmread(fn).pixel_array` once, one frame via `read_frame` against pydicom's own frame index
(`pydicom.pixels.pixel_array(fn, index=k)`), and one small CT (128x128) to HU via `scaled_px` against
`pixel_array` + pydicom's modality LUT.

Generates two multi-frame files from real frames in a temporary folder (deleted afterwards):
  A. 600-frame YBR JPEG Baseline ultrasound cine: pydicom-data's 120-frame echo `color3d_jpeg_baseline.dcm`,
     its 120 compressed frames tiled 5 times with pydicom's `encapsulate` (no offset table, like the original);
  B. 600-frame native 16-bit CT: the 3 real dcmqi abdominal CT slices, 2x2-averaged to 256x256, tiled 200 times.
For each: time and peak traced memory (tracemalloc) to read frame 0, the middle frame and the last frame, and to
iterate all frames; side by side with `dcmread(fn).pixel_array[k]` (pydicom's whole-array path) and fastai's
`DcmDataset.pixels` (fastai.medical.imaging, or `torch.tensor(ds.pixel_array.astype(float32))`, its one-line
body, if that import fails). Prints markdown tables; takes about 1.5 minutes on 2 cores.
"""
import os, sys, time, gc, tempfile, tracemalloc, platform
from pathlib import Path
import numpy as np, pydicom, torch
from pydicom.encaps import generate_frames, encapsulate

# fastai first: medimg patches its own `pixels` onto pydicom's Dataset, so keep fastai's property before that
try:
    import fastai, fastai.medical.imaging
    fa_pixels, fa_name = pydicom.dataset.Dataset.__dict__['pixels'].fget, f"fastai {fastai.__version__} `pixels`"
except Exception as e:
    fa_pixels = lambda ds: torch.tensor(ds.pixel_array.astype(np.float32))
    fa_name = f"`tensor(ds.pixel_array)` (fastai.medical.imaging failed to import: {type(e).__name__})"

from medimg.data import sample_file
from medimg.multiframe import read_frame, DicomFrames

def make_us(out):
    ds = pydicom.dcmread(sample_file('color3d_jpeg_baseline.dcm'))
    frames = list(generate_frames(ds.PixelData, number_of_frames=int(ds.NumberOfFrames)))
    ds.PixelData, ds.NumberOfFrames = encapsulate(frames*5, has_bot=False), 600
    ds.save_as(out); return out

def make_ct(out):
    fns = [sample_file(f'dcmqi/ct-3slice/0{i}.dcm') for i in (1, 2, 3)]
    sl = [pydicom.dcmread(f).pixel_array.astype(np.float32) for f in fns]
    sl = [s.reshape(256, 2, 256, 2).mean((1, 3)).round().astype(np.int16) for s in sl]
    ds = pydicom.dcmread(fns[0])
    ds.set_pixel_data(np.stack(sl*200), 'MONOCHROME2', 16)
    ds.save_as(out); return out

def measure(f, reps=0):
    "(median seconds over `reps` untraced runs, peak MB traced in one more run); `reps=0`: both from the traced run"
    if not reps:
        gc.collect(); tracemalloc.start(); t = time.perf_counter(); f(); dt = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
        return dt, peak/1e6
    ts = []
    for _ in range(reps):
        gc.collect(); t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    gc.collect(); tracemalloc.start(); f(); peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
    return float(np.median(ts)), peak/1e6

def x(r): return f"{r:,.0f}x" if r >= 10 else f"{r:.1f}x"

def iterate(fn):
    for x in DicomFrames(fn): pass

def bench(name, fn, peers_every_k=True):
    n = int(pydicom.dcmread(fn, stop_before_pixels=True).NumberOfFrames)
    frame_mb, file_mb = read_frame(fn, 0).nbytes/1e6, os.path.getsize(fn)/1e6
    ks = [0, n//2, n-1]
    peers = {}
    for k in (ks if peers_every_k else ks[1:2]):   # the whole-array paths
        peers[k] = (measure(lambda: pydicom.dcmread(fn).pixel_array[k]), measure(lambda: fa_pixels(pydicom.dcmread(fn))[k]))
    rows = [(f"frame {k}", measure(lambda: read_frame(fn, k), reps=5), *peers.get(k, peers[ks[1]])) for k in ks]
    it = measure(lambda: iterate(fn))
    # iterating with the whole-array paths = one whole decode, then indexing (the arrays are already in memory)
    rows.append((f"all {n} frames", it, rows[1][2], rows[1][3]))
    print(f"\n### {name}\n\n{n} frames; one decoded frame {frame_mb:.2f} MB; file {file_mb:.1f} MB; "
          f"memory target 2 x (frame + file) = {2*(frame_mb+file_mb):.0f} MB\n")
    print(f"| access | medimg `read_frame` / `DicomFrames` | pydicom `dcmread(fn).pixel_array[k]` | {fa_name} | speed-up vs pydicom | vs fastai |")
    print("|---|---|---|---|---|---|")
    for lab, m, p, a in rows:
        print(f"| {lab} | {m[0]*1e3:,.1f} ms, {m[1]:,.1f} MB | {p[0]*1e3:,.0f} ms, {p[1]:,.0f} MB | {a[0]*1e3:,.0f} ms, {a[1]:,.0f} MB "
              f"| {x(p[0]/m[0])} faster, {x(p[1]/m[1])} less memory | {x(a[0]/m[0])}, {x(a[1]/m[1])} |")
    worst = max(r[1][1] for r in rows[:3])
    if not peers_every_k: print("\nThe whole-array paths decode every frame before indexing, so their cost does not depend on "
                                "`k`: here they were measured once, at the middle frame (table B measures all three).")
    print(f"\nRandom frame access: {min(r[2][0]/r[1][0] for r in rows[:3]):,.0f}x to {max(r[2][0]/r[1][0] for r in rows[:3]):,.0f}x "
          f"faster than decoding the whole array (target >= 50x); peak memory of one frame read {worst:.1f} MB "
          f"(target <= {2*(frame_mb+file_mb):.0f} MB: {'met' if worst <= 2*(frame_mb+file_mb) else 'NOT met'}).")

def best(f, n=3, reps=1):
    b = float('inf')
    for _ in range(n):
        t = time.perf_counter()
        for _ in range(reps): f()
        b = min(b, (time.perf_counter() - t) / reps)
    return b

def ratios():
    "The ratio rows of bench/README's table, each from this one run"
    from pydicom.pixels import apply_modality_lut
    from medimg.reading import dcmread
    import medimg.vision   # DcmDataset.scaled_px
    import medimg.multiframe as mf
    torch.set_num_threads(1)
    print(f"load average at start: {os.getloadavg()[0]:.2f}\n")
    print("| job | medimg (ms) | peer (ms) | ratio |\n|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as d:
        for name, fn in (('native CT 256x256', make_ct(Path(d)/'ct600.dcm')), ('YBR JPEG ultrasound', make_us(Path(d)/'us600.dcm'))):
            n = int(pydicom.dcmread(fn, stop_before_pixels=True).NumberOfFrames)
            whole, it = best(lambda: pydicom.dcmread(fn).pixel_array), best(lambda: iterate(fn))
            print(f"| all {n} frames of the {name} through `DicomFrames` (HU tensors) vs `pixel_array` once | {it*1e3:.0f} | {whole*1e3:.0f} | {whole/it:.2f}x as fast |")
            k = n // 2
            one, peer = best(lambda: read_frame(fn, k), 5, 5), best(lambda: pydicom.pixels.pixel_array(fn, index=k), 5, 5)
            print(f"| frame {k} of the {name}: `read_frame` vs pydicom's frame index | {one*1e3:.2f} | {peer*1e3:.2f} | {one/peer:.2f}x the time |")
            print(f"| frame {k} of the {name}: `read_frame` vs `dcmread(fn).pixel_array[k]` | {one*1e3:.2f} | {whole*1e3:.0f} | {whole/one:,.0f}x faster |")
            def cold(): mf._FRAME_SOURCES.clear(); return read_frame(fn, k)   # the file's first frame read: its header parsed and checked
            first, peer = best(cold, 5, 5), best(lambda: pydicom.pixels.pixel_array(fn, index=k), 5, 5)
            print(f"| frame {k} of the {name}, the file's first `read_frame` (header parsed) vs pydicom's frame index | {first*1e3:.2f} | {peer*1e3:.2f} | {first/peer:.2f}x the time |")
    fn = sample_file('CT_small.dcm')
    def floor(): d = pydicom.dcmread(fn); return apply_modality_lut(d.pixel_array, d).astype(np.float32)
    mm, fl = best(lambda: dcmread(fn).scaled_px, 5, 100), best(floor, 5, 100)
    print(f"| CT_small (128x128) to HU: `dcmread(fn).scaled_px` vs `pixel_array` + modality LUT | {mm*1e3:.2f} | {fl*1e3:.2f} | {mm/fl:.2f}x the time |")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")

if __name__ == '__main__':
    if '--ratios' in sys.argv: ratios(); sys.exit()
    t0 = time.time()
    print(f"python {platform.python_version()}, pydicom {pydicom.__version__}, torch {torch.__version__}, "
          f"{os.cpu_count()} CPU(s): {platform.processor() or platform.machine()}; times are medians of 5 runs for medimg, "
          "single runs for the whole-array paths and iteration; memory is tracemalloc's peak (numpy and Python allocations).")
    with tempfile.TemporaryDirectory() as d:
        bench("A. 600-frame YBR JPEG Baseline ultrasound (color3d_jpeg_baseline's 120 frames tiled 5x, generated)", make_us(Path(d)/'us600.dcm'), peers_every_k=False)
        bench("B. 600-frame native 16-bit CT, 256x256 (3 real dcmqi CT slices 2x2-averaged, tiled 200x, generated)", make_ct(Path(d)/'ct600.dcm'))
    print(f"\ntotal {time.time()-t0:.0f} s")
