#!/usr/bin/env python3
"""The Message-IDs `m:VALUE` must find, by the rule (docs/INDEX.md, `mid_words`):
the Message-IDs of the mboxes holding VALUE's words in a row, ASCII
letters folded; a whole known Message-ID (or one referenced) finds
itself only; `*` after the last word makes it a prefix.

usage: midrule.py MBOXES VALUE...   (MBOXES: paths, one a line)
Prints one line a VALUE: the Message-IDs, sorted, space-separated."""
import mailbox, re, sys
mids, refs = [], set()
def header(raw, name):
    """The (unfolded, UTF-8) values of header name in raw's header block."""
    head = raw.split(b'\n\n', 1)[0].decode('utf-8', 'replace')
    head = re.sub(r'\n[ \t]+', ' ', head)
    return [l.split(':', 1)[1] for l in head.split('\n') if l.lower().startswith(name.lower() + ':')]
for path in sys.argv[1].split('\n'):
    mb = mailbox.mbox(path, create=False)
    for key in mb.keys():
        raw = mb.get_bytes(key)
        for v in header(raw, 'Message-ID')[:1]:
            m = re.search(r'<([^>]*)>', v)
            if m:
                mids.append(m.group(1))
        for h in ('In-Reply-To', 'References'):
            for v in header(raw, h):
                refs.update(re.findall(r'<([^>]*)>', v))
known = set(mids) | refs
lower = lambda s: ''.join(c.lower() if c < '\x80' else c for c in s)
for v in sys.argv[2:]:
    if v.startswith('<') and v.endswith('>'):
        v = v[1:-1]
    if v in known:
        found = [m for m in mids if m == v]
    else:
        star = len(v) > 1 and v.endswith('*')
        if star:
            v = v[:-1]
        word = r'[A-Za-z0-9_\x80-\U0010ffff]'
        words = [lower(w) for w in re.findall(word + '+', v)]
        sep = '[^a-z0-9_]'
        # The last word goes on after a '*' right behind it.
        goes_on = star and re.search(word + '$', v)
        pat = re.compile(sep + sep.join(map(re.escape, words)) + ('' if goes_on else sep))
        found = [m for m in mids if words and pat.search('.' + lower(m) + '.')]
    print(' '.join(sorted(found)))
