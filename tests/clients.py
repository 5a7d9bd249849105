#!/usr/bin/env python3
"""clients.py: hostile clients against a running `listarc serve`, for
t7300-clients.  Prints "ok - ..." / "not ok - ..." lines and "# ..." notes.

    clients.py PORT PID [--quick]

While each phase runs, a normal client (a new connection every 50 ms,
asking for a message page or a month page) must always be answered.  It
runs in a process of its own, so that the attackers' threads do not delay
it.  How long it waited is printed ("# PHASE: ... normal client: N
requests, F failed, median, p99, worst"), never checked: bench/clients
runs this against the release build and reports those figures.
The server's RSS is read from /proc/PID/status after each phase.
The attackers pace themselves as they would (a byte a second); what is
checked is what the server did to them (closed, cut, answered), waited
for as long as it takes (up to a minute, a guard against a hang).
Phases:
  idle        2,000 connections that send nothing
  slowloris   1,500 connections sending their request head a byte a second
  pipeline    1,000 requests in one write, read back; and 1,000 more on a
              connection that never reads its responses
  big-head    1 MB of header fields (many fields, and one field of 1 MB)
  invalid     malformed and foreign requests (TLS, HTTP/2, binary, ...)
  traversal   paths that try to leave the archive
--quick (for the ASan build) makes the crowds smaller and skips the
memory bounds: what counts there is that nothing crashes or leaks.
The server is expected to run with LISTARC_HTTP_TIMEOUTS="2 2 2".
"""
import multiprocessing
import os
import random
import resource
import select
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
PID = int(sys.argv[2])
QUICK = "--quick" in sys.argv
NORMAL = [b"/linux-kernel/2019/05/20/4", b"/lkml/2010/11/"]
HEAD_TIMEOUT = 2
# How long to wait for what the server must do (close, cut, answer)
# before taking it as not done: a guard against a hang, not a measure.
GUARD = 60

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

results = []


def ok(cond, what):
    print("%s - %s" % ("ok" if cond else "not ok", what), flush=True)
    return cond


def note(what):
    print("# " + what, flush=True)


def rss_kb():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def alive():
    try:
        os.kill(PID, 0)
        return True
    except OSError:
        return False


def request(path, timeout=GUARD):
    """One normal request on a new connection: (status, seconds)."""
    t = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
        s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            k = s.recv(65536)
            if not k:
                break
            data += k
        s.close()
        status = int(data[9:12]) if data.startswith(b"HTTP/1.1 ") else 0
    except (OSError, ValueError):
        status = 0
    return status, time.monotonic() - t


def probe_main(started, stop, out):
    """The normal client, throughout a phase, in a process of its own: in
    the attackers' process it would wait for their threads (the GIL),
    and count their delays as the server's.  It asks at least once
    after the phase began, however short the phase."""
    samples = []
    i = 0
    started.set()
    while True:
        status, secs = request(NORMAL[i % len(NORMAL)])
        samples.append((status, secs * 1000))
        i += 1
        if stop.is_set():
            break
        stop.wait(0.05)
    out.send(samples)
    out.close()


def measure(fn):
    """Runs fn with the normal client probing throughout: its samples
    (status, ms), and how long fn took."""
    ctx = multiprocessing.get_context("fork")
    started, stop = ctx.Event(), ctx.Event()
    got, out = ctx.Pipe(duplex=False)
    probe = ctx.Process(target=probe_main, args=(started, stop, out), daemon=True)
    probe.start()
    out.close()
    started.wait(GUARD)
    t0 = time.monotonic()
    try:
        fn()
    finally:
        stop.set()
        samples = got.recv() if got.poll(GUARD) else []
        probe.join()
    return samples, time.monotonic() - t0


