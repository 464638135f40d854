"""Driving wrk with signed slash commands: each request its own body, signature and response_url.

The Lua script loads pre-signed requests (one per line: timestamp, signature, body) and sends
them in order, so every acknowledgement can be matched to the card that arrives for it.
"""

import asyncio
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

INSTALL_HINT = "wrk is not installed; on Debian or Ubuntu: apt-get install -y wrk"

LUA = r"""
local requests = {}
counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/slack/events", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Slack-Request-Timestamp"] = ts,
      ["X-Slack-Signature"] = sig,
    }, body)
  end
end

function request()
  counter = counter + 1
  return requests[(counter - 1) % #requests + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests":%d,"duration_us":%d,"non_2xx":%d,"errors":%d,'
      .. '"p50_us":%d,"p99_us":%d,"issued":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50.0), latency:percentile(99.0), threads[1]:get("counter")))
end
"""


@dataclass(frozen=True)
class Burst:
    """What wrk saw: acknowledgements (2xx) per second and their latency."""

    acks: int
    seconds: float
    non_2xx: int
    errors: int
    p50_ms: float
    p99_ms: float
    issued: int
    started: float  # time.monotonic() when wrk was started

    @property
    def rps(self) -> float:
        """Acknowledgements (2xx answers) per second."""
        return self.acks / self.seconds


def require_wrk() -> str:
    """wrk's path, or exit saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        sys.exit(INSTALL_HINT)
    return path


def write_requests(
    path: Path, secret: str, response_url: str, tag: str, count: int, text: str = "34"
) -> None:
    """`count` signed `/ticket` bodies, the i-th answering to response_url `<tag>-<i>`."""
    verifier = SignatureVerifier(secret)
    timestamp = str(int(time.time()))
    lines = []
    for i in range(count):
        body = urlencode(
            {
                "token": "unused",
                "team_id": "T0SANDBOX",
                "channel_id": "C1",
                "user_id": "U1",
                "user_name": "pat",
                "command": "/ticket",
                "text": text,
                "api_app_id": "A0DESKHAND",
                "response_url": f"{response_url}/{tag}-{i}",
                "trigger_id": f"1334.{i}.8088930838d88f008e0",
            }
        )
        signature = verifier.generate_signature(timestamp=timestamp, body=body)
        lines.append(f"{timestamp}\t{signature}\t{body}")
    path.write_text("\n".join(lines) + "\n")


async def run_wrk(
    url: str, requests_file: Path, *, connections: int, seconds: float, workdir: Path
) -> Burst:
    """One wrk run (one thread, `connections` open connections) against `url`."""
    script = workdir / "signed.lua"
    script.write_text(LUA)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        require_wrk(),
        "-t1",
        f"-c{connections}",
        f"-d{round(seconds)}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
        "--",
        str(requests_file),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    line = next((x for x in stdout.decode().splitlines() if x.startswith("RESULT ")), None)
    if process.returncode != 0 or line is None:
        sys.exit(f"wrk failed ({process.returncode}): {stderr.decode()}{stdout.decode()}")
    result = json.loads(line.removeprefix("RESULT "))
    return Burst(
        acks=result["requests"] - result["non_2xx"],
        seconds=result["duration_us"] / 1e6,
        non_2xx=result["non_2xx"],
        errors=result["errors"],
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        issued=result["issued"],
        started=started,
    )
