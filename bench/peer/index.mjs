// The peer of `make bench`: get-item as a user would write it for the Node.js 20 runtime with
// the AWS SDK v3 — the client built once at init, the key's record cached per environment,
// the same two consistent GetItems as the Rust function's first request.
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { createHash } from "node:crypto";

const client = new DynamoDBClient({});
const projects = new Map();

export const handler = async (event) => {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const hash = createHash("sha256").update(headers.apikey ?? "").digest("hex");
  let project = projects.get(hash);
  if (!project) {
    const record = await client.send(
      new GetItemCommand({
        TableName: process.env.API_KEYS_TABLE,
        Key: { keyHash: { S: hash } },
        ConsistentRead: true,
      }),
    );
    project = record.Item?.projectId?.S;
    if (!project) return { statusCode: 401, body: '{"error":"Unauthorized"}' };
    projects.set(hash, project);
  }
  const found = await client.send(
    new GetItemCommand({
      TableName: process.env.ITEMS_TABLE,
      Key: { projectId: { S: project }, _id: { S: event.pathParameters?.id ?? "" } },
      ConsistentRead: true,
    }),
  );
  if (!found.Item) return { statusCode: 404, body: '{"error":"Not found"}' };
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ fields: Object.keys(found.Item).length }),
  };
};
