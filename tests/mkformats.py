#!/usr/bin/env python3
"""mkformats.py OUTDIR: real messages written in the formats real archives
come in, for tests/t1200-fidelity.sh.

The messages are always those of the repository's samples/seeds.mbox and
samples/lkml.mbox; when ../shared/corpora is beside the checkout (or
$SHARED/corpora) also notmuch.mbox, peers/*.mbox and the one-message files
of edge/.  Each is taken as its mbox holds it: the bytes between From_
lines with one level of mboxrd quoting undone, so that a body line that
was ">From ..." is "From ..." again, as the sender wrote it.

Each format is written as its writer writes it (what each writer does is
said at its function below).  All the messages go into the formats that
rewrite messages or could split their bodies (mboxrd, lore, pipermail,
mboxcl2, MMDF); the samples with notmuch.mbox and edge/ into the
pipermail variants, MH and the maildirs; the samples alone into the
compressed files and lei's results (the test's time is the reason).

  mboxrd/          the messages as one mboxrd file, with their own From_ lines
  lore/            public-inbox's (lore.kernel.org, b4) export:
                   "From mboxrd@z Thu Jan  1 00:00:00 1970" placeholders
  lei/             lei's results ("From <blob id>@mboxrd Thu Jan  1
                   00:00:00 1970", Status: O)
  pipermail/       Mailman 2's pipermail .txt month files, server in
                   America/Los_Angeles, English ("jane at example.org")
  pipermail-es/    the same in Spanish (" en " for "@"), server in
                   Europe/Madrid, bodies in the language's iso-8859-1
  pipermail-scrambled/  senders scrambled further, as some sites do
                   ("jane@@@ex@mple @ending from ex@mple@com"), Asia/Tokyo
  pipermail-gz/    the busiest month file of pipermail/, gzipped (.txt.gz)
  format-patch/    `git format-patch --stdout` of three commits of this
                   repository ("From <sha> Mon Sep 17 00:00:00 2001")
  gz/ xz/ bz2/ zst/  seeds.mbox and lkml.mbox as one mboxrd, compressed
                   with Python's gzip, lzma and bz2 modules and Debian's
                   zstd (only if the command is installed); the bz2 file
                   has no telling suffix, so only its magic bytes say bz2
  mboxcl2/         Content-Length: after the headers, body lines starting
                   with "From " left unquoted (SVR4/Solaris mail)
  mmdf/            ^A^A^A^A separators around each message, which keeps
                   its From_ line (as mutt and Python's mailbox write MMDF)
  mh/              numbered files 1, 2, 4, ... (a gap where 3 was removed),
                   .mh_sequences, and a ",3" file: nmh's backup of the
                   removed message, which is not a message of the folder
  maildir/         cur/ (with :2,S info) and new/, empty tmp/
  maildirpp/       Maildir++: the messages spread over the top maildir and
                   the subfolders .Lists and .Lists.Old (with their
                   maildirfolder files), plus Dovecot's subscriptions and
                   dovecot-uidlist files

OUTDIR/MANIFEST.json lists the mailboxes: list name, format, the paths to
index (in order), how many messages were written, and the reader a check
should use.  The same inputs give the same bytes (no clock, no random,
gzip headers without time or name)."""
import bz2
import datetime
import email
import email.policy
import email.utils
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import time
import zoneinfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
CORPORA = os.path.join(SHARED, "corpora")

ASCTIME_RE = re.compile(rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                        rb" +(\d{1,2}) +(\d{1,2}):(\d\d):(\d\d) +(\d{4})\s*$")
FIELD_RE = re.compile(rb"^[!-9;-~]+[ \t]*:")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


# ---------------------------------------------------------------- sources

class Msg:
    """One source message: where it came from, its From_ line (None for
    edge/ files) and its bytes."""

    def __init__(self, label, fromline, data):
        self.label = label
        self.fromline = fromline
        self.data = data


