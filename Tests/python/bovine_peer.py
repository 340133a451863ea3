"""bovine-herd as a real fediverse server for the tests, on loopback over https (run in the AP environment that
scripts/fediverse-env.sh makes). Like Mastodon in secure mode, it answers unsigned GETs of its actors with 401 and
verifies the signatures of what reaches its inboxes.

  bovine_peer.py serve WORKDIR PORTFILE        makes a self-signed certificate for 127.0.0.1 (WORKDIR/cert.pem, the
                                               file the test gives drey as the extra CA), seeds bovine's JSON-LD cache
                                               (offline it would cache empty contexts for good), registers the user
                                               `alice` with a Moo-Auth-1 secret (WORKDIR/client.json), and serves;
                                               writes the port to PORTFILE once it is ready
  bovine_peer.py follow WORKDIR ACTOR          alice Follows ACTOR through her client-to-server outbox
  bovine_peer.py inbox WORKDIR                 prints alice's inbox as JSON: {"items": [activity, ...]}, newest first
  bovine_peer.py get WORKDIR URL               prints the status of an unsigned GET of URL (its actors answer 401)

The server exits when the process that started it does."""

import asyncio
import datetime
import json
import os
import socket
import sqlite3
import ssl
import subprocess
import sys


def main():
    command, workdir = sys.argv[1], sys.argv[2]
    if command == "serve":
        serve(workdir, sys.argv[3])
    elif command == "follow":
        print(json.dumps(asyncio.run(follow(workdir, sys.argv[3]))))
    elif command == "inbox":
        print(json.dumps(asyncio.run(inbox(workdir))))
    elif command == "get":
        print(json.dumps(asyncio.run(unsigned_get(workdir, sys.argv[3]))))


def make_certificate(workdir):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    with open(os.path.join(workdir, "cert.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(workdir, "key.pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))


def serve(workdir, portfile):
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)  # bovine keeps its JSON-LD cache in ./bovine_jsonld_cache.sqlite
    seed = os.environ.get("DREY_BOVINE_SEED") or os.path.join(os.path.dirname(__file__), "seed_jsonld.py")
    subprocess.run([sys.executable, seed, "bovine_jsonld_cache.sqlite"], check=True, stdout=subprocess.DEVNULL)
    make_certificate(workdir)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    domain = f"127.0.0.1:{port}"
    db_url = f"sqlite://{workdir}/bovine.sqlite3"
    # What `python -m bovine_store create`, `register` and `key --new NAME` do, in this process (each of those
    # commands takes many seconds to start on a busy machine).
    secret = asyncio.run(setup(db_url, domain))
    with open("client.json", "w") as f:
        json.dump({"domain": domain, "secret": secret}, f)

    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config
    from quart import Quart
    from bovine_herd import BovineHerd

    app = Quart(__name__)
    BovineHerd(app, db_url=db_url)
    config = Config()
    config.accesslog = "-"
    config.errorlog = "-"
    config.certfile = "cert.pem"
    config.keyfile = "key.pem"
    sock.listen(100)
    sock.set_inheritable(True)
    config.bind = [f"fd://{sock.fileno()}"]

    async def run():
        parent = os.getppid()

        async def orphaned():
            while os.getppid() == parent:
                await asyncio.sleep(1)

        async def ready():
            await asyncio.sleep(0.5)
            with open(portfile + ".tmp", "w") as f:
                f.write(str(port))
            os.replace(portfile + ".tmp", portfile)

        stop = asyncio.ensure_future(orphaned())
        asyncio.ensure_future(ready())
        await hypercorn_serve(app, config, shutdown_trigger=lambda: stop)

    asyncio.run(run())


async def setup(db_url, domain):
    from bovine.crypto import generate_ed25519_private_key, private_key_to_did_key
    from bovine_store import bovine_admin_store
    from bovine_store.utils.cli import create_tables, register_new_user

    await create_tables(db_url)
    name = await register_new_user(db_url, domain, "alice")
    secret = generate_ed25519_private_key()
    did_key = private_key_to_did_key(secret)
    async with bovine_admin_store(db_url=db_url) as store:
        await store.add_identity_string_to_actor(name, did_key.removeprefix("did:key:"), did_key)
    return secret


def session(workdir):
    import aiohttp

    context = ssl.create_default_context(cafile=os.path.join(workdir, "cert.pem"))
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))


async def client(workdir):
    from bovine import BovineClient

    with open(os.path.join(workdir, "client.json")) as f:
        config = json.load(f)
    alice = BovineClient(domain=config["domain"], secret=config["secret"])
    await alice.init(session=session(workdir))
    return alice


async def follow(workdir, target):
    alice = await client(workdir)
    try:
        activity = alice.activity_factory.follow(target).build()
        response = await alice.send_to_outbox(activity)
        return {"status": response.status, "location": response.headers.get("location"), "actor": alice.actor_id}
    finally:
        await alice.session.close()


async def inbox(workdir):
    alice = await client(workdir)
    try:
        response = await alice.client.get(alice.information["inbox"])
        collection = json.loads(await response.text())
        first = collection.get("first")
        items = collection.get("orderedItems") or []
        if first and not items:
            page = json.loads(await (await alice.client.get(first if isinstance(first, str) else first["id"])).text())
            items = page.get("orderedItems") or []
        # The collection lists ids; what they name is in bovine's store (fetching a remote id would ask its own server,
        # which answers with whatever lives at that address, not what was delivered).
        stored = sqlite3.connect(os.path.join(workdir, "bovine.sqlite3"))

        def lookup(value):
            if not isinstance(value, str):
                return value
            row = stored.execute("SELECT content FROM storedjsonobject WHERE id = ?", (value,)).fetchone()
            return json.loads(row[0]) if row else value

        resolved = []
        for item in items:
            item = lookup(item)
            if isinstance(item, dict):
                item = dict(item, object=lookup(item.get("object")))
            resolved.append(item)
        return {"actor": alice.actor_id, "items": resolved}
    finally:
        await alice.session.close()


async def unsigned_get(workdir, url):
    async with session(workdir) as s:
        async with s.get(url, headers={"Accept": "application/activity+json"}) as response:
            return {"status": response.status}


if __name__ == "__main__":
    main()
