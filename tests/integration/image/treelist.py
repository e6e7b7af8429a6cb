#!/usr/bin/env python3
"""List a rootfs tree for comparison: type, mode, owner, size, content hash,
symlink target, xattrs (minus overlayfs's own), hardlink groups, mtime of
non-directories. Usage: treelist.py ROOT"""
import hashlib
import os
import stat
import sys

links = "--no-links" not in sys.argv
root = [a for a in sys.argv[1:] if not a.startswith("--")][0]
first_path = {}
out = []
for dirpath, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(dirs + files) + (["."] if dirpath == root else []):
        p = os.path.join(dirpath, name) if name != "." else root
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        kind = stat.S_IFMT(st.st_mode)
        extra = ""
        if stat.S_ISREG(st.st_mode):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            extra = "size=%d sha=%s" % (st.st_size, h.hexdigest()[:16])
            if st.st_nlink > 1 and links:
                key = (st.st_dev, st.st_ino)
                first_path.setdefault(key, rel)
                extra += " link=" + first_path[key]
        elif stat.S_ISLNK(st.st_mode):
            extra = "-> " + os.readlink(p)
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            extra = "dev=%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        xattrs = []
        try:
            for x in sorted(os.listxattr(p, follow_symlinks=False)):
                if x.startswith("trusted.overlay."):
                    continue
                xattrs.append("%s=%s" % (x, os.getxattr(p, x, follow_symlinks=False).hex()))
        except OSError:
            pass
        mtime = "" if stat.S_ISDIR(st.st_mode) or rel == "." else " mtime=%d" % st.st_mtime
        out.append("%s %o %04o %d:%d %s%s %s" % (rel, kind >> 12, stat.S_IMODE(st.st_mode),
                                               st.st_uid, st.st_gid, extra, mtime,
                                               ",".join(xattrs)))
print("\n".join(sorted(out)))