def split_mbox(data):
    """(From_ line, message bytes) for each message of an mbox: split at
    every line starting with "From " (these files are mboxrd-quoted), the
    blank line before the next From_ line dropped, one level of quoting
    undone."""
    out = []
    starts = [m.start() for m in re.finditer(rb"^From ", data, re.M)]
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(data)
        chunk = data[s:e]
        nl = chunk.find(b"\n")
        fromline, body = chunk[:nl], chunk[nl + 1:]
        if body.endswith(b"\n\n"):
            body = body[:-1]
        body = re.sub(rb"^>(>*From )", rb"\1", body, flags=re.M)
        out.append((fromline, body))
    return out


def fromline_time(fromline):
    """The From_ line's asctime date as seconds (read as UTC), or None."""
    m = ASCTIME_RE.search(fromline)
    if not m:
        return None
    s = b" ".join(m.group(i) for i in (1, 2, 3)) + b" %s:%s:%s %s" % m.group(4, 5, 6, 7)
    try:
        t = time.strptime(s.decode(), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    return int(datetime.datetime(*t[:6], tzinfo=datetime.timezone.utc).timestamp())


def asctime(ts, tz=datetime.timezone.utc):
    """ctime() of ts in a zone: 'Tue Jan  3 20:23:02 2006'."""
    d = datetime.datetime.fromtimestamp(ts, tz)
    return "%s %s %2d %02d:%02d:%02d %d" % (
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d.weekday()],
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.month - 1],
        d.day, d.hour, d.minute, d.second, d.year)


def load_pool():
    """Every source message, in a fixed order."""
    pool = []
    files = [("seeds", os.path.join(ROOT, "samples", "seeds.mbox")),
             ("lkml", os.path.join(ROOT, "samples", "lkml.mbox"))]
    shared = os.path.isdir(CORPORA)
    if shared:
        files.append(("notmuch", os.path.join(CORPORA, "notmuch.mbox")))
        peers = os.path.join(CORPORA, "peers")
        for f in sorted(os.listdir(peers)):
            if f.startswith("peer-") and f.endswith(".mbox"):
                files.append((f[:-5], os.path.join(peers, f)))
    for name, path in files:
        with open(path, "rb") as f:
            for i, (fl, data) in enumerate(split_mbox(f.read()), 1):
                pool.append(Msg("%s#%d" % (name, i), fl, data))
    if shared:
        edge = os.path.join(CORPORA, "edge")
        for f in sorted(os.listdir(edge)):
            with open(os.path.join(edge, f), "rb") as fh:
                data = fh.read()
            if data.startswith(b"From ") and b"\n" in data:
                # A file saved with its From_ line (one is a lore /raw
                # download): writers take it as the envelope line, as
                # Python's mailbox does.
                fl, data = data.split(b"\n", 1)
            else:
                # A delivery stamp from the message's own Date: (UTC), as
                # an MTA would have written it; a fixed one without one.
                ts = header_time(data, b"date") or 1577836800
                fl = b"From edge@corpora.invalid " + asctime(ts).encode()
            pool.append(Msg("edge/" + f, fl, data))
    return pool, shared


# ----------------------------------------------------------- header bytes

def split_head(data):
    """(header lines, body): the header block ends at the first empty line
    or at the first line that is neither a field nor a continuation
    (docs/LENIENCY.md).  Header lines keep their line ends; body is None
    when the message has no empty line after its header block."""
    lines = data.splitlines(keepends=True)
    head = []
    for i, line in enumerate(lines):
        if line in (b"\n", b"\r\n"):
            return head, b"".join(lines[i + 1:])
        if line[:1] in (b" ", b"\t") and head:
            head.append(line)
            continue
        if FIELD_RE.match(line):
            head.append(line)
            continue
        if i == 0 and line.startswith(b"From "):
            head.append(line)
            continue
        return head, b"".join(lines[i:])
    return head, None


def fields(head):
    """[(name lowercased, raw value bytes with folding)] of header lines."""
    out = []
    for line in head:
        if line[:1] in (b" ", b"\t") and out:
            out[-1][1] += line
            continue
        m = FIELD_RE.match(line)
        if not m:
            continue
        name = line[:line.index(b":")].strip().lower()
        out.append([name, line[m.end():]])
    return [(n, v.strip(b" \t").rstrip(b"\r\n")) for n, v in out]


