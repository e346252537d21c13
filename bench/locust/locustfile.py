"""The on-sale rehearsal of bench/onsale, as a Locust load kit for a cluster (or `npm start`).

Every Locust user is one fan who signs up and logs in through the API, enters the waiting room,
polls at the `pollAfterMs` the queue gives, and once admitted reads the seat map, holds random
available seats and pays (some cards declined first, some fans abandon the checkout), then waits
for the order to be CONFIRMED. A fan does the journey once, then stops; when every fan has stopped
the run ends by itself (or at --run-time). Fans arrive at the spawn rate (-r): an open arrival
schedule, one fan per Locust user.

The master (or the only process) creates the performance with its queue settings when the test
starts, and tells every worker which sale to join; --performance-id/--schedule-id join a sale
that already exists instead. Thresholds are checked where the figures of all workers meet (the
master) and decide the exit code: see README.md.

    locust -f bench/locust/locustfile.py --headless -H http://127.0.0.1:8080 -u 200 -r 50 \
        --run-time 10m --admin-email admin@example.test --admin-password ... [--seats 100]
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import gevent
import requests
from locust import FastHttpUser, events, task
from locust.exception import StopUser
from locust.runners import MasterRunner, WorkerRunner

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
PASSWORD = "correct horse battery"

log = logging.getLogger("onsale")

# The sale every fan of this process joins: set by the 'sale' message (or at once when local).
sale: dict[str, str] = {}
# Tallied where thresholds are checked (master or the only process), from the fans' 'fan_done'.
outcomes: Counter[str] = Counter()
seats_confirmed = 0
# Why the sale could not be set up, if it could not (the run then ends at once and fails).
setup_error: list[str] = []


@events.init_command_line_parser.add_listener
def add_arguments(parser: Any) -> None:
    # on the parser itself (not a group): only it knows Locust's is_secret and web UI options
    group = parser
    group.add_argument("--admin-email", env_var="LOCUST_ADMIN_EMAIL", default="", help="Admin who creates the performance")
    group.add_argument("--admin-password", env_var="LOCUST_ADMIN_PASSWORD", default="", is_secret=True, help="Admin's password")
    group.add_argument("--performance-id", default="", help="Join this performance instead of creating one")
    group.add_argument("--schedule-id", default="", help="Its schedule (with --performance-id)")
    group.add_argument("--seats", type=int, default=2000, help="Seats of the performance created")
    group.add_argument("--capacity", type=int, default=500, help="Fans admitted at once")
    group.add_argument("--admit-per-minute", type=int, default=3000, help="Admission rate")
    group.add_argument("--max-seats-per-order", type=int, default=4)
    group.add_argument("--decline", type=float, default=0.1, help="Share of fans whose first card is declined")
    group.add_argument("--abandon", type=float, default=0.1, help="Share of fans with a hold who abandon the checkout")
    group.add_argument("--forwarded-for", action="store_true", default=False,
                       help="Send one X-Forwarded-For address per fan (only against a gateway that trusts this client as its proxy)")
    group.add_argument("--poll-p99-ms", type=float, default=500, help="Threshold: status polls p99 below this")
    group.add_argument("--hold-p99-ms", type=float, default=2000, help="Threshold: hold requests p99 below this")
    group.add_argument("--max-server-errors", type=int, default=0, help="Threshold: at most this many 5xx or broken connections")
    group.add_argument("--max-fail-ratio", type=float, default=0.01, help="Threshold: at most this share of requests failed")


def opts(environment: Any) -> Any:
    return environment.parsed_options


def is_coordinator(environment: Any) -> bool:
    """The process that sees every fan's figures: the master, or a run without workers."""
    return not isinstance(environment.runner, WorkerRunner)


