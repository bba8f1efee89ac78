"""A DICOMweb archive (Orthanc on 127.0.0.1) vs the same files on local disk.

    python bench/dicomweb.py [--prepare N]

Starts Orthanc with its DICOMweb plugin (medimg.dicomweb.orthanc_server: free loopback ports, a temporary
storage folder, stopped at the end), uploads LUNG1-001's 134-slice CT series and a 10-frame MR, then measures
side by side in this process:
  1. the headers of the 134 slices: `from_dicoms` on the DICOMweb series (one WADO-RS metadata request) vs on
     the local files (header-only reads); and the bytes the listing moves vs the bytes of the whole instances;
  2. one frame of the multi-frame MR: `read_frame` by WADO-RS frame retrieval vs fetching the whole instance;
  3. `prepare` (png, 256 px) of the first N slices (default 40) from the archive vs from a local folder.
Prints a markdown table of times, bytes and ratios. Needs `orthanc` and `orthanc-dicomweb` (Debian packages).
"""
import sys, time, shutil, tempfile, argparse, warnings
from pathlib import Path
from medimg.data import dataset, sample_file
from medimg.reading import get_dicom_files
from medimg.dicomweb import orthanc_server, orthanc_available, DicomWeb
from medimg.storage import dicom_files, read_dicom
from medimg.metadata import from_dicoms
from medimg.multiframe import read_frame
from medimg.dataloaders import prepare

def timed(f, n=1):
    best = float('inf')
    for _ in range(n):
        t = time.perf_counter(); r = f(); best = min(best, time.perf_counter() - t)
    return best, r

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--prepare', type=int, default=40); a = ap.parse_args()
    if not orthanc_available(): sys.exit("Orthanc and its DICOMweb plugin are not installed (apt-get install orthanc orthanc-dicomweb)")
    warnings.simplefilter('ignore')
    files = get_dicom_files(dataset('nsclc-radiomics/LUNG1-001')/'image')
    mr_file = sample_file('emri_small.dcm')
    rows = []
    with orthanc_server() as o, tempfile.TemporaryDirectory() as tmp:
        o.upload(files + [mr_file])
        dw = DicomWeb(o.dicomweb)
        series = dw.search('series')
        ct = dw.series(series.SeriesInstanceUID[series.Modality == 'CT'].iloc[0])
        mr = dw.series(series.SeriesInstanceUID[series.Modality == 'MR'].iloc[0])
        # 1. headers
        b0 = dw.bytes_received
        t_web, df = timed(lambda: from_dicoms(ct, progress=False, verbose=False, n_workers=0))
        listing = dw.bytes_received - b0
        t_loc, _ = timed(lambda: from_dicoms(files, progress=False, verbose=False, n_workers=0), 3)
        whole = sum(f.stat().st_size for f in files)
        rows.append((f"headers of {len(df)} slices: DICOMweb metadata vs local header reads", t_web, t_loc, listing, whole))
        # 2. one frame vs the whole instance
        inst, = dicom_files(mr)
        b0 = dw.bytes_received; t_fr, _ = timed(lambda: read_frame(inst, 5), 5); fr_bytes = (dw.bytes_received - b0) // 5
        b0 = dw.bytes_received; t_all, _ = timed(lambda: read_dicom(inst), 5); all_bytes = (dw.bytes_received - b0) // 5
        rows.append(("one frame of a 10-frame MR: WADO-RS frame vs whole instance", t_fr, t_all, fr_bytes, all_bytes))
        # 3. prepare: the first N slices
        n = min(a.prepare, len(files))
        src = Path(tmp)/'src'; src.mkdir()
        for f in files[:n]: shutil.copy(f, src/f.name)
        keep = {str(read_dicom(f, header_only=True).SOPInstanceUID) for f in files[:n]}
        class Part(type(ct)):   # the series, listed as its first n slices
            def dicom_files(self): return [i for i in super().dicom_files() if i.sop in keep]
        part = Part(ct.server, ct.study, ct.series_uid)
        b0 = dw.bytes_received
        t_pw, r = timed(lambda: prepare(part, Path(tmp)/'web', progress=False))
        moved = dw.bytes_received - b0
        t_pl, _ = timed(lambda: prepare(src, Path(tmp)/'local', progress=False))
        assert len(r.written) == n
        rows.append((f"prepare {n} slices (png 256): from the archive vs from a folder", t_pw, t_pl, moved, sum(f.stat().st_size for f in files[:n])))
    print("| what | DICOMweb (s) | peer (s) | time ratio | bytes moved | peer's bytes | bytes ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for what, tw, tp, bw, bp in rows:
        print(f"| {what} | {tw:.3f} | {tp:.3f} | {tw/tp:.2f}x | {bw:,} | {bp:,} | {bw/bp:.1%} |")
    print(f"\nprepare throughput: {n/t_pw:.1f} slices/s from the archive, {n/t_pl:.1f} slices/s from a folder")

if __name__ == '__main__': main()
