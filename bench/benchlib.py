"""benchlib: what bench/compare, bench/scale and bench/search share.

Timing of a command with the peak RSS of its whole process tree, corpus
generation and splitting, warming the page cache, free ports, wrk runs,
disk use, and the search queries (in listarc's and notmuch's syntax).
Nothing here passes or fails: it measures and formats.
"""
import os, shutil, socket, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, '..', 'shared', 'corpora', 'gen-corpus.py')
LISTARC = os.environ.get('LISTARC', os.path.join(ROOT, 'listarc'))
SEED = '1'
PAGE = os.sysconf('SC_PAGE_SIZE')


def log(msg):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


def ensure_packages(commands):
    """Installs the Debian packages of the commands missing here.
    commands: {command: package}."""
    missing = sorted({pkg for cmd, pkg in commands.items() if not shutil.which(cmd)})
    if not missing:
        return
    log(f'installing {" ".join(missing)}')
    sudo = [] if os.geteuid() == 0 else ['sudo']
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(sudo + ['apt-get', 'install', '-y', '-qq'] + missing, check=True, env=env,
                   stdout=subprocess.DEVNULL)


def build():
    subprocess.run(['make', '-s', '-C', ROOT, 'listarc'], check=True)


def machine():
    cpu = '?'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    with open('/proc/meminfo') as f:
        mem = int(f.readline().split()[1]) / 1024 / 1024
    osname = '?'
    if os.path.exists('/etc/os-release'):
        with open('/etc/os-release') as f:
            for line in f:
                if line.startswith('PRETTY_NAME='):
                    osname = line.split('=', 1)[1].strip().strip('"')
    return f'{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {osname}'


# --- corpora -------------------------------------------------------------

def gen_corpus(n, path):
    subprocess.run([sys.executable, GEN, str(n), path, SEED], check=True, stdout=subprocess.DEVNULL)
    return path


def split_tail(mbox, k, head_path, tail_path):
    """Writes the first messages of mbox to head_path and its last k to
    tail_path (cut at a From_ line)."""
    with open(mbox, 'rb') as f:
        data = f.read()
    pos = len(data)
    for _ in range(k):
        pos = data.rfind(b'\nFrom ', 0, pos)
    cut = pos + 1
    with open(head_path, 'wb') as f:
        f.write(data[:cut])
    with open(tail_path, 'wb') as f:
        f.write(data[cut:])


def mbox_to_maildir(mbox, maildir):
    """One file per message in maildir/cur, as a mail client leaves them
    (the mbox's From_ line dropped, mboxrd quoting undone)."""
    for sub in ('cur', 'new', 'tmp'):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    with open(mbox, 'rb') as f:
        data = f.read()
    if not data:
        return 0
    msgs = data.split(b'\nFrom ')
    base = len(os.listdir(os.path.join(maildir, 'cur')))
    for i, m in enumerate(msgs):
        body = m.split(b'\n', 1)[1] if b'\n' in m else b''
        lines = body.split(b'\n')
        for j, line in enumerate(lines):
            s = line.lstrip(b'>')
            if s.startswith(b'From ') and len(s) < len(line):
                lines[j] = line[1:]
        name = f'{1700000000 + base + i}.{base + i}.bench:2,S'
        with open(os.path.join(maildir, 'cur', name), 'wb') as f:
            f.write(b'\n'.join(lines).rstrip(b'\n') + b'\n')
    return len(msgs)


def warm(*paths):
    """Reads every file under paths once, so that the page cache holds them."""
    n = 0
    for p in paths:
        files = [p] if os.path.isfile(p) else [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs]
        for path in files:
            with open(path, 'rb') as f:
                while True:
                    b = f.read(1 << 22)
                    if not b:
                        break
                    n += len(b)
    return n


# --- measuring ----------------------------------------------------------

def _children(pid):
    try:
        with open(f'/proc/{pid}/task/{pid}/children') as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return []
    # Threads other than the main one may have forked too.
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            if tid != str(pid):
                with open(f'/proc/{pid}/task/{tid}/children') as f:
                    kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def _tree(root):
    """root and every descendant process, each once (depth first)."""
    stack = [root]
    while stack:
        pid = stack.pop()
        yield pid
        stack += _children(pid)