def layout(seats: int) -> dict[str, int]:
    for per_row in range(min(200, seats), 0, -1):
        if seats % per_row == 0 and seats // per_row <= 200:
            return {"rows": seats // per_row, "seatsPerRow": per_row}
    raise ValueError(f"cannot lay out {seats} seats")


def create_sale(environment: Any) -> dict[str, str]:
    """Creates the performance and opens its line to every fan of the run (not part of the load)."""
    o = opts(environment)
    if o.performance_id:
        return {"performanceId": o.performance_id, "scheduleId": o.schedule_id}
    base = environment.host.rstrip("/")
    http = requests.Session()
    login = http.post(f"{base}/api/v1/auth/login", json={"email": o.admin_email, "password": o.admin_password}, timeout=30)
    if login.status_code != 200:
        raise RuntimeError(f"admin login: {login.status_code} {login.text}")
    admin = {"authorization": f"Bearer {login.json()['accessToken']}"}
    now = datetime.now(timezone.utc)
    created = http.post(f"{base}/api/v1/performances", headers=admin, timeout=30, json={
        "title": "On-sale rehearsal (Locust)", "venue": "Bench Arena", "description": "bench/locust",
        "maxSeatsPerOrder": o.max_seats_per_order,
        "bookingOpensAt": (now - timedelta(minutes=1)).isoformat(), "bookingClosesAt": (now + timedelta(hours=3)).isoformat(),
        "schedules": [{"startsAt": (now + timedelta(days=7)).isoformat()}],
        "sections": [{"name": "Floor", "grade": "R", "price": 9900, "currency": "USD", **layout(o.seats)}],
        "queue": {"capacity": o.capacity, "admitPerMinute": o.admit_per_minute},
    })
    if created.status_code != 201:
        raise RuntimeError(f"create performance: {created.status_code} {created.text}")
    performance = created.json()
    # the queue learns of the performance from catalog's event
    deadline = time.monotonic() + 60
    while http.get(f"{base}/api/v1/queues/{performance['id']}", timeout=30).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("the queue did not learn of the performance within 60 s")
        gevent.sleep(0.2)
    # by default the line holds twice the seats; this rehearsal wants every fan in line
    patched = http.patch(f"{base}/api/v1/queues/{performance['id']}", headers=admin, timeout=30,
                         json={"maxLine": max(o.num_users or 0, o.seats * 2)})
    if patched.status_code >= 300:
        raise RuntimeError(f"queue settings: {patched.status_code} {patched.text}")
    return {"performanceId": performance["id"], "scheduleId": performance["schedules"][0]["id"]}


@events.init.add_listener
def on_init(environment: Any, **_: Any) -> None:
    def on_sale(msg: Any, **__: Any) -> None:
        sale.update(msg.data)

    def on_fan_done(msg: Any, **__: Any) -> None:
        global seats_confirmed
        outcomes[msg.data["outcome"]] += 1
        seats_confirmed += msg.data["seats"]
        if sum(outcomes.values()) >= (opts(environment).num_users or 0):
            log.info("every fan has finished: %s", dict(outcomes))
            gevent.spawn_later(1, environment.runner.quit)

    if not isinstance(environment.runner, MasterRunner):
        environment.runner.register_message("sale", on_sale)
    if is_coordinator(environment):
        environment.runner.register_message("fan_done", on_fan_done)


@events.test_start.add_listener
def on_test_start(environment: Any, **_: Any) -> None:
    if not is_coordinator(environment):
        return
    try:
        created = create_sale(environment)
    except Exception as error:  # noqa: BLE001 - any failure here ends the run with its reason
        setup_error.append(str(error))
        log.error("could not set up the sale: %s", error)
        gevent.spawn(environment.runner.quit)
        return
    log.info("sale: performance %s, schedule %s", created["performanceId"], created["scheduleId"])
    environment.runner.send_message("sale", created)


def server_errors(environment: Any) -> int:
    return sum(e.occurrences for e in environment.stats.errors.values() if str(e.error).startswith("server error"))


@events.quitting.add_listener
def check_thresholds(environment: Any, **_: Any) -> None:
    if not is_coordinator(environment):
        return
    o = opts(environment)
    stats = environment.stats
    failures: list[str] = [f"the sale could not be set up: {e}" for e in setup_error]
    for name, limit in (("poll", o.poll_p99_ms), ("hold", o.hold_p99_ms)):
        entry = stats.entries.get((name, "GET" if name == "poll" else "POST"))
        p99 = entry.get_response_time_percentile(0.99) if entry and entry.num_requests else None
        if p99 is None:
            # e.g. fewer fans than the active set holds: nobody waited, so nobody polled
            log.warning("threshold not checked: no %s request was made", name)
        elif p99 >= limit:
            failures.append(f"{name} p99 {p99:.0f} ms, threshold below {limit:g} ms")
    errors = server_errors(environment)
    if errors > o.max_server_errors:
        failures.append(f"{errors} server errors (5xx or broken connection), threshold {o.max_server_errors}")
    if stats.total.fail_ratio > o.max_fail_ratio:
        failures.append(f"{stats.total.fail_ratio:.2%} of requests failed, threshold {o.max_fail_ratio:.2%}")
    fans = o.num_users or 0
    finished = sum(outcomes.values())
    if finished < fans:
        failures.append(f"only {finished} of {fans} fans finished their journey")
    if outcomes["no sale"]:
        failures.append(f"{outcomes['no sale']} fans never learnt which sale to join")
    if not o.performance_id and seats_confirmed > o.seats:
        failures.append(f"fans saw {seats_confirmed} seats confirmed of {o.seats}")
    if environment.runner.exceptions:
        failures.append(f"{len(environment.runner.exceptions)} exceptions in the fans' code")
    log.info("fans: %s; seats confirmed %d", dict(outcomes), seats_confirmed)
    for failure in failures:
        log.error("threshold failed: %s", failure)
    log.info("thresholds: %s", "FAILED" if failures else "passed")
    environment.process_exit_code = 1 if failures else 0



def solve_proof_of_work(challenge: dict[str, Any]) -> dict[str, Any]:
    """The waiting room's entry challenge (ALTCHA v1): the n <= maxnumber with SHA-256(salt + n) = challenge.
    The TypeScript drivers share packages/testing's solver; Locust is Python, so this is its copy."""
    salt, target = challenge["salt"], challenge["challenge"]
    for n in range(int(challenge["maxnumber"]) + 1):
        if hashlib.sha256(f"{salt}{n}".encode()).hexdigest() == target:
            return {key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")} | {"number": n}
        if n % 5000 == 4999:
            gevent.sleep(0)  # let the other fans of this worker run meanwhile
    raise ValueError("no number solves the challenge")

class Fan(FastHttpUser):
    """One fan, one journey: sign up, log in, wait in line, buy (or not), leave."""

    def on_start(self) -> None:
        o = opts(self.environment)
        self.options = o
        self.headers = {"content-type": "application/json"}
        if o.forwarded_for:
            n = random.getrandbits(24)
            self.headers["x-forwarded-for"] = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        email = f"locust-{uuid.uuid4().hex[:12]}@onsale.test"
        self.patiently("POST", "/api/v1/users", "sign up", {"email": email, "password": PASSWORD, "nickname": email[:20]}, expect=(201,))
        login = self.patiently("POST", "/api/v1/auth/login", "login", {"email": email, "password": PASSWORD}, expect=(200,))
        self.headers["authorization"] = f"Bearer {login.get('accessToken', '')}"
        deadline = time.monotonic() + 120
        while not sale and time.monotonic() < deadline:
            gevent.sleep(0.2)
        if not sale:
            self.finish("no sale", 0)

    def call(self, method: str, path: str, name: str, body: Any = None, expect: tuple[int, ...] = (200,),
             headers: dict[str, str] | None = None, accept: tuple[tuple[int, str], ...] = ()) -> dict[str, Any]:
        """One request: answers outside `expect` (and the `accept`ed status/code pairs) fail; 5xx are server errors."""
        with self.client.request(method, path, name=name, json=body, headers={**self.headers, **(headers or {})},
                                 catch_response=True) as res:
            try:
                parsed = res.json() if res.text else {}
            except ValueError:
                parsed = {}
            parsed = parsed if isinstance(parsed, dict) else {}
            status = res.status_code or 0
            if status in expect or (status, parsed.get("code")) in accept:
                res.success()
            elif status >= 500 or status == 0:
                res.failure(f"server error {status} {parsed.get('code', '')}".strip())
            else:
                res.failure(f"unexpected {status} {parsed.get('code', '')}".strip())
            parsed["_status"] = status
            parsed["_retry_after"] = res.headers.get("retry-after") or "1"
            return parsed

    def patiently(self, method: str, path: str, name: str, body: Any, expect: tuple[int, ...]) -> dict[str, Any]:
        """Sign-up and login wait out auth's hashing budget (503 AUTH_BUSY with Retry-After), as the web client does."""
        deadline = time.monotonic() + 120
        while True:
            reply = self.call(method, path, name, body, expect=expect, accept=((503, "AUTH_BUSY"),))
            if reply["_status"] != 503 or time.monotonic() > deadline:
                return reply
            gevent.sleep(float(reply["_retry_after"]) * (0.5 + random.random()))

    def finish(self, outcome: str, seats: int) -> None:
        self.environment.runner.send_message("fan_done", {"outcome": outcome, "seats": seats})
        raise StopUser()

    def wait_in_line(self) -> str | None:
        entries = f"/api/v1/queues/{sale['performanceId']}/entries"
        # the documented entry: a proof-of-work challenge, solved, sent with the entry
        challenge = self.call("POST", f"/api/v1/queues/{sale['performanceId']}/challenge", "challenge", {})
        if challenge["_status"] != 200:
            self.finish("entry refused", 0)
        # a fan who arrives after the last seat went is told so: the sale's answer, not a failure
        entry = self.call("POST", entries, "enter", {"proofOfWork": solve_proof_of_work(challenge)},
                          accept=((409, "SOLD_OUT"), (409, "QUEUE_CLOSED")))
        if entry["_status"] != 200:
            self.finish("sold out" if entry.get("code") in ("SOLD_OUT", "QUEUE_CLOSED") else "entry refused", 0)
        while entry.get("status") == "WAITING" or (entry.get("status") == "ADMITTED" and not entry.get("queueToken")):
            gevent.sleep(float(entry.get("pollAfterMs", 2000)) / 1000)
            entry = self.call("GET", f"{entries}/me", "poll")
            if entry["_status"] != 200:
                return None
        return entry.get("queueToken") if entry.get("status") == "ADMITTED" else None

    def hold(self, admitted: dict[str, str]) -> dict[str, Any] | None:
        for _ in range(5):
            seat_map = self.call("GET", f"/api/v1/schedules/{sale['scheduleId']}/seats", "seat map", headers=admitted)
            available = [s["id"] for s in seat_map.get("items", []) if s.get("status") == "AVAILABLE"]
            if not available:
                return None
            wanted = random.sample(available, min(len(available), random.randint(1, self.options.max_seats_per_order)))
            held = self.call("POST", "/api/v1/orders", "hold", {"scheduleId": sale["scheduleId"], "seatIds": wanted}, expect=(201,),
                             headers={**admitted, "idempotency-key": str(uuid.uuid4())}, accept=((409, "SEAT_UNAVAILABLE"),))
            if held["_status"] == 201:
                return held
            if held.get("code") != "SEAT_UNAVAILABLE":
                return None
        return None

    def pay(self, admitted: dict[str, str], order_id: str, card: str) -> str:
        payment = self.call("POST", "/api/v1/payments", "pay", {"orderId": order_id, "method": {"type": "card", "cardNumber": card}},
                            expect=(201,), headers={**admitted, "idempotency-key": str(uuid.uuid4())})
        if payment["_status"] != 201:
            return "FAILED"
        deadline = time.monotonic() + 30
        while payment.get("status") == "PENDING" and time.monotonic() < deadline:
            gevent.sleep(0.2)
            payment = self.call("GET", f"/api/v1/payments/{payment['id']}", "payment status", headers=admitted)
        return str(payment.get("status"))

    def checkout(self, admitted: dict[str, str], order: dict[str, Any]) -> tuple[str, int]:
        if random.random() < self.options.abandon:
            self.call("DELETE", f"/api/v1/orders/{order['id']}", "cancel order", expect=(200, 204), headers=admitted)
            return "abandoned", 0
        status = "FAILED"
        if random.random() < self.options.decline:
            status = self.pay(admitted, order["id"], DECLINED_CARD)
        if status != "SUCCEEDED":
            status = self.pay(admitted, order["id"], GOOD_CARD)
        if status != "SUCCEEDED":
            self.call("DELETE", f"/api/v1/orders/{order['id']}", "cancel order", expect=(200, 204), headers=admitted)
            return "payment failed", 0
        # the checkout page waits for the confirmation (the API promises it within 2 s of payment)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.call("GET", f"/api/v1/orders/{order['id']}", "order status", headers=admitted).get("status") == "CONFIRMED":
                return "bought", len(order.get("seats", []))
            gevent.sleep(0.2)
        return "not confirmed", 0

    @task
    def journey(self) -> None:
        token = self.wait_in_line()
        outcome, seats = "not admitted", 0
        if token:
            admitted = {"x-queue-token": token}
            order = self.hold(admitted)
            outcome, seats = self.checkout(admitted, order) if order else ("no seats left", 0)
        # a confirmed order frees the admission slot by itself; everyone else leaves the line
        if outcome != "bought":
            self.call("DELETE", f"/api/v1/queues/{sale['performanceId']}/entries/me", "leave queue", expect=(200, 204, 404))
        self.finish(outcome, seats)
