"""The image, proven: its own command started with `buildah run`, then its probes, its HEALTHCHECK,
a signed `/ticket 34` and a SIGTERM drain; with `--postgres`, two replicas (ops/replicas.py).

    python -m ops.image_check --image IMAGE --buildah "buildah --root …" [--postgres URL]

ops/image-check.sh builds the image and runs this; it exits 1 with the reason when a check fails.
"""

import argparse
import asyncio
import shlex
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from ops import signed
from ops.checks import CheckFailed, expect, expect_clean_log, text_of, until, wait_for_reply
from ops.containers import Buildah, Container, free_port, uid_of
from ops.replicas import check_replicas
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from sandbox.serve import LoopbackServer
from sandbox.slack import SANDBOX_APP_TOKEN, SlackSandbox

PROBES = ("/livez", "/readyz", "/healthz")  # /healthz: /readyz's old name, kept
STOP_TIMEOUT = 40.0  # the drain (DESKHAND_DRAIN_SECONDS, 25) and the closing of the clients


async def stop_with(container: Container, signum: signal.Signals) -> float:
    """Send `signum` to the container's main process; the seconds until the command ended."""
    started = time.monotonic()
    container.send(signum)
    try:
        await container.wait(STOP_TIMEOUT)
    except TimeoutError as err:
        raise CheckFailed(f"{container.name} did not stop within {STOP_TIMEOUT:.0f} s") from err
    return time.monotonic() - started


async def run_healthcheck(container: Container, config: dict[str, Any], port: int) -> int:
    """Run the image's HEALTHCHECK command in the container, as a runtime would; its exit code."""
    test = config.get("Healthcheck", {}).get("Test") or []
    expect(test[:1] == ["CMD"], f"the image's HEALTHCHECK is not an exec-form CMD: {test}")
    args = container.run_args({"DESKHAND_PORT": str(port)}, test[1:])
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    return await asyncio.wait_for(process.wait(), 30)


def base_env(slack: SlackSandbox, port: int) -> dict[str, str]:
    """A single container's environment: Slack is the sandbox; the backends are the image's own
    sandboxes unless a READYDESK_/KICKSERV_ URL is added."""
    return {
        "SLACK_BOT_TOKEN": signed.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": signed.SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DESKHAND_PORT": str(port),
    }


async def check_serving(
    buildah: Buildah, image: str, slack: SlackSandbox, work: Path, port: int
) -> dict[str, Any]:
    """Start the image's own command; probes, HEALTHCHECK, a signed /ticket 34, SIGTERM."""
    config, command = await buildah.config(image), await buildah.image_command(image)
    expect(config.get("User") not in (None, "", "0", "root"), "the image runs as root")
    container = await buildah.new_container(image, "deskhand-image-check")
    try:
        await container.start(base_env(slack, port), command, work / "single.log")
        seconds = await container.wait_ready("/readyz")
        async with httpx.AsyncClient(timeout=10) as client:
            probes = {p: (await client.get(container.url(p))).status_code for p in PROBES}
            expect(set(probes.values()) == {200}, f"probes answered {probes}")
            backends = (await client.get(container.url("/readyz"))).json().get("backends")
            expect(backends == {"readydesk": "ok", "kickserv": "ok"}, f"backends: {backends}")
            uid = uid_of(container.main_pid())
            expect(uid != 0, "the container's main process runs as root")
            healthy = await run_healthcheck(container, config, port)
            expect(healthy == 0, f"the HEALTHCHECK failed on a serving container ({healthy})")
            body = signed.command_body("/ticket", "34", slack.response_url("ticket34"), "1.1.1")
            forged = await signed.post_command(client, container.url(""), body, "wrong-secret")
            expect(forged.status_code == 401, f"a forged signature got {forged.status_code}")
            answered = await signed.post_command(client, container.url(""), body)
            expect(answered.status_code == 200, f"/ticket 34 got {answered.status_code}")
        reply = await wait_for_reply(slack, "ticket34", lambda c: "#34 " in text_of(c))
        stopped = await stop_with(container, signal.SIGTERM)
        expect_clean_log(container)
        unhealthy = await run_healthcheck(container, config, port)
        expect(unhealthy != 0, "the HEALTHCHECK passed with nothing serving")
    finally:
        await container.stop()
        await buildah.remove(container.name)
    return {
        "ready_seconds": seconds,
        "probes": probes,
        "uid": uid,
        "ticket": next(line for line in text_of(reply).splitlines() if "#34 " in line)[:60],
        "stop_seconds": stopped,
    }


