// A user's round trip through the TypeScript client generated from docs/openapi.yaml
// (openapi-typescript types, openapi-fetch calls), type-checked with `tsc --strict`.
// Usage: node roundtrip.js <base URL> <API key>; exits non-zero on the first broken promise.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type ErrorBody = components["schemas"]["Error"];

const [base, key] = process.argv.slice(2);
if (!base || !key) throw new Error("usage: node roundtrip.js <base URL> <API key>");
const client = createClient<paths>({ baseUrl: base, headers: { ApiKey: key } });

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`broken: ${what}`);
}

function errorMessage(body: ErrorBody | components["schemas"]["GatewayMessage"] | undefined): string {
  check(body !== undefined && "error" in body, `an error body: ${JSON.stringify(body)}`);
  return body.error;
}

const callLog = crypto.randomUUID();
const statuses = ["Ringing", "NoAnswer", "Connected"];

// create, three items of one call log
const ids: string[] = [];
for (const [i, status] of statuses.entries()) {
  const { data, error, response } = await client.POST("/api/incoming-call-log-item", {
    body: { data: { incomingCallLogId: callLog, status, dialDurationInSeconds: i * 10 } },
  });
  check(error === undefined && data !== undefined, `create: ${response.status}`);
  check(data.status === status && data.version === 1, "create echoes the item");
  ids.push(data._id);
}
const first = ids[0]!;

// get: GET without a body, POST with select
{
  const { data, response } = await client.GET("/api/incoming-call-log-item/{id}/get-item", {
    params: { path: { id: first } },
  });
  check(data?._id === first && data.status === "Ringing", `get (GET): ${response.status}`);
  check(response.headers.get("etag") === '"1"', "ETag is the version");
}
{
  const { data } = await client.POST("/api/incoming-call-log-item/{id}/get-item", {
    params: { path: { id: first } },
    body: { select: { status: true } },
  });
  check(data !== undefined && data.status === "Ringing" && data.dialDurationInSeconds === undefined,
    "get (POST) with select: only what was selected");
}

// list: query, sort, select, one item a page, following nextCursor to the end
const seen: string[] = [];
let cursor: string | undefined;
for (let page = 0; page < 10; page++) {
  const { data, response } = await client.POST("/api/incoming-call-log-item/get-list", {
    params: { query: { limit: 1, ...(cursor ? { cursor } : {}) } },
    body: {
      query: { incomingCallLogId: callLog },
      sort: { dialDurationInSeconds: "desc" },
      select: { status: true, dialDurationInSeconds: true },
    },
  });
  check(data !== undefined, `list: ${response.status}`);
  check(data.count === 3, `list count ${data.count}`);
  seen.push(...data.data.map((item) => item._id));
  cursor = data.nextCursor;
  if (!cursor) break;
}
check(JSON.stringify(seen) === JSON.stringify([...ids].reverse()), `every item once, in order: ${seen}`);

// count
{
  const { data } = await client.POST("/api/incoming-call-log-item/count", {
    body: { query: { incomingCallLogId: callLog, status: ["Ringing", "Connected"] } },
  });
  check(data?.count === 2, `count: ${JSON.stringify(data)}`);
}

// update with If-Match: the current version, then a stale one
{
  const { error, response } = await client.PUT("/api/incoming-call-log-item/{id}", {
    params: { path: { id: first }, header: { "If-Match": '"1"' } },
    body: { data: { status: "Connected" } },
  });
  check(error === undefined && response.status === 200, `update: ${response.status}`);
}
{
  const { error, response } = await client.PUT("/api/incoming-call-log-item/{id}", {
    params: { path: { id: first }, header: { "If-Match": '"1"' } },
    body: { data: { status: "Failed" } },
  });
  check(response.status === 412, `stale update: ${response.status}`);
  check(errorMessage(error).length > 0, "412 parsed as the error model");
}

// delete, then the 404 that follows
{
  const { response } = await client.DELETE("/api/incoming-call-log-item/{id}", {
    params: { path: { id: first } },
  });
  check(response.status === 200, `delete: ${response.status}`);
  const gone = await client.GET("/api/incoming-call-log-item/{id}/get-item", {
    params: { path: { id: first } },
  });
  check(gone.response.status === 404, `after delete: ${gone.response.status}`);
  check(errorMessage(gone.error).length > 0, "404 parsed as the error model");
}
console.log("typescript client: round trip ok");
