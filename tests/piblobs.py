#!/usr/bin/env python3
"""tests/piblobs.py: a public-inbox inbox's messages, oldest first, as an
mboxrd (for comparing listarc's archive of the inbox with its archive of
the same mail as an mbox: t1323, t1325).

usage: piblobs.py GIT OUT [--own-from]

GIT is a v2 epoch (.../git/N.git: each first-parent commit's blob "m") or
a v1 inbox (the files each first-parent commit adds).  Each blob gets
lore's placeholder From_ line; with --own-from, a blob that starts with a
From_ line of its own is separated by that line instead."""
import re, subprocess, sys

g, out = sys.argv[1], sys.argv[2]
own_from = '--own-from' in sys.argv[3:]
if g.endswith('.git') and '/git/' in g:  # v2: each commit's "m"
    objs = [r + ':m' for r in subprocess.run(
        ['git', '-C', g, 'rev-list', '--reverse', '--first-parent', 'HEAD'],
        capture_output=True, text=True, check=True).stdout.split()]
else:  # v1: the files each commit adds
    objs, c = [], None
    for l in subprocess.run(['git', '-C', g, 'log', '--reverse', '--first-parent',
                             '--diff-filter=A', '--name-only', '--format=C%H', 'HEAD'],
                            capture_output=True, text=True, check=True).stdout.splitlines():
        if l.startswith('C'):
            c = l[1:]
        elif l:
            objs.append(f'{c}:{l}')
p = subprocess.Popen(['git', '-C', g, 'cat-file', '--batch'], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE)
p.stdin.write(''.join(o + '\n' for o in objs).encode())
p.stdin.close()
with open(out, 'wb') as o:
    while True:
        head = p.stdout.readline()
        if not head:
            break
        if head.split()[-1] == b'missing':
            continue
        b = p.stdout.read(int(head.split()[2]))
        p.stdout.read(1)
        if not b:
            continue
        sep = b'From mboxrd@z Thu Jan  1 00:00:00 1970'
        if own_from and b.startswith(b'From '):
            sep, b = b.split(b'\n', 1)
        b = re.sub(rb'(?m)^(>*From )', rb'>\1', b)
        o.write(sep + b'\n' + b + (b'' if b.endswith(b'\n') else b'\n') + b'\n')
p.wait()
