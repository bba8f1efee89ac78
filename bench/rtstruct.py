"""RTSTRUCT masks: medimg's `rtstruct_masks` against rt-utils, both against the floor of reading the series they are drawn on.

    python bench/rtstruct.py [--repeats 3]

Needs rt-utils and OpenCV (`pip install rt-utils opencv-python-headless`); without them it says so and exits.
Data: NSCLC-Radiomics LUNG1-001 through medimg's data helper (`dataset('nsclc-radiomics/LUNG1-001')`): 134 CT slices
512x512 (`image/`) and an RT Structure Set (`rtstruct/1-1.dcm`) of 4 ROIs (GTV-1, Spinal-Cord, Lung-Left, Lung-Right;
358 closed planar contours, about 66,000 points). Every row starts from the files on disk, with no object kept between
rounds:

- the floor: `pydicom.dcmread` of every slice, its pixels decoded (`pixel_array`), sorted along the slice normal and
  stacked: the series any rasteriser has to read (the RTSTRUCT's own read is printed apart, not in the floor);
- medimg: `rtstruct_masks(rtstruct_file, image_folder)`, which reads the series itself (`read_series`), matches the
  contours to slices and fills every ROI;
- rt-utils: `RTStructBuilder.create_from(dicom_series_path=image_folder, rt_struct_path=rtstruct_file)`, then
  `get_roi_mask_by_name(name)` for every name of `get_roi_names()`.

Each method runs once to warm the page cache (its masks are the ones compared), then `--repeats` rounds, interleaved,
best of each; one torch thread, one OpenCV thread. Prints the load average at start and end, each time and its ratio
to the floor and to rt-utils, and per ROI the agreement of the two masks: rt-utils returns (rows, cols, slices) in its
own slice order (ascending position along the normal), mapped here to medimg's (slices, rows, cols) by the slices'
SOP Instance UIDs; Dice, the voxel counts, the voxels only one side has, and how far those lie from the ROI's
contour lines (the distance, in pixels, from each differing voxel's centre to the nearest contour edge on its slice).
The last column checks medimg's scanline fill on its own: the voxels where it differs from matplotlib's
`Path.contains_points` of every pixel centre, XOR over each slice's contours (the even-odd rule, computed another way).

Why the masks are not identical: medimg fills the pixels whose centres lie inside the exact polygon (even-odd rule,
fractional vertices); rt-utils rounds each vertex to the nearest pixel and fills with `cv2.fillPoly`, which also sets
the pixels its (rounded) outline passes through. rt-utils' masks are therefore about half a pixel wider all around,
and they keep the thin spikes of a contour that cover no pixel centre; the distances of the differing voxels to the
contour lines show whether that is all the difference is.
"""
import os, sys, time, argparse, warnings
from pathlib import Path
import numpy as np, pydicom, torch
warnings.filterwarnings('ignore')
os.environ.setdefault('MEDIMG_DATA', str(Path(__file__).resolve().parents[2]/'shared'/'data'))
from medimg.data import dataset
from medimg.series import rtstruct_masks, read_series, slice_headers

try:
    import cv2
    from rt_utils import RTStructBuilder
except ImportError as e:
    sys.exit(f"bench/rtstruct.py needs rt-utils and OpenCV, which are not importable here ({e}).\n"
             "Install them with: pip install rt-utils opencv-python-headless")

def floor(src):
    "pydicom loop: every slice read with its pixels decoded, sorted along the slice normal, stacked (stored values)"
    ds = [pydicom.dcmread(f) for f in sorted(Path(src).glob('*.dcm'))]
    n = np.cross(*np.array(ds[0].ImageOrientationPatient, float).reshape(2, 3))
    ds.sort(key=lambda d: float(np.dot(n, np.array(d.ImagePositionPatient, float))))
    return np.stack([d.pixel_array for d in ds])

def medimg_masks(rt_file, src):
    "ROI Number -> (slices, rows, cols) mask (`ROIMasks`, with names and contours), from the files"
    return rtstruct_masks(rt_file, src)

def rtutils_masks(rt_file, src):
    "The RTStruct object (for its slice order) and ROI name -> (rows, cols, slices) mask, from the files"
    rt = RTStructBuilder.create_from(dicom_series_path=str(src), rt_struct_path=str(rt_file))
    return rt, {n: rt.get_roi_mask_by_name(n) for n in rt.get_roi_names()}

