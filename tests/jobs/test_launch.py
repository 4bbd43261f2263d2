"""`make run` and `make serve` start the server with the worker beside it
(`python -m tracker.launch SERVER...`): a signal stops both, and when the server stops the worker
is stopped too."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tracker import PROJECT_ROOT
from tracker.launch import main
from tracker.launch import run_beside

# A stand-in process: notes when it starts and when SIGTERM stops it, in the file it is given;
# with a second argument it exits by itself with that status once the first file exists.
STAND_IN = """
import pathlib, signal, sys, time
mine = pathlib.Path(sys.argv[1])
def stop(*_):
    with mine.open("a") as f:
        f.write("stopped\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
with mine.open("a") as f:
    f.write("started\\n")
waiting_for = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
deadline = time.monotonic() + 60
while True:
    if waiting_for and (waiting_for.exists() or time.monotonic() > deadline):
        sys.exit(3)
    time.sleep(0.05)
"""


def _stand_in(*arguments: Path) -> list[str]:
    return [sys.executable, "-c", STAND_IN, *map(str, arguments)]


def test_the_worker_stops_when_the_server_does(tmp_path):
    worker, server = tmp_path / "worker.txt", tmp_path / "server.txt"
    # The server exits (status 3) as soon as the worker has started.
    status = run_beside(_stand_in(server, worker), _stand_in(worker), grace=30)
    assert status == 3
    assert worker.read_text() == "started\nstopped\n"


def test_sigterm_stops_the_server_and_the_worker(tmp_path):
    worker, server = tmp_path / "worker.txt", tmp_path / "server.txt"
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import json, sys; from tracker.launch import run_beside; "
            "sys.exit(run_beside(json.loads(sys.argv[1]), json.loads(sys.argv[2])))",
            json.dumps(_stand_in(server)),
            json.dumps(_stand_in(worker)),
        ],
        cwd=PROJECT_ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (server.exists() and worker.exists()):
            assert time.monotonic() < deadline, "the two never started"
            time.sleep(0.05)
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=60) == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
    assert server.read_text() == "started\nstopped\n"
    assert worker.read_text() == "started\nstopped\n"


def test_without_a_server_command_it_says_how_to_use_it(capsys):
    assert main([]) == 2
    assert "usage: python -m tracker.launch SERVER-COMMAND" in capsys.readouterr().err