def phase(name, fn):
    samples, secs = measure(fn)
    lat = sorted(ms for _, ms in samples)
    failed = sum(1 for st, _ in samples if st != 200)
    worst = lat[-1] if lat else 0
    p99 = lat[int(len(lat) * 0.99)] if lat else 0
    kb = rss_kb()
    note("%s: %.1f s; normal client: %d requests, %d failed, median %.1f ms, p99 %.1f ms, "
         "worst %.1f ms; server RSS %d KiB" % (name, secs, len(lat), failed,
                                              lat[len(lat) // 2] if lat else 0, p99, worst, kb))
    ok(alive(), "%s: the server is still running" % name)
    ok(len(lat) > 0 and failed == 0, "%s: the normal client was answered every time (%d of %d)"
       % (name, len(lat) - failed, len(lat)))
    results.append((name, len(lat), failed, p99, worst, kb))
    return kb


def open_many(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", PORT))
        except BlockingIOError:
            pass
        socks.append(s)
    return socks


def closed(socks, wait_s=0, each=None):
    """How many of socks the server has closed (or reset), seen without
    reading them (POLLRDHUP), waiting up to wait_s for all of them;
    each(open_socks) is called about once a second meanwhile."""
    p = select.poll()
    left = {s.fileno(): s for s in socks}
    for fd in left:
        p.register(fd, select.POLLRDHUP)
    end = time.monotonic() + wait_s
    tick = time.monotonic() + 1
    while left:
        now = time.monotonic()
        ms = max(0, min(end, tick) - now) * 1000
        for fd, _ in p.poll(ms):
            if fd in left:
                p.unregister(fd)
                del left[fd]
        now = time.monotonic()
        if now >= end:
            break
        if each and now >= tick:
            each(list(left.values()))
            tick = now + 1
    return len(socks) - len(left)


def idle():
    n = 1000 if QUICK else 2000
    socks = open_many(n)
    gone = closed(socks, GUARD)
    note("idle: %d of %d idle connections closed by the server" % (gone, n))
    ok(gone == n, "idle: every idle connection is closed (by the head timeout, or for a newer one)")
    for s in socks:
        s.close()


def slowloris():
    n = 600 if QUICK else 1500
    socks = open_many(n)
    head = b"GET /linux-kernel/ HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 100
    sent = [0]

    def trickle(open_socks):
        for s in open_socks:
            try:
                s.send(head[sent[0]:sent[0] + 1])
            except OSError:
                pass
        sent[0] = min(sent[0] + 1, len(head) - 1)

    # A byte a second: the head would take two minutes; the server must
    # cut every one of them before (at the head timeout).
    trickle(socks)
    gone = closed(socks, GUARD, trickle)
    note("slowloris: %d of %d trickling connections closed by the server, %d bytes of their heads sent"
         % (gone, n, sent[0]))
    ok(gone == n and sent[0] < len(head) - 1,
       "slowloris: no head trickled a byte a second outlives the head timeout")
    for s in socks:
        s.close()


def pipeline():
    paths = [b"/linux-kernel/2019/05/20/4", b"/lkml/2010/11/", b"/lkml/", b"/healthz",
             b"/linux-kernel/2019/05/20/4/raw"]
    n = 1000
    reqs = b"".join(b"GET " + paths[i % len(paths)] + b" HTTP/1.1\r\nHost: t\r\n"
                    + (b"Connection: close\r\n" if i == n - 1 else b"") + b"\r\n" for i in range(n))
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    # A reader of its own: 1,000 responses do not fit in the socket
    # buffers, so the requests cannot all be written first.
    got = []

    def reader():
        data = b""
        try:
            while True:
                k = s.recv(1 << 20)
                if not k:
                    break
                data += k
        except OSError:
            pass
        got.append(data)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(reqs)
    t.join(30)
    data = got[0] if got else b""
    answered = data.count(b"HTTP/1.1 200 OK\r\n")
    note("pipeline: %d requests in one write, %d answered 200, %d bytes back" % (n, answered, len(data)))
    ok(answered == n, "pipeline: every one of 1,000 pipelined requests is answered, in one connection")
    s.close()
    # The same without ever reading: the server must not buffer 1,000
    # responses for it, and lets it go at the response timeout.
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", PORT))
    s.settimeout(10)
    before = rss_kb()
    try:
        s.sendall(reqs.replace(b"Connection: close\r\n", b""))
    except OSError:
        pass
    cut = closed([s], GUARD) == 1
    grown = rss_kb() - before
    ok(cut, "pipeline: a client that never reads is cut (at the response timeout)")
    note("pipeline: RSS grew %d KiB while a client sat on 1,000 unread responses" % grown)
    ok(grown < 32 * 1024, "pipeline: ...without holding its responses in memory (RSS grew %d KiB)" % grown)
    s.close()


def send_raw(data, wait=HEAD_TIMEOUT + 1.5):
    """Sends data on a new connection; returns what came back before the
    server closed (or wait seconds passed) and whether it closed."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=wait)
    out = b""
    closed = False
    try:
        s.sendall(data)
        end = time.monotonic() + wait
        while time.monotonic() < end:
            s.settimeout(max(0.05, end - time.monotonic()))
            k = s.recv(65536)
            if not k:
                closed = True
                break
            out += k
    except socket.timeout:
        pass
    except OSError:
        closed = True
    s.close()
    return out, closed


def status_of(out):
    return out[9:12].decode(errors="replace") if out.startswith(b"HTTP/1.1 ") else ("closed" if not out else "?")


def big_head():
    many = b"GET / HTTP/1.1\r\nHost: t\r\n" + b"".join(
        b"X-Fill-%d: %s\r\n" % (i, b"a" * 1000) for i in range(1000)) + b"\r\n"
    one = b"GET / HTTP/1.1\r\nHost: t\r\nX-Huge: " + b"a" * (1 << 20) + b"\r\n\r\n"
    for what, data in (("1,000 fields of 1 KB", many), ("one field of 1 MB", one)):
        outs = []

        def go():
            outs.append(send_raw(data, 4))

        threads = [threading.Thread(target=go) for _ in range(4 if QUICK else 10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(set(status_of(o) for o, _ in outs))
        note("big-head: %s: %s" % (what, ", ".join(codes)))
        ok(all(status_of(o) in ("431", "400", "413", "closed") for o, _ in outs),
           "big-head: %s is refused (431, 400, or the connection closed)" % what)


INVALID = [
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64)), "a TLS ClientHello"),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "the HTTP/2 preface"),
    (b"GET\r\n\r\n", "a request line without a path"),
    (b"GET / HTTP/9.9\r\nHost: t\r\n\r\n", "HTTP/9.9"),
    (b"GET / HTTP/1.1\r\nHost t\r\n\r\n", "a header field without a colon"),
    (b"GET / HTTP/1.1\nHost: t\n\n", "bare LF line ends"),
    (b"GET /\x00 HTTP/1.1\r\nHost: t\r\n\r\n", "a NUL in the path"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", "Content-Length: -1"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999\r\n\r\n", "a huge Content-Length"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a broken chunked body"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     "Content-Length and chunked together"),
    (b"G" * 70000 + b" / HTTP/1.1\r\nHost: t\r\n\r\n", "a 70 KB method"),
    (b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", "a 100 KB path"),
    (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 500 + b"\r\n", "500 header fields"),
    (b"GET / HTTP/1.1\r\nHost: t\r\n \r\n\r\n", "a continuation line"),
    (b"\r\n" * 5000, "10 KB of empty lines"),
    (bytes(random.Random(7).getrandbits(8) for _ in range(4096)), "4 KB of random bytes"),
    (b"GET / HTTP/1.1\r\nHost: t\r\n", "a head that never ends"),
    (b"GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", "broken percent-encoding"),
    (b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: t\r\n\r\n", "CONNECT"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
     b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n", "an h2c upgrade"),
]


def invalid():
    outs = [None] * len(INVALID)

    def go(i):
        outs[i] = send_raw(INVALID[i][0])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(INVALID))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = []
    for (data, what), (out, closed) in zip(INVALID, outs):
        st = status_of(out)
        note("invalid: %s: %s%s" % (what, st, "" if closed else " (left open)"))
        # Only our own answers: 4xx, or a page (some of these are valid
        # enough, HTTP/1.1 says to ignore a body of a GET with a length).
        if not (st in ("closed", "200", "400", "404", "405", "408", "413", "414", "431", "501", "505")):
            bad.append(what)
    ok(not bad, "invalid: every malformed request gets a 4xx or a page or a close (%s)" % ", ".join(bad))


SMUGGLE = [
    (b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n", "Content-Length and chunked, an empty chunk"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
     b"1\r\nG\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n", "chunked and Content-Length, a chunk"),
    (b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n", "Content-Length: 0 and chunked"),
]


def smuggle():
    """A request framed both ways (Content-Length and Transfer-Encoding)
    is refused with one 400 and the connection closed: the request hidden
    behind it is never answered."""
    bad = []
    for data, what in SMUGGLE:
        out, closed = send_raw(data, 3)
        answers = out.count(b"HTTP/1.1 ")
        note("smuggle: %s: %s, %d answer(s)%s" % (what, status_of(out), answers, "" if closed else ", left open"))
        if status_of(out) != "400" or answers != 1 or not closed:
            bad.append(what)
    ok(not bad, "smuggle: requests framed both ways get one 400 and a close (%s)" % ", ".join(bad))


TRAVERSAL = [
    b"/../../../../etc/passwd", b"/linux-kernel/../../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd",
    b"/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", b"/..%2f..%2fetc%2fpasswd", b"/linux-kernel/2019/05/20/4/..%2f..%2f..",
    b"/%252e%252e/etc/passwd", b"/..\\..\\etc\\passwd", b"/etc/passwd", b"//etc/passwd", b"///etc/passwd",
    b"/linux-kernel/2019/05/20/4/../../../../../../etc/passwd", b"/./././etc/passwd",
    b"/linux-kernel/2019/05/20/4/%00", b"/_/../../etc/passwd", b"/_/listarc-00000000.css/../../etc",
    b"http://127.0.0.1/../../etc/passwd", b"file:///etc/passwd", b"/linux-kernel/2019/05/20/4/1/../../../../..",
    b"/~root/.ssh/id_rsa", b"/proc/self/environ", b"/linux-kernel%2f..%2f..%2fetc%2fpasswd/",
    b"/.%2e/.%2e/etc/passwd", b"/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", b"/index.sqlite", b"/lock",
    b"/mbox/linux-kernel.mbox", b"/linux-kernel/2019/05/20/4/raw/../../../../../etc/passwd",
]


def traversal():
    bad = []
    codes = {}
    for p in TRAVERSAL:
        out, _ = send_raw(b"GET " + p + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 3)
        st = status_of(out)
        codes[st] = codes.get(st, 0) + 1
        head, _, body = out.partition(b"\r\n\r\n")
        loc = [l for l in head.split(b"\r\n") if l.lower().startswith(b"location:")]
        leaks = b"root:" in body or b"SQLite format" in body or b"PRIVATE KEY" in body
        # A redirect stays in the archive: a path of it, or one on the
        # request's own origin (Message-ID forms redirect absolutely, for b4).
        target = loc[0].split(b":", 1)[1].strip() if loc else b"/"
        if target.startswith(b"http://t/"):
            target = target[len(b"http://t"):]
        redirect_out = not target.startswith(b"/") or target.startswith(b"//") or b"/../" in target
        if st not in ("400", "404", "301", "414", "closed") or leaks or redirect_out:
            bad.append("%s: %s" % (p.decode(errors="replace"), st))
    note("traversal: %d paths: %s" % (len(TRAVERSAL), ", ".join("%s %d" % kv for kv in sorted(codes.items()))))
    ok(not bad, "traversal: no path leaves the archive: 400, 404 or a redirect within it (%s)" % "; ".join(bad))


def main():
    base = rss_kb()
    note("server RSS at the start: %d KiB" % base)
    for name, fn in (("idle", idle), ("slowloris", slowloris), ("pipeline", pipeline),
                     ("big-head", big_head), ("invalid", invalid), ("smuggle", smuggle),
                     ("traversal", traversal)):
        phase(name, fn)
    # The crowds again: memory must stay at the level the first round
    # took it to, not grow with every round.
    first = max(r[5] for r in results)
    for name, fn in (("idle, again", idle), ("big-head, again", big_head),
                     ("slowloris, again", slowloris)):
        phase(name, fn)
    again = max(r[5] for r in results)
    note("RSS: %d KiB at the start, %d KiB at most in the first round, %d KiB at most in the second"
         % (base, first, again))
    if not QUICK:
        ok(again < 64 * 1024, "server RSS stays under 64 MiB throughout (peak %d KiB)" % again)
        ok(again < first + 4 * 1024, "...and a second round of the crowds does not take it higher "
           "than the first (%d KiB, then %d KiB)" % (first, again))


main()