def drop_fields(head, names):
    """The header lines without the fields named (and their continuations)."""
    out = []
    dropping = False
    for line in head:
        if line[:1] in (b" ", b"\t") and out is not None:
            if not dropping:
                out.append(line)
            continue
        m = FIELD_RE.match(line)
        dropping = bool(m) and line[:line.index(b":")].strip().lower() in names
        if not dropping:
            out.append(line)
    return out


def header_value(data, name):
    """The last value of a field, raw bytes, or None."""
    head, _ = split_head(data)
    v = [val for n, val in fields(head) if n == name]
    return v[-1] if v else None


def header_time(data, name):
    v = header_value(data, name)
    if v is None:
        return None
    try:
        t = email.utils.parsedate_tz(v.decode("latin-1"))
        if t is None:
            return None
        if t[9] is None:
            t = t[:9] + (0,)
        return int(email.utils.mktime_tz(t))
    except (ValueError, OverflowError, TypeError):
        return None


def ensure_nl(b):
    return b if b.endswith(b"\n") else b + b"\n"


def mboxrd_quote(b):
    return re.sub(rb"^(>*From )", rb">\1", b, flags=re.M)


# ----------------------------------------------------------------- writers

def write_mboxrd(path, msgs):
    """Each message after its From_ line, body lines matching ^>*From
    quoted with one more '>', ended by a newline and one blank line."""
    with open(path, "wb") as f:
        for m in msgs:
            f.write(m.fromline + b"\n" + ensure_nl(mboxrd_quote(m.data)) + b"\n")
    return len(msgs)


def write_lore(path, msgs):
    """public-inbox's PublicInbox::Mbox (msg_hdr, msg_body), as lore's
    t.mbox.gz, /raw and b4 give it: Lines, Bytes, Content-Length and
    Status dropped, "From mboxrd@z Thu Jan  1 00:00:00 1970", the header
    block, an empty line, the body mboxrd-quoted, then one "\\n" (so a body
    without a final newline is followed at once by the next From_ line)."""
    with open(path, "wb") as f:
        for m in msgs:
            head, body = split_head(m.data)
            head = drop_fields(head, {b"lines", b"bytes", b"content-length", b"status"})
            if head and head[0].startswith(b"From ") and not FIELD_RE.match(head[0]):
                head = head[1:]
            f.write(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + b"".join(head) + b"\n")
            f.write(mboxrd_quote(body) + b"\n" if body is not None else b"\n")
    return len(msgs)


def write_lei(path, msgs):
    """lei's mboxrd (`lei q -o mboxrd:PATH`, PublicInbox::LeiToMail
    eml2mboxrd): Lines, Bytes and Content-Length dropped, "Status: O"
    set, "From <git blob id>@mboxrd Thu Jan  1 00:00:00 1970", the body
    mboxrd-quoted, then one "\n"."""
    with open(path, "wb") as f:
        for m in msgs:
            blob = hashlib.sha1(b"blob %d\0" % len(m.data) + m.data).hexdigest()
            head, body = split_head(m.data)
            head = drop_fields(head, {b"lines", b"bytes", b"content-length", b"status"})
            f.write(b"From %s@mboxrd Thu Jan  1 00:00:00 1970\n" % blob.encode())
            f.write(b"".join(ensure_nl(h) for h in head) + b"Status: O\n\n")
            f.write(mboxrd_quote(body) + b"\n" if body is not None else b"\n")
    return len(msgs)


def write_mboxcl2(path, msgs):
    """SVR4/Solaris mail's mboxcl2: the From_ line, the header block (any
    Content-Length or Lines of its own dropped) with Content-Length: N
    last, an empty line, the N body bytes unquoted, a newline."""
    with open(path, "wb") as f:
        for m in msgs:
            head, body = split_head(m.data)
            head = drop_fields(head, {b"content-length", b"lines"})
            body = body or b""
            f.write(m.fromline + b"\n" + b"".join(ensure_nl(h) for h in head))
            f.write(b"Content-Length: %d\n\n" % len(body) + body + b"\n")
    return len(msgs)


