"""Images/s through `dls.train` on the way to a GPU: fastai's `ImageBlock(cls=PILDicom)` pipeline, medimg's CPU path
(`DicomBlock`: float items resized on the CPU), medimg's device path (`DicomStoredBlock`: stored integers, rescale,
resize, windows and augmentation on the batch's device) with CPU decoding and with GPU decoding (nvImageCodec);
decode-only rates (pydicom + CPU plugins vs nvImageCodec); host-to-device bytes per image.

    python bench/gpu.py [--n 24] [--bs 8]

Data, replicated real files in a temporary folder: 1024x1024 radiographs (the NIH ChestX-ray14 PA radiograph,
8-bit, and pydicom-data's RG1 chest CR (RG1_J2KI decoded) centre-cropped and area-resized to 1024x1024, 16-bit MONOCHROME1, half
each), the same as JPEG 2000 lossless (pydicom's encoder), and 512x512 CTs (the first files of the shared TCIA
CT set). All loaders: num_workers=0, `aug_transforms(size=224)` on the batch; items resized to 256 (medimg's
CPU path on each item, the device path on the batch). Rows that need a GPU print "no GPU: not measured".
"""
import argparse, tempfile, time, shutil, warnings, os
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
warnings.filterwarnings('ignore')
os.environ.setdefault('MEDIMG_DATA', str(Path(__file__).resolve().parents[2]/'shared'/'data'))
from fastai.vision.all import DataBlock, CategoryBlock, ImageBlock, aug_transforms, RandomSplitter
from pydicom.uid import JPEG2000Lossless
from medimg.data import sample_file, data_path
from medimg.reading import dcmread, pixel_array, get_dicom_files
from medimg.windowing import dicom_windows
from medimg.dataloaders import DicomBlock
from medimg.gpu import DicomStoredBlock, host_batch
from medimg import codecs

def make_data(root, n):
    "n radiographs 1024x1024 (NIH 8-bit, RG1 16-bit), the same as JPEG 2000 lossless, n CTs 512x512 (TCIA)"
    sets = {k: root/k for k in ('cxr', 'cxr_j2k', 'ct')}
    for d in sets.values(): d.mkdir(parents=True)
    rg1 = dcmread(sample_file('RG1_J2KI.dcm'))   # its decoded pixels, stored uncompressed
    a = rg1.pixel_array; s = min(a.shape); y0, x0 = (a.shape[0]-s)//2, (a.shape[1]-s)//2
    a = F.interpolate(torch.from_numpy(a[y0:y0+s, x0:x0+s].astype(np.float32))[None, None], size=(1024, 1024), mode='area')[0, 0]
    rg1.set_pixel_data(a.round().numpy().astype(np.uint16), 'MONOCHROME1', 15)
    rg1.save_as(root/'rg1.dcm')
    shutil.copy(sample_file('nhsx-nccid/nih_cxr_no_finding.dcm'), root/'nih.dcm')
    for k in ('nih', 'rg1'):
        d = dcmread(root/f'{k}.dcm'); d.compress(JPEG2000Lossless); d.save_as(root/f'{k}_j2k.dcm')
    for i in range(n):
        k = ('nih', 'rg1')[i % 2]
        shutil.copy(root/f'{k}.dcm', sets['cxr']/f'{k}_{i:04d}.dcm'); shutil.copy(root/f'{k}_j2k.dcm', sets['cxr_j2k']/f'{k}_{i:04d}.dcm')
    cts = get_dicom_files(data_path()/'tcia-ct-medical-images')
    if not cts: raise FileNotFoundError(f"no CT files under {data_path()/'tcia-ct-medical-images'}")
    for i in range(n): shutil.copy(cts[i % len(cts)], sets['ct']/f'ct_{i:04d}.dcm')
    return {k: sorted(d.glob('*.dcm')) for k, d in sets.items()}

def label(f): return Path(f).name[:3]

def rate(dls):
    "images/s over one pass of dls.train after one warm-up batch, the last batch, and host-to-device bytes per image"
    it = iter(dls.train); next(it)
    if torch.cuda.is_available(): torch.cuda.synchronize()
    t, n = time.perf_counter(), 0
    for xb, yb in it: n += len(xb)
    if torch.cuda.is_available(): torch.cuda.synchronize()
    hb = host_batch(dls.train)[0]
    return n/(time.perf_counter()-t), xb, hb.nbytes/len(hb), hb.dtype

