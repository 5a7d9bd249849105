#!/usr/bin/env bash
# t6300-ratelimit: `serve --rate-limit RATE/BURST` gives each client (an
# IPv4 address, an IPv6 /64) a bucket of tokens: a burst from one client
# is answered 429 with Retry-After once its bucket is empty, while another
# client (another loopback address) is served; a search costs more than a
# cached page; clients on loopback are not limited by default.  Behind a
# proxy named by --trust-proxy, the client its X-Forwarded-For or
# Forwarded header names is the one limited and logged; the same headers
# from anyone else are ignored.  Search results, raw messages and errors
# carry X-Robots-Tag: noindex, message pages none.  Counts of
# requests, never times: the bucket refills far slower
# than the requests come (one token in 100 s).
. "$(dirname "$0")/lib.sh"
plan 23
DATA=$T/arc
la index --data "$DATA" seeds "$ROOT/samples/seeds.mbox" 2>/dev/null
MSG=/seeds/2020/05/09/3

# codes N PATH [CURL ARGS]: the status of N requests of PATH, on one line.
codes() {
	local n=$1 p=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do curl -s -o /dev/null -w '%{http_code} ' "$@" "$U$p"; done
}

start_server lim --threads 1 --rate-limit 0.01/10 --rate-limit-loopback
# 10 tokens: the page made (2), then from the cache (1 each): 9 pages
# (one event loop: one page cache).
got=$(codes 15 "$MSG")
check_eq "a burst of 15: 9 answered, then 429" "$got" \
	"200 200 200 200 200 200 200 200 200 429 429 429 429 429 429 "
curl -s -D head -o body "$U$MSG" >/dev/null
check "the 429 says when to come back" grep -qi '^retry-after: [1-9]' head
check "... in its status line" grep -q '^HTTP/1.1 429 Too Many Requests' head
check "... with a page saying why" grep -q 'slow down' body
got=$(codes 3 "$MSG" --interface 127.0.0.2)
check_eq "another client meanwhile: served" "$got" "200 200 200 "
# A search costs 10: the second client's bucket (10 - 3) cannot pay it.
got=$(codes 1 "/seeds/?q=hello" --interface 127.0.0.3)$(codes 1 "/seeds/?q=hello" --interface 127.0.0.3)
check_eq "a search costs 10 tokens: a fresh client gets one, not two" "$got" "200 429 "
stop_server lim

start_server free --rate-limit 1/10
got=$(codes 30 "$MSG" | tr ' ' '\n' | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
check_eq "loopback clients are not limited by default" "$got" "200x30 "
stop_server free
la serve --data "$DATA" --rate-limit 5/0 >/dev/null 2>err
check_eq "--rate-limit with an empty bucket: bad usage (2)" "$?" 2

# Behind a trusted proxy (127.0.0.1): the forwarded client is limited
# (it is not on loopback), another forwarded client is not.
start_server px --threads 1 --rate-limit 0.01/10 --trust-proxy 127.0.0.1,10.0.0.0/8 --log "$T/px.log"
got=$(codes 11 "$MSG" -H 'X-Forwarded-For: 203.0.113.5')
check_eq "trusted proxy: a burst of its client 203.0.113.5 meets the limit" "$got" \
	"200 200 200 200 200 200 200 200 200 429 429 "
got=$(codes 2 "$MSG" -H 'X-Forwarded-For: 203.0.113.6')
check_eq "... another client behind it is served" "$got" "200 200 "
got=$(codes 3 "$MSG" -H 'X-Forwarded-For: 198.51.100.9, 10.1.2.3')
check_eq "... a chain through another trusted proxy: the client before it" "$got" "200 200 200 "
got=$(codes 2 "$MSG" --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.5')
check_eq "an untrusted peer's X-Forwarded-For is ignored (it is on loopback: not limited)" \
	"$(echo "$got" | tr ' ' '\n' | sort -u | tr -d '\n')" 200
codes 1 "$MSG" -H 'Forwarded: for="[2001:db8::1]:4711";proto=https' >/dev/null
codes 1 "$MSG" -H 'X-Forwarded-For: not-an-address' >/dev/null
stop_server px
check "the access log names the forwarded client" grep -q '^203\.0\.113\.5 - - \[' px.log
check "... the first untrusted one of a chain" grep -q '^198\.51\.100\.9 - - \[' px.log
check "... Forwarded's for= (IPv6, quoted, with a port)" grep -q '^2001:db8::1 - - \[' px.log
check_eq "... the peer where the header is no address, or the peer untrusted" \
	"$(grep -c '^127\.0\.0\.[12] - - \[' px.log)" 3
la serve --data "$DATA" --trust-proxy 10.0.0.0/40 >/dev/null 2>err
check_eq "--trust-proxy with a bad prefix: bad usage (2)" "$?" 2

# X-Robots-Tag: noindex on what search engines should leave out: a
# search's results, a raw message, an error; a message page is indexable.
start_server rb --threads 1
robots() { curl -s -o /dev/null -D - "$U$1" | tr -d '\r' | grep -i '^x-robots-tag:' | tr 'A-Z' 'a-z'; }
check_eq "X-Robots-Tag: none on a message page, noindex on search results, raw, a 404" \
	"$(robots "$MSG")|$(robots '/seeds/?q=console')|$(robots "$MSG/raw")|$(robots /seeds/2020/05/09/99)" \
	"|x-robots-tag: noindex|x-robots-tag: noindex|x-robots-tag: noindex"
check_eq "... none on a listing with another parameter than q" "$(robots '/seeds/?o=20')" ""
stop_server rb
