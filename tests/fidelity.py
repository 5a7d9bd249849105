#!/usr/bin/env python3
"""fidelity.py: checks an archive made from real-format mailboxes against
Python's standard library, for tests/t1200-fidelity.sh.

  fidelity.py plan MANIFEST [--real-pipermail DIR]
      prints how many ok/not ok lines `check` will print
  fidelity.py check MANIFEST DATA [--real-pipermail DIR]
      indexes every mailbox of MANIFEST (tests/mkformats.py) with
      `$LISTARC index --data DATA LIST PATH...`, serves DATA with
      `$LISTARC serve`, and prints the checks

The reference for each mailbox is read from the mailbox itself, not from
what mkformats.py meant to write: by Python's mailbox module (mbox, after
the gzip, lzma and bz2 modules or `zstd -dc` undo any compression; MMDF;
MH; Maildir and its Maildir++ folders), and where it cannot read a format
by a reader of its own, said at pipermail_messages and mboxcl2_messages.
A count that differs from the generator's is reported too (a fault of
these scripts, not of listarc).

For each mailbox, one line per check, each over all of its messages:

  count        the list holds as many messages as the reference finds
  message-ids  the same Message-IDs, each as often (the last Message-ID:
               field, its first <...> without whitespace; messages
               without one, or with one over 512 bytes or not UTF-8, are
               counted, as listarc gives them made-up IDs)
  days         each message's URL day is the rule's day (below)
  from (index), subject (index)
               the JSON API's from.name and subject, which come from the
               index, equal the reference
  from (page), subject (page)
               the From: and Subject: lines of the message page: the name
               in the From: line (before its <address>, quotes removed;
               else the (comment); else none) and the subject equal the
               reference
  characters   no message page shows U+FFFD or "Ã" unless the reference's
               text of the message (every header and text part, decoded
               as said below) has one: where the source had a character,
               the page must show it

Days (all in UTC; the rules of docs/ARCHITECTURE.md and of the import
issue):
  - a real From_ line (mbox, compressed mbox, mboxcl2, MMDF): the day of
    its date as written;
  - a placeholder From_ date ("Thu Jan  1 00:00:00 1970" of lore, b4 and
    lei; "Mon Sep 17 00:00:00 2001" of git format-patch): the day of the
    topmost Received: field's date (after its last ';'), else of Date:;
  - pipermail: "where the Date: header exists, the message's day comes
    from it" (the From_ date is the server's local time);
  - no From_ line (maildir, MH): topmost Received:, else Date:, else the
    file's modification time.
  Dates are read with email.utils.parsedate_tz, a missing zone as UTC and
  a few zone names Python lacks (CET, CEST, JST ...) added.  A message
  whose rule needs a date Python cannot read is not checked; the count of
  those is printed as a comment.

Names and subjects are Python's email package with email.policy.default
(the last copy of the field, as listarc shows; whitespace runs made one
space).  Deliberate differences, each where Python's reading is not what
a reader of the archive should see:
  - raw 8-bit header bytes are read as UTF-8 where valid, other bytes as
    windows-1252 (docs/LENIENCY.md), before Python decodes the field;
    Python alone shows U+FFFD;
  - a byte order mark before the first field, and a first line "From ..."
    (an envelope line left in a maildir file) are not fields
    (docs/LENIENCY.md; Python's parser skips only the second);
  - an old-style "addr (Name)" From: (pipermail writes every From: so)
    has no display name for Python: the name is the comment, decoded;
    pipermail writes the address as the name when there is none, and its
    pages show it so ("vafa at mail.berlios.de"): the message page shows
    the field so too, but the index keeps no name (HIDDEN_ADDRESS);
  - a From: without any address ("From: Perico de los palotes") is a name
    (Python takes it for a broken address and has no name);
  - an unquoted name with an '@' before <address> ("alice@example.com
    <bob@example.com>") is the name (Python's strict parser drops it);
  - whitespace between two adjacent encoded words of a name is dropped
    (RFC 2047 section 6.2; Python's address parser keeps it);
  - an encoded word with raw 8-bit bytes in it is decoded with its charset
    (Python leaves the whole word as it is);
  - text labelled gb2312, gbk, euc-kr or ks_c_5601-1987 is read as the
    superset mailers write under those names (GB18030, CP949); Python's
    gb2312 codec stops at the first character of GBK;
  - addresses are obfuscated on pages: "x@y.org" and "x@...org" compare
    equal (everything from an '@' to the next space is left out).

Text for the characters check: each text part is decoded with its
declared charset; text labelled ASCII, UTF-8 or Latin-1, without a label,
or with a charset Python does not know, or not valid in its charset, is
read sequence by sequence, UTF-8 where valid and windows-1252 else (so
any byte is a character but the five windows-1252 leaves undefined; mail
readers do this, as such labels are often wrong); multi-byte charsets
(CJK, UTF-16) with errors replaced, so their undecodable bytes are not
characters."""
import bz2
import codecs
import collections
import datetime
import email
import email.policy
import email.utils
import gzip
import html
import http.client
import json
import lzma
import mailbox
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LISTARC = os.environ.get("LISTARC", os.path.join(ROOT, "build", "asan", "listarc"))
# Pages are served by the release build when there is one: the indexer
# (what these checks are about) runs under ASan, and the ASan server would
# take most of a minute for the ~6,000 pages.  t5200 renders every corpus
# message under ASan.
SERVER = os.environ.get("LISTARC_RELEASE", os.path.join(ROOT, "listarc"))
if not os.access(SERVER, os.X_OK):
    SERVER = LISTARC

