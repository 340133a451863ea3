"""Uploads files to a running Drey through the admin's plain multipart form, as a browser without script would.

    upload_client.py BASE EMAIL PASSWORD FILE... [--alt TEXT] [--chunked] [--junk-mb N]

Signs in, reads the CSRF token from the media library page, posts the form, and prints one JSON object:
the status, the Location header, and the page text. --chunked sends the body with chunked transfer encoding
(no Content-Length, so the server can only count as it reads); --junk-mb appends N MB of file data so the
body passes any limit, streaming it without holding it in memory.
"""
import http.client
import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request
import uuid


def main():
    args = sys.argv[1:]
    alt, chunked, junk_mb = "", False, 0
    if "--alt" in args:
        i = args.index("--alt"); alt = args[i + 1]; del args[i:i + 2]
    if "--chunked" in args:
        args.remove("--chunked"); chunked = True
    if "--junk-mb" in args:
        i = args.index("--junk-mb"); junk_mb = int(args[i + 1]); del args[i:i + 2]
    base, email, password, files = args[0], args[1], args[2], args[3:]

    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def call(url, data=None):
        try:
            return opener.open(url, data=data)
        except urllib.error.HTTPError as e:
            return e

    page = call(base + "/admin/login").read().decode()
    token = re.search(r'name="_csrf" value="([^"]*)"', page)
    fields = {"email": email, "password": password}
    if token:
        fields["_csrf"] = token.group(1)
    call(base + "/admin/login", urllib.parse.urlencode(fields).encode())
    library = call(base + "/admin/media").read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]*)"', library).group(1)

    boundary = "----py" + uuid.uuid4().hex
    def parts():
        for name, value in (("_csrf", csrf), ("alt", alt)):
            yield f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for path in files:
            filename = path.rsplit("/", 1)[-1]
            yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                   f'Content-Type: application/octet-stream\r\n\r\n').encode()
            with open(path, "rb") as f:
                while True:
                    chunk = f.read(65536)
                    if not chunk:
                        break
                    yield chunk
            for _ in range(junk_mb * 16):
                yield b"\0" * 65536
            yield b"\r\n"
        yield f"--{boundary}--\r\n".encode()

    parsed = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie}
    status, location, text = 0, "", ""
    try:
        if chunked:
            conn.request("POST", "/admin/media/upload", body=parts(), headers=headers, encode_chunked=True)
        else:
            body = b"".join(parts())
            conn.request("POST", "/admin/media/upload", body=body, headers=headers)
        response = conn.getresponse()
        status, location, text = response.status, response.getheader("Location") or "", response.read().decode("utf-8", "replace")
    except (BrokenPipeError, ConnectionResetError) as e:
        # The server answered and closed while the rest of the body was still being sent: read what it said.
        try:
            response = conn.getresponse()
            status, location, text = response.status, response.getheader("Location") or "", response.read().decode("utf-8", "replace")
        except Exception:
            status, text = -1, f"connection closed: {e}"
    print(json.dumps({"status": status, "location": location, "text": text}))


if __name__ == "__main__":
    main()
