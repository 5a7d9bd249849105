#!/usr/bin/env python3
"""t2100-decode: every Subject and From of the real corpora, decoded by
listarc (build/asan/drv_decode: msg_decode_header, msg_parse_from) and
by Python's email package (policy.default), must agree, but for the
deliberate differences that docs/LENIENCY.md lists:

- names: listarc takes a display name from a comment (`addr (Name)`) or
  from a bare word where Python finds none, and trims the spaces at the
  ends of a quoted name;
- raw 8-bit bytes, and bytes a charset cannot read, which Python shows
  as U+FFFD or keeps undecoded: listarc reads them as UTF-8 where they
  are, else windows-1252, or through the charset's superset (GB2312 as
  GB18030), and so must show no U+FFFD there.

One check per corpus file (samples/ always; ../shared/corpora when it is
there); each difference is printed, with its kind."""
import email
import email.policy
import glob
import mailbox
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRV = os.path.join(ROOT, "build/asan/drv_decode")
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
C = os.path.join(SHARED, "corpora")


def sources():
    """(name, [message bytes]) for each corpus file."""
    out = [("samples/" + os.path.basename(f), f) for f in sorted(glob.glob(ROOT + "/samples/*.mbox"))]
    shared = []
    if os.path.isdir(C):
        for f in ([C + "/lkml.mbox", C + "/notmuch.mbox"] + sorted(glob.glob(C + "/peers/peer-*.mbox")) +
                  sorted(glob.glob(C + "/pipermail/*/*.txt"))):
            shared.append((os.path.relpath(f, C), f))
        shared.append(("edge/", None))
    return out, shared


def read(name, path):
    if path is None:
        return [open(f, "rb").read() for f in sorted(glob.glob(C + "/edge/*"))]
    mb = mailbox.mbox(path)
    return [mb.get_bytes(k) for k in mb.keys()]


def fields(raw):
    """The header block's fields as (lowercase name, raw value bytes),
    folding kept, as listarc's header iterator gives them."""
    raw = raw.replace(b"\r\n", b"\n")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    out = []
    for line in raw.split(b"\n\n", 1)[0].split(b"\n"):
        if line[:1] in (b" ", b"\t") and out:
            out[-1][1] += b"\n" + line
        elif b":" in line:
            n, v = line.split(b":", 1)
            out.append([n.strip().lower(), v])
        else:
            break
    return out


def python_decode(field, value):
    m = email.message_from_bytes(field + b":" + value + b"\n\n", policy=email.policy.default)
    h = m[field.decode()]
    if field == b"From":
        a = h.addresses
        return a[0].display_name if a else ""
    return " ".join(str(h).split())


def kind_of_difference(field, py, we):
    """Why a difference is deliberate, or None if it is not."""
    if field == b"From" and py == "" and we:
        return "name from a comment or a bare word"
    if field == b"From" and py.strip() == we:
        return "spaces around a quoted name trimmed"
    if ("\ufffd" in py or re.search("[\udc80-\udcff]", py)) and "\ufffd" not in we:
        return "8-bit or undecodable bytes read (Python shows U+FFFD)"
    return None


def main():
    mine, shared = sources()
    files = mine + shared
    plan = len(mine) + (len(shared) if shared else 1)
    print("1..%d" % plan)
    bad = 0
    for name, path in files:
        rows = []
        for raw in read(name, path):
            fs = fields(raw)
            for want, field in ((b"subject", b"Subject"), (b"from", b"From")):
                vs = [v for n, v in fs if n == want]
                if len(vs) == 1:  # several: Python takes the first, listarc the last
                    rows.append((field, vs[0]))
        inp = "".join(("S " if f == b"Subject" else "F ") + v.hex() + "\n" for f, v in rows)
        p = subprocess.run([DRV], input=inp.encode(), capture_output=True)
        got = p.stdout.decode("utf-8").split("\n")
        same = deliberate = 0
        wrong = []
        for (field, value), we in zip(rows, got):
            we = we.replace("\\n", "\n").replace("\\\\", "\\")
            py = python_decode(field, value)
            if py == we:
                same += 1
                continue
            why = kind_of_difference(field, py, we)
            if why:
                deliberate += 1
                print("# %s %s: %s\n#   python:  %r\n#   listarc: %r" % (name, field.decode(), why, py, we))
            else:
                wrong.append((field, value, py, we))
        desc = "%s: %d Subject and From values decode as Python's email does (%d deliberate differences)" % (
            name, len(rows), deliberate)
        if p.returncode == 0 and len(got) > len(rows) and not wrong:
            print("ok - " + desc)
        else:
            bad += 1
            print("not ok - " + desc)
            if p.returncode:
                print("#   driver exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-500:]))
            for field, value, py, we in wrong[:20]:
                print("#   %s %r\n#     python:  %r\n#     listarc: %r" % (field.decode(), value[:200], py, we))
    if not shared:
        print("ok - # SKIP ../shared not present")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
