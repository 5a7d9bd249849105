#!/usr/bin/env python3
"""mkcorpus.py N OUT [SEED]: writes OUT, an mboxrd of N messages made from
the real mail in samples/ (seeds.mbox, lkml.mbox), for the tests that
need more mail than samples/ holds (crash, fault and search tests).

Each message takes the header fields and body of a sample message (real
senders, patches, charsets and MIME structures) and gets:
  - a new Message-ID, unique in the corpus;
  - a date: time goes forward by a random gap (a few minutes on average),
    and about one message in forty is a late delivery, dated up to three
    days before the one written just before it, as real mboxes have;
    the From_ line carries that date, the Date: field one a little earlier;
  - a thread: two in three messages reply to one of the recent messages
    (In-Reply-To, and References: the parent's References and the parent,
    at most 20), with "Re: " and the parent's subject; the others start
    a thread with their sample's own subject.
Lines of a body that start with "From " (after any '>') are quoted once
more (mboxrd).  The same N and SEED (0 if not given) give the same bytes.
"""
import hashlib
import os
import random
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = [os.path.join(ROOT, "samples", f) for f in ("seeds.mbox", "lkml.mbox")]

# Header fields a message gets anew; the sample's are dropped.
REPLACED = {b"message-id", b"date", b"in-reply-to", b"references", b"subject", b"received",
            b"x-original-message-id", b"thread-index", b"thread-topic"}
MAX_REFS = 20
START = 1420070400  # 2015-01-01 00:00:00 UTC


def read_samples():
    """The sample messages as (header fields, body): each field a list
    of its lines (continuations included), the body unquoted (mboxrd)."""
    msgs = []
    for path in SAMPLES:
        data = open(path, "rb").read()
        for part in re.split(rb"\n(?=From [^\n]*\n)", data):
            if not part.startswith(b"From "):
                continue
            lines = part.split(b"\n")[1:]
            fields, i = [], 0
            while i < len(lines) and lines[i] != b"":
                if lines[i][:1] in (b" ", b"\t") and fields:
                    fields[-1].append(lines[i])
                else:
                    fields.append([lines[i]])
                i += 1
            body = lines[i + 1:]
            while body and body[-1] == b"":
                body.pop()
            body = [re.sub(rb"^>(>*From )", rb"\1", l) for l in body]
            subject = b""
            for f in fields:
                if f[0].lower().startswith(b"subject:"):
                    subject = b" ".join(x.strip() for x in f)[len(b"subject:"):].strip()
            msgs.append((fields, body, subject))
    return msgs


def base_subject(s):
    """A subject without its reply prefixes."""
    while True:
        t = re.sub(rb"^(re|aw|sv|fwd?)\s*:\s*", b"", s, flags=re.I)
        if t == s:
            return s
        s = t


def sender(fields):
    """The address of a From: field, for the From_ line."""
    for f in fields:
        if f[0].lower().startswith(b"from:"):
            m = re.search(rb"[\w.+=-]+@[\w.-]+", b" ".join(f))
            if m:
                return m.group(0)
    return b"MAILER-DAEMON"


def quote(line):
    return b">" + line if re.match(rb"^>*From ", line) else line


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: mkcorpus.py N OUT [SEED]")
    n, out = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    rnd = random.Random(seed)
    samples = read_samples()
    # Smaller messages are drawn more often: a corpus of mostly ordinary
    # mail with the big patches now and then, about 4 KB a message.
    weights = [1.0 / max(1, len(b"\n".join(b))) ** 0.5 for _, b, _ in samples]
    tag = hashlib.sha1(b"%d/%d" % (seed, n)).hexdigest()[:8].encode()
    made = []  # (message-id, references, subject) of each message written
    t = START + rnd.randrange(86400 * 365)
    with open(out, "wb") as f:
        for i in range(n):
            fields, body, subject = rnd.choices(samples, weights)[0]
            t += int(rnd.expovariate(1 / 300.0)) + 1
            when = t
            if i and rnd.random() < 1 / 40:
                when = t - rnd.randrange(60, 3 * 86400)
            mid = b"mkc.%s.%d.%d@listarc.example" % (tag, i, rnd.randrange(10 ** 6))
            head = [b"Message-ID: <" + mid + b">"]
            refs = []
            if made and rnd.random() < 2 / 3:
                # A recent message, the most recent likelier.
                k = len(made) - 1 - min(len(made) - 1, int(rnd.expovariate(1 / 40.0)))
                pmid, prefs, psubj = made[k]
                refs = (prefs + [pmid])[-MAX_REFS:]
                subject = b"Re: " + base_subject(psubj)
                head.append(b"In-Reply-To: <" + pmid + b">")
                head.append(b"References: " + b"\n ".join(b"<" + r + b">" for r in refs))
            else:
                subject = base_subject(subject) or b"(no subject)"
            head.append(b"Subject: " + subject)
            zone = rnd.choice([0, 0, 60, 120, -300, -420, 330, 540])
            sent = when - rnd.randrange(1, 600) + zone * 60
            head.append(time.strftime("Date: %a, %d %b %Y %H:%M:%S ", time.gmtime(sent)).encode() +
                        b"%+03d%02d" % (int(zone / 60), abs(zone) % 60))
            for fl in fields:
                name = fl[0].split(b":", 1)[0].strip().lower()
                if name not in REPLACED:
                    head.extend(fl)
            made.append((mid, refs, subject))
            f.write(b"From " + sender(fields) + b" " +
                    time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(when)).encode() + b"\n")
            f.write(b"\n".join(head) + b"\n\n")
            if body:
                f.write(b"\n".join(quote(l) for l in body) + b"\n")
            f.write(b"\n")


if __name__ == "__main__":
    main()