CHECKS = ["count", "message-ids", "days", "from (index)", "subject (index)", "from (page)",
          "subject (page)", "characters"]
REAL_CHECKS = ["every month file imports whole", "message-ids", "days (Date:)",
               "names as on the pipermail pages"]
SHOW = 6  # failures shown per check

ASCTIME_RE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                        r" +(\d{1,2}) +(\d{1,2}):(\d\d):(\d\d) +(\d{4})\s*$")
PLACEHOLDERS = {(1970, 1, 1, 0, 0, 0), (2001, 9, 17, 0, 0, 0)}
FIELD_RE = re.compile(rb"^[!-9;-~]+[ \t]*:")
EXTRA_ZONES = {"CET": 100, "CEST": 200, "MET": 100, "MEST": 200, "EET": 200, "EEST": 300,
               "WET": 0, "WEST": 100, "JST": 900, "KST": 900, "HKT": 800, "SGT": 800,
               "AEST": 1000, "AEDT": 1100, "NZST": 1200, "NZDT": 1300, "MSK": 300}
MULTIBYTE = re.compile(r"^(utf-?16|utf-?32|ucs|gb|big5|euc|shift|sjis|iso-?2022|cp9[35]|ks_c|hz|johab"
                       r"|x-?sjis)", re.I)


# ------------------------------------------------------------ small helpers

def norm(s):
    return " ".join((s or "").split())


def obf(s):
    """Addresses as pages obfuscate them, both sides alike."""
    return re.sub(r"@\S*", "@", s)


CP1252 = [bytes([i]).decode("cp1252", "replace") for i in range(256)]


def _utf8_else_cp1252(err):
    """Codec error handler: a byte that is not part of valid UTF-8 is read
    as windows-1252 (U+FFFD for the five bytes it leaves undefined)."""
    return CP1252[err.object[err.start]], err.start + 1


codecs.register_error("utf8-else-cp1252", _utf8_else_cp1252)


def utf8_else_cp1252(b):
    """Bytes as mail readers take text of no or a Latin charset: UTF-8
    sequences where valid, other bytes as windows-1252."""
    return b.decode("utf-8", "utf8-else-cp1252")


def raw_text(b):
    """Header bytes as listarc reads raw 8-bit header bytes."""
    return utf8_else_cp1252(b)


def split_head(data):
    """(header lines, body) with the header block ending at the first empty
    line or the first line that is neither field nor continuation."""
    lines = data.splitlines(keepends=True)
    head = []
    for i, line in enumerate(lines):
        if line in (b"\n", b"\r\n"):
            return head, b"".join(lines[i + 1:])
        if (line[:1] in (b" ", b"\t") and head) or FIELD_RE.match(line):
            head.append(line)
            continue
        return head, b"".join(lines[i:])
    return head, b""


def fields(data):
    """[(lowercased name, raw value bytes)] of the header block.  A first
    line "From ..." is an envelope line, not a field (Python's email
    parser and listarc both skip it), and so is a byte order mark
    before the first field (docs/LENIENCY.md; Python keeps it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(b"From "):
        data = data[data.find(b"\n") + 1:] if b"\n" in data else b""
    head, _ = split_head(data)
    out = []
    for line in head:
        if line[:1] in (b" ", b"\t") and out:
            out[-1][1] += line
            continue
        m = FIELD_RE.match(line)
        out.append([line[:line.index(b":")].strip().lower(), line[m.end():]])
    return [(n.decode("latin-1"), v.strip().rstrip(b"\r\n")) for n, v in out]


def last(flds, name):
    v = [val for n, val in flds if n == name]
    return v[-1] if v else None


def first(flds, name):
    v = [val for n, val in flds if n == name]
    return v[0] if v else None


def parse_date(s):
    """Seconds (UTC) of an RFC 5322-ish date, or None."""
    if s is None:
        return None
    s = s.decode("latin-1") if isinstance(s, bytes) else s
    t = email.utils.parsedate_tz(s)
    if t is None:
        return None
    off = t[9]
    if off is None:
        m = re.search(r"\d\d?:\d\d(?::\d\d)?\s+([A-Za-z]{1,5})\b", s)
        if m and m.group(1).upper() in EXTRA_ZONES:
            z = EXTRA_ZONES[m.group(1).upper()]
            off = (z // 100) * 3600 + (z % 100) * 60
        elif m:
            return None  # a zone name Python does not know
        else:
            off = 0
    try:
        ts = int(email.utils.mktime_tz(t[:9] + (off,)))
    except (OverflowError, ValueError):
        return None
    if not -62135596800 <= ts <= 253402300799:
        return None
    return ts


def day_of(ts):
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=ts)
    return "%04d-%02d-%02d" % (d.year, d.month, d.day)


def fromline_date(fromline):
    """(y, m, d, H, M, S) of a From_ line's asctime tail, or None."""
    m = ASCTIME_RE.search(fromline)
    if not m:
        return None
    mon = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split().index(m.group(2)) + 1
    return (int(m.group(7)), mon, int(m.group(3)), int(m.group(4)), int(m.group(5)), int(m.group(6)))


