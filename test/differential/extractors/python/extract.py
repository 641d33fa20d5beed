"""Extracts each archive with one real extractor into a fresh scratch tree and
reports what appeared, one JSON line per archive.

usage: extract.py MODE SCRATCH ARCHIVE...
MODE: tarfile-default | tarfile-fully_trusted | gnutar | bsdtar

Layout per archive: SCRATCH/N/a/b/out is the target directory, so "../" and
"../../" escapes land inside SCRATCH/N where we can see them; nothing else
is allowed to appear there. Python's tarfile would follow absolute names
anywhere, so each member's destination is resolved first (with tarfile's own
parsing) and a member that would land outside SCRATCH/N is reported as an
escape and not written.
"""
import json, os, shutil, signal, stat, subprocess, sys, tarfile, warnings

warnings.simplefilter("ignore")


def walk(root, out):
    created, outside = [], []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, out)
            st = os.lstat(full)
            if os.path.islink(full):
                t = "symlink"
            elif os.path.isdir(full):
                t = "dir"
            elif os.path.isfile(full):
                t = "hardlink" if st.st_nlink > 1 else "file"
            else:
                t = "device"
            if rel == "." or not (rel == ".." or rel.startswith("../")):
                if rel != ".":
                    created.append({"path": rel, "type": t, "size": st.st_size if t in ("file", "hardlink") else 0})
            elif full not in (os.path.join(root, "a"), os.path.join(root, "a", "b")):
                outside.append(os.path.relpath(full, root))
    return created, outside


class CaseTimeout(Exception):
    pass


def on_alarm(_signum, _frame):
    raise CaseTimeout("no answer within 20 s")


def py_extract(mode, archive, case_root, out):
    escapes, error = [], None
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(20)
    try:
        with tarfile.open(archive, "r:") as tf:
            for m in tf:
                dest = os.path.realpath(os.path.join(out, m.name))
                inside = dest == case_root or dest.startswith(case_root + os.sep)
                if m.islnk() or m.issym():
                    base = out if m.islnk() else os.path.dirname(os.path.join(out, m.name))
                    target = os.path.realpath(os.path.join(base, m.linkname))
                    inside = inside and (target == case_root or target.startswith(case_root + os.sep))
                if not inside:
                    escapes.append(m.name)
                    continue
                # tarfile opens an existing FIFO at the destination for writing
                # and blocks forever (GNU tar and bsdtar unlink it first): say
                # so as this reader's error instead of hanging the harness.
                if not m.isdir() and os.path.lexists(os.path.join(out, m.name)):
                    mode_bits = os.lstat(os.path.join(out, m.name)).st_mode
                    if stat.S_ISFIFO(mode_bits) or stat.S_ISCHR(mode_bits) or stat.S_ISBLK(mode_bits):
                        raise OSError(f"would write {m.name!r} through an existing FIFO or device")
                if mode == "tarfile-default":
                    tf.extract(m, out)
                else:
                    tf.extract(m, out, filter="fully_trusted")
    except Exception as e:  # a reader error is a result too
        error = f"{type(e).__name__}: {e}"
    finally:
        signal.alarm(0)
    return escapes, error


def tool_extract(mode, archive, case_root, out):
    cmd = ["tar", "--no-same-owner", "--no-same-permissions", "-xf", archive, "-C", out] if mode == "gnutar" else \
          ["bsdtar", "--no-same-owner", "-xf", archive, "-C", out]
    p = subprocess.run(cmd, cwd=case_root, capture_output=True, timeout=30)
    return [], (None if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.decode('utf-8', 'replace')[:300]}")


def remove(root):
    for dirpath, dirnames, _ in os.walk(root, followlinks=False):
        for d in dirnames:
            full = os.path.join(dirpath, d)
            if not os.path.islink(full):
                os.chmod(full, 0o700)
    shutil.rmtree(root, ignore_errors=True)


def main():
    mode, scratch, archives = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3:]
    for i, archive in enumerate(archives):
        case_root = os.path.join(scratch, str(i))
        out = os.path.join(case_root, "a", "b", "out")
        os.makedirs(out)
        run = tool_extract if mode in ("gnutar", "bsdtar") else py_extract
        escapes, error = run(mode, os.path.realpath(archive), case_root, out)
        created, outside = walk(case_root, out)
        print(json.dumps({"archive": archive, "created": created, "outside": outside, "escapes": escapes, "error": error}), flush=True)
        remove(case_root)


main()
