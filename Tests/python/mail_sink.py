"""An SMTP server on loopback for tests (aiosmtpd): every message it accepts -> OUTDIR/<n>.eml plus
OUTDIR/<n>.json (envelope). Binds 127.0.0.1 on a free port and writes the port to PORTFILE.
usage: python3 mail_sink.py OUTDIR PORTFILE [--defer N] [--reject ADDRESS ...]
  --defer N   answers the first N messages 451 (try again later), as a busy relay does
  --reject A  refuses mail to A with 550 (no such mailbox), as a relay does for a dead address
  --stall     accepts connections and never answers, as a hung relay does"""
import argparse, asyncio, itertools, json, os, signal, socket, sys, time
from aiosmtpd.smtp import SMTP

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("portfile")
parser.add_argument("--defer", type=int, default=0)
parser.add_argument("--reject", action="append", default=[])
parser.add_argument("--stall", action="store_true")
parser.add_argument("--delay", type=float, default=0.0)
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
seq = itertools.count(1)


class ToFolder:
    def __init__(self):
        self.defer = args.defer
        self.reject = {a.lower() for a in args.reject}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: no such mailbox here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if args.delay > 0:
            await asyncio.sleep(args.delay)  # a slow relay: lets a test kill the sender mid-way through a batch
        if self.defer > 0:
            self.defer -= 1
            return "451 4.3.0 busy, try again later"
        n = f"{int(time.time() * 1000)}-{next(seq):05d}"
        tmp = os.path.join(args.out, n + ".eml.tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content)
        with open(os.path.join(args.out, n + ".json"), "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "peer": session.peer[0]}, f)
        os.rename(tmp, os.path.join(args.out, n + ".eml"))  # atomic: tests never see half a message
        return "250 Message accepted for delivery"


# A test runner may start us with SIGTERM ignored (inherited across exec): end on it explicitly.
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))


async def main():
    handler = ToFolder()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    loop = asyncio.get_running_loop()
    if not args.stall:
        await loop.create_server(lambda: SMTP(handler, hostname="sink.test"), sock=sock)
    with open(args.portfile + ".tmp", "w") as f:
        f.write(str(sock.getsockname()[1]))
    os.rename(args.portfile + ".tmp", args.portfile)
    # End with the test process that started us, even when it crashed or forgot to stop us.
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)


asyncio.run(main())