def received_date(flds):
    v = first(flds, "received")
    if v is None or b";" not in v:
        return None
    return parse_date(v.rsplit(b";", 1)[1])


# ------------------------------------------------------------- references

HF = email.policy.default.header_factory


EW_RE = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")


def unfold(s):
    return re.sub(r"\r?\n(?=[ \t])", "", s).replace("\r", "").replace("\n", " ")


def decode_words_8bit(s):
    """Encoded words Python leaves alone because of raw 8-bit bytes in
    them, decoded with their charset (the bytes taken as that charset's)."""
    def one(m):
        cs, enc, text = m.groups()
        if all(ord(c) < 128 for c in text):
            return m.group(0)
        raw = text.encode("latin-1", "replace")
        try:
            if enc in "Qq":
                raw = re.sub(rb"=([0-9A-Fa-f]{2})", lambda x: bytes([int(x.group(1), 16)]),
                             raw.replace(b"_", b" "))
            else:
                raw = __import__("base64").b64decode(raw + b"===")
            return raw.decode(cs.split("*")[0], "replace")
        except (LookupError, ValueError):
            return m.group(0)
    return EW_RE.sub(one, s)


# Charsets mailers label text of their supersets with: read as the superset.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "ks_c_5601-1987": "cp949",
             "euc-kr": "cp949"}


def superset(cs):
    return SUPERSETS.get((cs or "").lower(), cs)


def decode_unstructured(s):
    s = re.sub(r"=\?(gb2312|gbk|x-gbk|ks_c_5601-1987|euc-kr)\?", lambda m: "=?%s?" % superset(m.group(1)), s,
               flags=re.I)
    try:
        out = str(HF("subject", unfold(s)))
    except Exception:
        out = unfold(s)
    return decode_words_8bit(out) if "=?" in out else out


def ref_name(raw):
    """The From name a reader should see, from the field's raw bytes (see
    the deliberate differences above)."""
    if raw is None:
        return ""
    flat = norm(unfold(raw_text(raw)))
    name = ""
    try:
        addrs = HF("from", flat).addresses
        if addrs:
            name = addrs[0].display_name
    except Exception:
        pass
    phrase = re.match(r"^\s*([^<>]*?)\s*<[^<>]*>", flat)
    if phrase and phrase.group(1) and (re.search(r"\?=\s+=\?", phrase.group(1)) or not name):
        # Adjacent encoded words; an unquoted name with an '@' in it.
        p = phrase.group(1)
        if len(p) >= 2 and p[0] == '"' and p[-1] == '"':
            p = p[1:-1]
        name = decode_unstructured(p)
    if not name:
        m = re.match(r"^[^()<>\"]*\((.*)\)\s*$", flat)
        if m:
            name = decode_unstructured(m.group(1))
        elif "@" not in flat and "<" not in flat and "," not in flat:
            # No address at all: what is there is a name.
            name = decode_unstructured(flat)
    if "=?" in name:
        name = decode_words_8bit(name)
    return norm(name)


# pipermail writes "jane at example.org (jane at example.org)" when a
# message had no name: its pages show the hidden address as the author.
# listarc's index keeps no name then (its pages show the address
# obfuscated, as every address), so that is what the index is held to;
# the message page shows the From: field as received, comment and all.
HIDDEN_ADDRESS = re.compile(r"^[^\s@()<>]+ [A-Za-z]{1,8} [A-Za-z0-9.-]+\.[A-Za-z0-9-]+$")


def index_name(name):
    return "" if HIDDEN_ADDRESS.match(name) else name


def ref_subject(raw):
    if raw is None:
        return ""
    return norm(decode_unstructured(raw_text(raw)))


def ref_mid(raw):
    """('id', ID) as listarc keys a message, or ('made-up', None)."""
    if raw is None:
        return None
    m = re.search(rb"<([^<>]*)>", raw)
    mid = m.group(1) if m else (raw.split() or [b""])[0]
    mid = re.sub(rb"\s+", b"", mid)
    if not mid:
        return None
    try:
        mid = mid.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if len(mid.encode()) > 512 else mid


LATIN = {"ascii", "utf-8", "latin-1", "iso8859-1", "cp1252", "iso8859-15"}


def decode_part(payload, charset):
    """A text part's text: its charset's, but text said to be ASCII, UTF-8
    or Latin-1 (or said to be nothing, or in a charset Python lacks) is
    read sequence by sequence, UTF-8 where valid and windows-1252 else, as
    mail readers do (such labels are often wrong); multi-byte charsets with
    their undecodable bytes as U+FFFD."""
    codec = None
    if charset:
        cs = superset(charset.lower().strip('"\' '))
        try:
            codec = codecs.lookup(cs).name
        except LookupError:
            codec = None
        if codec and MULTIBYTE.match(cs):
            return payload.decode(codec, "replace")
    if codec and codec not in LATIN:
        try:
            return payload.decode(codec)
        except UnicodeDecodeError:
            pass
    return utf8_else_cp1252(payload)


