"""A one-message SMTP server on loopback that writes what it received to a file (for tests)."""
import socket
import sys

port_file, out_file = sys.argv[1], sys.argv[2]
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
open(port_file, "w").write(str(server.getsockname()[1]))
server.settimeout(30)
conn, _ = server.accept()
conn.settimeout(30)
f = conn.makefile("rb")
def say(line):
    conn.sendall((line + "\r\n").encode())
say("220 sink ESMTP")
data, lines = False, []
while True:
    raw = f.readline()
    if not raw:
        break
    line = raw.decode("utf-8", "replace").rstrip("\r\n")
    if data:
        if line == ".":
            data = False
            say("250 queued")
        else:
            lines.append(line)
        continue
    verb = line.split(" ")[0].upper()
    if verb == "EHLO":
        conn.sendall(b"250-sink\r\n250 8BITMIME\r\n")
    elif verb == "DATA":
        data = True
        say("354 go ahead")
    elif verb == "QUIT":
        say("221 bye")
        break
    else:
        lines.append(line)
        say("250 ok")
open(out_file, "w").write("\n".join(lines))
