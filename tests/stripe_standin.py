"""A small, stateful stand-in for the parts of the Stripe API that billing/stripe_client.py calls,
served over real HTTP on an ephemeral 127.0.0.1 port (the real API cannot be reached from here).

It speaks Stripe's wire format: bearer-key auth, form-encoded nested parameters
(`line_items[0][price_data][unit_amount]=500`), `expand[]`, list objects and error bodies, so the
real `stripe` library talks to it unchanged. Tests drive the other side of the payment — the
customer paying, support refunding, a bank opening a dispute — with `pay`, `refund` and `dispute`,
and build webhook events with `event` and `signature_header` (signed exactly as Stripe signs).

Endpoints: POST/GET /v1/checkout/sessions, GET /v1/checkout/sessions/<id>, GET /v1/charges/<id>,
GET /v1/payment_intents/<id>, GET /v1/disputes/<id>; and GET /checkout/<id>, the hosted payment
page: visiting it pays the session and redirects to its success_url, like a customer would.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<body>")."""
    ts = int(time.time()) if timestamp is None else timestamp
    signed = f"{ts}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def form_decode(body: str) -> dict[str, Any]:
    """Stripe's nested form encoding back into dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = root
        for part, nxt in zip(parts, [*parts[1:], None], strict=True):
            if nxt is None:
                _put(node, part, value)
            else:
                node = _child(node, part, list if nxt.isdigit() or nxt == "" else dict)
    return root


def _put(node: Any, key: str, value: Any) -> None:
    if isinstance(node, list):
        node.append(value) if key in ("", str(len(node))) else node.__setitem__(int(key), value)
    else:
        node[key] = value


def _child(node: Any, key: str, kind: type) -> Any:
    if isinstance(node, list):
        index = int(key)
        if index == len(node):
            node.append(kind())
        return node[index]
    return node.setdefault(key, kind())


class StripeError(Exception):
    def __init__(self, status: int, message: str, code: str = "resource_missing"):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class StripeStandIn:
    def __init__(self, api_key: str = "sk_test_local"):
        self.api_key = api_key
        self.sessions: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.disputes: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every API call, in order
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StripeStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- the API -------------------------------------------------------------------------

    def session_create(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("mode") != "payment":
            raise StripeError(400, "mode must be payment here", "parameter_invalid")
        items = params.get("line_items") or []
        total = sum(int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1)) for i in items)
        session_id = _new_id("cs_test")
        session = {
            "id": session_id, "object": "checkout.session", "mode": "payment",
            "status": "open", "payment_status": "unpaid", "amount_total": total,
            "currency": items[0]["price_data"]["currency"] if items else "usd",
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata") or {},
            "payment_intent": None,
            "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
            "url": f"{self.base_url}/checkout/{session_id}",
            "_payment_intent_data": params.get("payment_intent_data") or {},
        }  # fmt: skip
        with self.lock:
            self.sessions[session_id] = session
        return session

    def session_get(self, session_id: str, expand: list[str]) -> dict[str, Any]:
        with self.lock:
            if session_id not in self.sessions:
                raise StripeError(404, f"No such checkout.session: '{session_id}'")
            session = copy.deepcopy(self.sessions[session_id])
            intent_id = session["payment_intent"]
            if intent_id and any(e.startswith("payment_intent") for e in expand):
                intent = copy.deepcopy(self.intents[intent_id])
                if "payment_intent.latest_charge" in expand and intent["latest_charge"]:
                    intent["latest_charge"] = copy.deepcopy(self.charges[intent["latest_charge"]])
                session["payment_intent"] = intent
        return session

    def sessions_list(self, query: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            found = [
                copy.deepcopy(s)
                for s in self.sessions.values()
                if not query.get("payment_intent") or s["payment_intent"] == query["payment_intent"]
            ]
        limit = int(query.get("limit", 10))
        data = found[:limit]
        return {"object": "list", "data": data, "has_more": len(found) > limit,
                "url": "/v1/checkout/sessions"}  # fmt: skip

    def object_get(self, store: dict[str, dict[str, Any]], name: str, oid: str) -> dict[str, Any]:
        with self.lock:
            if oid not in store:
                raise StripeError(404, f"No such {name}: '{oid}'")
            return copy.deepcopy(store[oid])

    # --- the other side of the payment (what tests drive) -------------------------------

    def pay(self, session_id: str, *, delayed: bool = False) -> str:
        """The customer pays: a payment intent and a charge appear; the session completes.
        delayed=True is a bank debit: the session completes unpaid until `async_succeed`."""
        with self.lock:
            session = self.sessions[session_id]
            intent_id, charge_id = _new_id("pi"), _new_id("ch")
            metadata = session["_payment_intent_data"].get("metadata") or {}
            self.charges[charge_id] = {
                "id": charge_id, "object": "charge", "amount": session["amount_total"],
                "amount_refunded": 0, "refunded": False, "disputed": False, "paid": not delayed,
                "currency": session["currency"], "payment_intent": intent_id, "metadata": metadata,
            }  # fmt: skip
            self.intents[intent_id] = {
                "id": intent_id, "object": "payment_intent", "amount": session["amount_total"],
                "status": "processing" if delayed else "succeeded", "latest_charge": charge_id,
                "metadata": metadata,
            }  # fmt: skip
            session.update(status="complete", payment_intent=intent_id)
            session["payment_status"] = "unpaid" if delayed else "paid"
        return charge_id

    def async_succeed(self, session_id: str) -> None:
        with self.lock:
            session = self.sessions[session_id]
            session["payment_status"] = "paid"
            intent = self.intents[session["payment_intent"]]
            intent["status"] = "succeeded"
            self.charges[intent["latest_charge"]]["paid"] = True

    def refund(self, charge_id: str, amount: int | None = None) -> dict[str, Any]:
        with self.lock:
            charge = self.charges[charge_id]
            charge["amount_refunded"] = amount if amount is not None else charge["amount"]
            charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
            return copy.deepcopy(charge)

    def dispute(self, charge_id: str) -> dict[str, Any]:
        with self.lock:
            charge = self.charges[charge_id]
            charge["disputed"] = True
            dispute = {"id": _new_id("dp"), "object": "dispute", "charge": charge_id,
                       "amount": charge["amount"], "status": "needs_response"}  # fmt: skip
            self.disputes[dispute["id"]] = dispute
            return copy.deepcopy(dispute)

    def event(self, type_: str, obj: dict[str, Any]) -> dict[str, Any]:
        """A webhook event as Stripe builds it (the payload a test then signs and POSTs)."""
        public = {k: v for k, v in obj.items() if not k.startswith("_")}
        return {
            "id": _new_id("evt"), "object": "event", "api_version": "2025-01-01",
            "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
            "type": type_, "data": {"object": public},
        }  # fmt: skip

    def calls(self, prefix: str) -> int:
        """How many API calls hit a path starting with `prefix`."""
        with self.lock:
            return sum(1 for _, path in self.requests if path.startswith(prefix))


def _handler_for(standin: StripeStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            with standin.lock:
                standin.requests.append((method, url.path))
            if url.path.startswith("/checkout/"):
                return self._hosted_page(url.path.rsplit("/", 1)[-1])
            if self.headers.get("Authorization") != f"Bearer {standin.api_key}":
                return self._send(401, _error("Invalid API Key provided", "invalid_api_key"))
            params = form_decode(body if method == "POST" else url.query)
            try:
                self._send(200, self._route(method, url.path, params))
            except StripeError as exc:
                self._send(exc.status, _error(exc.message, exc.code))

        def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
            parts = path.strip("/").split("/")
            expand = params.get("expand") or []
            if method == "POST" and parts == ["v1", "checkout", "sessions"]:
                return _public(standin.session_create(params))
            if method == "GET" and parts == ["v1", "checkout", "sessions"]:
                listing = standin.sessions_list(params)
                listing["data"] = [_public(s) for s in listing["data"]]
                return listing
            if method == "GET" and parts[:3] == ["v1", "checkout", "sessions"] and len(parts) == 4:
                return _public(standin.session_get(parts[3], expand))
            stores = {"charges": (standin.charges, "charge"),
                      "payment_intents": (standin.intents, "payment_intent"),
                      "disputes": (standin.disputes, "dispute")}  # fmt: skip
            if method == "GET" and len(parts) == 3 and parts[1] in stores:
                store, name = stores[parts[1]]
                return standin.object_get(store, name, parts[2])
            raise StripeError(404, f"Unrecognized request URL ({method}: {path})", "")

        def _hosted_page(self, session_id: str) -> None:
            if session_id not in standin.sessions:
                return self._send(404, _error("No such checkout page", ""))
            standin.pay(session_id)
            target = standin.sessions[session_id]["success_url"]
            target = target.replace("{CHECKOUT_SESSION_ID}", session_id)
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", _new_id("req"))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _public(session: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in session.items() if not k.startswith("_")}


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": message, "code": code}}


@contextmanager
def running(api_key: str = "sk_test_local") -> Iterator[StripeStandIn]:
    standin = StripeStandIn(api_key).start()
    try:
        yield standin
    finally:
        standin.stop()