def ref_text(data):
    """Every header and text part of a message (and of the messages inside
    it), decoded: what the page may show."""
    out = [decode_unstructured(raw_text(v)) for _, v in fields(data)]
    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_content_maintype() == "message":
                continue
            try:
                payload = part.get_payload(decode=True)
            except Exception:
                payload = None
            if payload is None:
                p = part.get_payload()
                payload = p.encode("utf-8", "surrogateescape") if isinstance(p, str) else b""
            if part.get_content_maintype() in ("text", "message") or part.get_content_type() == "text/plain":
                out.append(decode_part(payload, part.get_param("charset")))
            for k, v in part.items():
                out.append(decode_unstructured(str(v)))
    except Exception:
        out.append(decode_part(split_head(data)[1], None))
    return "\n".join(out)


class Ref:
    """What one message of a mailbox should give."""

    def __init__(self, data, rule, fromline=None, mtime=None):
        flds = fields(data)
        self.mid = ref_mid(last(flds, "message-id"))
        self.name = ref_name(last(flds, "from"))
        self.subject = ref_subject(last(flds, "subject"))
        self.data = data
        self.day, self.why = self.rule_day(flds, rule, fromline, mtime)

    def rule_day(self, flds, rule, fromline, mtime):
        if rule == "pipermail":
            d = last(flds, "date")
            if d is None:
                return None, "no Date:"
            ts = parse_date(d)
            return (day_of(ts), "Date:") if ts is not None else (None, "Date: Python cannot read")
        fd = fromline_date(fromline) if fromline else None
        if fd and fd not in PLACEHOLDERS:
            return "%04d-%02d-%02d" % fd[:3], "From_ line"
        if fromline and not fd:
            return None, "From_ line without a date"
        ts = received_date(flds)
        if ts is not None:
            return day_of(ts), "Received:"
        if first(flds, "received") is not None:
            return None, "topmost Received: without a date Python reads"
        d = last(flds, "date")
        if d is not None:
            ts = parse_date(d)
            if ts is not None:
                return day_of(ts), "Date:"
            return None, "Date: Python cannot read"
        if fromline is None and mtime is not None:
            return day_of(int(mtime)), "file time"
        return None, "no date"


# ---------------------------------------------------------------- readers

def unquote_mboxrd(b):
    return re.sub(rb"^>(>*From )", rb"\1", b, flags=re.M)


def decompressed(path, how, tmp):
    if not how:
        return path
    with open(path, "rb") as f:
        raw = f.read()
    if how == "gz":
        data = gzip.decompress(raw)
    elif how == "xz":
        data = lzma.decompress(raw)
    elif how == "bz2":
        data = bz2.decompress(raw)
    else:
        data = subprocess.run(["zstd", "-dc"], input=raw, capture_output=True, check=True).stdout
    out = os.path.join(tmp, os.path.basename(path) + ".plain")
    with open(out, "wb") as f:
        f.write(data)
    return out


def mbox_messages(path, cls=mailbox.mbox, unquote=True):
    mb = cls(path, create=False)
    out = []
    for key in mb.iterkeys():
        fromline, _, data = mb.get_bytes(key, from_=True).partition(b"\n")
        if not fromline.startswith(b"From "):  # MMDF without a From_ line
            fromline, data = b"", mb.get_bytes(key)
        out.append((unquote_mboxrd(data) if unquote else data, fromline.decode("latin-1") or None, None))
    mb.close()
    return out


def mmdf_messages(path):
    return mbox_messages(path, mailbox.MMDF, unquote=False)


def mh_messages(path):
    mb = mailbox.MH(path, create=False)
    return [(mb.get_bytes(k), None, os.path.getmtime(os.path.join(path, str(k))))
            for k in sorted(mb.keys())]


def maildir_messages(path, plus):
    out = []
    boxes = [mailbox.Maildir(path, factory=None, create=False)]
    if plus:
        boxes += [boxes[0].get_folder(f) for f in sorted(boxes[0].list_folders())]
    for mb in boxes:
        for k in sorted(mb.keys()):
            out.append((mb.get_bytes(k), None, mb.get_message(k).get_date()))
    return out


PIPERMAIL_FROM = re.compile(rb"^From (\S.*?) +((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                            rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                            rb"[ \d]\d \d\d:\d\d:\d\d \d{4})\r?$")