def tree_rss(root):
    """Bytes resident in root and all its descendants now (pages shared
    between processes count once per process, as in ps)."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f'/proc/{pid}/statm') as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def tree_rss_one(pid):
    """Bytes resident in one process now (0 once it is gone)."""
    try:
        with open(f'/proc/{pid}/statm') as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler:
    """Samples the RSS of a process tree every 50 ms in a thread; .peak is
    the highest sum seen.  With skip_root the root itself (a wrapper such
    as /usr/bin/time) is not counted, only its descendants."""

    def __init__(self, pid, interval=0.05, skip_root=False):
        self.pid, self.interval, self.peak = pid, interval, 0
        self.skip_root = skip_root
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while True:
            n = tree_rss(self.pid)
            if self.skip_root:
                n -= tree_rss_one(self.pid)
            self.peak = max(self.peak, n)
            if self._stop.wait(self.interval):
                return

    def stop(self):
        self._stop.set()
        self._t.join()
        return self.peak


class Result:
    def __init__(self, secs, rss, out='', cpu=0.0):
        self.secs, self.rss, self.out, self.cpu = secs, rss, out, cpu


def timed(cmd, env=None, cwd=None, stdin=None, stdout=subprocess.DEVNULL, check=True):
    """Runs cmd; returns its wall time, its CPU time (user + system, of cmd
    and the children it waited for, as /usr/bin/time reports them) and the
    peak RSS of its process tree in bytes: the larger of the 50 ms samples
    of the tree's summed RSS (/usr/bin/time itself not counted) and the
    largest single process's high-water mark (/usr/bin/time %M, which
    catches what is too short for the sampler)."""
    fd, rss_file = tempfile.mkstemp(prefix='rss')
    os.close(fd)
    t0 = time.perf_counter()
    p = subprocess.Popen(['/usr/bin/time', '-f', '%U %S %M', '-o', rss_file] + cmd, env=env, cwd=cwd,
                         stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    s = TreeSampler(p.pid, skip_root=True)
    out, err = p.communicate()
    t = time.perf_counter() - t0
    peak = s.stop()
    with open(rss_file) as f:
        words = f.read().split()
    os.unlink(rss_file)
    single = int(words[-1]) * 1024 if words and words[-1].isdigit() else 0
    try:
        cpu = float(words[-3]) + float(words[-2])
    except (IndexError, ValueError):
        cpu = 0.0
    if check and p.returncode != 0:
        sys.exit(f'{" ".join(cmd)}: exit {p.returncode}: {err.decode(errors="replace")[-2000:]}')
    return Result(t, max(peak, single), out.decode(errors='replace') if isinstance(out, bytes) else '', cpu)


def disk_used(*paths):
    """Bytes on disk (allocated blocks, as du) of files and directories."""
    n = 0
    for p in paths:
        if os.path.isfile(p):
            n += os.stat(p).st_blocks * 512
        elif os.path.isdir(p):
            for d, _, fs in os.walk(p):
                for f in fs:
                    try:
                        n += os.lstat(os.path.join(d, f)).st_blocks * 512
                    except OSError:
                        pass
    return n


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_http(url, secs=60):
    import urllib.request
    t0 = time.time()
    while time.time() - t0 < secs:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
                return True
        except Exception:
            time.sleep(0.1)
    return False


def http_get(url):
    """(status, bytes) of a GET."""
    import urllib.request, urllib.error
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _ms(s):
    s = s.strip()
    for unit, f in (('us', 0.001), ('ms', 1.0), ('s', 1000.0), ('m', 60000.0)):
        if s.endswith(unit) and s[:-len(unit)].replace('.', '', 1).isdigit():
            return float(s[:-len(unit)]) * f
    return float('nan')


def wrk(url, duration=10, threads=2, conns=64):
    """Runs wrk; returns {'rps', 'p50', 'p99' (ms), 'errors'}."""
    p = subprocess.run(['wrk', f'-t{threads}', f'-c{conns}', f'-d{duration}s', '--latency', url],
                       capture_output=True, text=True)
    r = {'rps': 0.0, 'p50': float('nan'), 'p99': float('nan'), 'errors': 0}
    for line in p.stdout.splitlines():
        w = line.split()
        if line.startswith('Requests/sec:'):
            r['rps'] = float(w[1])
        elif len(w) == 2 and w[0] == '50%':
            r['p50'] = _ms(w[1])
        elif len(w) == 2 and w[0] == '99%':
            r['p99'] = _ms(w[1])
        elif line.strip().startswith('Non-2xx'):
            r['errors'] += int(w[-1])
        elif line.strip().startswith('Socket errors'):
            r['errors'] += sum(int(x.strip(',')) for x in w[3::2] if x.strip(',').isdigit())
    return r


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float('nan')
    k = min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))
    return xs[k]


class Server:
    """A server process started with Popen; stop() sends SIGTERM and waits."""

    def __init__(self, cmd, env=None, cwd=None, log_path=os.devnull):
        self.log = open(log_path, 'wb')
        self.p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT)

    def peak_rss(self):
        """Sum of VmHWM over the server's process tree."""
        total = 0
        for pid in _tree(self.p.pid):
            try:
                with open(f'/proc/{pid}/status') as f:
                    for line in f:
                        if line.startswith('VmHWM:'):
                            total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def listarc_serve(data, log_path, *args):
    """Starts `listarc serve` on a free port; returns (Server, base URL)."""
    port = free_port()
    s = Server([LISTARC, 'serve', '--data', data, '--listen', f'127.0.0.1:{port}', '--log', os.devnull]
               + list(args), log_path=log_path)
    u = f'http://127.0.0.1:{port}'
    if not wait_http(u + '/healthz'):
        s.stop()
        sys.exit(f'listarc serve did not start; see {log_path}')
    return s, u


