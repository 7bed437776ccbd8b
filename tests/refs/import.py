#!/usr/bin/env python3
"""Vendors a folder of reference recordings into tests/refs/ (Python 3 standard library only).

    python3 tests/refs/import.py SOURCE_DIR NAME [--exclude SUBDIR ...]

writes
    tests/refs/NAME.zip      every file of SOURCE_DIR (minus the excluded sub-folders),
                             byte for byte, deflate level 9, in sorted order with fixed
                             timestamps, so that importing the same folder twice gives the
                             same archive;
    tests/refs/NAME.sha256   the SHA-256 of every original file, in `sha256sum` format
                             (`cd DIR && sha256sum -c NAME.sha256` checks an unpacked copy);
    tests/refs/NAME/*.md     plain copies of the folder's top-level Markdown files (the
                             recordings' step equations and semantics, which source comments
                             cite).

The round trip is proved before anything is replaced: the archive is read back and every
member's SHA-256 must equal the original file's. The test harness (tests/common/mod.rs,
`refs_dir`) unpacks the archive into the build's temporary folder and checks every file
against NAME.sha256 again before a test reads it.
"""

import argparse
import hashlib
import io
import os
import shutil
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Fixed member timestamp (the earliest a zip can hold): the archive depends on content only.
EPOCH = (1980, 1, 1, 0, 0, 0)


def files_under(root, exclude):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if os.path.normpath(os.path.join(rel_dir, d)) not in exclude
            and d != "__pycache__"
        )
        for f in sorted(filenames):
            out.append(os.path.normpath(os.path.join(rel_dir, f)).replace(os.sep, "/"))
    return sorted(out)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", help="folder of recordings, e.g. a copy of refs/ngclearn")
    ap.add_argument("name", help="name under tests/refs/, e.g. ngclearn")
    ap.add_argument("--exclude", action="append", default=[], help="sub-folder to leave out")
    args = ap.parse_args()

    exclude = {os.path.normpath(e) for e in args.exclude}
    names = files_under(args.source, exclude)
    if not names:
        sys.exit(f"{args.source}: no files")

    originals = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name in names:
            with open(os.path.join(args.source, name), "rb") as f:
                data = f.read()
            originals[name] = sha256(data)
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=9)

    # Round trip: every member reads back to the original bytes.
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        members = sorted(z.namelist())
        if members != names:
            sys.exit("round trip: the archive's members differ from the files")
        for name in names:
            if sha256(z.read(name)) != originals[name]:
                sys.exit(f"round trip: {name} differs after unpacking")

    zip_path = os.path.join(HERE, f"{args.name}.zip")
    sums_path = os.path.join(HERE, f"{args.name}.sha256")
    for path, data in (
        (zip_path, buf.getvalue()),
        (sums_path, "".join(f"{originals[n]}  {n}\n" for n in names).encode()),
    ):
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    docs = os.path.join(HERE, args.name)
    top_md = [n for n in names if "/" not in n and n.endswith(".md")]
    if top_md:
        os.makedirs(docs, exist_ok=True)
        for n in top_md:
            shutil.copyfile(os.path.join(args.source, n), os.path.join(docs, n))

    raw = sum(os.path.getsize(os.path.join(args.source, n)) for n in names)
    print(
        f"{args.name}: {len(names)} files, {raw / 1e6:.1f} MB -> {zip_path} "
        f"{os.path.getsize(zip_path) / 1e6:.1f} MB; round trip verified (SHA-256)"
    )


if __name__ == "__main__":
    main()