def write_mmdf(path, msgs):
    """MMDF as mutt and Python's mailbox.MMDF write it: ^A^A^A^A, the From_
    line, the message unquoted, ^A^A^A^A."""
    with open(path, "wb") as f:
        for m in msgs:
            f.write(b"\x01\x01\x01\x01\n" + m.fromline + b"\n" + ensure_nl(m.data) + b"\x01\x01\x01\x01\n")
    return len(msgs)


def delivery_time(m):
    return fromline_time(m.fromline) or 1577836800


def write_mh(path, msgs):
    """An MH folder as nmh leaves it: one file per message named by its
    number, a gap at 3 (removed with rmm, which renamed it ",3"), the
    sequences file; files dated by their delivery time."""
    os.makedirs(path)
    nums = []
    n = 0
    for m in msgs:
        n += 1
        if n == 3:
            with open(os.path.join(path, ",3"), "wb") as f:
                f.write(m.data)
            os.utime(os.path.join(path, ",3"), (delivery_time(m),) * 2)
            n += 1
        with open(os.path.join(path, str(n)), "wb") as f:
            f.write(m.data)
        os.utime(os.path.join(path, str(n)), (delivery_time(m),) * 2)
        nums.append(n)
    # The last few not yet read, as inc leaves them.
    with open(os.path.join(path, ".mh_sequences"), "w") as f:
        f.write("unseen: %d-%d\n" % (nums[max(0, len(nums) - 5)], nums[-1]))
    return len(msgs)


def maildir_put(path, i, m, host="fidelity.example"):
    """One message into a maildir: every fifth into new/ (not yet seen by
    a reader), the rest into cur/ as seen (":2,S"); named as delivery
    agents name them (time.MusecPpid.host), from its delivery time."""
    ts = delivery_time(m)
    base = "%d.M%dP%d.%s" % (ts, 100000 + i, 4000 + i, host)
    where = os.path.join(path, "new", base) if i % 5 == 4 else os.path.join(path, "cur", base + ":2,S")
    with open(where, "wb") as f:
        f.write(m.data)
    os.utime(where, (ts, ts))


def make_maildir(path):
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, d))


def write_maildir(path, msgs):
    make_maildir(path)
    for i, m in enumerate(msgs):
        maildir_put(path, i, m)
    return len(msgs)


def write_maildirpp(path, msgs):
    """Maildir++ (Courier, Dovecot): the top maildir is INBOX, subfolders
    are .NAME maildirs beside cur/ with a maildirfolder file."""
    make_maildir(path)
    folders = [path, os.path.join(path, ".Lists"), os.path.join(path, ".Lists.Old")]
    for d in folders[1:]:
        make_maildir(d)
        open(os.path.join(d, "maildirfolder"), "w").close()
    with open(os.path.join(path, "subscriptions"), "w") as f:
        f.write("Lists\nLists.Old\n")
    with open(os.path.join(path, "dovecot-uidlist"), "w") as f:
        f.write("3 V1700000000 N%d G0123456789abcdef\n" % (len(msgs) + 1))
    for i, m in enumerate(msgs):
        maildir_put(folders[i % 3], i, m)
    return len(msgs)


def write_compressed(path, msgs, how):
    raw = io.BytesIO()
    for m in msgs:
        raw.write(m.fromline + b"\n" + ensure_nl(mboxrd_quote(m.data)) + b"\n")
    data = raw.getvalue()
    if how == "gz":
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as g:
            g.write(data)
        comp = out.getvalue()
    elif how == "xz":
        # Preset 1 rather than xz's default 6: the same format, a fifth of
        # the time.
        comp = lzma.compress(data, format=lzma.FORMAT_XZ, preset=1)
    elif how == "bz2":
        comp = bz2.compress(data)
    else:
        comp = subprocess.run(["zstd", "-q", "-c", "-"], input=data, capture_output=True,
                              check=True).stdout
    with open(path, "wb") as f:
        f.write(comp)
    return len(msgs)


# ---------------------------------------------------------------- pipermail

