#!/usr/bin/env python3
"""amcompare.py A.mbox B.mbox [IGNORE...]: the patches of two am-ready
mboxes (listarc's s/mbox, b4 am's .mbx) side by side: per patch, its
subject, the trailers of its commit message (the last paragraph before
"---", lines "Key: value" with keys in IGNORE left out) and its text from
"---" on.  Prints the differences and exits 1 if there are any."""
import mailbox, re, sys

TRAILER = re.compile(r"^[A-Za-z0-9-]+: ")


def patches(path, ignore):
    out = []
    for m in mailbox.mbox(path):
        body = m.get_payload(decode=True).decode("utf-8", "replace")
        msg, _, rest = body.partition("\n---\n")
        paras = msg.rstrip("\n").split("\n\n")
        trailers = [l for l in paras[-1].split("\n") if TRAILER.match(l)
                    and l.split(":", 1)[0] not in ignore]
        text = re.sub(r"\n+$", "\n", rest)
        out.append((str(m["Subject"]), trailers, text))
    return out


a, b = patches(sys.argv[1], sys.argv[3:]), patches(sys.argv[2], sys.argv[3:])
bad = 0
if len(a) != len(b):
    print("# %d patches against %d" % (len(a), len(b)))
    bad = 1
for x, y in zip(a, b):
    for what, i in (("subject", 0), ("trailers", 1), ("patch", 2)):
        if x[i] != y[i]:
            print("# %s: %s differs:\n#   %r\n#   %r" % (x[0], what, x[i], y[i]))
            bad = 1
print("# %d patches, %d trailers" % (len(a), sum(len(x[1]) for x in a)))
sys.exit(bad)