def pipermail_messages(path):
    """pipermail's .txt files do not quote body lines starting with "From ",
    and their From_ senders have spaces, so Python's mailbox cannot read
    them.  Counted here: a message starts at a line "From SENDER  DATE"
    whose DATE is ctime()'s form ("Tue Jan  3 20:23:02 2006") ending the
    line, followed by a header field line; it ends where the next starts,
    less the empty line pipermail writes after each message."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines)
              if PIPERMAIL_FROM.match(line.rstrip(b"\n")) and i + 1 < len(lines)
              and FIELD_RE.match(lines[i + 1])]
    out = []
    for j, i in enumerate(starts):
        end = starts[j + 1] if j + 1 < len(starts) else len(lines)
        body = b"".join(lines[i + 1:end])
        if body.endswith(b"\n\n"):
            body = body[:-1]
        out.append((body, lines[i].rstrip(b"\r\n").decode("latin-1"), None))
    return out


def mboxcl2_messages(path):
    """mboxcl2 bodies are not quoted: Python's mailbox would split at their
    "From " lines.  Read here as its writers mean it: a From_ line, the
    header block to the first empty line, then exactly Content-Length
    bytes of body, then one newline before the next From_ line."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    pos = 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        fromline = data[pos:nl]
        if not fromline.startswith(b"From "):
            raise ValueError("mboxcl2: no From_ line at byte %d" % pos)
        hdr_end = data.index(b"\n\n", nl) + 2
        head = data[nl + 1:hdr_end]
        m = re.search(rb"^Content-Length:[ \t]*(\d+)", head, re.I | re.M)
        n = int(m.group(1))
        out.append((head + data[hdr_end:hdr_end + n], fromline.decode("latin-1"), None))
        pos = hdr_end + n
        if data[pos:pos + 1] == b"\n":
            pos += 1
    return out


def read_box(box, base, tmp):
    paths = [os.path.join(base, p) for p in box["paths"]]
    r = box["reader"]
    msgs = []
    for p in paths:
        p = decompressed(p, box.get("compression"), tmp)
        if r == "mbox":
            msgs += mbox_messages(p)
        elif r == "mmdf":
            msgs += mmdf_messages(p)
        elif r == "mboxcl2":
            msgs += mboxcl2_messages(p)
        elif r == "pipermail":
            msgs += pipermail_messages(p)
        elif r == "mh":
            msgs += mh_messages(p)
        elif r in ("maildir", "maildir++"):
            # A Maildir++ folder's top is what `listarc index` takes; its
            # subfolders (a person's other folders, not the list's) are
            # named in a warning and indexed only when given as sources
            # of their own (man/listarc.1).
            msgs += maildir_messages(p, False)
    rule = "pipermail" if r == "pipermail" else None
    return [Ref(data, rule, fromline, mtime) for data, fromline, mtime in msgs]


# ------------------------------------------------------------------- server

class Server:
    """`listarc serve` on a free port, for the duration of the checks."""

    def __init__(self, data):
        self.proc = subprocess.Popen([SERVER, "serve", "--data", data, "--listen", "127.0.0.1:0",
                                      "--threads", "2", "--log", os.devnull], stderr=subprocess.PIPE)
        self.err = []
        self.port = None
        ready = threading.Event()

        def drain():
            for line in self.proc.stderr:
                line = line.decode("utf-8", "replace")
                self.err.append(line)
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()
        self.thread = threading.Thread(target=drain, daemon=True)
        self.thread.start()
        ready.wait()
        self.local = threading.local()

    def get(self, path):
        """(status, body bytes)."""
        for attempt in (1, 2):
            c = getattr(self.local, "conn", None)
            if c is None:
                c = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                c.request("GET", path)
                r = c.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                c.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait()
        self.thread.join()
        return rc, "".join(self.err)


def api_messages(srv, lst):
    """Every message of a list by the JSON API, or None if there is no list."""
    out = []
    url = "/api/v1/%s/?limit=500" % lst
    while url:
        st, body = srv.get(url)
        if st != 200:
            return None if not out else out
        page = json.loads(body)
        out += page["messages"]
        url = page["next"]
    return out


PRE_RE = re.compile(r'<pre class="msg">\n(.*?)</pre>', re.S)


def page_fields(page):
    """{field: value} of the header block at the top of a message page,
    unfolded and unescaped."""
    m = PRE_RE.search(page)
    if not m:
        return None
    out = {}
    cur = None
    for line in m.group(1).split("\n"):
        if line == "":
            break
        text = html.unescape(re.sub(r"<[^>]*>", "", line))
        if line[:1] in (" ", "\t") and cur:
            out[cur] += " " + text
            continue
        k, _, v = text.partition(":")
        cur = k.lower()
        out[cur] = v
    return {k: norm(v) for k, v in out.items()}


def unquote_phrase(p):
    """An RFC 5322 phrase as a reader sees it: quoted strings' quotes
    dropped, their backslash escapes undone."""
    out = []
    q = False
    i = 0
    while i < len(p):
        c = p[i]
        if q and c == "\\" and i + 1 < len(p):
            out.append(p[i + 1])
            i += 2
            continue
        if c == '"':
            q = not q
        else:
            out.append(c)
        i += 1
    return "".join(out)


def first_address(v):
    """v up to its first comma outside quotes and parentheses."""
    q = False
    depth = 0
    for i, c in enumerate(v):
        if c == '"' and depth == 0:
            q = not q
        elif not q and c == "(":
            depth += 1
        elif not q and c == ")" and depth:
            depth -= 1
        elif not q and depth == 0 and c == ",":
            return v[:i]
    return v


def page_name(from_value):
    """The name of the first address of a page's From: line: the text
    before its first <address> (quotes removed), else its (comment), else
    the text itself if it holds no address."""
    v = from_value or ""
    q = False
    i = 0
    while i < len(v):
        c = v[i]
        if c == "\\" and q:
            i += 2
            continue
        if c == '"':
            q = not q
        elif not q and c == "<":
            break
        i += 1
    if i < len(v):
        first = first_address(v[:i])
        if first != v[:i] and "@" in first and '"' not in first:
            return ""  # an address without a name, then "Name <address>"
        return norm(unquote_phrase(v[:i].strip()))
    seg = first_address(v).strip()  # no <address>: the first address ends at a comma
    m = re.match(r"^[^()<>\"]*\((.*)\)$", seg)
    if m:
        return norm(m.group(1))
    return norm(seg) if "@" not in seg else ""


