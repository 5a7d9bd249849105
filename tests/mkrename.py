#!/usr/bin/env python3
"""mkrename.py OUT.mbox: a 4-patch series in two versions (t3321), the
diffs written by hand, for the changes page s/v1..v2/.

v1: 1/4 "net: add helper" (helper.c: a new function; main.c: one call),
    2/4 "net: use it in rx" (rx.c), 3/4 "net: remove old api" (old.c),
    4/4 "net: document rx" (rx.txt).
v2: 1/4 "net: add rx helper": renamed AND changed (one line of helper.c
    changed, a new file helper.h; main.c the same), 2/4 the same patch,
    3/4 "net: count packets" (stats.c, new: nothing like old api),
    4/4 "net: document rx" changed (one line).
So v1..v2: 1/4 changed (renamed), 2/4 unchanged, 3/4 added, 3/4 of v1
dropped, 4/4 changed.  Message-IDs are <rN-M@rename.test>."""
import email.utils, sys

AUTHOR = "Pat Sender <pat@example.org>"
T0 = 1764590400


def body_lines(n, tag):
    return ["+\tint %s%d = %d;" % (tag, i, i) for i in range(n)]


def helper_c(v):
    lines = ["+/* helper.c: the rx helper. */", "+#include \"helper.h\"", "+",
             "+int rx_helper(int x)", "+{"] + body_lines(14, "v")
    lines += ["+\treturn x + v3;" if v == 1 else "+\treturn x + v3 + v4;", "+}"]
    return ["diff --git a/helper.c b/helper.c", "new file mode 100644",
            "index 0000000..1111111", "--- /dev/null", "+++ b/helper.c",
            "@@ -0,0 +1,%d @@" % len(lines)] + lines


def main_c():
    return ["diff --git a/main.c b/main.c", "index 2222222..3333333 100644",
            "--- a/main.c", "+++ b/main.c", "@@ -10,6 +10,7 @@ int main(void)",
            " \tint a = 1;", " \tint b = 2;", " \tint c = 3;", "+\ta = rx_helper(a);",
            " \treturn a + b + c;", " }", " "]


def helper_h():
    return ["diff --git a/helper.h b/helper.h", "new file mode 100644",
            "index 0000000..4444444", "--- /dev/null", "+++ b/helper.h",
            "@@ -0,0 +1 @@", "+int rx_helper(int x);"]


def newfile(name, lines, idx):
    return ["diff --git a/%s b/%s" % (name, name), "new file mode 100644",
            "index 0000000..%s" % idx, "--- /dev/null", "+++ b/%s" % name,
            "@@ -0,0 +1,%d @@" % len(lines)] + ["+" + l for l in lines]


def rx_txt(v):
    return newfile("rx.txt", ["The rx path", "===========", "",
                              "Packets arrive here." if v == 1 else "Packets arrive here, counted.",
                              "They leave there."], "5555555")


PATCHES = {
    1: [("net: add helper", "Add a helper for rx.", helper_c(1) + main_c()),
        ("net: use it in rx", "Use the helper.",
         newfile("rx.c", ["int rx(int x)", "{", "\treturn rx_helper(x);", "}"], "6666666")),
        ("net: remove old api", "Nobody calls it.",
         ["diff --git a/old.c b/old.c", "deleted file mode 100644", "index 7777777..0000000",
          "--- a/old.c", "+++ /dev/null", "@@ -1,3 +0,0 @@", "-int old(void)", "-{",
          "-}"]),
        ("net: document rx", "Say what rx does.", rx_txt(1))],
    2: [("net: add rx helper", "Add a helper for rx, and its header.",
         helper_c(2) + main_c() + helper_h()),
        ("net: use it in rx", "Use the helper.",
         newfile("rx.c", ["int rx(int x)", "{", "\treturn rx_helper(x);", "}"], "6666666")),
        ("net: count packets", "Counters for the rx path.",
         newfile("stats.c", ["static unsigned long rx_packets, rx_bytes;",
                             "void stats_add(unsigned long n)", "{", "\trx_packets++;",
                             "\trx_bytes += n;", "}"], "8888888")),
        ("net: document rx", "Say what rx does.", rx_txt(2))],
}

out = open(sys.argv[1], "w")
for v in (1, 2):
    prefix = "PATCH" if v == 1 else "PATCH v2"
    ts = T0 + (v - 1) * 86400 * 3
    msgs = [(0, "[%s 0/4] net: rx rework" % prefix, "This reworks rx.\n")]
    for k, (subj, msg, diff) in enumerate(PATCHES[v], 1):
        msgs.append((k, "[%s %d/4] %s" % (prefix, k, subj),
                     "%s\n\nSigned-off-by: %s\n---\n%s\n-- \n2.47.0\n" % (msg, AUTHOR, "\n".join(diff))))
    for k, subj, body in msgs:
        out.write("From pat@example.org Mon Dec  1 12:00:00 2025\n")
        out.write("From: %s\nDate: %s\nMessage-ID: <r%d-%d@rename.test>\n" %
                  (AUTHOR, email.utils.formatdate(ts + k), v, k))
        if k:
            out.write("In-Reply-To: <r%d-0@rename.test>\nReferences: <r%d-0@rename.test>\n" % (v, v))
        out.write("Subject: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n%s\n"
                  % (subj, body))
