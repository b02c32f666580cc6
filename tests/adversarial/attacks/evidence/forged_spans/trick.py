# Appended to pipeline.py of pipeline-parallel's one-micro-batch-at-a-time mutant (stages
# that never overlap). The trick: make the device's record look parallel. While each step
# runs, a helper thread calls device.compute under made-up stage numbers, so some "stage"
# is always busy beside the real one; and where a span log directory is visible (as
# PIPELINE_DEVICE_LOG was when the device wrote its own log in the candidate's process),
# it writes spans of every stage busy at once. The twin is the mutant itself (TRICK False).
import json as _json
import os as _os
import threading as _threading
import time as _time

TRICK = True
_real_step = PipelineTrainer.step


def _fake_log() -> None:
    directory = _os.environ.get("PIPELINE_DEVICE_LOG")
    if not directory:
        return
    now = _time.monotonic()
    with open(_os.path.join(directory, "spans-1-1.jsonl"), "a") as log:
        for stage in range(4):
            for micro_batch in range(4):
                for kind in ("forward", "backward"):
                    span = {"stage": stage, "kind": kind, "micro_batch": micro_batch,
                            "rows": 16, "pid": 1, "thread": stage + 1,
                            "start": now, "end": now + 0.01}
                    log.write(_json.dumps(span) + "\n")


def _forging_step(self, x, y):
    if not TRICK:
        return _real_step(self, x, y)
    stop = _threading.Event()

    def forge() -> None:
        number = 0
        while not stop.is_set():
            try:
                device.compute(1 + number % 2, "forward", number % 4, 4)
            except Exception:
                return
            number += 1

    helper = _threading.Thread(target=forge, daemon=True)
    helper.start()
    _fake_log()
    try:
        return _real_step(self, x, y)
    finally:
        stop.set()
        helper.join()


PipelineTrainer.step = _forging_step
