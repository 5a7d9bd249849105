#!/usr/bin/env python3
"""slowread.py PORT PID PATH BASELINE_KB: a client that reads a big
streamed answer of `listarc serve` (127.0.0.1:PORT, process PID) very
slowly, for t6025.

It asks for PATH with a small receive buffer, reads a few KB, then
stops reading and waits for a state, never a time: until the kernel
shows the server's socket with the client's window closed (zero-window
probes: ss's "backoff") and its send queue the same in five looks in a
row, i.e. the server has handed the kernel all it can and is waiting
for the client.  The server's VmRSS (/proc/PID/status) is sampled at
every look; the highest is printed.  Then, with the answer half read at
most, it prints a line for what the server had written by then, touches
the file READY (argv[5]) and waits until the file GO (argv[6]) exists
(meanwhile the test asks other things of the server), and closes the
connection mid-stream.

Prints "rss_max_kb=N sent=N" (sent: the bytes the client has read plus
those in both sockets' queues: what the server had written)."""
import os
import socket
import subprocess
import sys
import time

port, pid, path, ready, go = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]


def rss_kb():
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def server_socket(cport):
    """(send queue, zero-window probing) of the server's end, from ss."""
    out = subprocess.run(['ss', '-tniH', 'state', 'established', 'sport', '=', f':{port}',
                          'dport', '=', f':{cport}'], capture_output=True, text=True).stdout
    lines = out.splitlines()
    if not lines:
        return None, False
    sendq = int(lines[0].split()[1])
    return sendq, 'backoff:' in out


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.connect(('127.0.0.1', port))
cport = s.getsockname()[1]
s.sendall(f'GET {path} HTTP/1.1\r\nHost: t\r\n\r\n'.encode())
got = 0
while got < 8192:
    b = s.recv(8192 - got)
    if not b:
        sys.exit('slowread: the server closed the connection')
    got += len(b)
rss_max = rss_kb()
same = 0
last = None
# A state, not a time: each look is ~20 ms apart only so as not to spin;
# a slower or faster machine takes more or fewer looks to get there.
for _ in range(30000):
    rss_max = max(rss_max, rss_kb())
    sendq, closed = server_socket(cport)
    if closed and sendq is not None and sendq == last:
        same += 1
        if same >= 5:
            break
    else:
        same = 0
    last = sendq
    time.sleep(0.02)
else:
    sys.exit('slowread: the server never filled the window')
rss_max = max(rss_max, rss_kb())
import fcntl, termios, struct  # noqa: E402
inq = struct.unpack('i', fcntl.ioctl(s.fileno(), termios.FIONREAD, b'\0\0\0\0'))[0]
print(f'rss_max_kb={rss_max} sent={got + inq + (last or 0)}', flush=True)
open(ready, 'w').close()
while not os.path.exists(go):
    time.sleep(0.02)
s.close()
