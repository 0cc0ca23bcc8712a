"""Vendor the browser libraries under static/vendor/ from the npm registry.

HQ intranets have no internet access, so every browser library is served from
static/vendor/ instead of a CDN. This script re-fetches the pinned libraries:

    python scripts/vendor_static.py          # download, verify, extract, write VERSIONS
    python scripts/vendor_static.py --check  # offline: files on disk match VERSIONS

For each library in LIBRARIES it asks the registry for ``<registry>/<name>/<version>``,
downloads ``dist.tarball``, checks it against ``dist.integrity`` (sha512), extracts the
listed files into ``static/vendor/<directory>/`` and records the sha256 of every file in
``static/vendor/VERSIONS``. The registry is ``$NPM_CONFIG_REGISTRY`` (as npm reads it),
defaulting to https://registry.npmjs.org; HTTPS proxies come from the usual environment
variables (``https_proxy``), which urllib honours.

Standard library only, so it runs without the project's virtualenv.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
VERSIONS = VENDOR / "VERSIONS"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
TIMEOUT_SECONDS = 120
USER_AGENT = "fangkong-vendor-static/1 (python urllib)"


@dataclass(frozen=True)
class Library:
    """One pinned npm package and the files taken from its tarball.

    ``files`` and ``licences`` map a path inside the package (without the tarball's
    top-level ``package/`` directory) to a file name in ``static/vendor/<directory>/``.
    """

    name: str
    version: str
    directory: str
    files: tuple[tuple[str, str], ...]
    licences: tuple[tuple[str, str], ...]

    def members(self) -> tuple[tuple[str, str], ...]:
        return self.files + self.licences


# The pinned list. To update a library, change its version here (check the files still
# exist in the new tarball) and run this script; review the diff of static/vendor/.
LIBRARIES: tuple[Library, ...] = (
    Library(
        name="htmx.org",
        version="2.0.11",
        directory="htmx",
        files=(("dist/htmx.min.js", "htmx.min.js"),),
        licences=(("LICENSE", "LICENSE"),),
    ),
    Library(
        name="echarts",
        version="6.1.0",
        directory="echarts",
        files=(("dist/echarts.min.js", "echarts.min.js"),),
        licences=(
            ("LICENSE", "LICENSE"),
            ("NOTICE", "NOTICE"),
            # echarts.min.js bundles code derived from d3 (BSD-3-Clause), see LICENSE.
            ("licenses/LICENSE-d3", "LICENSE-d3"),
        ),
    ),
    Library(
        name="jsqr",
        version="1.4.0",
        directory="jsqr",
        # UMD build: as a plain <script> it defines window.jsQR.
        files=(("dist/jsQR.js", "jsQR.js"),),
        licences=(("LICENSE", "LICENSE"),),
    ),
)


class VendorError(Exception):
    """A fetch, verification or check failure, reported without a traceback."""


@dataclass(frozen=True)
class Record:
    """One line of VERSIONS: a library and the sha256 of each vendored file."""

    name: str
    version: str
    tarball: str
    hashes: tuple[tuple[str, str], ...]  # (path relative to static/vendor, sha256 hex)

    def line(self) -> str:
        files = " ".join(f"{path}={digest}" for path, digest in self.hashes)
        return f"{self.name} {self.version} {self.tarball} {files}"

    @classmethod
    def parse(cls, line: str) -> Record:
        parts = line.split()
        if len(parts) < 4:
            raise VendorError(f"VERSIONS: malformed line: {line!r}")
        name, version, tarball, *files = parts
        hashes: list[tuple[str, str]] = []
        for item in files:
            path, sep, digest = item.rpartition("=")
            if not sep or not path or len(digest) != 64:
                raise VendorError(f"VERSIONS: malformed file entry {item!r} for {name}")
            hashes.append((path, digest))
        return cls(name, version, tarball, tuple(hashes))


def registry_url() -> str:
    """The registry npm would use from the environment, without a trailing slash."""
    url = (
        os.environ.get("NPM_CONFIG_REGISTRY")
        # npm itself exports the lower-case spelling to `npm run` scripts.
        or os.environ.get("npm_config_registry")  # noqa: SIM112
        or DEFAULT_REGISTRY
    )
    return url.rstrip("/")


def fetch(url: str) -> bytes:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("https", "http"):
        raise VendorError(f"refusing to fetch non-HTTP URL: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body: bytes = response.read()
    except OSError as exc:  # URLError and HTTPError are OSErrors
        raise VendorError(f"cannot fetch {url}: {exc}") from exc
    return body


def package_metadata(registry: str, lib: Library) -> dict[str, Any]:
    name = urllib.parse.quote(lib.name, safe="@")  # scoped names: @scope%2Fname
    version = urllib.parse.quote(lib.version, safe="")
    url = f"{registry}/{name}/{version}"
    try:
        metadata = json.loads(fetch(url))
    except json.JSONDecodeError as exc:
        raise VendorError(f"{url}: not JSON: {exc}") from exc
    if not isinstance(metadata, dict):
        raise VendorError(f"{url}: unexpected metadata")
    if metadata.get("name") != lib.name or metadata.get("version") != lib.version:
        raise VendorError(
            f"{url}: registry answered {metadata.get('name')}@{metadata.get('version')}"
        )
    return metadata


def verify_integrity(data: bytes, integrity: str, label: str) -> None:
    """Check data against an SRI string such as ``sha512-<base64>``; sha512 is required."""
    expected = [
        base64.b64decode(entry.split("-", 1)[1].split("?", 1)[0])
        for entry in integrity.split()
        if entry.startswith("sha512-")
    ]
    if not expected:
        raise VendorError(f"{label}: no sha512 in dist.integrity {integrity!r}")
    actual = hashlib.sha512(data).digest()
    if actual not in expected:
        raise VendorError(f"{label}: tarball does not match dist.integrity {integrity!r}")


def extract_members(tarball: bytes, lib: Library) -> dict[str, bytes]:
    """Read the listed files out of an npm tarball, keyed by their target name."""
    wanted = dict(lib.members())
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive:
            # npm tarballs have one top-level directory, usually "package/".
            _, _, inner = member.name.partition("/")
            if inner not in wanted or not member.isfile():
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            found[wanted[inner]] = handle.read()
    missing = [src for src, dst in lib.members() if dst not in found]
    if missing:
        raise VendorError(f"{lib.name}@{lib.version}: not in tarball: {', '.join(missing)}")
    return found


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate_pins() -> None:
    directories = [lib.directory for lib in LIBRARIES]
    if len(set(directories)) != len(directories):
        raise VendorError("two libraries share a directory")
    for lib in LIBRARIES:
        targets = [dst for _, dst in lib.members()]
        if len(set(targets)) != len(targets):
            raise VendorError(f"{lib.name}: duplicate target file names")
        for name in [lib.directory, *targets]:
            if not name or name in (".", "..") or "/" in name or "\\" in name:
                raise VendorError(f"{lib.name}: bad directory or file name {name!r}")


def update() -> None:
    validate_pins()
    registry = registry_url()
    print(f"registry: {registry}")
    # Fetch and verify everything before touching the disk.
    downloaded: list[tuple[Library, str, dict[str, bytes]]] = []
    for lib in LIBRARIES:
        metadata = package_metadata(registry, lib)
        dist = metadata.get("dist") or {}
        tarball_url = dist.get("tarball")
        integrity = dist.get("integrity")
        if not isinstance(tarball_url, str) or not isinstance(integrity, str):
            raise VendorError(f"{lib.name}@{lib.version}: no dist.tarball/dist.integrity")
        tarball = fetch(tarball_url)
        verify_integrity(tarball, integrity, f"{lib.name}@{lib.version}")
        print(f"{lib.name}@{lib.version}: {len(tarball):,} bytes, integrity ok")
        downloaded.append((lib, tarball_url, extract_members(tarball, lib)))

    VENDOR.mkdir(parents=True, exist_ok=True)
    records: list[Record] = []
    for lib, tarball_url, contents in downloaded:
        target_dir = VENDOR / lib.directory
        if target_dir.exists():
            shutil.rmtree(target_dir)  # drop files a previous pin had
        target_dir.mkdir()
        hashes: list[tuple[str, str]] = []
        for _, dst in lib.members():
            path = target_dir / dst
            path.write_bytes(contents[dst])
            hashes.append((f"{lib.directory}/{dst}", sha256_file(path)))
            print(f"  {path.relative_to(ROOT)} ({len(contents[dst]):,} bytes)")
        records.append(Record(lib.name, lib.version, tarball_url, tuple(hashes)))

    lines = [
        "# Generated by scripts/vendor_static.py; do not edit by hand.",
        "# name version tarball path=sha256 ... (paths relative to static/vendor/)",
        *(record.line() for record in records),
    ]
    VERSIONS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {VERSIONS.relative_to(ROOT)}")


def read_versions() -> list[Record]:
    if not VERSIONS.is_file():
        raise VendorError(f"{VERSIONS.relative_to(ROOT)} is missing; run without --check")
    return [
        Record.parse(line)
        for line in VERSIONS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def check() -> list[str]:
    """Compare the pins, VERSIONS and the files on disk; return the problems found."""
    validate_pins()
    problems: list[str] = []
    records = {record.name: record for record in read_versions()}
    pinned = {lib.name: lib for lib in LIBRARIES}
    for name in records.keys() - pinned.keys():
        problems.append(f"{name}: in VERSIONS but not pinned in the script")
    for lib in LIBRARIES:
        record = records.get(lib.name)
        if record is None:
            problems.append(f"{lib.name}: pinned but not in VERSIONS; re-run the script")
            continue
        if record.version != lib.version:
            problems.append(
                f"{lib.name}: pinned {lib.version}, VERSIONS has {record.version}; "
                "re-run the script"
            )
        expected = {f"{lib.directory}/{dst}" for _, dst in lib.members()}
        recorded = {path for path, _ in record.hashes}
        if expected != recorded:
            problems.append(f"{lib.name}: file list differs from the pins; re-run the script")
        for path, digest in record.hashes:
            file = VENDOR / path
            if not file.is_file():
                problems.append(f"{path}: missing")
            elif sha256_file(file) != digest:
                problems.append(f"{path}: sha256 does not match VERSIONS")
        target_dir = VENDOR / lib.directory
        if target_dir.is_dir():
            for file in sorted(target_dir.rglob("*")):
                relative = file.relative_to(VENDOR).as_posix()
                if file.is_file() and relative not in recorded:
                    problems.append(f"{relative}: not listed in VERSIONS")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check",
        action="store_true",
        help="verify static/vendor/ against VERSIONS without network access",
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check()
            for problem in problems:
                print(f"FAIL {problem}", file=sys.stderr)
            if problems:
                return 1
            count = sum(len(lib.members()) for lib in LIBRARIES)
            print(f"ok: {len(LIBRARIES)} libraries, {count} files match VERSIONS")
        else:
            update()
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
