"""Images/s through `dls.train` (decode, window, resize, augment, batch) for 1024x1024 radiographs and 512x512 CTs:
fastai's tutorial pipeline (`ImageBlock(cls=PILDicom)` from fastai.medical.imaging) vs medimg's `DicomBlock`
(direct from DICOM, float modality values) vs medimg's prepared cache (`prepare` once, then 8-bit PNGs).

    python bench/dataloaders.py [--n 128] [--bs 16] [--rounds 3] [--headline-only]

First, the headline rows on the real sets, each a ratio to fastai's `PILDicom` measured in this process, the two
pipelines interleaved over `--rounds` rounds (best of each), with the load average: SIIM_SMALL ($MEDIMG_DATA/siim_small,
250 8-bit JPEG CRs; `DicomBlock()`'s default per-image HistScaled) with and without augmentation, and the 100
16-bit CT slices ($MEDIMG_DATA/tcia-ct-medical-images; three windows, and with augmentation also one window, so that
both batches have one channel as fastai's has). `--headline-only` stops there.

Data: replicated real files, written to a temporary folder. Radiographs: the NIH ChestX-ray14 PA radiograph
(1024x1024, 8-bit) and pydicom-data's RG1 chest CR (15-bit MONOCHROME1, centre-cropped and area-resized to
1024x1024, kept 16-bit), half each; the same two again as JPEG 2000 lossless (how archives often store them;
SIIM's files are JPEG baseline, which pydicom cannot write), n/2 files. CTs: the three dcmqi abdominal slices (512x512, int16 HU), replicated.
All loaders use num_workers=0 (one process) and batch size `--bs`; each is timed with `aug_transforms(size=224)`
(affine + lighting, on the CPU here) and without augmentation (items resized to 224 instead).
"""
import argparse, tempfile, time, shutil, warnings, os
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
warnings.filterwarnings('ignore')
os.environ.setdefault('MEDIMG_DATA', str(Path(__file__).resolve().parents[2]/'shared'/'data'))
from fastai.vision.all import DataBlock, CategoryBlock, ImageBlock, aug_transforms, RandomSplitter
import pydicom
from pydicom.uid import JPEG2000Lossless
from medimg.data import sample_file
from medimg.reading import dcmread
from medimg.windowing import dicom_windows
from medimg.dataloaders import DicomBlock, prepare

