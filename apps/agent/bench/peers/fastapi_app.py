"""The stack the template replaces: FastAPI + uvicorn, one worker, on the service's contract.

Same routes, same validation rules (title 1 to 200 characters, description up to 2000,
neither containing U+0000, unknown fields refused, ids must be UUIDs) and response bodies
byte for byte the service's, including /health's version, uptime and timestamp formats.
PATCH /tasks/{id} moves a task along the service's transitions (the benchmark sets up the
task GET /tasks/{id} reads with it).
Run by the benchmark as: python3 fastapi_app.py (PORT, HOST and APP_VERSION from the env).
"""

import json
import os
import time
import uuid
from datetime import datetime, timezone
from typing import Optional

import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel, Extra, constr

STARTED = time.monotonic()
VERSION = os.environ.get("APP_VERSION", "bench")
JSON_TYPE = "application/json; charset=utf-8"
READY = json.dumps(
    {"status": "ready", "checks": {"starting": {"status": "pass"}, "draining": {"status": "pass"}, "store": {"status": "pass"}}},
    separators=(",", ":"),
)
NO_NUL = r"^[^\x00]*$"

app = FastAPI()
tasks: dict = {}
# The service's ALLOWED_TRANSITIONS.
MOVES = {"created": ["running"], "running": ["completed", "failed"]}


def iso_now() -> str:
    # As JavaScript's toISOString: milliseconds and a Z.
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def js_number(value: float) -> str:
    # As JSON.stringify writes it: 12.0 is 12.
    return str(int(value)) if value == int(value) else repr(value)


def send(body: str, status: int = 200, headers: Optional[dict] = None) -> Response:
    return Response(content=body, status_code=status, media_type=JSON_TYPE, headers=headers)


class NewTask(BaseModel):
    title: constr(min_length=1, max_length=200, regex=NO_NUL)
    description: Optional[constr(max_length=2000, regex=NO_NUL)] = None

    class Config:
        extra = Extra.forbid


@app.get("/health")
def health() -> Response:
    uptime = round((time.monotonic() - STARTED) * 1000) / 1000
    return send(
        '{"status":"healthy","version":%s,"uptime_s":%s,"timestamp":"%s"}'
        % (json.dumps(VERSION), js_number(uptime), iso_now())
    )


@app.get("/ready")
def ready() -> Response:
    return send(READY)


@app.post("/tasks", status_code=201)
def create_task(body: NewTask) -> Response:
    now = iso_now()
    task = {
        "id": str(uuid.uuid4()),
        "title": body.title,
        "description": body.description,
        "status": "created",
        "attempts": 0,
        "result": None,
        "error": None,
        "created_at": now,
        "updated_at": now,
    }
    tasks[task["id"]] = task
    text = json.dumps(task, ensure_ascii=False, separators=(",", ":"))
    return send(text, 201, {"location": "/tasks/" + task["id"]})


class Move(BaseModel):
    status: str

    class Config:
        extra = Extra.forbid


def task_json(task: dict) -> str:
    return json.dumps(task, ensure_ascii=False, separators=(",", ":"))


@app.patch("/tasks/{task_id}")
def move_task(task_id: uuid.UUID, body: Move) -> Response:
    task = tasks.get(str(task_id))
    if task is None:
        return send('{"error":"not_found","message":"no such task"}', 404)
    if body.status not in MOVES.get(task["status"], []):
        return send('{"error":"invalid_transition","message":"not allowed"}', 409)
    task["status"] = body.status
    task["updated_at"] = iso_now()
    return send(task_json(task))


@app.get("/tasks/{task_id}")
def get_task(task_id: uuid.UUID) -> Response:
    task = tasks.get(str(task_id))
    if task is None:
        message = "There is no task with id %s." % task_id
        return send(json.dumps({"error": "not_found", "message": message}, separators=(",", ":")), 404)
    return send(json.dumps(task, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    uvicorn.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8003")),
        workers=1,
        log_level="warning",
        access_log=False,
    )
