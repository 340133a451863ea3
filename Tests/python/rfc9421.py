"""RFC 9421 HTTP message signatures with Mastodon's rules, through the http-message-signatures library (run in the
SIG environment that scripts/fediverse-env.sh makes):

  rfc9421.py verify REQUEST.json PUBLIC.pem   checks a recorded request ({"method", "url", "headers", "body"}) signed
                                              with RSA-PKCS1v1.5-SHA256 over @method, @target-uri and content-digest;
                                              prints "ok" and exits 0, or prints why and exits 1.
  rfc9421.py send URL KEYID PRIVATE.pem BODY.json   POSTs the body signed that way; prints the status code.
"""

import base64
import hashlib
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
    # Mastodon's rule: the digest of the body it got must match the one signed.
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(recorded["body"].encode()).digest()).decode() + ":"
    if request.headers.get("Content-Digest") != digest:
        print("Content-Digest does not match the body")
        return 1
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=Keys(public=public))
    results = verifier.verify(request)
    covered = set(results[0].covered_components.keys())
    for needed in ('"@method"', '"@target-uri"', '"content-digest"'):
        if needed not in covered:
            print(f"the signature does not cover {needed}: {covered}")
            return 1
    print("ok")
    return 0


def send(url, key_id, private_file, body_file):
    with open(private_file, "rb") as f:
        private = f.read()
    with open(body_file, "rb") as f:
        body = f.read()
    request = requests.Request("POST", url, data=body, headers={"Content-Type": "application/activity+json"}).prepare()
    request.headers["Content-Digest"] = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    signer = HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=Keys(private=private))
    signer.sign(request, key_id=key_id, covered_component_ids=("@method", "@target-uri", "content-digest"), include_alg=True)
    response = requests.Session().send(request, timeout=60)
    print(response.status_code)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "verify":
        sys.exit(verify(sys.argv[2], sys.argv[3]))
    sys.exit(send(*sys.argv[2:6]))
