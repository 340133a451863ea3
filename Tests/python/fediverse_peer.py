"""A fediverse server for the tests, on loopback, from fediverse-pasture (run in the AP environment that
scripts/fediverse-env.sh makes):

  fediverse_peer.py verify WORKDIR PORTFILE [PORT]   fediverse-pasture's verify_actor (GET /?actor_uri=… with Accept: json)
  fediverse_peer.py actors WORKDIR PORTFILE   pasture's test actors (alice…frank and `actor`) with their inboxes, which
                                              check signatures as the actors require; every inbox POST is recorded
                                              (GET /_received), and POST /_send {"actor", "inbox", "activity"} makes
                                              an actor send a signed activity (bovine's draft-cavage signature);
                                              GET /_inputs/NAME gives fediverse-pasture-inputs' examples of NAME.
                                              bob's profile has a PNG icon (GET /_icons/bob.png), claire's an icon
                                              address that answers HTML, the others none.

The port (PORT, else one the kernel chooses) is written to PORTFILE; a peer started again in the same WORKDIR on the
same PORT is the same server come back (same actors, same keys). The peer exits when the process that started it does."""

import asyncio
import json
import os
import socket
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config


def main():
    mode, workdir, portfile = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)  # the pasture keeps its actors' keys in ./data.toml
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", int(sys.argv[4]) if len(sys.argv) > 4 else 0))
    port = sock.getsockname()[1]
    domain = f"127.0.0.1:{port}"
    if mode == "verify":
        from fediverse_pasture.verify_actor import build_app

        app = build_app(False, domain, False, 20)
    else:
        app = actors_app(domain)
    config = Config()
    config.accesslog = "-"
    config.errorlog = "-"
    sock.listen(100)
    sock.set_inheritable(True)
    config.bind = [f"fd://{sock.fileno()}"]
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(portfile + ".tmp", portfile)
    asyncio.run(run(app, config))


async def run(app, config):
    parent = os.getppid()

    async def orphaned():
        while os.getppid() == parent:
            await asyncio.sleep(1)

    stop = asyncio.ensure_future(orphaned())
    await serve(app, config, shutdown_trigger=lambda: stop)


def actors_app(domain):
    import aiohttp
    from quart import Quart, request
    from fediverse_pasture.data_provider import DataProvider, bovine_actor_for_actor_data
    from fediverse_pasture.server import BlueprintForActors

    dp = DataProvider.generate_and_load(False)
    actors = dp.possible_actors + [dp.one_actor]
    app = Quart(__name__)
    received = []

    icons = {"bob": f"http://{domain}/_icons/bob.png", "claire": f"http://{domain}/_icons/claire.png"}

    @app.after_request
    async def add_icon(response):
        name = request.path.strip("/")
        if request.method == "GET" and name in icons and response.status_code == 200:
            actor = json.loads(await response.get_data())
            actor["icon"] = {"type": "Image", "url": icons[name], "mediaType": "image/png"}
            response.set_data(json.dumps(actor))
        return response

    @app.get("/_icons/<name>.png")
    async def icon(name):
        if name == "bob":
            return png(48, 48), 200, {"content-type": "image/png"}
        return "<html><script>alert(1)</script></html>", 200, {"content-type": "image/png"}

    @app.after_request
    async def record(response):
        if request.method == "POST" and request.path.endswith("/inbox"):
            body = (await request.get_data()).decode("utf-8", "replace")
            received.append(
                {
                    "path": request.path,
                    "status": response.status_code,
                    "headers": [[k, v] for k, v in request.headers.items()],
                    "body": body,
                }
            )
        return response

    app.register_blueprint(BlueprintForActors(actors).blueprint)

    @app.get("/_received")
    async def list_received():
        return {"received": received}

    @app.get("/_keys")
    async def keys():
        return {a.actor_name: {"private": a.key_pairs[0].private, "public": a.key_pairs[0].public} for a in actors}

    @app.get("/_inputs/<name>")
    async def inputs(name):
        # fediverse-pasture-inputs' real-world shapes, with their host rewritten to this peer.
        import importlib

        module = importlib.import_module(f"fediverse_pasture_inputs.inputs.{name}")
        text = json.dumps(module.data.examples).replace("pasture-one-actor", domain)
        return {"examples": json.loads(text)}

    @app.post("/_send")
    async def send():
        data = await request.get_json()
        actor = next(a for a in actors if a.actor_name == data["actor"])
        bovine_actor, _ = bovine_actor_for_actor_data(f"http://{domain}/{actor.actor_name}", actor)
        async with aiohttp.ClientSession() as session:
            await bovine_actor.init(session=session)
            try:
                response = await bovine_actor.post(data["inbox"], data["activity"])
                return {"status": response.status, "text": await response.text()}
            except aiohttp.ClientResponseError as e:
                return {"status": e.status, "text": str(e)}

    return app


def png(width, height):
    """A small RGB gradient as a PNG, made without an imaging library."""
    import struct
    import zlib

    rows = b"".join(b"\x00" + b"".join(bytes((x * 5 % 256, y * 5 % 256, 160)) for x in range(width)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    main()