async def check_drain(
    buildah: Buildah, image: str, slack: SlackSandbox, work: Path, port: int
) -> dict[str, Any]:
    """SIGTERM while a note is in flight to ReadyDesk: written once, the person told, stopped."""
    readydesk = build_readydesk_app()
    data = readydesk.state.data
    before = len(data.history.get(34, []))
    readydesk.state.faults.add("latency_after", seconds=2.0, query={"action": "add_history"})
    container = await buildah.new_container(image, "deskhand-image-drain")
    async with LoopbackServer(readydesk) as server:
        env = {
            **base_env(slack, port),
            "READYDESK_URL": server.base_url + "/readydesk/API/default.aspx",
            "READYDESK_KEY": SANDBOX_KEY,
        }
        try:
            await container.start(env, await buildah.image_command(image), work / "drain.log")
            await container.wait_ready("/readyz")
            body = signed.command_body(
                "/note", "ticket 34 Swapped the drum", slack.response_url("drain"), "2.2.2"
            )
            async with httpx.AsyncClient(timeout=10) as client:
                answered = await signed.post_command(client, container.url(""), body)
            expect(answered.status_code == 200, f"/note got {answered.status_code}")
            await until(lambda: len(data.history.get(34, [])) > before, "the note in ReadyDesk")
            stopped = await stop_with(container, signal.SIGTERM)  # the reply is 2 s away
        finally:
            await container.stop()
            await buildah.remove(container.name)
    expect_clean_log(container)
    told = await wait_for_reply(slack, "drain", lambda c: "Added the note" in text_of(c), 5)
    written = len(data.history.get(34, [])) - before
    expect(written == 1, f"the drained note was written {written} times")
    return {"stop_seconds": stopped, "told": text_of(told).splitlines()[0][:60]}


async def check_socket_mode(
    buildah: Buildah, image: str, slack: SlackSandbox, work: Path, port: int
) -> dict[str, Any]:
    """With SLACK_APP_TOKEN the image's command connects over Socket Mode: ready on its probe
    port, /ticket 34 answered over the socket, the HEALTHCHECK passes, SIGTERM stops it."""
    config = await buildah.config(image)
    container = await buildah.new_container(image, "deskhand-image-socket")
    env = {**base_env(slack, port), "SLACK_APP_TOKEN": SANDBOX_APP_TOKEN}
    try:
        opened = slack.connections_opened
        await container.start(env, await buildah.image_command(image), work / "socket.log")
        seconds = await container.wait_ready("/readyz")
        envelope = slack.deliver(
            "slash_commands",
            {
                "command": "/ticket",
                "text": "34",
                "team_id": "T0SANDBOX",
                "user_id": signed.USER,
                "channel_id": signed.CHANNEL,
                "response_url": slack.response_url("socket34"),
                "trigger_id": "3.3.3",
            },
        )
        await slack.wait_for_ack(envelope, timeout=60)
        expect(slack.connections_opened > opened, "no Socket Mode connection was opened")
        await wait_for_reply(slack, "socket34", lambda c: "#34 " in text_of(c))
        healthy = await run_healthcheck(container, config, port)
        expect(healthy == 0, f"the HEALTHCHECK failed in Socket Mode ({healthy})")
        stopped = await stop_with(container, signal.SIGTERM)
    finally:
        await container.stop()
        await buildah.remove(container.name)
    expect("connections closed" in container.log(), "Socket Mode did not log its stop")
    expect(
        "Traceback" not in container.log(), f"Socket Mode logged a traceback:\n{container.log()}"
    )
    return {"ready_seconds": seconds, "stop_seconds": stopped}


async def main_async(args: argparse.Namespace) -> None:
    """Every check in turn; prints each one's figures."""
    buildah = Buildah(shlex.split(args.buildah))
    work = Path(tempfile.mkdtemp(prefix="deskhand-image-check."))
    slack = SlackSandbox()
    await slack.start()
    try:
        served = await check_serving(buildah, args.image, slack, work, free_port())
        print(f"start to ready (/readyz answers 200): {served['ready_seconds']:.1f} s")
        print(f"probes: {served['probes']}; HEALTHCHECK passes serving, fails stopped")
        print(f"runs as uid {served['uid']}; /ticket 34 answered: {served['ticket']!r}")
        print(f"SIGTERM when idle: stopped in {served['stop_seconds']:.1f} s")
        drained = await check_drain(buildah, args.image, slack, work, free_port())
        print(
            f"SIGTERM with a note in flight: written once, stopped in "
            f"{drained['stop_seconds']:.1f} s, the person told {drained['told']!r}"
        )
        socket_mode = await check_socket_mode(buildah, args.image, slack, work, free_port())
        print(
            f"Socket Mode (SLACK_APP_TOKEN set): ready in {socket_mode['ready_seconds']:.1f} s "
            "on its probe port; /ticket 34 answered over the socket; HEALTHCHECK passes; "
            f"SIGTERM stopped it in {socket_mode['stop_seconds']:.1f} s"
        )
        if args.postgres:
            await check_replicas(buildah, args.image, slack, work, args.postgres)
        else:
            print("two replicas: skipped (no --postgres)")
    except CheckFailed as failure:  # the containers' logs are kept for a failure, and named
        raise CheckFailed(f"{failure}\n(the containers' logs: {work})") from None
    else:
        shutil.rmtree(work, ignore_errors=True)
    finally:
        await slack.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the checks; 1 with the reason when one fails."""
    parser = argparse.ArgumentParser(prog="python -m ops.image_check")
    parser.add_argument("--image", required=True, help="the image to check")
    parser.add_argument("--buildah", default="buildah", help="the buildah command and options")
    parser.add_argument("--postgres", help="a PostgreSQL URL for the two-replica checks")
    args = parser.parse_args(argv)
    try:
        asyncio.run(main_async(args))
    except CheckFailed as failure:
        print(f"image check FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
