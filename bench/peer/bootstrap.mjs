// A minimal Lambda runtime loop for the peer (what the managed Node.js runtime does around a
// handler): load the handler at init, then take events from the Runtime API one at a time.
const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const { handler } = await import("./index.mjs");

for (;;) {
  const next = await fetch(`${api}/invocation/next`);
  const id = next.headers.get("lambda-runtime-aws-request-id");
  const event = await next.json();
  let path = "response";
  let answer;
  try {
    answer = await handler(event);
  } catch (error) {
    path = "error";
    answer = { errorType: error.name, errorMessage: error.message };
  }
  await fetch(`${api}/invocation/${id}/${path}`, {
    method: "POST",
    body: JSON.stringify(answer),
  });
}
