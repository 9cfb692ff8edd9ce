"""Schemathesis hooks for `make test`'s contract run (loaded through SCHEMATHESIS_HOOKS).

The local runner (`cargo lambda watch`) answers 500 itself, before any function runs, when a
request declared as JSON carries bytes that are not UTF-8: it cannot put them in an API Gateway
event. API Gateway does not have that limit, and the functions answer such bodies 400 (tested
in tests/tests/api/errors.rs with a base64 event). So those bodies are not sent here.
"""

import schemathesis


@schemathesis.hook
def filter_body(ctx, body):
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True
