#!/usr/bin/env python3
"""Crafts a tar (as an attacker would: any names, any link targets).
  mktar.py OUT.tar SPEC...   SPEC: f:NAME[:CONTENT] d:NAME s:NAME:TARGET (symlink)
                             h:NAME:TARGET (hardlink) p:NAME (fifo)"""
import io
import sys
import tarfile

with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for spec in sys.argv[2:]:
        kind, rest = spec.split(":", 1)
        name, _, arg = rest.partition(":")
        ti = tarfile.TarInfo(name)
        ti.mtime = 1700000000
        data = None
        if kind == "f":
            data = arg.encode()
            ti.size = len(data)
            ti.mode = 0o644
        elif kind == "d":
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
        elif kind == "s":
            ti.type, ti.linkname = tarfile.SYMTYPE, arg
        elif kind == "h":
            ti.type, ti.linkname = tarfile.LNKTYPE, arg
        elif kind == "p":
            ti.type = tarfile.FIFOTYPE
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
