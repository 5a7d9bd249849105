#!/usr/bin/env python3
"""mkseries.py REPO OUT.mbox: a patch series in three versions made with
git format-patch from the small repository REPO (which t3300 makes), with
review replies, written as one mbox in delivery order.

v1 (0/3, 1/3 A, 2/3 B, 3/3 C): threaded to its cover letter, b4's
  change-id: under the cover letter's "---".
v2 (0/3, 1/3 A, 2/3 C, 3/3 D): B dropped, C moved up (unchanged), D added;
  the same change-id; threaded.
v3 (0/3, 1/3 A, 3/3 D'): no change-id, unthreaded (no In-Reply-To), and
  its 2/3 never sent.
Replies: Reviewed-by to v1 1/3, Acked-by to v1 2/3 (a reply to a reply),
Tested-by to the v2 cover letter, Reported-by to v2 3/3, and a reply to
v3 1/3 without trailers.  Message-IDs are <vN-M@series.test>."""
import email.utils, os, subprocess, sys, time

repo, out = sys.argv[1], sys.argv[2]
CHANGE_ID = "20261201-widgets-0a1b2c3d4e5f"
AUTHOR = "Pat Sender <pat@example.org>"
t0 = 1764590400  # 2025-12-01 12:00 UTC


def fmt(rev_range, version, outdir, cover=True):
    args = ["git", "-C", repo, "format-patch", "-q", "-o", outdir, "--no-thread",
            "--subject-prefix", "PATCH" if version == 1 else "PATCH v%d" % version]
    if cover:
        args.append("--cover-letter")
    args += rev_range
    subprocess.run(args, check=True)
    return sorted(os.path.join(outdir, f) for f in os.listdir(outdir))


def header_body(path):
    text = open(path, encoding="utf-8").read()
    text = text.split("\n", 1)[1]  # git's "From <sha> Mon Sep 17 ..." line
    head, body = text.split("\n\n", 1)
    lines = [l for l in head.split("\n") if not l.startswith(("Date:", "Message-Id:", "From:"))]
    return "\n".join(lines), body


msgs = []  # (ts, text)


def add(ts, mid, head, body, parent=None, sender=AUTHOR):
    h = "From: %s\nDate: %s\nMessage-ID: <%s>\n" % (sender, email.utils.formatdate(ts), mid)
    if parent:
        h += "In-Reply-To: <%s>\nReferences: <%s>\n" % (parent, parent)
    msgs.append((ts, h + head + "\n\n" + body))


def series(version, files, ts, threaded, change_id, skip=()):
    cover_mid = "v%d-0@series.test" % version
    for k, f in enumerate(files):
        if k in skip:
            continue
        head, body = header_body(f)
        if k == 0:
            head = head.replace("*** SUBJECT HERE ***", "widgets: make them spin")
            body = body.replace("*** BLURB HERE ***", "This series makes widgets spin.")
            if change_id:
                body = body.rstrip("\n") + "\n\n---\nbase-commit: 0000\nchange-id: %s\n" % change_id
        add(ts + k, "v%d-%d@series.test" % (version, k), head, body,
            parent=cover_mid if threaded and k else None)


def reply(ts, mid, parent, subject, text, sender):
    add(ts, mid, "Subject: Re: %s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8"
        % subject, "On a day, Pat Sender wrote:\n> a line of the patch\n\n" + text + "\n",
        parent=parent, sender=sender)


def git(*a):
    return subprocess.run(["git", "-C", repo] + list(a), check=True, capture_output=True,
                          text=True).stdout.strip()


tmp = out + ".d"
os.makedirs(tmp, exist_ok=True)
# The repository's history: base, A, B, C on branch v1; v2 = A, C, D on
# branch v2 (C the same change); v3 = A, C, D' on branch v3.
v1 = fmt(["base..v1"], 1, os.path.join(tmp, "v1"))
v2 = fmt(["base..v2"], 2, os.path.join(tmp, "v2"))
v3 = fmt(["base..v3"], 3, os.path.join(tmp, "v3"))
series(1, v1, t0, True, CHANGE_ID)
reply(t0 + 3600, "r1@series.test", "v1-1@series.test", "[PATCH 1/3] widgets: add A",
      "Looks right.\n\nReviewed-by: Ann Reviewer <ann@example.org>", "Ann Reviewer <ann@example.org>")
reply(t0 + 3700, "r2@series.test", "v1-2@series.test", "[PATCH 2/3] widgets: add B",
      "A question first.", "Bob Acker <bob@example.org>")
reply(t0 + 3800, "r3@series.test", "r2@series.test", "[PATCH 2/3] widgets: add B",
      "Answered, thanks.\nAcked-by: Bob Acker <bob@example.org>", "Bob Acker <bob@example.org>")
series(2, v2, t0 + 86400 * 3, True, CHANGE_ID)
reply(t0 + 86400 * 3 + 3600, "r4@series.test", "v2-0@series.test",
      "[PATCH v2 0/3] widgets: make them spin",
      "Ran it on two boards.\n\nTested-by: Tess Tester <tess@example.org>",
      "Tess Tester <tess@example.org>")
reply(t0 + 86400 * 3 + 3700, "r5@series.test", "v2-3@series.test", "[PATCH v2 3/3] widgets: add D",
      "This fixes what I saw.\nReported-by: Rita Reporter <rita@example.org>",
      "Rita Reporter <rita@example.org>")
series(3, v3, t0 + 86400 * 7, False, None, skip=(2,))
reply(t0 + 86400 * 7 + 3600, "r6@series.test", "v3-1@series.test", "[PATCH v3 1/3] widgets: add A",
      "No trailer here.", "Ann Reviewer <ann@example.org>")
with open(out, "w", encoding="utf-8") as f:
    for ts, text in sorted(msgs, key=lambda m: m[0]):
        f.write("From pat@example.org %s\n" % time.strftime("%a %b %e %H:%M:%S %Y",
                                                             time.gmtime(ts)))
        for line in text.split("\n"):
            if line.lstrip(">").startswith("From "):
                line = ">" + line
            f.write(line + "\n")
        f.write("\n")