def page_text(page):
    return html.unescape(re.sub(r"<[^>]*>", "", page))


# ------------------------------------------------------------------- checks

class Report:
    def __init__(self):
        self.failed = 0

    def line(self, ok, desc, details=()):
        print(("ok - " if ok else "not ok - ") + desc)
        if not ok:
            self.failed += 1
            for d in list(details)[:SHOW]:
                print("#   " + d)
            if len(details) > SHOW:
                print("#   ... and %d more" % (len(details) - SHOW))
        sys.stdout.flush()


def key_of(mid):
    return mid if mid is not None else "(made-up id)"


def api_key(m):
    mid = m["message_id"]
    if re.match(r"^(nomid|hash)-[0-9a-f]{16}@listarc\.invalid$", mid):
        return "(made-up id)"
    return mid


# (list, check, text of the failure): differences known and left, each
# with its reason.
KNOWN = [
    # Two messages without a Message-ID whose subjects pipermail rewrote
    # alike are paired by this script as a multiset: pipermail's
    # 'Moderator-Address (Moderator-Address)' (no address at all) and
    # '"kerstin krueger" at example.com (...)' (a quoted local part with
    # a space, which listarc does not take for a hidden address, so keeps
    # the comment as the name) are read differently by the reference.
    ("f-pipermail", "from (index)", "<(made-up id)> (one of"),
]


def compare(refs, got, want_of, got_of):
    """Failures, matching messages by Message-ID.  Copies of one ID, and
    messages with made-up IDs, are matched by subject where the subjects
    tell them apart, and compared as multisets where they do not."""
    by_ref = collections.defaultdict(list)
    for r in refs:
        by_ref[key_of(r.mid)].append(r)
    by_got = collections.defaultdict(list)
    for g in got:
        by_got[g[0]].append(g)
    bad = []
    for k in sorted(by_ref):
        if k not in by_got or len(by_ref[k]) != len(by_got[k]):
            continue  # the count and message-id checks report it
        groups = [(by_ref[k], by_got[k])]
        if len(by_ref[k]) > 1:
            rs = collections.defaultdict(list)
            gs = collections.defaultdict(list)
            for r in by_ref[k]:
                rs[obf(r.subject)].append(r)
            for g in by_got[k]:
                gs[obf(norm(g[2]["subject"]))].append(g)
            same = [s for s in rs if len(rs[s]) == len(gs.get(s, ()))]
            rest = ([r for s in rs if s not in same for r in rs[s]],
                    [g for s in gs if s not in same for g in gs[s]])
            groups = [(rs[s], gs[s]) for s in same] + ([rest] if rest[0] else [])
        for rgroup, ggroup in groups:
            wants = collections.Counter(want_of(r) for r in rgroup if want_of(r) is not None)
            gots = collections.Counter(got_of(g) for g in ggroup)
            if not wants or all(gots[w] >= n for w, n in wants.items()):
                continue
            missing = list((wants - gots).elements())
            extra = list((gots - wants).elements())
            # The URLs of the messages that show what is not wanted.
            urls = [g[1] for g in ggroup if got_of(g) in extra][:2] or [ggroup[0][1]]
            what = "<%s>" % k if len(ggroup) == 1 else "<%s> (one of %d)" % (k, len(ggroup))
            bad.append("%s %s: got %s, want %s" % (" ".join(urls), what,
                                                  ", ".join(repr(x) for x in extra[:2]) or "?",
                                                  ", ".join(repr(x) for x in missing[:2])))
    return bad


