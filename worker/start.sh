#!/bin/sh
# Entry of the worker image: imagefleet's TypeScript service in the background on 127.0.0.1, then
# RunPod's Python runtime in the foreground with the shim that forwards each job to it.
set -eu
node /app/bin/imagefleet.js runpod-worker &
exec python3 -u /app/worker/handler.py "$@"