def listarc_pages(data, listname):
    """Paths of a message page, a month page and a thread page for wrk,
    chosen the same way at every size: the message is the first of a
    thread of 5 to 20 messages in the middle of the list (of the archive,
    when it has only that list).  Returns
    {'message', 'month', 'msgid', 'thread_size'}."""
    db = os.path.join(data, 'index.sqlite')
    q = ("with l as (select id from lists where name = '%s'), "
         "t as (select thread, count(*) c from messages group by thread having c between 5 and 20) "
         "select m.day, m.num, i.mid, t.c from messages m join t on t.thread = m.thread "
         "join mids i on i.id = m.mid "
         "where m.list_id = (select id from l) and m.id >= (select min(id) - 1 + (max(id) - min(id) + 1) / 2 "
         "from messages where list_id = (select id from l)) order by m.id limit 1" % listname.replace("'", "''"))
    out = subprocess.run(['sqlite3', db, q], check=True, capture_output=True, text=True).stdout.strip()
    day, num, mid, c = out.split('|')
    day = int(day)
    y, mo, d = day // 10000, day // 100 % 100, day % 100
    return {'message': f'/{listname}/{y:04d}/{mo:02d}/{d:02d}/{num}',
            'month': f'/{listname}/{y:04d}/{mo:02d}/', 'msgid': mid, 'thread_size': int(c)}


def quote_url(s):
    import urllib.parse
    return urllib.parse.quote(s, safe='@')


# --- search queries -----------------------------------------------------