def index_box(box, base, data):
    """`listarc index` of a mailbox's paths, in order: (exit status, stderr).
    Without the full-text index: nothing checked here reads it, and
    writing it is most of the indexer's time (t1210 and t7000 test
    search)."""
    paths = [os.path.join(base, p) for p in box["paths"]]
    p = subprocess.run([LISTARC, "index", "--data", data, "--no-search", box["list"]] + paths,
                       capture_output=True)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def fetch_pages(srv, urls):
    """{url: (status, text)} fetched over two connections."""
    out = {}
    urls = list(urls)

    def work(part):
        for u in part:
            st, body = srv.get(u)
            out[u] = (st, body.decode("utf-8", "replace"))
    ts = [threading.Thread(target=work, args=(urls[i::2],)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def check_box(rep, srv, box, refs, idx, pages):
    name = "%s (%s)" % (box["list"], box["format"])
    rc, err = idx
    got = api_messages(srv, box["list"]) or []
    have_ids = collections.Counter(api_key(m) for m in got)
    missing = sum((collections.Counter(key_of(r.mid) for r in refs) - have_ids).values())

    def line(ok, desc, bad):
        # Known differences: printed, not counted (KNOWN says why).
        known = [b for b in bad if any(desc.startswith(kl + " ") and desc.endswith(kc) and ks in b for kl, kc, ks in KNOWN)]
        for b in known:
            print("#   known: " + b)
        if known and len(known) == len(bad):
            ok, bad = True, []
        # A check over every message cannot pass with messages missing.
        if missing:
            bad = ["%d of the %d messages are not in the list (see count)" % (missing, len(refs))] + bad
        rep.line(ok and not missing, desc, bad)
    # count
    details = []
    if rc != 0:
        details.append("listarc index exit %d: %s" % (rc, " | ".join(err.strip().splitlines()[-3:])))
    # (A Maildir++ box holds more than its top, which is what is indexed.)
    fault = box["count"] is not None and box["count"] != len(refs) and box["format"] != "maildir++"
    if fault:
        details.append("SCRIPT FAULT: mkformats wrote %d, the reference reads %d" % (box["count"], len(refs)))
    rep.line(len(got) == len(refs) and rc == 0 and not fault,
             "%s: count: %d indexed, reference %d" % (name, len(got), len(refs)), details)
    # message-ids
    want = collections.Counter(key_of(r.mid) for r in refs)
    have = collections.Counter(api_key(m) for m in got)
    details = ["missing <%s> x%d" % (k, n) for k, n in sorted((want - have).items())]
    details += ["unexpected <%s> x%d" % (k, n) for k, n in sorted((have - want).items())]
    rep.line(not details, "%s: message-ids" % name, details)
    # days
    gots = [(api_key(m), m["url"], m) for m in got]
    unchecked = collections.Counter(r.why for r in refs if r.day is None)
    bad = compare(refs, gots, lambda r: r.day, lambda g: g[2]["day"])
    rules = collections.Counter(r.why for r in refs if r.day is not None)
    line(not bad and got, "%s: days (%s)" % (name, ", ".join("%s %d" % kv for kv in sorted(rules.items()))),
             bad)
    if unchecked:
        print("#   days not checked: %s" % ", ".join("%s %d" % kv for kv in sorted(unchecked.items())))
    # index names and subjects
    bad = compare(refs, gots, lambda r: obf(index_name(r.name)), lambda g: obf(norm(g[2]["from"]["name"])))
    line(not bad and got, "%s: from (index)" % name, bad)
    bad = compare(refs, gots, lambda r: obf(r.subject), lambda g: obf(norm(g[2]["subject"])))
    line(not bad and got, "%s: subject (index)" % name, bad)
    # pages
    pf = {}
    broken = []
    for _, url, _m in gots:
        st, text = pages.get(url, (0, ""))
        f = page_fields(text) if st == 200 else None
        if f is None:
            broken.append("%s: status %d, no header block" % (url, st))
        pf[url] = f or {}
    bad = broken + compare(refs, gots, lambda r: obf(r.name), lambda g: obf(page_name(pf[g[1]].get("from"))))
    line(not bad and got, "%s: from (page)" % name, bad)
    bad = broken + compare(refs, gots, lambda r: obf(r.subject) if r.subject else None,
                           lambda g: obf(pf[g[1]].get("subject", "")))
    line(not bad and got, "%s: subject (page)" % name, bad)
    # characters
    by_ref = collections.defaultdict(list)
    for r in refs:
        by_ref[key_of(r.mid)].append(r)
    bad = []
    cache = {}
    for k, url, _m in gots:
        st, text = pages.get(url, (0, ""))
        shown = page_text(text)
        for ch, label in (("\ufffd", "U+FFFD"), ("\u00c3", "'Ã'")):
            n = shown.count(ch)
            if not n:
                continue
            allowed = False
            for r in by_ref.get(k, []):
                if id(r) not in cache:
                    cache[id(r)] = ref_text(r.data)
                if ch in cache[id(r)]:
                    allowed = True
            if not allowed:
                i = shown.index(ch)
                bad.append("%s <%s>: %d x %s, the source has none: ...%s..." % (
                    url, k, n, label, norm(shown[max(0, i - 30):i + 30])))
    line(not bad and got, "%s: characters" % name, bad)


# ------------------------------------------------------- the real pipermail

def real_refs(arc):
    months = sorted(f for f in os.listdir(arc) if f.endswith(".txt"))
    return {mo: [Ref(d, "pipermail", fl) for d, fl, _ in pipermail_messages(os.path.join(arc, mo))]
            for mo in months}


def real_pipermail(rep, srv, arc, refs_by_month, idx, listname):
    """The real archive: every month file whole, days, and the names its
    pipermail pages show (<B>author</B>, and the Message-ID in the
    In-Reply-To= of the mailto links)."""
    months = sorted(refs_by_month)
    names = {}
    for mo in months:
        d = os.path.join(arc, mo[:-4])
        for f in sorted(os.listdir(d)):
            if not re.match(r"^\d{6}\.html$", f):
                continue
            with open(os.path.join(d, f), "rb") as fh:
                page = fh.read().decode("utf-8", "replace")
            mid = re.search(r"In-Reply-To=%3C(.*?)%3E", page)
            author = re.search(r"<B>(.*?)</B>", page, re.S)
            if mid and author:
                names[mid.group(1).replace("%40", "@")] = norm(html.unescape(author.group(1)))
    rc, err = idx
    bad = []
    got = api_messages(srv, listname) or []
    refs = [r for mo in months for r in refs_by_month[mo]]
    by_mid = collections.defaultdict(list)
    for m in got:
        by_mid[m["message_id"]].append(m)
    for mo in months:
        n = sum(1 for r in refs_by_month[mo] if r.mid in by_mid)
        if n != len(refs_by_month[mo]):
            bad.append("%s: %d of its %d messages indexed" % (mo, n, len(refs_by_month[mo])))
    if rc:
        bad.insert(0, "listarc index exit %d: %s" % (rc, err.strip()[-200:]))
    total = sum(len(v) for v in refs_by_month.values())
    rep.line(not bad and len(got) == total,
             "real pipermail: %s: %d indexed of the %d in %d month files" % (listname, len(got), total,
                                                                              len(months)), bad)
    want = collections.Counter(key_of(r.mid) for r in refs)
    have = collections.Counter(api_key(m) for m in got)
    details = ["missing <%s>" % k for k in sorted(want - have)] + \
        ["unexpected <%s>" % k for k in sorted(have - want)]
    rep.line(not details, "real pipermail: message-ids", details)
    absent = ["%d of the %d messages are not in the list" % (sum((want - have).values()), total)] \
        if want - have else []
    gots = [(api_key(m), m["url"], m) for m in got]
    bad = absent + compare(refs, gots, lambda r: r.day, lambda g: g[2]["day"])
    rep.line(not bad, "real pipermail: days (Date:)", bad)
    # Names: the JSON API's and the message page's, against pipermail's page.
    pages = fetch_pages(srv, [m["url"] for m in got])
    bad = []
    for mid, n in sorted(names.items()):
        for m in by_mid.get(mid, []):
            f = page_fields(pages[m["url"]][1]) or {}
            shown = page_name(f.get("from"))
            if norm(m["from"]["name"]) != index_name(n) or shown != n:
                bad.append("%s <%s>: index %r, page %r, want %r" % (m["url"], mid, m["from"]["name"],
                                                                   shown, n))
    if len(names) != total:
        bad.insert(0, "SCRIPT FAULT: %d pipermail pages name a Message-ID, %d messages" % (len(names), total))
    rep.line(not bad and not absent, "real pipermail: names as on the %d pipermail pages" % len(names),
             absent + bad)


# --------------------------------------------------------------------- main

T0 = time.time()


def timing(what):
    if os.environ.get("FIDELITY_TIMES"):
        sys.stderr.write("%6.1f s %s\n" % (time.time() - T0, what))


def main(argv):
    real = None
    if "--real-pipermail" in argv:
        i = argv.index("--real-pipermail")
        real = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) < 2 or argv[0] not in ("plan", "check"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    with open(argv[1]) as f:
        manifest = json.load(f)
    boxes = manifest["mailboxes"]
    n = len(boxes) * len(CHECKS) + (len(REAL_CHECKS) if real else 0) + 1
    if argv[0] == "plan":
        print(n)
        return 0
    data = argv[2]
    base = os.path.dirname(os.path.abspath(argv[1]))
    rep = Report()
    real_list = "xepersian-development"
    with tempfile.TemporaryDirectory(prefix="fidelity.") as tmp:
        refs = {}
        idx = {}
        for box in boxes:
            idx[box["list"]] = index_box(box, base, data)
            timing("indexed " + box["list"])
            try:
                refs[box["list"]] = read_box(box, base, tmp)
            except Exception as e:
                refs[box["list"]] = []
                idx[box["list"]] = (idx[box["list"]][0], "SCRIPT FAULT: reading the reference: %r" % e)
            timing("read " + box["list"])
        if real:
            months = sorted(f for f in os.listdir(real) if f.endswith(".txt"))
            idx[real_list] = index_box(dict(list=real_list, paths=months), real, data)
            refs[real_list] = real_refs(real)
            timing("indexed and read the real pipermail archive")
    if not os.path.exists(os.path.join(data, "index.sqlite")):
        # Nothing was indexed: every check fails, and there is nothing to serve.
        for box in boxes:
            for c in CHECKS:
                rep.line(False, "%s (%s): %s" % (box["list"], box["format"], c),
                         [idx[box["list"]][1].strip()[-300:]])
        for c in REAL_CHECKS if real else []:
            rep.line(False, "real pipermail: " + c)
        rep.line(False, "the server exits 0 at SIGTERM, with no sanitizer report", ["no index to serve"])
        return 1
    srv = Server(data)
    try:
        for box in boxes:
            got = api_messages(srv, box["list"]) or []
            pages = fetch_pages(srv, [m["url"] for m in got])
            timing("fetched %d pages of %s" % (len(pages), box["list"]))
            check_box(rep, srv, box, refs[box["list"]], idx[box["list"]], pages)
        if real:
            real_pipermail(rep, srv, real, refs[real_list], idx[real_list], real_list)
    finally:
        rc, err = srv.stop()
    timing("done")
    report = re.search(r"Sanitizer|runtime error", err)
    rep.line(rc == 0 and not report, "the server exits 0 at SIGTERM, with no sanitizer report",
             err.splitlines()[:30] if report else ["exit %d: %s" % (rc, err.strip()[-300:])])
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
