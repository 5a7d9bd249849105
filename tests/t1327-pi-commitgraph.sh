#!/usr/bin/env bash
# t1327-pi-commitgraph: a public-inbox epoch with git's commit-graph file
# (objects/info/commit-graph, which `git commit-graph write` and `git gc`
# leave) is indexed exactly as one without: its first-parent chain is
# read from the graph (ingest/cgraph.c) where the graph holds the commits
# and from the commits themselves past it.  The inbox is listarc's own
# export of samples/seeds.mbox with one message hidden (an "rm" commit
# writing "d"); checked against the same inbox without a graph: the same
# URLs, Message-IDs, threads, blobs and offsets, with a graph of part of
# the history, of all of it, read in two runs (the first up to an older
# tip), and with graphs that are cut, name a parent outside themselves or
# make a loop of parents (dropped: the commits are read instead).
. "$(dirname "$0")/lib.sh"
N=8
plan $N
sed 's/^From .*/From mboxrd@z Thu Jan  1 00:00:00 1970/' "$ROOT/samples/seeds.mbox" >lore.mbox
la index --data a --quiet v2 lore.mbox
la list --data a set-address v2 v2@example.org >/dev/null
la export --data a >/dev/null
la hide --data a v2 "$(sqlite3 a/index.sqlite 'SELECT mid FROM mids ORDER BY id LIMIT 1 OFFSET 5')" \
	--reason test >/dev/null
la export --data a >/dev/null
IB=a/inbox/v2
G=git/0.git
check_eq "the epoch: 37 commits, the last one writes d" \
	"$(git -C $IB/$G rev-list --count master) $(git -C $IB/$G ls-tree --name-only master)" "37 d"

# What a reader sees of each message, and where its bytes are.
facts() {
	index_facts "$1"
	sqlite3 "$1/index.sqlite" "SELECT day, num, file, off, len FROM messages ORDER BY day, num"
	sqlite3 "$1/index.sqlite" "SELECT day, num FROM gone ORDER BY day, num"
}
inbox() { # inbox NAME: a copy of the export, without a commit-graph
	rm -rf "$1"
	cp -r $IB "$1"
	rm -f "$1/$G/objects/info/commit-graph"
}
inbox plain
la index --data ix-plain --quiet v2 plain
facts ix-plain >plain.facts
check "the inbox without a graph: 35 messages and the hidden one gone" \
	eval '[ "$(sqlite3 ix-plain/index.sqlite "SELECT count(*) FROM messages")" = 35 ] &&
	      [ "$(sqlite3 ix-plain/index.sqlite "SELECT count(*) FROM gone")" = 1 ]'

# A graph of the history up to 10 commits before the tip: the rest is read
# from the commits.
inbox part
git -C part/$G rev-parse master~10 | git -C part/$G commit-graph write --stdin-commits 2>/dev/null
la index --data ix-part --quiet v2 part
facts ix-part >part.facts
check "a graph of part of the history: the same archive" \
	eval '[ -s part/$G/objects/info/commit-graph ] && cmp -s plain.facts part.facts'

# A graph of all of it, read in two runs: the first up to master~20, the
# second from there (the commit indexed last found in the graph).
inbox whole
git -C whole/$G commit-graph write --reachable 2>/dev/null
tip=$(git -C whole/$G rev-parse master)
git -C whole/$G update-ref refs/heads/master master~20
la index --data ix-whole --quiet v2 whole
git -C whole/$G update-ref refs/heads/master "$tip"
la index --data ix-whole --quiet v2 whole
facts ix-whole >whole.facts
check "a graph of the whole history, read in two runs: the same archive" cmp -s plain.facts whole.facts

# Bad graphs: the same archive, read from the commits.
graph_edit() { # graph_edit DIR PYTHON: the graph's bytes b changed by PYTHON
	inbox "$1"
	git -C "$1/$G" commit-graph write --reachable 2>/dev/null
	local f=$1/$G/objects/info/commit-graph
	chmod u+w "$f"
	python3 - "$f" "$2" <<'PY'
import struct, sys
f, code = sys.argv[1], sys.argv[2]
b = bytearray(open(f, 'rb').read())
chunks = {}
for i in range(b[6]):
    cid, off = struct.unpack('>4sQ', b[8 + 12 * i:20 + 12 * i])
    chunks[cid] = off
cdat = chunks[b'CDAT']
n = struct.unpack('>I', b[chunks[b'OIDF'] + 4 * 255:chunks[b'OIDF'] + 1024])[0]
exec(code)
open(f, 'wb').write(b)
PY
	la index --data "ix-$1" --quiet v2 "$1"
	facts "ix-$1" >"$1.facts"
}
graph_edit cut 'del b[len(b) // 2:]'
check "a cut graph: the same archive" cmp -s plain.facts cut.facts
# Every commit's first parent outside the graph.
graph_edit outside 'for i in range(n): b[cdat + 36 * i + 20:cdat + 36 * i + 24] = struct.pack(">I", n + 5)'
check "a graph naming parents outside it: the same archive" cmp -s plain.facts outside.facts
# Every commit its own first parent: a loop.
graph_edit loop 'for i in range(n): b[cdat + 36 * i + 20:cdat + 36 * i + 24] = struct.pack(">I", i)'
check "a graph whose parents loop: the same archive" cmp -s plain.facts loop.facts

# A rerun over the epoch with its graph: nothing read, nothing written.
la index --data ix-whole v2 whole 2>rerun.err
check "a rerun over an epoch with a graph: nothing to do" \
	eval 'grep -q "^v2: 0 messages indexed" rerun.err &&
	      [ "$(sqlite3 ix-whole/index.sqlite "SELECT count(*) FROM messages")" = 35 ]'