# The queries of bench/search (and bench/compare), in classes, chosen on
# what gen-corpus.py writes: it re-mixes 263 real messages (210 from lkml,
# 53 from notmuch's list), so every word's share of messages is that of the
# templates it occurs in, at any N (each template is ~0.38% of messages).
# Shares below are of a 5,000-message corpus (seed 1).
#   rare word:   in the text of one template (~0.3-0.6%)
#   common word: in 45-80% of messages
#   phrase:      from 46% ("signed off by") down to ~0.2%, "the patch" of
#                two common words
#   prefix:      field prefixes (sender, subject, To) and word* prefixes
#   date range:  a year, a month, ten years
#   combined:    NOT, OR, prefixes with dates
#   dfn:         file names in patches (notmuch has no equivalent)
# Where they can, the words are ones notmuch counts as listarc does: not
# parts of identifiers (listarc's tokenizer cuts brightness_store at the _
# and finds it for brightness, Xapian keeps it whole) nor of addresses
# (notmuch's unprefixed words search From and To too: kernel, notmuch).
# The common words still differ a little, and t:trivial (notmuch's to:
# covers Cc), and inter* (the two cut words differently).
# (class, listarc query, the same in notmuch's syntax or None where notmuch
# has no such prefix).  Years in notmuch ranges are spelt out as days: a
# bare 2005 may be read as a time of day.
QUERIES = [
    ('rare word', 'waterfalls', 'waterfalls'),
    ('rare word', 'tidspbridge', 'tidspbridge'),
    ('rare word', 'overwhelming', 'overwhelming'),
    ('rare word', 'complaint', 'complaint'),
    ('rare word', 'coincided', 'coincided'),
    ('common word', 'patch', 'patch'),
    ('common word', 'the', 'the'),
    ('common word', 'wrote', 'wrote'),
    ('common word', 'signed', 'signed'),
    ('phrase', '"unnecessary semicolons"', '"unnecessary semicolons"'),
    ('phrase', '"signed off by"', '"signed off by"'),
    ('phrase', '"the patch"', '"the patch"'),
    ('phrase', '"race condition"', '"race condition"'),
    ('prefix', 'f:perches', 'from:perches'),
    ('prefix', 'f:dhowells', 'from:dhowells'),
    ('prefix', 's:cifs', 'subject:cifs'),
    ('prefix', 't:trivial', 'to:trivial'),
    ('prefix', 'brigh*', 'brigh*'),
    ('prefix', 'inter*', 'inter*'),
    ('prefix', 's:regist*', 'subject:regist*'),
    ('date range', 'd:2010-01-01..2010-12-31', 'date:2010-01-01..2010-12-31'),
    ('date range', 'd:2015-06', 'date:2015-06-01..2015-06-30'),
    ('date range', 'd:2005..2014', 'date:2005-01-01..2014-12-31'),
    ('combined', 'should NOT s:patch', 'should AND NOT subject:patch'),
    ('combined', 'maildir OR mutt', 'maildir OR mutt'),
    ('combined', 'f:perches s:semicolons d:2005..2015',
     'from:perches AND subject:semicolons AND date:2005-01-01..2015-12-31'),
    ('combined', '(s:notmuch OR s:semicolons) -s:rfc d:2012..2018',
     '(subject:notmuch OR subject:semicolons) AND NOT subject:rfc AND date:2012-01-01..2018-12-31'),
    ('dfn:', 'dfn:fs/cifs/file.c', None),
    ('dfn:', 'dfn:Makefile', None),
    ('dfn:', 'dfn:sound/soc/codecs/wm8904.c', None),
]
# The classes whose queries run a second time ordered by relevance
# (`--order=relevance`, `&o=relevance`), as the class CLASS + RELEVANCE.
# notmuch's CLI sorts by date only, so these have no notmuch figures.
RELEVANCE_CLASSES = ('common word',)
RELEVANCE = ', by relevance'


def fmt_bytes(b):
    return f'{b / 1e6:.1f} MB' if b < 1e9 else f'{b / 1e9:.2f} GB'


def sample_cli(cmd, reps):
    """Wall times (ms) of reps runs of cmd, one after another, each a new
    process (start-up included); and the last run's stdout and stderr."""
    ts, out = [], ''
    for _ in range(reps):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ts.append((time.perf_counter() - t0) * 1000)
        out = p.stdout + p.stderr
    return ts, out


def sample_http(base, path, reps):
    """Times (ms) of reps GETs of path on one keep-alive connection, one
    after another; and the last (status, body)."""
    import http.client, urllib.parse
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    ts, last = [], (0, b'')
    for _ in range(reps):
        t0 = time.perf_counter()
        c.request('GET', path)
        r = c.getresponse()
        body = r.read()
        ts.append((time.perf_counter() - t0) * 1000)
        last = (r.status, body)
    c.close()
    return ts, last


def notmuch_env(config):
    return dict(os.environ, NOTMUCH_CONFIG=config)


def notmuch_setup(maildir, config):
    """A notmuch configuration as `notmuch setup` writes it by default,
    with the database in maildir/.notmuch."""
    with open(config, 'w') as f:
        f.write(f'[database]\npath={maildir}\n\n[user]\nname=Bench\nprimary_email=bench@example.org\n\n'
                '[new]\ntags=unread;inbox;\nignore=\n\n[search]\nexclude_tags=deleted;spam;\n\n'
                '[maildir]\nsynchronize_flags=true\n')


