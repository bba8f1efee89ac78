"""`read_series` on a real CT series against its floor: a pydicom loop + sort + `np.stack`, and SimpleITK's series reader.

    python bench/series.py [--repeats 5]

Data: NSCLC-Radiomics LUNG1-001's 134 CT slices ($MEDIMG_DATA/nsclc-radiomics/LUNG1-001/image, 512x512 int16).
The floor reads every file with `pydicom.dcmread`, sorts the slices along the normal of ImageOrientationPatient and
stacks `pixel_array * RescaleSlope + RescaleIntercept` as float32 (what `read_series` returns, checked equal here).
SimpleITK (if importable; its column is skipped otherwise) lists the files with `GetGDCMSeriesFileNames` (it sorts
them) and reads them with `ImageSeriesReader` as float32. Each method runs once to warm the page cache, then
`--repeats` rounds, interleaved, best of each; one torch thread. Prints each ratio to the floor and the load average.
"""
import os, time, argparse, warnings
from pathlib import Path
import numpy as np, pydicom, torch
warnings.filterwarnings('ignore')
os.environ.setdefault('MEDIMG_DATA', str(Path(__file__).resolve().parents[2]/'shared'/'data'))
from medimg.series import read_series

def floor(src):
    "pydicom loop + sort along the slice normal + np.stack of the modality values (float32)"
    ds = [pydicom.dcmread(f) for f in sorted(Path(src).glob('*.dcm'))]
    n = np.cross(*np.array(ds[0].ImageOrientationPatient, float).reshape(2, 3))
    ds.sort(key=lambda d: float(np.dot(n, np.array(d.ImagePositionPatient, float))))
    return np.stack([d.pixel_array.astype(np.float32)*np.float32(d.RescaleSlope) + np.float32(d.RescaleIntercept) for d in ds])

def sitk_read(src):
    import SimpleITK as sitk
    r = sitk.ImageSeriesReader(); r.SetFileNames(r.GetGDCMSeriesFileNames(str(src))); r.SetOutputPixelType(sitk.sitkFloat32)
    return sitk.GetArrayFromImage(r.Execute())

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--repeats', type=int, default=5); a = p.parse_args()
    torch.set_num_threads(1)
    src = Path(os.environ['MEDIMG_DATA'])/'nsclc-radiomics'/'LUNG1-001'/'image'
    try: import SimpleITK   # noqa: F401
    except ImportError: SimpleITK = None
    methods = {'pydicom loop + sort + np.stack (floor)': lambda: floor(src), 'medimg `read_series`': lambda: read_series(src).data.numpy()}
    if SimpleITK is not None: methods['SimpleITK `ImageSeriesReader`'] = lambda: sitk_read(src)
    load0 = os.getloadavg()
    ref = {k: f() for k, f in methods.items()}   # warm-up
    best = {k: float('inf') for k in methods}
    for _ in range(a.repeats):
        for k, f in methods.items():
            t = time.perf_counter(); f(); best[k] = min(best[k], time.perf_counter() - t)
    load1 = os.getloadavg()
    fl = list(methods)[0]
    print(f"### read_series on LUNG1-001 ({ref[fl].shape[0]} CT slices 512x512), best of {a.repeats}, interleaved\n")
    print(f"load average (1, 5, 15 min): start {load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}, end {load1[0]:.1f} {load1[1]:.1f} {load1[2]:.1f}, on {os.cpu_count()} cpus\n")
    print("| method | ms | vs floor | same values as the floor |\n|---|---:|---:|---|")
    for k in methods:
        same = 'yes' if np.array_equal(ref[k], ref[fl]) else (f"no (max diff {np.abs(ref[k] - ref[fl]).max():g})" if ref[k].shape == ref[fl].shape else f"no (shape {ref[k].shape})")
        print(f"| {k} | {best[k]*1e3:.0f} | **{best[k]/best[fl]:.2f}x** | {same} |")
    if SimpleITK is None: print("\nSimpleITK: not importable, its row skipped")