# Mailman 2.1's HyperArch.Article: a leading "Re:" is cut from the subject.
RE_PAT = re.compile(r"\s*RE\s*(\[\d+\]\s*)?:\s*", re.I)
NEXT_PART = "-------------- next part --------------\n"


def strip_separators(s):
    """pipermail.strip_separators: one pair of quotes, <>, () or [] off."""
    if s and s[0] in "\"<([" and s[-1] in "\">)]":
        s = s[1:-1]
    return s


def decode_text(payload, charset):
    try:
        return payload.decode(charset or "us-ascii", "replace")
    except LookupError:
        return payload.decode("us-ascii", "replace")


def scrub(msg, url_base):
    """Mailman 2.1's Scrubber, as the archive copy goes through it: the
    message becomes one text part, text/plain parts in order with
    "-------------- next part --------------" between them, HTML and other
    parts replaced by a note with a URL ("parts glued")."""
    out = []
    k = 0
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            payload = b""
        k += 1
        url = "%s/attachment-%04d" % (url_base, k)
        if ctype == "text/plain" and part.get_filename() is None:
            out.append(decode_text(payload, part.get_content_charset()))
        elif ctype == "text/html":
            out.append("An HTML attachment was scrubbed...\nURL: <%s.html>\n" % url)
        else:
            name = part.get_filename() or "not available"
            desc = part.get("content-description", "not available")
            out.append("A non-text attachment was scrubbed...\nName: %s\nType: %s\nSize: %d bytes\n"
                       "Desc: %s\nURL: <%s.bin>\n" % (name, ctype, len(payload), desc, url))
    text = ""
    for i, t in enumerate(out):
        if i:
            text += NEXT_PART
        text += t if t.endswith("\n") or not t else t + "\n"
    return text


URL_MARK = "\x00URL\x00"
SCRUBBED = {}


def scrubbed(m, listname):
    """scrub() of a message, once for the three pipermail variants, with
    URL_MARK where the attachment URL goes."""
    if id(m) not in SCRUBBED:
        SCRUBBED[id(m)] = scrub(email.message_from_bytes(m.data, policy=email.policy.compat32), URL_MARK)
    return SCRUBBED[id(m)]


def pipermail_articles(msgs, tz, at, scramble, charset, listname):
    """Each message as HyperArch.Article.as_text gives it, with the month
    (pipermail's YYYY-Month volume, in the server's local time) it goes
    into.  Only From, Date, Subject, In-Reply-To, References and Message-ID
    are kept; the From_ line is "From <obscured address>  <ctime in local
    time>"; the From: header is "<obscured address> (<name>)", the name
    being the address when there is none."""
    last = None
    for m in msgs:
        # Mailman reads message[name]: the first copy of a field.
        raw = {}
        for name, value in fields(split_head(m.data)[0]):
            raw.setdefault(name, value)

        def get(name):
            v = raw.get(name.encode())
            return v.decode("latin-1") if v is not None else None
        # Article._set_date: Date:, else X-List-Received-Date:, else one
        # second after the previous article.
        date = None
        for h in ("date", "x-list-received-date"):
            v = get(h)
            if v is not None:
                t = email.utils.parsedate_tz(v)
                if t is not None:
                    try:
                        date = int(email.utils.mktime_tz(t if t[9] is not None else t[:9] + (0,)))
                    except (OverflowError, ValueError):
                        date = None
                if date is not None:
                    break
        if date is None:
            date = (last if last is not None else delivery_time(m)) + 1
        last = date
        datestr = get("date") or get("x-list-received-date") or email.utils.formatdate(date)
        subject = get("subject") or "No subject"
        mt = RE_PAT.match(subject)
        while mt:
            subject = subject[mt.end():]
            mt = RE_PAT.match(subject)
        author, addr = email.utils.parseaddr(get("from") or "")
        author, addr = strip_separators(author), strip_separators(addr)
        if author == "":
            author = addr
        if author == addr:
            author = addr = scramble(addr, at)
        else:
            addr = scramble(addr, at)
        if not addr.strip():
            addr = "bogus@does.not.exist.com"
        local = datetime.datetime.fromtimestamp(date, tz)
        url = "http://lists.example.org/pipermail/%s/attachments/%04d%02d%02d/%s" % (
            listname, local.year, local.month, local.day,
            hashlib.sha1(m.data).hexdigest()[:8])
        try:
            body = scrubbed(m, listname).replace(URL_MARK, url)
        except Exception:
            body = decode_text(split_head(m.data)[1] or b"", "us-ascii")
        lines = ["From %s  %s" % (addr, asctime(date, tz)),
                 "From: %s (%s)" % (addr, author),
                 "Date: %s" % datestr,
                 "Subject: %s" % subject]
        for h, name in (("in-reply-to", "In-Reply-To"), ("references", "References"),
                        ("message-id", "Message-ID")):
            v = get(h)
            if v:
                lines.append("%s: %s" % (name, v))
        # Article.as_text: addresses in the body obscured, the body in the
        # list language's charset ('replace': what it lacks becomes '?').
        body = re.sub(r"([-+,.\w]+)@([-+.\w]+)", r"\1" + at + r"\2", body)
        text = "\n".join(lines).encode("latin-1") + b"\n\n" + body.encode(charset, "replace") + b"\n"
        yield "%d-%s" % (local.year, MONTHS[local.month - 1]), text