def _page_matches(body):
    """The count a search page prints: a number, '>N' past its cap, or
    None if it prints none (an error page)."""
    import re
    if b'No messages match.' in body:
        return 0
    m = re.search(rb'More than (\d+) messages match', body)
    if m:
        return f'>{int(m.group(1))}'
    m = re.search(rb'<p>(\d+) messages? match', body)
    return int(m.group(1)) if m else None


def search_runs(queries=None):
    """(class, listarc query, notmuch query, order) of every run of
    run_search: each query of queries (QUERIES by default) newest first,
    and those of RELEVANCE_CLASSES again by relevance (no notmuch query:
    notmuch sorts by date only)."""
    queries = QUERIES if queries is None else queries
    runs = [(c, q, nq, 'newest') for c, q, nq in queries]
    runs += [(c + RELEVANCE, q, None, 'relevance') for c, q, nq in queries if c in RELEVANCE_CLASSES]
    return runs


def run_search(data, base, nm_config, listname, reps, queries=None):
    """Runs every query of search_runs(queries) reps times three ways:
    `listarc search --limit 20` (a process each), the search page
    /LIST/?q= through the server at base (one request at a time on a
    keep-alive connection), and `notmuch search --limit=20` (a process
    each).  Returns a list of dicts per run: cls (its class), label (the
    same), q, nq, order, matches (`listarc search`'s count of every
    match), page_matches (the page's, capped), nm_matches (`notmuch
    count`), and the samples in ms: cli, page, notmuch."""
    import re, urllib.parse
    rows = []
    runs = search_runs(queries)
    for i, (cls, q, nq, order) in enumerate(runs):
        r = {'cls': cls, 'label': cls, 'q': q, 'nq': nq, 'order': order}
        cmd = [LISTARC, 'search', '--data', data, '--limit', '20']
        path = f'/{listname}/?q={urllib.parse.quote_plus(q)}'
        if order != 'newest':
            cmd.append(f'--order={order}')
            path += f'&o={order}'
        ts, out = sample_cli(cmd + [q], reps)
        r['cli'] = ts
        # The exact count (the listing's stops at 1,000), not timed.
        p = subprocess.run([LISTARC, 'search', '--data', data, '--count', q], capture_output=True)
        r['matches'] = int(p.stdout) if p.stdout.strip().isdigit() else 0
        ts, (status, body) = sample_http(base, path, reps)
        r['page'] = ts
        r['page_status'] = status
        r['page_matches'] = _page_matches(body)
        if nq and nm_config:
            env = notmuch_env(nm_config)
            ts = []
            for _ in range(reps):
                t0 = time.perf_counter()
                subprocess.run(['notmuch', 'search', '--limit=20', nq], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                ts.append((time.perf_counter() - t0) * 1000)
            r['notmuch'] = ts
            c = subprocess.run(['notmuch', 'count', nq], env=env, capture_output=True, text=True)
            r['nm_matches'] = int(c.stdout.strip() or 0)
        else:
            r['notmuch'] = []
            r['nm_matches'] = None
        log(f'search {i + 1}/{len(runs)}: {q}{" (" + order + ")" if order != "newest" else ""}: '
            f'{r["matches"]} matches, CLI p50 {percentile(r["cli"], 50):.1f} ms, '
            f'page p50 {percentile(r["page"], 50):.1f} ms'
            + (f', notmuch p50 {percentile(r["notmuch"], 50):.1f} ms' if r['notmuch'] else ''))
        rows.append(r)
    return rows


def _pp(ts):
    return f'{percentile(ts, 50):>7.1f} {percentile(ts, 99):>7.1f}' if ts else f'{"—":>7} {"—":>7}'


def print_search(rows, out=sys.stdout):
    """The table of run_search's rows, one line per run: class, query,
    listarc's count, CLI and page p50/p99, notmuch's count, p50/p99 and
    query.  Then the p50/p99 of all runs pooled, and of those notmuch has
    too.  A page count that disagrees with the CLI's is marked with !."""
    w = max([len(r['q']) for r in rows] + [13])
    print(f'{"class":<25} {"listarc query":<{w}} {"matches":>7} {"CLI p50":>7} {"p99":>7} '
          f'{"page p50":>8} {"p99":>7} | {"matches":>7} {"p50":>7} {"p99":>7}  notmuch query', file=out)
    odd = []
    for r in rows:
        pm = r.get('page_matches')
        flag = ' '
        if pm is not None and pm != r['matches'] and not (isinstance(pm, str) and r['matches'] > int(pm[1:])):
            flag = '!'
            odd.append(f'{r["q"]}: `listarc search` counts {r["matches"]}, the page {pm}')
        if r.get('page_status', 200) != 200:
            flag = '!'
            odd.append(f'{r["q"]}: the page answered HTTP {r["page_status"]}')
        nmm = r['nm_matches'] if r['nm_matches'] is not None else '—'
        print(f'{r["label"]:<25} {r["q"]:<{w}} {r["matches"]:>7}{flag}{_pp(r["cli"])} {_pp(r["page"]):>16} | '
              f'{nmm:>7} {_pp(r["notmuch"])}  {r["nq"] or "(no equivalent)"}', file=out)
    allc = [t for r in rows for t in r['cli']]
    allp = [t for r in rows for t in r['page']]
    alln = [t for r in rows for t in r['notmuch']]
    common = [r for r in rows if r['notmuch']]
    cc = [t for r in common for t in r['cli']]
    cp = [t for r in common for t in r['page']]
    print(f'{"all runs":<25} {"":<{w}} {"":>7} {_pp(allc)} {_pp(allp):>16} | {"":>7} {_pp(alln)}', file=out)
    print(f'{"those notmuch has too":<25} {"":<{w}} {"":>7} {_pp(cc)} {_pp(cp):>16} | {"":>7} {_pp(alln)}',
          file=out)
    for o in odd:
        print(f'! {o}', file=out)
    return {'cli': allc, 'page': allp, 'notmuch': alln, 'cli_common': cc, 'page_common': cp}


def search_classes(rows):
    """Per class, in the order of rows: {'cls', 'n', 'cli', 'page',
    'notmuch' (pooled samples), 'nm_n' (runs notmuch has), 'cli_nm',
    'page_nm' (listarc's samples of those runs alone)}."""
    out = {}
    for r in rows:
        c = out.setdefault(r['cls'], {'cls': r['cls'], 'n': 0, 'cli': [], 'page': [], 'notmuch': [],
                                      'nm_n': 0, 'cli_nm': [], 'page_nm': []})
        c['n'] += 1
        c['cli'] += r['cli']
        c['page'] += r['page']
        if r['notmuch']:
            c['nm_n'] += 1
            c['notmuch'] += r['notmuch']
            c['cli_nm'] += r['cli']
            c['page_nm'] += r['page']
    return list(out.values())


def print_search_classes(rows, out=sys.stdout):
    """p50/p99 per class (every sample of the class's runs pooled), and
    listarc's over notmuch's, p50 and p99, on the runs notmuch has."""
    def ratio(a, b, p):
        return f'{percentile(a, p) / percentile(b, p):.2f}' if a and b else '—'
    print(f'{"class":<25} {"runs":>4} {"CLI p50":>7} {"p99":>7} {"page p50":>8} {"p99":>7} | '
          f'{"notmuch":>7} {"p50":>7} {"p99":>7} | {"CLI÷nm p50":>10} {"p99":>5} {"page÷nm p50":>11} {"p99":>5}',
          file=out)
    for c in search_classes(rows):
        nm = f'{c["nm_n"]} runs' if c['nm_n'] else 'none'
        print(f'{c["cls"]:<25} {c["n"]:>4} {_pp(c["cli"])} {_pp(c["page"]):>16} | {nm:>7} {_pp(c["notmuch"])} | '
              f'{ratio(c["cli_nm"], c["notmuch"], 50):>10} {ratio(c["cli_nm"], c["notmuch"], 99):>5} '
              f'{ratio(c["page_nm"], c["notmuch"], 50):>11} {ratio(c["page_nm"], c["notmuch"], 99):>5}',
              file=out)