def make_data(root, n):
    "n 1024x1024 radiographs (half NIH 8-bit, half RG1 16-bit) and n 512x512 CTs, as DICOM files"
    cxr, ct = root/'cxr', root/'ct'; cxr.mkdir(parents=True); ct.mkdir(parents=True)
    nih = sample_file('nhsx-nccid/nih_cxr_no_finding.dcm')
    rg1 = dcmread(sample_file('RG1_UNCR.dcm'))
    a = rg1.pixel_array; s = min(a.shape); y0, x0 = (a.shape[0]-s)//2, (a.shape[1]-s)//2
    a = F.interpolate(torch.from_numpy(a[y0:y0+s, x0:x0+s].astype(np.float32))[None, None], size=(1024, 1024), mode='area')[0, 0]
    rg1.set_pixel_data(a.round().numpy().astype(np.uint16), 'MONOCHROME1', 15)
    rg1.save_as(root/'rg1_1024.dcm')
    for i in range(n): shutil.copy(nih if i % 2 == 0 else root/'rg1_1024.dcm', cxr/f"{'nih' if i % 2 == 0 else 'rg1'}_{i:04d}.dcm")
    cts = [sample_file(f'dcmqi/ct-3slice/0{k}.dcm') for k in (1, 2, 3)]
    for i in range(n): shutil.copy(cts[i % 3], ct/f'ct_{i:04d}.dcm')
    j2k = root/'cxr_j2k'; j2k.mkdir()          # the same radiographs, JPEG 2000 lossless as archives store them
    for src in (nih, root/'rg1_1024.dcm'):
        d = dcmread(src); d.compress(JPEG2000Lossless); d.save_as(root/f'{Path(src).stem}_j2k.dcm')
    for i in range(n//2): shutil.copy(root/f"{'nih_cxr_no_finding' if i % 2 == 0 else 'rg1_1024'}_j2k.dcm", j2k/f"{'nih' if i % 2 == 0 else 'rg1'}_{i:04d}.dcm")
    return sorted(cxr.glob('*.dcm')), sorted(ct.glob('*.dcm')), sorted(j2k.glob('*.dcm'))

def label(f): return Path(f).name[:3]

def rate(dls):
    "images/s over one pass of dls.train (after one warm-up batch)"
    it = iter(dls.train); next(it)
    t, n = time.perf_counter(), 0
    for xb, yb in it: n += len(xb)
    return n/(time.perf_counter()-t), tuple(xb.shape), str(xb.dtype)

def bench(files, wins, bs, tmp, name):
    "{pipeline: (images/s with aug_transforms, images/s without augmentation, note)}"
    from fastai.vision.all import Resize
    common = dict(get_y=label, splitter=RandomSplitter(0.0, seed=0))
    def run(make):
        out = []
        for aug in (True, False):
            dls = make(aug).dataloaders(make.items, bs=bs, num_workers=0)
            out.append(rate(dls))
        return out
    rows = {}
    try:
        from fastai.medical.imaging import PILDicom as FastaiPILDicom
        mk = lambda aug: DataBlock(blocks=(ImageBlock(cls=FastaiPILDicom), CategoryBlock), item_tfms=None if aug else Resize(224),
                                   batch_tfms=aug_transforms(size=224) if aug else None, **common)
        mk.items = files
        (ra, shp, dt), (rn, _, _) = run(mk)
        rows['fastai ImageBlock(cls=PILDicom)'] = (ra, rn, f"{shp} {dt}; 8-bit PIL of stored values, /255")
    except Exception as e: rows['fastai ImageBlock(cls=PILDicom)'] = (float('nan'), float('nan'), f"fails: {type(e).__name__}: {str(e)[:80]}")
    mk = lambda aug: DataBlock(blocks=(DicomBlock(wins, size=256 if aug else 224, norm=False), CategoryBlock),
                               batch_tfms=aug_transforms(size=224) if aug else None, **common)
    mk.items = files
    (ra, shp, dt), (rn, _, _) = run(mk)
    rows['medimg DicomBlock (direct)'] = (ra, rn, f"{shp} {dt}; float modality values, {'%d windows' % len(wins) if wins else 'HistScaled'} on the batch")
    if wins is None:   # the same pipeline with one fixed window instead of per-image histogram scaling
        mk = lambda aug: DataBlock(blocks=(DicomBlock([(4096, 2048)], size=256 if aug else 224, norm=False), CategoryBlock),
                                   batch_tfms=aug_transforms(size=224) if aug else None, **common)
        mk.items = files
        (ra, shp, dt), (rn, _, _) = run(mk)
        rows['medimg DicomBlock (direct, one fixed window)'] = (ra, rn, f"{shp} {dt}; as above with `ApplyWindows([(4096, 2048)])` instead of `HistScaled`: the cost of decoding and resizing alone")
    t = time.perf_counter()
    res = prepare(files[0].parent, tmp/f'cache_{name}', wins=wins, size=256, fmt='png', progress=False)
    t_prep = time.perf_counter() - t
    res224 = prepare(files[0].parent, tmp/f'cache224_{name}', wins=wins, size=224, fmt='png', progress=False)
    caches = {True: sorted(res.written), False: sorted(res224.written)}
    mk = lambda aug: DataBlock(blocks=(ImageBlock, CategoryBlock), batch_tfms=aug_transforms(size=224) if aug else None, **common)
    ra, shp, dt = rate(mk(True).dataloaders(caches[True], bs=bs, num_workers=0))
    rn, _, _ = rate(mk(False).dataloaders(caches[False], bs=bs, num_workers=0))
    rows['medimg prepared cache (8-bit PNG)'] = (ra, rn, f"{shp} {dt}; `prepare` ran once: {t_prep:.1f}s ({len(files)/t_prep:.0f} img/s)")
    return rows

def headline(bs, rounds):
    "SIIM_SMALL with / without augmentation and the TCIA CT set: medimg DicomBlock vs fastai PILDicom, interleaved, best of `rounds`"
    from fastai.vision.all import Resize
    from fastai.medical.imaging import PILDicom as FastaiPILDicom
    data = Path(os.environ['MEDIMG_DATA'])
    siim = sorted((data/'siim_small'/'train').rglob('*.dcm'))
    ct = sorted((data/'tcia-ct-medical-images').rglob('*.dcm'))
    ct_wins = [dicom_windows.abdomen_soft, dicom_windows.liver, dicom_windows.lungs]
    common = dict(get_y=lambda f: Path(f).parent.name, splitter=RandomSplitter(0.0, seed=0))
    def fastai_dls(files, aug): return DataBlock(blocks=(ImageBlock(cls=FastaiPILDicom), CategoryBlock), item_tfms=None if aug else Resize(224),
                                              batch_tfms=aug_transforms(size=224) if aug else None, **common).dataloaders(files, bs=bs, num_workers=0)
    def medimg_dls(files, wins, aug): return DataBlock(blocks=(DicomBlock(wins, size=256 if aug else 224, norm=False), CategoryBlock),
                                                    batch_tfms=aug_transforms(size=224) if aug else None, **common).dataloaders(files, bs=bs, num_workers=0)
    cases = [('SIIM_SMALL (250 8-bit JPEG CR 1024x1024), no augmentation', siim, None, False),
             ('SIIM_SMALL, aug_transforms(size=224)', siim, None, True),
             ('TCIA CT (100 16-bit slices 512x512, 3 windows), no augmentation', ct, ct_wins, False),
             ('TCIA CT, aug_transforms(size=224)', ct, ct_wins, True),
             ('TCIA CT, aug_transforms(size=224), 1 window (one channel, as fastai\'s batch)', ct, ct_wins[:1], True)]
    best = {c[0]: [0., 0., ''] for c in cases}
    load0 = os.getloadavg()
    for r in range(rounds):
        for name, files, wins, aug in cases:
            for i, mk in enumerate((lambda: fastai_dls(files, aug), lambda: medimg_dls(files, wins, aug))):
                v, shp, dt = rate(mk())
                best[name][i] = max(best[name][i], v)
                if i: best[name][2] = f"{shp} {dt}"
    load1 = os.getloadavg()
    print(f"### headline: one epoch of dls.train, medimg DicomBlock vs fastai ImageBlock(cls=PILDicom) (bs={bs}, num_workers=0, "
          f"torch threads={torch.get_num_threads()}, best of {rounds} interleaved)\n")
    print(f"load average (1, 5, 15 min): start {load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}, end {load1[0]:.1f} {load1[1]:.1f} {load1[2]:.1f}, on {os.cpu_count()} cpus\n")
    print("| data | fastai img/s | medimg img/s | medimg / fastai | medimg batch |\n|---|---|---|---|---|")
    for name, (f, m, note) in best.items(): print(f"| {name} | {f:.1f} | {m:.1f} | **{m/f:.2f}x** | {note} |")
    print()

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--n', type=int, default=128); p.add_argument('--bs', type=int, default=16)
    p.add_argument('--rounds', type=int, default=3); p.add_argument('--headline-only', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    headline(a.bs, a.rounds)
    if a.headline_only: raise SystemExit
    tmp = Path(tempfile.mkdtemp())
    try:
        cxr, ct, j2k = make_data(tmp, a.n)
        print(f"data: {len(cxr)} radiographs 1024x1024 (NIH 8-bit + RG1 16-bit, replicated; {len(j2k)} more as JPEG 2000 lossless), {len(ct)} CT 512x512 (dcmqi, replicated); "
              f"bs={a.bs}, num_workers=0, torch threads={torch.get_num_threads()}, cpus={os.cpu_count()}\n")
        ct_wins = [dicom_windows.abdomen_soft, dicom_windows.liver, dicom_windows.lungs]
        for name, files, wins in [('radiographs 1024x1024', cxr, None), ('radiographs 1024x1024, JPEG 2000 lossless', j2k, None),
                                  ('CT 512x512', ct, ct_wins)]:
            rows = bench(files, wins, a.bs, tmp, f'set{len(name)}')
            base, direct = rows['fastai ImageBlock(cls=PILDicom)'][:2], rows['medimg DicomBlock (direct)'][:2]
            print(f"### {name}\n\n| pipeline | img/s with aug | vs fastai | vs direct | img/s no aug | vs fastai | vs direct | batch |\n|---|---|---|---|---|---|---|---|")
            for k, (ra, rn, note) in rows.items():
                print(f"| {k} | {ra:.1f} | {ra/base[0]:.2f}x | {ra/direct[0]:.2f}x | {rn:.1f} | {rn/base[1]:.2f}x | {rn/direct[1]:.2f}x | {note} |")
            print()
    finally: shutil.rmtree(tmp, ignore_errors=True)
