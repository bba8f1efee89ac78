"""The device tests of issue 15, for a machine with a CUDA GPU (run by bench/gpu_device_check.sh; about a minute).

    python bench/gpu_device_check.py            # needs a CUDA GPU and nvImageCodec; exit 1 on any failure
    python bench/gpu_device_check.py --dry-run  # on a CPU: a fake GPU decoder (pydicom's CPU plugin), device 'cpu'

1. GPU decoding: each compressed sample through medimg's nvImageCodec plugin against pydicom's CPU plugins. The
   plugin must actually decode it (calls are counted; colour frames are left to the CPU by design). Lossless
   syntaxes: equal exactly. Lossy: 99.9% of pixels within 1 stored unit, none beyond 2% of the file's range.
2. Integers to the device: `DicomStoredBlock` batches on the GPU against `DicomBlock` on the CPU (same files: CT
   with slope/intercept, MONOCHROME1 CR, per-frame-rescale phantom, 8-bit radiograph) within 1e-4, with 2 (or 1)
   bytes a pixel crossing, from pinned memory.
"""
import argparse, sys, tempfile, warnings, os
from functools import partial
from pathlib import Path
import numpy as np, torch
warnings.filterwarnings('ignore')
os.environ.setdefault('MEDIMG_DATA', str(Path(__file__).resolve().parents[2]/'shared'/'data'))
from pydicom import uid as UID
from pydicom.pixels.decoders import pylibjpeg as cpu_plugin
from fastai.data.block import DataBlock, CategoryBlock
from fastcore.foundation import L
from medimg.data import sample_file, write_multiframe_phantom
from medimg.reading import dcmread, pixel_array
from medimg.vision import TensorDicom
from medimg.windowing import dicom_windows
from medimg.dataloaders import DicomBlock
from medimg.gpu import DicomStoredBlock, TensorDicomStored, host_batch
from medimg import codecs

class Counting:
    "Wrap a backend and count the frames it decodes"
    def __init__(self, be): self.be, self.calls, self.name = be, 0, getattr(be, 'name', 'backend')
    def decode(self, src, runner): self.calls += 1; return self.be.decode(src, runner)

class CpuFake:
    "--dry-run: pydicom's pylibjpeg plugin in place of the GPU"
    name = 'fake GPU (CPU plugin)'
    def decode(self, src, runner): return cpu_plugin._decode_frame(src, runner)

def compressed_samples(tmp):
    "{name: path} of real compressed greyscale samples, plus J2K-lossless copies of an 8-bit DX, a 15-bit CR (RG1, decoded) and a signed CT"
    out = {f: sample_file(f) for f in ('MR_small_jp2klossless.dcm', 'JPGLosslessP14SV1_1s_1f_8b.dcm', 'JPGExtended.dcm',
                                       '693_J2KI.dcm', 'RG1_J2KI.dcm', 'MR2_J2KI.dcm', 'RG3_J2KI.dcm')}
    for name in ('nhsx-nccid/nih_cxr_no_finding.dcm', 'RG1_J2KI.dcm', 'dcmqi/ct-3slice/01.dcm'):
        ds = dcmread(sample_file(name))
        if ds.file_meta.TransferSyntaxUID.is_compressed: ds.decompress()
        ds.compress(UID.JPEG2000Lossless)
        fn = tmp/(Path(name).stem + '_j2kr.dcm'); ds.save_as(fn); out[fn.name] = fn
    return out

