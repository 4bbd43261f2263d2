"""Run a web server and the worker side by side (`make run`, `make serve`).

    python -m tracker.launch SERVER-COMMAND [ARGUMENTS...]

Starts the worker (`flask --app tracker worker`, with this Python and this environment) and the
server command; Ctrl-C or SIGTERM stops both; when the server stops, for whatever reason, the
worker is stopped too (SIGTERM: it finishes the job under way), and the server's exit status is
returned. Production runs the two as separate services instead (see the README).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Sequence

WORKER = (sys.executable, "-m", "flask", "--app", "tracker", "worker")
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stop(process: subprocess.Popen, grace: float) -> None:
    """Ask `process` to stop (SIGTERM), and kill it if it has not within `grace` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_beside(
    server: Sequence[str], worker: Sequence[str] = WORKER, *, grace: float = 15.0
) -> int:
    """Run `server` with `worker` beside it until the server stops; return its exit status."""
    # Both commands come from the Makefile (or the caller), run without a shell.
    worker_process = subprocess.Popen(list(worker))  # noqa: S603
    try:
        server_process = subprocess.Popen(list(server))  # noqa: S603
    except OSError:
        _stop(worker_process, grace)
        raise

    stopping: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        # Ctrl-C reaches the whole process group already, SIGTERM (a service manager) only us;
        # either way both get SIGTERM (a process started in the background ignores SIGINT).
        stopping.append(signum)
        for process in (server_process, worker_process):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    previous = {signum: signal.signal(signum, forward) for signum in SIGNALS}
    warned = False
    try:
        while (code := server_process.poll()) is None:
            if not warned and not stopping and worker_process.poll() is not None:
                warned = True
                print(
                    f"The worker stopped (exit status {worker_process.returncode}): no mail is "
                    "sent until it runs again.",
                    file=sys.stderr,
                )
            time.sleep(0.2)
    finally:
        _stop(server_process, grace)
        _stop(worker_process, grace)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stopping and code in (0, -signal.SIGTERM, -signal.SIGINT):
        return 0  # stopped as asked
    # Killed by a signal: the shell's convention, 128 plus the signal's number.
    return code if code >= 0 else 128 - code


def main(argv: Sequence[str]) -> int:
    """The command line: the server command follows."""
    if not argv:
        print("usage: python -m tracker.launch SERVER-COMMAND [ARGUMENTS...]", file=sys.stderr)
        return 2
    return run_beside(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