def obscure(addr, at):
    return addr.replace("@", at)


def scrambled(addr, at):
    """A site's further scrambling: "jane@@@ex@mple @ending from ex@mple@com"
    for jane@example.com: vowels 'a' of the domain and its dots become '@'."""
    if "@" not in addr:
        return addr
    local, dom = addr.split("@", 1)
    return "%s@@@%s @ending from %s" % (local, dom.split(".")[0].replace("a", "@"),
                                          dom.replace("a", "@").replace(".", "@"))


# Standard-time offsets, for a system without time zone data (tzdata).
ZONE_OFFSETS = {"America/Los_Angeles": -8, "Europe/Madrid": 1, "Asia/Tokyo": 9}


def local_zone(name):
    """The server's local time zone: from the system's zone data, else its
    standard offset all year (the output then differs in summer months)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except zoneinfo.ZoneInfoNotFoundError:
        return datetime.timezone(datetime.timedelta(hours=ZONE_OFFSETS[name]), name)


def write_pipermail(path, msgs, tz, at, scramble, charset, listname):
    """Month files YYYY-Month.txt, articles appended in arrival order;
    returns the paths in month order and how many articles each has."""
    os.makedirs(path)
    months = {}
    for month, text in pipermail_articles(msgs, tz, at, scramble, charset, listname):
        months.setdefault(month, []).append(text)

    def key(mo):
        y, name = mo.split("-")
        return int(y), MONTHS.index(name)
    paths = []
    for mo in sorted(months, key=key):
        p = os.path.join(path, mo + ".txt")
        with open(p, "wb") as f:
            f.write(b"".join(months[mo]))
        paths.append((p, len(months[mo])))
    return paths


# ------------------------------------------------------------- format-patch

# Three commits of this repository's history, one with a non-ASCII subject
# (git writes it as RFC 2047 words folded over several lines).
PATCH_COMMITS = ["d342266", "ed8c6b2", "a72e114"]


def write_format_patch(path):
    """`git format-patch --stdout` of PATCH_COMMITS, one after another;
    None when this is not a git checkout holding them (a tarball, a
    shallow clone): then the last three commits if they have parents."""
    def git(*args):
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True)
    commits = PATCH_COMMITS
    if any(git("cat-file", "-e", c + "^{commit}").returncode or git("cat-file", "-e", c + "^").returncode
           for c in commits):
        p = git("rev-list", "--max-count=3", "HEAD")
        commits = p.stdout.decode().split()[::-1] if p.returncode == 0 else []
        if len(commits) < 3 or any(git("cat-file", "-e", c + "^").returncode for c in commits):
            return None
    out = b""
    for c in commits:
        p = git("format-patch", "--stdout", "-1", c)
        if p.returncode:
            return None
        out += p.stdout
    with open(path, "wb") as f:
        f.write(out)
    return len(commits)


# --------------------------------------------------------------------- main

def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: mkformats.py OUTDIR\n")
        return 2
    out = sys.argv[1]
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    pool, shared = load_pool()
    # Every message goes through the formats that rewrite messages or
    # could split bodies (mboxrd, lore, pipermail, mboxcl2, MMDF); the
    # others, to keep the test's time down, take the repository's samples
    # with notmuch.mbox and edge/ (medium), the compressed files only the
    # samples (base).
    base = [m for m in pool if m.label.split("#")[0] in ("seeds", "lkml")]
    medium = [m for m in pool if m.label.split("#")[0] in ("seeds", "lkml", "notmuch")
              or m.label.startswith("edge/")]
    boxes = []

    def box(name, fmt, paths, count, reader, **extra):
        rel = [os.path.relpath(p, out) for p in paths]
        boxes.append(dict(list="f-" + name, format=fmt, paths=rel, count=count, reader=reader, **extra))

    def d(name):
        p = os.path.join(out, name)
        os.makedirs(p, exist_ok=True)
        return p

    p = os.path.join(d("mboxrd"), "all.mbox")
    box("mboxrd", "mboxrd", [p], write_mboxrd(p, pool), "mbox")
    p = os.path.join(d("lore"), "t.mbox")
    box("lore", "lore", [p], write_lore(p, pool), "mbox")
    p = os.path.join(d("lei"), "results.mbox")
    box("lei", "lore", [p], write_lei(p, base), "mbox")

    def pipermail(name, msgs, tz, at, scramble, charset):
        months = write_pipermail(os.path.join(out, name), msgs, local_zone(tz), at, scramble,
                                 charset, "f-" + name)
        box(name, "pipermail", [p for p, _ in months], sum(n for _, n in months), "pipermail",
            charset=charset)
        return months
    months = pipermail("pipermail", pool, "America/Los_Angeles", " at ", obscure, "us-ascii")
    busiest, n = max(months, key=lambda pn: pn[1])
    p = os.path.join(d("pipermail-gz"), os.path.basename(busiest) + ".gz")
    with open(busiest, "rb") as f, open(p, "wb") as g:
        with gzip.GzipFile(filename="", mode="wb", fileobj=g, mtime=0) as z:
            z.write(f.read())
    box("pipermail-gz", "pipermail", [p], n, "pipermail", charset="us-ascii", compression="gz")
    pipermail("pipermail-es", medium, "Europe/Madrid", " en ", obscure, "iso-8859-1")
    pipermail("pipermail-scrambled", medium, "Asia/Tokyo", " at ", scrambled, "us-ascii")
    p = os.path.join(d("format-patch"), "series.mbox")
    n = write_format_patch(p)
    if n:
        box("format-patch", "format-patch", [p], n, "mbox")
    else:
        os.rmdir(os.path.dirname(p))
    for how, name in (("gz", "seeds-lkml.mbox.gz"), ("xz", "seeds-lkml.mbox.xz"),
                      ("bz2", "seeds-lkml.archive"), ("zst", "seeds-lkml.mbox.zst")):
        if how == "zst" and not shutil.which("zstd"):
            continue
        p = os.path.join(d(how), name)
        box(how, "mboxrd", [p], write_compressed(p, base, how), "mbox", compression=how)
    p = os.path.join(d("mboxcl2"), "all.mbox")
    box("mboxcl2", "mboxcl2", [p], write_mboxcl2(p, pool), "mboxcl2")
    p = os.path.join(d("mmdf"), "all.mmdf")
    box("mmdf", "mmdf", [p], write_mmdf(p, pool), "mmdf")
    p = os.path.join(out, "mh", "inbox")
    box("mh", "mh", [p], write_mh(p, medium), "mh")
    p = os.path.join(out, "maildir", "Maildir")
    box("maildir", "maildir", [p], write_maildir(p, medium), "maildir")
    p = os.path.join(out, "maildirpp", "Maildir")
    box("maildirpp", "maildir++", [p], write_maildirpp(p, medium), "maildir++")
    with open(os.path.join(out, "MANIFEST.json"), "w") as f:
        json.dump(dict(shared=shared, messages=len(pool), mailboxes=boxes), f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