def check_decoding(backend, tmp):
    problems = []
    for name, fn in compressed_samples(tmp).items():
        codecs.use_cpu_decoding(); ref = pixel_array(dcmread(fn))
        ds = dcmread(fn); ts = ds.file_meta.TransferSyntaxUID
        be = Counting(backend)
        with codecs.gpu_decoding_with(be):
            try: got = pixel_array(ds)
            except Exception as e: problems.append(f"{name}: {type(e).__name__}: {e}"); continue
        d = np.abs(got.astype(np.float64) - ref.astype(np.float64))
        lossy = ts in codecs.LOSSY_SYNTAXES
        rng = float(ref.max()) - float(ref.min()) or 1
        ok = be.calls > 0 and got.shape == ref.shape and (
            (np.mean(d <= 1) >= 0.999 and d.max() <= 0.02*rng) if lossy else d.max() == 0)
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {ts.name}, {'lossy' if lossy else 'lossless'}, GPU frames {be.calls}, "
              f"max |diff| {d.max():g}, within 1: {np.mean(d <= 1):.4%}")
        if not ok: problems.append(f"{name}: GPU frames {be.calls}, max diff {d.max():g}")
    return problems

def loaders(block, files, device, bs=3):
    return DataBlock(blocks=(block, CategoryBlock), get_y=lambda f: Path(f).stem, splitter=lambda o: (L(range(len(o))), L())
                    ).dataloaders(files, bs=bs, shuffle=False, num_workers=0, device=device)

def check_batches(device, tmp):
    problems = []
    ct = [sample_file(f'dcmqi/ct-3slice/0{k}.dcm') for k in (1, 2, 3)]
    cr = [sample_file(f'pydicom/dicomdirtests/77654033/{d}') for d in ('CR1/6154', 'CR2/6247', 'CR3/6278')]
    mf = [write_multiframe_phantom(tmp/f'mf{k}.dcm', per_frame=True) for k in range(3)]
    xr = [sample_file('nhsx-nccid/nih_cxr_no_finding.dcm')]*2
    wins = [dicom_windows.abdomen_soft, dicom_windows.liver, dicom_windows.lungs]
    for name, files, w, size, frame, bpp in [('CT, 3 windows, 256', ct, wins, 256, 0, 2), ('MONOCHROME1 CR, HistScaled', cr, None, None, 0, 2),
                                             ('per-frame phantom, frame 5', mf, [(400, 40)], None, 5, 2), ('8-bit DX, HistScaled, 256', xr, None, 256, 0, 1)]:
        fl = loaders(DicomBlock(w, size=size, norm=False, reader=partial(TensorDicom.create, frame=frame)), files, 'cpu', len(files))
        st = loaders(DicomStoredBlock(w, size=size, norm=False, reader=partial(TensorDicomStored.create, frame=frame)), files, device, len(files))
        xf, _ = fl.one_batch(); xs, _ = st.one_batch()
        hb = host_batch(st.train)[0]
        diff = float((xs.cpu().float() - xf.float()).abs().max())
        ok = xs.device.type == torch.device(device).type and diff <= 1e-4 and hb.element_size() == bpp
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: batch on {xs.device}, max |diff| vs DicomBlock on the CPU {diff:.2e}, "
              f"{hb.element_size()} byte(s)/pixel as {hb.dtype}, pin_memory={st.train.pin_memory}")
        if not ok: problems.append(f"{name}: diff {diff:g}, device {xs.device}, {hb.element_size()} bytes/pixel")
    return problems

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--dry-run', action='store_true'); a = p.parse_args()
    if a.dry_run: backend, why, device = CpuFake(), 'dry run: fake GPU decoder on the CPU', 'cpu'
    else:
        if not torch.cuda.is_available(): sys.exit("no CUDA GPU visible: run with --dry-run on a CPU")
        backend, why = codecs.find_backend(); device = 'cuda'
        if backend is None: print(f"GPU decoder unavailable: {why}")
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, GPU {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}; {why}")
    tmp = Path(tempfile.mkdtemp())
    problems = []
    print("1. GPU decoding vs pydicom's CPU plugins")
    if backend is None: problems.append(f"no GPU decoder: {why}")
    else: problems += check_decoding(backend, tmp)
    print("2. stored integers on the device vs DicomBlock on the CPU")
    problems += check_batches(device, tmp)
    print("\n" + ("PASS" if not problems else "FAIL:\n  " + "\n  ".join(problems)))
    sys.exit(1 if problems else 0)