def seg_distance(pts, polys):
    "Distance (pixels) from each (row, col) point of `pts` to the nearest edge of the closed polygons `polys`"
    a = np.concatenate(polys); b = np.concatenate([np.roll(q, -1, 0) for q in polys])
    ab, ap = b - a, pts[:, None, :] - a[None]
    t = np.clip((ap * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0, 1)
    return np.sqrt(((ap - t[..., None] * ab)**2).sum(-1)).min(1)

def centre_test(rois, num, shape, spacing):
    "ROI `num` filled independently of medimg's scanline fill: matplotlib's point-in-polygon test of every pixel centre, XOR over the slice's contours (even-odd)"
    from matplotlib.path import Path as MPath
    S, R, C = shape; rr, cc = np.mgrid[:R, :C]; pts = np.stack([rr.ravel(), cc.ravel()], 1).astype(float)
    out = np.zeros(shape, bool)
    for k, polys in rois.contours[num].items():
        acc = np.zeros(R*C, bool)
        for q in polys: acc ^= MPath(q / spacing[k]).contains_points(pts)
        out[k] = acc.reshape(R, C)
    return out

def agreement(rois, theirs, order, spacing):
    "Per ROI: Dice, voxel counts, voxels only in one mask, and how far those lie from the ROI's contour lines (pixels)"
    rows = []
    for num, a in rois.items():
        name = rois.names[num]
        if name not in theirs: rows.append((name, None)); continue
        b = np.moveaxis(theirs[name], 2, 0)[order]          # (rows, cols, slices) in rt-utils' order -> medimg's
        if b.shape != a.shape: rows.append((name, f"shape {b.shape} vs {a.shape}")); continue
        na, nb, both = int(a.sum()), int(b.sum()), int((a & b).sum())
        diff, dist = a ^ b, []
        for k in np.flatnonzero(diff.any((1, 2))):
            polys = [q / spacing[k] for q in rois.contours[num].get(k, [])]   # mm -> fractional (row, col)
            pts = np.argwhere(diff[k]).astype(float)
            dist.append(seg_distance(pts, polys) if polys else np.full(len(pts), np.inf))
        dist = np.concatenate(dist) if dist else np.zeros(0)
        same = int((a ^ centre_test(rois, num, a.shape, spacing)).sum())
        rows.append((name, dict(same=same, dice=2*both/(na + nb) if na + nb else 1., na=na, nb=nb, only_a=int((a & ~b).sum()),
                                only_b=int((b & ~a).sum()), within1=int((dist <= 1).sum()), dmax=float(dist.max()) if len(dist) else 0.,
                                slices=int(diff.any((1, 2)).sum()), roi_slices=int((a | b).any((1, 2)).sum()))))
    return rows

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--repeats', type=int, default=3); a = p.parse_args()
    torch.set_num_threads(1); cv2.setNumThreads(1)
    root = dataset('nsclc-radiomics/LUNG1-001')
    src, rt_file = root/'image', next(iter(sorted((root/'rtstruct').glob('*.dcm'))))
    methods = {'floor: pydicom loop (dcmread + pixels) + sort + np.stack': lambda: floor(src),
               'medimg `rtstruct_masks(rtstruct, folder)`, all ROIs': lambda: medimg_masks(rt_file, src),
               'rt-utils `create_from` + `get_roi_mask_by_name` for every ROI': lambda: rtutils_masks(rt_file, src)}
    fl, mm, ru = methods
    load0 = os.getloadavg()
    ref = {k: f() for k, f in methods.items()}   # warm-up; these results are compared below
    best = {k: float('inf') for k in methods}
    rs_best = float('inf')
    for _ in range(a.repeats):
        for k, f in methods.items():
            t = time.perf_counter(); f(); best[k] = min(best[k], time.perf_counter() - t)
        t = time.perf_counter(); pydicom.dcmread(rt_file); rs_best = min(rs_best, time.perf_counter() - t)
    load1 = os.getloadavg()

    vol = read_series(src)
    hs = slice_headers(vol); uids = [str(h.SOPInstanceUID) for h in hs]
    spacing = [np.array(h.PixelSpacing, float) for h in hs]
    rt, theirs = ref[ru]
    where = {str(d.SOPInstanceUID): i for i, d in enumerate(rt.series_data)}
    order = [where[u] for u in uids]
    n_slices = ref[fl].shape[0]

    print(f"### RTSTRUCT masks on LUNG1-001 ({n_slices} CT slices 512x512, {len(ref[mm])} ROIs), best of {a.repeats}, interleaved\n")
    print(f"load average (1, 5, 15 min): start {load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}, end {load1[0]:.1f} {load1[1]:.1f} {load1[2]:.1f}, on {os.cpu_count()} cpus\n")
    print("| method | ms | vs floor | vs rt-utils |\n|---|---:|---:|---:|")
    for k in methods: print(f"| {k} | {best[k]*1e3:.0f} | **{best[k]/best[fl]:.2f}x** | {best[k]/best[ru]:.2f}x |")
    print(f"\n`dcmread` of the RTSTRUCT alone (in both methods, not in the floor): {rs_best*1e3:.0f} ms")
    print(f"rt-utils' slice order is medimg's {'reversed' if order == list(range(n_slices))[::-1] else 'order' if order == list(range(n_slices)) else 'permuted'}\n")
    print("| ROI | Dice | medimg voxels | rt-utils voxels | rt-utils - medimg | only medimg | only rt-utils | differing voxels within 1 px of the contour line | farthest (px) | slices that differ / with the ROI | medimg vs a pixel-centre test (voxels that differ) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in agreement(ref[mm], theirs, order, spacing):
        if r is None: print(f"| {name} | not in rt-utils' names | | | | | | | | | |"); continue
        if isinstance(r, str): print(f"| {name} | not compared: {r} | | | | | | | | | |"); continue
        print(f"| {name} | {r['dice']:.4f} | {r['na']:,} | {r['nb']:,} | {r['nb'] - r['na']:+,} ({(r['nb'] - r['na'])/r['na']:+.1%}) | "
              f"{r['only_a']:,} | {r['only_b']:,} | {r['within1']:,} of {r['only_a'] + r['only_b']:,} | {r['dmax']:.2f} | {r['slices']} / {r['roi_slices']} | {r['same']} |")
    missing = set(theirs) - set(ref[mm].names.values())
    if missing: print(f"\nROIs only rt-utils returned: {sorted(missing)}")
