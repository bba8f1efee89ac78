#!/usr/bin/env bash
# Run HERE (the CPU machine, with package registries) before bench/gpu_device_check.sh runs on the GPU machine.
# The GPU machine has Python 3.12 with torch, numpy, pandas, matplotlib, scipy, scikit-image and pillow, but not
# medimg's other requirements, and reaches no registry: this puts their wheels (and nvImageCodec's, for CUDA 13)
# in .whl/ (git-ignored) with the sample files the check reads in .whl/data (~55 MiB with the working tree; the device tool carries
# at most 64 MiB). Then: run(command="bash bench/gpu_device_check.sh", carry=[".whl"], timeout_s=420).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${MEDIMG_DATA:-$(cd ..; pwd)/shared/data}
mkdir -p .whl && rm -f .whl/*.whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux_2_31_x86_64 \
  --platform manylinux_2_34_x86_64 --platform manylinux_2_35_x86_64 --platform any -d .whl \
  fastai==2.8.7 fastcore==1.14.5 fasttransform==0.0.2 plum-dispatch==2.10.1 beartype==0.23.1 fastprogress==1.1.6 \
  fastdownload==0.0.8 python-fasthtml==0.14.5 starlette==1.10.0 itsdangerous==2.2.0 python-multipart==0.0.34 \
  defusedxml==0.7.1 kornia==0.9.0 kornia_rs==0.2.0 pydicom==3.0.2 pylibjpeg==2.1.0 pylibjpeg-libjpeg==2.5.0 \
  pylibjpeg-openjpeg==2.6.0 pylibjpeg-rle==2.2.0 nvidia-nvimgcodec-cu13==0.9.0.20 nvidia-nvjpeg nvidia-nvjpeg2k-cu13
rm -rf .whl/data && mkdir -p .whl/data
( cd "$DATA" && cp --parents nhsx-nccid/nih_cxr_no_finding.dcm dcmqi/ct-3slice/0[123].dcm \
    pydicom/dicomdirtests/77654033/CR1/6154 pydicom/dicomdirtests/77654033/CR2/6247 pydicom/dicomdirtests/77654033/CR3/6278 \
    pydicom-data/RG1_J2KI.dcm pydicom-data/RG3_J2KI.dcm pydicom-data/MR2_J2KI.dcm pydicom-data/JPGLosslessP14SV1_1s_1f_8b.dcm \
    $(ls tcia-ct-medical-images/dicom_dir/*.dcm | head -8) "$OLDPWD/.whl/data/" )
du -sh .whl
