#!/usr/bin/env python3
"""spider.py LISTARC DATA OUT [START...]: every page of an archive that
links reach from START (default /), fetched through `listarc get --batch`
(one process a round, a round a level of links): OUT/N is the body of
the N-th path of OUT.paths (sorted), OUT.txt has the lines "N STATUS
EXIT PATH".  Links followed:
href="/..." (local paths, &amp; undone), up to 20 levels and 20000 paths.
Exits non-zero if a `get --batch` failed."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HREF = re.compile(rb'href="(/[^"/][^"]*|/)"')


def fetch(listarc, data, out, paths):
    """Fetches paths into out/; a dict path -> (status, exit, body file)."""
    if os.path.isdir(out):
        shutil.rmtree(out)
    with open(out + ".txt", "wb") as log, open(out + ".err", "wb") as err:
        rc = subprocess.run([listarc, "get", "--data", data, "--batch", out],
                            input="".join(p + "\n" for p in paths).encode(), stdout=log,
                            stderr=err).returncode
    if rc != 0:
        sys.exit("%s: listarc get --batch exited %d" % (out, rc))
    got = {}
    for line in open(out + ".txt", encoding="utf-8"):
        n, status, code, path = line.rstrip("\n").split(" ", 3)
        got[path] = (status, code, os.path.join(out, n))
    return got


def main():
    listarc, data, out = sys.argv[1:4]
    seen = set(sys.argv[4:] or ["/"])
    todo = sorted(seen)
    tmp = tempfile.mkdtemp(dir=os.path.dirname(os.path.abspath(out)) or ".")
    fetched = {}
    for level in range(20):
        if not todo:
            break
        got = fetch(listarc, data, os.path.join(tmp, "r%d" % level), todo)
        fetched.update(got)
        new = set()
        for path, (status, _code, body) in got.items():
            if status != "200":
                continue
            with open(body, "rb") as f:
                text = f.read()
            for m in HREF.finditer(text):
                p = m.group(1).replace(b"&amp;", b"&").split(b"#")[0]
                try:
                    p = p.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if p and p not in seen and len(seen) + len(new) < 20000:
                    new.add(p)
        seen |= new
        todo = sorted(new)
    paths = sorted(p for p in seen if p in fetched)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.mkdir(out)
    with open(out + ".paths", "w", encoding="utf-8") as f:
        f.write("".join(p + "\n" for p in paths))
    with open(out + ".txt", "w", encoding="utf-8") as f:
        for n, p in enumerate(paths, 1):
            status, code, body = fetched[p]
            os.rename(body, os.path.join(out, str(n)))
            f.write("%d %s %s %s\n" % (n, status, code, p))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
