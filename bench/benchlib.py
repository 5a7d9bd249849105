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


def tree_rss(root):
    """Bytes resident in root and all its descendants now (pages shared
    between processes count once per process, as in ps)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f'/proc/{pid}/statm') as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(pid)
    return total


class TreeSampler:
    """Samples the RSS of a process tree every 50 ms in a thread; .peak is
    the highest sum seen."""

    def __init__(self, pid, interval=0.05):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while True:
            self.peak = max(self.peak, tree_rss(self.pid))
            if self._stop.wait(self.interval):
                return

    def stop(self):
        self._stop.set()
        self._t.join()
        return self.peak


class Result:
    def __init__(self, secs, rss, out=''):
        self.secs, self.rss, self.out = secs, rss, out


def timed(cmd, env=None, cwd=None, stdin=None, stdout=subprocess.DEVNULL, check=True):
    """Runs cmd; returns its wall time and the peak RSS of its process tree
    in bytes: the larger of the 50 ms samples of the tree's summed RSS and
    the largest single process's high-water mark (/usr/bin/time %M, which
    catches what is too short for the sampler)."""
    fd, rss_file = tempfile.mkstemp(prefix='rss')
    os.close(fd)
    t0 = time.perf_counter()
    p = subprocess.Popen(['/usr/bin/time', '-f', '%M', '-o', rss_file] + cmd, env=env, cwd=cwd,
                         stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    s = TreeSampler(p.pid)
    out, err = p.communicate()
    t = time.perf_counter() - t0
    peak = s.stop()
    with open(rss_file) as f:
        words = f.read().split()
    os.unlink(rss_file)
    single = int(words[-1]) * 1024 if words and words[-1].isdigit() else 0
    if check and p.returncode != 0:
        sys.exit(f'{" ".join(cmd)}: exit {p.returncode}: {err.decode(errors="replace")[-2000:]}')
    return Result(t, max(peak, single), out.decode(errors='replace') if isinstance(out, bytes) else '')


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
        total, todo = 0, [self.p.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f'/proc/{pid}/status') as f:
                    for line in f:
                        if line.startswith('VmHWM:'):
                            total += int(line.split()[1]) * 1024
            except OSError:
                continue
            todo += _children(pid)
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

# (label, listarc query, notmuch query or None where notmuch has no such prefix)
QUERIES = [
    ('word', 'semicolons', 'semicolons'),
    ('rare word', 'fscache', 'fscache'),
    ('phrase', '"unnecessary semicolons"', '"unnecessary semicolons"'),
    ('from', 'f:perches', 'from:perches'),
    ('subject', 's:cifs', 'subject:cifs'),
    ('date range', 'd:2010-01-01..2010-12-31', 'date:2010-01-01..2010-12-31'),
    ('diff file name', 'dfn:fs/cifs/file.c', None),
    ('word NOT subject', 'kernel NOT s:patch', 'kernel AND NOT subject:patch'),
    ('word OR word', 'notmuch OR mutt', 'notmuch OR mutt'),
    ('from + subject + date', 'f:perches s:cifs d:2005-01-01..2015-12-31',
     'from:perches AND subject:cifs AND date:2005-01-01..2015-12-31'),
]


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


def run_search(data, base, nm_config, listname, reps):
    """Runs every query of QUERIES reps times three ways: `listarc search
    --limit 20` (a process each), the search page /LIST/?q= through the
    server at base (one request at a time on a keep-alive connection),
    and `notmuch search --limit=20` (a process each).  Returns a list of
    dicts per query: label, queries, matches and the samples (ms)."""
    import re, urllib.parse
    rows = []
    for label, q, nq in QUERIES:
        r = {'label': label, 'q': q, 'nq': nq}
        ts, out = sample_cli([LISTARC, 'search', '--data', data, '--limit', '20', q], reps)
        r['cli'] = ts
        m = re.search(rb'(\d+) of (\d+) matching', out or b'')
        r['matches'] = int(m.group(2)) if m else 0
        ts, (status, body) = sample_http(base, f'/{listname}/?q={urllib.parse.quote_plus(q)}', reps)
        r['page'] = ts
        r['page_status'] = status
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
        rows.append(r)
    return rows


def print_search(rows, out=sys.stdout):
    def pp(ts):
        return f'{percentile(ts, 50):>7.1f} {percentile(ts, 99):>7.1f}' if ts else f'{"—":>7} {"—":>7}'
    print(f'{"query":<24} {"listarc query":<42} {"matches":>7} {"CLI p50":>7} {"p99":>7} '
          f'{"page p50":>8} {"p99":>7} | {"notmuch query":<36} {"matches":>7} {"p50":>7} {"p99":>7}',
          file=out)
    for r in rows:
        print(f'{r["label"]:<24} {r["q"]:<42} {r["matches"]:>7} {pp(r["cli"])} {pp(r["page"]):>16} | '
              f'{(r["nq"] or "(no equivalent)"):<36} {r["nm_matches"] if r["nm_matches"] is not None else "—":>7} '
              f'{pp(r["notmuch"])}', file=out)
    allc = [t for r in rows for t in r['cli']]
    allp = [t for r in rows for t in r['page']]
    alln = [t for r in rows for t in r['notmuch']]
    common = [r for r in rows if r['notmuch']]
    cc = [t for r in common for t in r['cli']]
    cp = [t for r in common for t in r['page']]
    print(f'{"all queries":<24} {"":<42} {"":>7} {pp(allc)} {pp(allp):>16} | {"":<36} {"":>7} {pp(alln)}', file=out)
    print(f'{"those notmuch has too":<24} {"":<42} {"":>7} {pp(cc)} {pp(cp):>16} | {"":<36} {"":>7} {pp(alln)}',
          file=out)
    return {'cli': allc, 'page': allp, 'notmuch': alln, 'cli_common': cc, 'page_common': cp}
