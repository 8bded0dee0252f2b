"""imagefleet's RunPod Serverless handler: a thin shim (decisions/0015).

RunPod's official worker runtime is the Python `runpod` package, so this file is what RunPod
runs. All the work happens in imagefleet's TypeScript service (`imagefleet runpod-worker`), which
start.sh launches on 127.0.0.1 before this handler: each job's input is forwarded there unchanged
and its answer is returned as the job's output, or as the job's error (JSON text the client reads
back into the same failure class). Canceling or timing out a job closes the connection, which
aborts the provider call in the service.

Runs without the `runpod` package too (`python3 handler.py --forward FILE`), so the forwarding is
testable where the package cannot be installed.
"""

import asyncio
import json
import os
import sys
import time
import urllib.error
import urllib.request

SERVICE_HOST = "127.0.0.1"
SERVICE_PORT = int(os.environ.get("RUNPOD_WORKER_PORT", "3100"))
# How long to wait for the service at start-up, in seconds (RunPod marks a worker unhealthy after 7 min).
READY_TIMEOUT_SECONDS = float(os.environ.get("IMAGEFLEET_WORKER_READY_TIMEOUT_SECONDS", "300"))


def wait_until_ready(timeout_seconds=READY_TIMEOUT_SECONDS):
    """Polls GET /ping until the service answers; returns its JSON ({status, concurrency, providers})."""
    deadline = time.monotonic() + timeout_seconds
    url = f"http://{SERVICE_HOST}:{SERVICE_PORT}/ping"
    last_error = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            last_error = error
            time.sleep(0.2)
    raise RuntimeError(f"imagefleet worker service did not start on {url} within {timeout_seconds} s: {last_error}")


async def post_job(job_id, job_input):
    """POSTs {id, input} to /jobs over a plain asyncio connection, so cancellation closes the socket."""
    body = json.dumps({"id": job_id, "input": job_input}).encode("utf-8")
    head = (
        f"POST /jobs HTTP/1.1\r\nHost: {SERVICE_HOST}:{SERVICE_PORT}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("ascii")
    reader, writer = await asyncio.open_connection(SERVICE_HOST, SERVICE_PORT, limit=64 * 1024 * 1024)
    try:
        writer.write(head + body)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    _, _, content = rest.partition(b"\r\n\r\n")
    status = int(status_line.split(b" ")[1])
    if status != 200:
        raise RuntimeError(f"imagefleet worker service answered HTTP {status}: {content[:300]!r}")
    return json.loads(content)


async def handler(job):
    """RunPod handler: the service's output, or {"error": "<JSON>"} so RunPod marks the job FAILED."""
    answer = await post_job(job.get("id", "local-test"), job.get("input", {}))
    if "error" in answer:
        return {"error": json.dumps(answer["error"])}
    return answer["output"]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--forward":
        # Test aid: forward one {"input": ...} file and print what RunPod would receive.
        wait_until_ready()
        with open(sys.argv[2], encoding="utf-8") as file:
            job = json.load(file)
        print(json.dumps(asyncio.run(handler({"id": "forward-test", "input": job["input"]}))))
        return
    import runpod  # noqa: PLC0415 (imported here so the shim works without it in tests)

    concurrency = int(wait_until_ready().get("concurrency", 1))
    runpod.serverless.start({"handler": handler, "concurrency_modifier": lambda _current: concurrency})


if __name__ == "__main__":
    main()
