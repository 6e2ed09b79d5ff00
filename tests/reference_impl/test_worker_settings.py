"""The worker's settings from the environment and its scale-in protection signals."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from reference_impl import worker
from reference_impl.envvars import SettingError
from reference_impl.local import NotRunning, status
from reference_impl.protection import EcsTaskProtection, StatusFile, read_status_file
from reference_impl.worker import WorkerConfig


def test_defaults_follow_sqs_and_fargate():
    config = WorkerConfig.from_env({})
    assert (config.wait_s, config.visibility_timeout_s, config.stop_timeout_s) == (20, 30, 30)
    assert config.emulated_seconds_per_item == 0  # emulation is opt-in


@pytest.mark.parametrize("name, value, message", [
    ("WORKER_WAIT_S", "21", "WORKER_WAIT_S='21' is out of range; allowed: 0 to 20"),
    ("WORKER_STOP_TIMEOUT_S", "soon", "WORKER_STOP_TIMEOUT_S='soon' is not a number; allowed: 1 to 120"),
    ("WORKER_EMULATED_SECONDS_PER_ITEM", "-1", "allowed: 0 to 60"),
])
def test_a_bad_setting_names_the_variable_and_the_range(name, value, message):
    with pytest.raises(SettingError) as info:
        WorkerConfig.from_env({name: value})
    assert message in str(info.value)


def test_the_long_poll_must_end_before_the_stop_timeout():
    with pytest.raises(SettingError, match="WORKER_WAIT_S=20 must be at most WORKER_STOP_TIMEOUT_S \\(10\\) minus 2 s"):
        WorkerConfig.from_env({"WORKER_STOP_TIMEOUT_S": "10"})


def test_the_worker_refuses_to_start_without_its_queue(caplog):
    assert worker.main({"MODEL_S3_URI": "s3://b/m", "RESULTS_S3_URI": "s3://b/r/"}) == 2
    assert "QUEUE_URL is required and not set" in caplog.text


def test_ecs_task_protection_is_set_and_cleared_through_the_agent_endpoint():
    calls = []

    class Agent(BaseHTTPRequestHandler):
        def do_PUT(self):
            calls.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Agent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        protection = EcsTaskProtection(f"http://127.0.0.1:{server.server_port}/v4/abc")
        protection.set_protected(True)
        protection.set_protected(False)
    finally:
        server.shutdown()
    assert calls == [
        ("/v4/abc/task-protection/v1/state", {"ProtectionEnabled": True, "ExpiresInMinutes": 60}),
        ("/v4/abc/task-protection/v1/state", {"ProtectionEnabled": False}),
    ]


def test_an_unreachable_ecs_agent_does_not_stop_the_worker(caplog):
    EcsTaskProtection("http://127.0.0.1:9").set_protected(True)
    assert "task protection update to True failed" in caplog.text


def test_the_local_status_file_carries_the_protection_flag(tmp_path):
    path = tmp_path / "w.json"
    status_file = StatusFile(str(path), model="digits")
    assert read_status_file(str(path))["state"] == "starting"
    status_file.set_protected(True)
    assert read_status_file(str(path))["protected"] is True and read_status_file(str(path))["state"] == "busy"
    status_file.set_protected(False)
    assert read_status_file(str(path))["state"] == "idle"


def test_status_without_a_runtime_says_how_to_start_one(tmp_path):
    with pytest.raises(NotRunning, match="python -m reference_impl local up"):
        status(tmp_path)
