"""A user's round trip through the Python client generated from docs/openapi.yaml by
openapi-python-client (package `call_log_items`). Usage: python roundtrip.py <base URL> <API key>;
exits non-zero on the first broken promise."""

import sys
import uuid

from call_log_items import Client
from call_log_items.api.incoming_call_log_item import (
    count,
    create,
    delete_delete,
    get_item_get,
    get_item_post,
    list_post,
    update_put,
)
from call_log_items.models import (
    CountRequest,
    CountResponse,
    CreateRequest,
    Error,
    GetItemRequest,
    IncomingCallLogItem,
    ListRequest,
    ListResponse,
    SelectedItem,
    UpdateRequest,
)
from call_log_items.types import UNSET, Unset


def check(condition, what):
    if not condition:
        sys.exit(f"broken: {what}")


base, key = sys.argv[1:3]
client = Client(base_url=base, headers={"ApiKey": key}, raise_on_unexpected_status=True)
call_log = str(uuid.uuid4())
statuses = ["Ringing", "NoAnswer", "Connected"]

# create, three items of one call log
ids = []
for i, status in enumerate(statuses):
    body = CreateRequest.from_dict(
        {"data": {"incomingCallLogId": call_log, "status": status, "dialDurationInSeconds": i * 10}}
    )
    created = create.sync_detailed(client=client, body=body)
    item = created.parsed
    check(isinstance(item, IncomingCallLogItem), f"create: {created.status_code} {created.content!r}")
    check(item.status == status and item.version == 1, "create echoes the item")
    ids.append(item.field_id)
first = ids[0]

# get: GET without a body, then POST with select
got = get_item_get.sync_detailed(first, client=client)
check(isinstance(got.parsed, SelectedItem), f"get (GET): {got.status_code} {got.content!r}")
check(got.parsed.field_id == first and got.parsed.status == "Ringing", "get (GET) answers the item")
check(got.headers.get("etag") == '"1"', "ETag is the version")
selected = get_item_post.sync(
    first, client=client, body=GetItemRequest.from_dict({"select": {"status": True}})
)
check(isinstance(selected, SelectedItem), f"get (POST): {selected!r}")
check(
    selected.status == "Ringing" and isinstance(selected.dial_duration_in_seconds, Unset),
    "get (POST) with select: only what was selected",
)

# list: query, sort, select, one item a page, following nextCursor to the end
seen = []
cursor = UNSET
for _ in range(10):
    request = ListRequest.from_dict(
        {
            "query": {"incomingCallLogId": call_log},
            "sort": {"dialDurationInSeconds": "desc"},
            "select": {"status": True, "dialDurationInSeconds": True},
        }
    )
    page = list_post.sync(client=client, body=request, limit=1, cursor=cursor)
    check(isinstance(page, ListResponse), f"list: {page!r}")
    check(page.count == 3, f"list count {page.count}")
    seen += [item.field_id for item in page.data]
    if isinstance(page.next_cursor, Unset) or page.next_cursor is None:
        break
    cursor = page.next_cursor
check(seen == list(reversed(ids)), f"every item once, in order: {seen}")

# count
counted = count.sync(
    client=client,
    body=CountRequest.from_dict(
        {"query": {"incomingCallLogId": call_log, "status": ["Ringing", "Connected"]}}
    ),
)
check(isinstance(counted, CountResponse) and counted.count == 2, f"count: {counted!r}")

# update with If-Match: the current version, then a stale one
updated = update_put.sync_detailed(
    first, client=client, body=UpdateRequest.from_dict({"data": {"status": "Connected"}}), if_match='"1"'
)
check(updated.status_code == 200, f"update: {updated.status_code} {updated.content!r}")
stale = update_put.sync_detailed(
    first, client=client, body=UpdateRequest.from_dict({"data": {"status": "Failed"}}), if_match='"1"'
)
check(stale.status_code == 412, f"stale update: {stale.status_code}")
check(isinstance(stale.parsed, Error) and stale.parsed.error, "412 parsed as the error model")

# delete, then the 404 that follows
deleted = delete_delete.sync_detailed(first, client=client)
check(deleted.status_code == 200, f"delete: {deleted.status_code}")
gone = get_item_get.sync_detailed(first, client=client)
check(gone.status_code == 404, f"after delete: {gone.status_code}")
check(isinstance(gone.parsed, Error) and gone.parsed.error, "404 parsed as the error model")
print("python client: round trip ok")
