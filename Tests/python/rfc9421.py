"""RFC 9421 HTTP message signatures with Mastodon's rules, through the http-message-signatures library (run in the
SIG environment that scripts/fediverse-env.sh makes):

  rfc9421.py verify REQUEST.json PUBLIC.pem   checks a recorded request ({"method", "url", "headers", "body"}) signed
                                              with RSA-PKCS1v1.5-SHA256 over @method, @target-uri and content-digest;
                                              prints "ok" and exits 0, or prints why and exits 1.
  rfc9421.py send URL KEYID PRIVATE.pem BODY.json   POSTs the body signed that way; prints the status code.
"""

import json
import sys

import requests
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms


class Keys(HTTPSignatureKeyResolver):
    def __init__(self, public=None, private=None):
        self.public, self.private = public, private

    def resolve_public_key(self, key_id):
        return load_pem_public_key(self.public)

    def resolve_private_key(self, key_id):
        return load_pem_private_key(self.private, password=None)


def verify(request_file, public_file):
    with open(request_file) as f:
        recorded = json.load(f)
    with open(public_file, "rb") as f:
        public = f.read()
    request = requests.Request(recorded["method"], recorded["url"], data=recorded["body"].encode()).prepare()
    request.headers.clear()
    for name, value in recorded["headers"]:
        request.headers[name] = value
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=Keys(public=public))
    # Mastodon's rules: the method, the full target URI and the body's digest must be signed, and the digest match.
    try:
        verifier.verify(
            request, require_components=("@method", "@target-uri", "content-digest"), body=recorded["body"].encode(), max_age=None
        )
    except Exception as e:  # noqa: BLE001 - the reason is the answer
        print(f"does not verify: {e!r}")
        return 1
    print("ok")
    return 0


def send(url, key_id, private_file, body_file):
    with open(private_file, "rb") as f:
        private = f.read()
    with open(body_file, "rb") as f:
        body = f.read()
    request = requests.Request("POST", url, data=body, headers={"Content-Type": "application/activity+json"}).prepare()
    signer = HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=Keys(private=private))
    signer.sign(request, key_id=key_id, covered_component_ids=("@method", "@target-uri", "content-digest"), include_alg=True, body=body)
    response = requests.Session().send(request, timeout=60)
    print(response.status_code)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "verify":
        sys.exit(verify(sys.argv[2], sys.argv[3]))
    sys.exit(send(*sys.argv[2:6]))