def pipelines(wins):
    "{name: (block, needs a GPU decoder)}"
    from fastai.medical.imaging import PILDicom as FastaiPILDicom
    return {"fastai ImageBlock(cls=PILDicom)": (ImageBlock(cls=FastaiPILDicom), False),
            "medimg CPU path (DicomBlock, size=256)": (DicomBlock(wins, size=256, norm=False), False),
            "medimg device path, CPU decoding (DicomStoredBlock)": (DicomStoredBlock(wins, size=256, norm=False), False),
            "medimg device path, GPU decoding (DicomStoredBlock + nvImageCodec)": (DicomStoredBlock(wins, size=256, norm=False), True)}

def bench(files, wins, bs):
    rows = {}
    for name, (blk, gpu_dec) in pipelines(wins).items():
        if gpu_dec:
            backend, why = codecs.find_backend()
            if backend is None: rows[name] = None, f"no GPU: not measured ({why})"; continue
            codecs.use_gpu_decoding(backend)
        else: codecs.use_cpu_decoding()
        try:
            dls = DataBlock(blocks=(blk, CategoryBlock), get_y=label, splitter=RandomSplitter(0.0, seed=0),
                            batch_tfms=aug_transforms(size=224)).dataloaders(files, bs=bs, num_workers=0)
            r, xb, nb, dt = rate(dls)
            rows[name] = (r, nb), f"{tuple(xb.shape)} {xb.dtype} on {xb.device.type}; crosses as {dt}"
        except Exception as e: rows[name] = None, f"fails: {type(e).__name__}: {str(e)[:100]}"
    codecs.use_gpu_decoding()
    return rows

def decode_rates(files, k=8):
    "images/s decoding `k` files: pydicom + CPU plugins, and nvImageCodec (GPU) where available"
    fs = files[:k]
    def run():
        t = time.perf_counter()
        for f in fs: pixel_array(dcmread(f))
        return len(fs)/(time.perf_counter()-t)
    codecs.use_cpu_decoding(); cpu = run()
    backend, why = codecs.find_backend()
    if backend is None: gpu = f"no GPU: not measured ({why})"
    else:
        codecs.use_gpu_decoding(backend); run(); gpu = run()
    codecs.use_gpu_decoding()
    return cpu, gpu

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--n', type=int, default=24); p.add_argument('--bs', type=int, default=8)
    a = p.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'
    tmp = Path(tempfile.mkdtemp())
    try:
        data = make_data(tmp, a.n)
        print(f"GPU: {dev}; {codecs.decoding_status()}; bs={a.bs}, num_workers=0, {a.n} images a set, cpus={os.cpu_count()}\n")
        ct_wins = [dicom_windows.abdomen_soft, dicom_windows.liver, dicom_windows.lungs]
        for name, key, wins in [('radiographs 1024x1024, uncompressed', 'cxr', None),
                                ('radiographs 1024x1024, JPEG 2000 lossless', 'cxr_j2k', None), ('CT 512x512 (TCIA)', 'ct', ct_wins)]:
            rows = bench(data[key], wins, a.bs)
            base = rows["fastai ImageBlock(cls=PILDicom)"][0]; cpu = rows["medimg CPU path (DicomBlock, size=256)"][0]
            print(f"### {name}\n\n| pipeline | img/s | vs fastai | vs medimg CPU path | host-to-device KB/image | batch |\n|---|---|---|---|---|---|")
            for k, (v, note) in rows.items():
                if v is None: print(f"| {k} | - | - | - | - | {note} |"); continue
                r, nb = v
                ratio = lambda b: f"{r/b[0]:.2f}x" if b else '-'
                print(f"| {k} | {r:.1f} | {ratio(base)} | {ratio(cpu)} | {nb/1024:,.0f} | {note} |")
            print()
        print("### decode only (images/s, 8 files)\n\n| images | pydicom + CPU plugins | nvImageCodec (GPU) | GPU / CPU |\n|---|---|---|---|")
        for name, key in [('radiographs 1024x1024, uncompressed', 'cxr'), ('radiographs 1024x1024, JPEG 2000 lossless', 'cxr_j2k'), ('CT 512x512 (TCIA)', 'ct')]:
            c, g = decode_rates(data[key])
            print(f"| {name} | {c:.1f} | {g if isinstance(g, str) else f'{g:.1f}'} | {'-' if isinstance(g, str) else f'{g/c:.1f}x'} |")
    finally: shutil.rmtree(tmp, ignore_errors=True)
