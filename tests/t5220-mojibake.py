#!/usr/bin/env python3
"""t5220-mojibake: no page shows U+FFFD or mojibake where the source had a
character.  Every message of the real corpora (shared/corpora: edge/,
lkml, notmuch, seeds, peers/, and pipermail's month files, whose From_
lines are made plain) is indexed with the release build, and every
message page and month page is fetched.  A page fails if its text holds
U+FFFD or a sequence that is UTF-8 read as windows-1252 ("Ã©", "Â ",
"â€™"), unless the message itself holds it (listed below with why).
One check per list; without ../shared, samples/ alone."""
import glob
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.environ.get("LISTARC_RELEASE", os.path.join(ROOT, "listarc"))
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
C = os.path.join(SHARED, "corpora")

# UTF-8 bytes read as windows-1252 or Latin-1: a lead byte's character
# (Â..ï) followed by a continuation byte's (U+0080..U+00BF or the
# windows-1252 punctuation at 0x80..0x9F).
CP1252_HI = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
MOJIBAKE = re.compile("[\u00c2-\u00ef][\u0080-\u00bf%s]" % CP1252_HI)

# URL -> what the source holds there.
KNOWN = {
    "/peer-aerc/2024/01/10/1": "the message holds U+FFFD itself (\"P\ufffddraig\", ILUG 2002)",
}


def sources(tmp):
    out = []
    if not os.path.isdir(C):
        for f in sorted(glob.glob(ROOT + "/samples/*.mbox")):
            out.append((os.path.basename(f)[:-5], f))
        return out
    edge = os.path.join(tmp, "edge.mbox")
    with open(edge, "wb") as w:
        for f in sorted(glob.glob(C + "/edge/*")):
            data = open(f, "rb").read()
            data = re.sub(rb"(?m)^(>*From )", rb">\1", data)
            w.write(b"From edge@example.org Mon Jan  1 00:00:00 2024\n" + data.rstrip(b"\n") + b"\n\n")
    out.append(("edge", edge))
    for f in ["lkml.mbox", "notmuch.mbox", "seeds.mbox"]:
        out.append((f[:-5], os.path.join(C, f)))
    for f in sorted(glob.glob(C + "/peers/peer-*.mbox")):
        out.append((os.path.basename(f)[:-5], f))
    pm = os.path.join(tmp, "pipermail.mbox")
    with open(pm, "wb") as w:
        for f in sorted(glob.glob(C + "/pipermail/*/*.txt")):
            data = open(f, "rb").read()
            # "From vafa at mail.berlios.de  Sat Aug 15 ..." -> a plain From_ line.
            w.write(re.sub(rb"(?m)^From (\S+) at (\S+)  ", rb"From \1@\2 ", data))
    out.append(("pipermail", pm))
    return out


def get_all(data, urls, outdir):
    """Every URL through one `listarc get --batch`: [(exit status, page)]
    in their order (a URL the batch did not reach: exit -1)."""
    p = subprocess.run([RELEASE, "get", "--data", data, "--batch", outdir],
                       input="".join(u + "\n" for u in urls), capture_output=True, text=True)
    rc = {}
    for line in p.stdout.splitlines():
        f = line.split(" ", 3)
        rc[int(f[0])] = int(f[2])
    out = []
    for i in range(1, len(urls) + 1):
        if i not in rc:
            out.append((-1, ""))
            continue
        with open(os.path.join(outdir, str(i)), "rb") as f:
            out.append((rc[i], f.read().decode("utf-8", "replace")))
    return out


def bad_spots(page):
    text = html.unescape(re.sub(r"<[^>]*>", "", page))
    spots = [m.start() for m in re.finditer("\ufffd", text)]
    spots += [m.start() for m in MOJIBAKE.finditer(text)]
    return [text[max(0, s - 30):s + 30].replace("\n", " ") for s in sorted(spots)]


def main():
    tmp = tempfile.mkdtemp(prefix="listarc-test.")
    bad = 0
    try:
        srcs = sources(tmp)
        print("1..%d" % (len(srcs) + (0 if os.path.isdir(C) else 1)))
        data = os.path.join(tmp, "arc")
        env = dict(os.environ, LISTARC_SETTLE="0")
        for name, path in srcs:
            subprocess.run([RELEASE, "index", "--data", data, name, path], capture_output=True, env=env)
        rows = subprocess.run(
            ["sqlite3", os.path.join(data, "index.sqlite"),
             "SELECT l.name, m.day, m.num FROM messages m JOIN lists l ON l.id = m.list_id "
             "ORDER BY l.name, m.day, m.num"], capture_output=True, text=True).stdout.split()
        by_list = {}
        for r in rows:
            name, day, num = r.split("|")
            by_list.setdefault(name, []).append((int(day), int(num)))
        for name, _ in srcs:
            urls = ["/%s/%04d/%02d/%02d/%d" % (name, d // 10000, d // 100 % 100, d % 100, n)
                    for d, n in by_list.get(name, [])]
            urls += sorted({"/%s/%04d/%02d/" % (name, d // 10000, d // 100 % 100)
                            for d, _ in by_list.get(name, [])})
            failures = []
            for url, (rc, page) in zip(urls, get_all(data, urls, os.path.join(tmp, "pages-" + name))):
                spots = bad_spots(page) if rc == 0 else ["exit %d" % rc]
                if spots and url in KNOWN:
                    print("# %s: %s" % (url, KNOWN[url]))
                elif spots:
                    failures.append((url, spots))
            desc = "%s: %d pages without U+FFFD or mojibake" % (name, len(urls))
            if urls and not failures:
                print("ok - " + desc)
            else:
                bad += 1
                print("not ok - " + desc)
                for url, spots in failures[:20]:
                    print("#   %s: %s" % (url, " | ".join(repr(s) for s in spots[:3])))
        if not os.path.isdir(C):
            print("ok - # SKIP ../shared not present")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
