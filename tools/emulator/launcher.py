#!/usr/bin/env python3
"""cloudtrail-fleet's AWS emulator: moto 5.2.1 with the project's patches
(patches.py), on 127.0.0.1 only, plus a control endpoint for tests.

    python3 tools/emulator/launcher.py [--port N] [--exit-on-stdin-eof] [--verbose]

--port 0 (the default) binds a free port. When the server is listening it
prints one line on stdout:

    cloudtrail-fleet emulator listening on http://127.0.0.1:<port>

Credentials: an access key id `AKIA<12-digit account id>EMUL` (any secret)
is a key of an IAM user `emulator-deployer` in that account (created on first
use), so each account's stacks run with that account's own credentials and
the provider's allowed_account_ids check is real. moto maps the credentials
STS AssumeRole returns to the role's account.

Control endpoint (JSON), for tests and tools (tools/emulator/emulator.ts):
    GET    /_cloudtrail_fleet/health          moto version, patches
    POST   /_cloudtrail_fleet/faults          {service, action, code, message?, count?, status?, accountId?, region?, trailName?}
    GET    /_cloudtrail_fleet/faults          faults still armed
    DELETE /_cloudtrail_fleet/faults          disarm every fault
    GET    /_cloudtrail_fleet/calls           the API calls served (service, action, account, region, trail, status)
    DELETE /_cloudtrail_fleet/calls
    POST   /_cloudtrail_fleet/organizations   {id, managementAccountId, accountIds, rootId?}: an organization AWS would know
                                              (also made in moto's Organizations: id, root id, accounts, SCPs enabled)
    GET    /_cloudtrail_fleet/organizations
    GET    /_cloudtrail_fleet/credentials/<account id>
    POST   /_cloudtrail_fleet/log-files       {trailArn, time?, body?}: plants a log file where the trail delivers
    POST   /_cloudtrail_fleet/objects         {bucket, key, body?, time?}: plants any object
    POST   /_cloudtrail_fleet/kms-keys        {accountId, region, keyId?, alias?, policy?, multiRegion?}: a key that exists already
    POST   /_cloudtrail_fleet/sns-topics      {accountId, region, name}: a topic that exists already
    POST   /_cloudtrail_fleet/buckets         {accountId, region, name, objectLock?, policy?}: a bucket that exists already
    POST   /_cloudtrail_fleet/reset           empties every service and the control state
"""

from __future__ import annotations

import argparse
import base64
import collections
import gzip
import io
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import patches  # noqa: E402  (after the path)

HOST = "127.0.0.1"
CONTROL = "/_cloudtrail_fleet/"
KEY_PATTERN = re.compile(r"^AKIA(\d{12})EMUL$")
SECRET = "emulator-secret-access-key-not-a-secret"
DEPLOYER = "emulator-deployer"


def key_for(account_id: str) -> dict[str, str]:
    return {"accessKeyId": f"AKIA{account_id}EMUL", "secretAccessKey": SECRET}


# ------------------------------------------------------------------ state

class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults: list[dict[str, Any]] = []
        self.calls: collections.deque[dict[str, Any]] = collections.deque(maxlen=20000)
        self.next_fault = 1

    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.calls.clear()


STATE = State()
KEY_LOCK = threading.Lock()


def register_key(access_key: str) -> None:
    """An `AKIA<account>EMUL` key becomes a key of the account's emulator-deployer user (once)."""
    m = KEY_PATTERN.match(access_key)
    if not m:
        return
    account = m.group(1)
    from moto.iam.models import AccessKey, iam_backends

    with KEY_LOCK:
        backend = iam_backends[account]["aws"]
        if access_key in backend.access_keys:
            return
        user = backend.users.get(DEPLOYER) or backend.create_user(region_name="us-east-1", user_name=DEPLOYER)
        key = AccessKey(DEPLOYER, prefix="AKIA", account_id=account)
        key.access_key_id = access_key
        key.secret_access_key = SECRET
        user.access_keys.append(key)
        backend.access_keys[access_key] = key


def principal_of(account: str, access_key: str, region: str) -> str:
    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    try:
        from moto.sts.models import sts_backends

        role = sts_backends[account][partition].get_assumed_role_from_access_key(access_key)
        if role is not None:
            return role.role_arn
        from moto.iam.models import iam_backends

        user = iam_backends[account][partition].get_user_from_access_key_id(access_key)
        if user is not None:
            return user.arn
    except Exception:
        pass
    return f"arn:{partition}:iam::{account}:root"


# ------------------------------------------------------------------ request parsing

_CRED = re.compile(r"Credential=([A-Z0-9]{16,128})/\d{8}/([^/]+)/([^/]+)/aws4_request")
_S3_SUBRESOURCES = {
    "policy": "BucketPolicy",
    "versioning": "BucketVersioning",
    "encryption": "BucketEncryption",
    "publicAccessBlock": "PublicAccessBlock",
    "ownershipControls": "BucketOwnershipControls",
    "lifecycle": "BucketLifecycleConfiguration",
    "object-lock": "ObjectLockConfiguration",
    "logging": "BucketLogging",
    "acl": "BucketAcl",
    "tagging": "BucketTagging",
    "location": "BucketLocation",
}


def s3_action(method: str, path: str, query: dict[str, list[str]]) -> str:
    parts = [p for p in path.split("/") if p]
    verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head", "POST": "Post"}.get(method, method.title())
    if len(parts) >= 2:
        if method == "GET" and "acl" in query:
            return "GetObjectAcl"
        return f"{verb}Object"
    if len(parts) == 1:
        for sub, name in _S3_SUBRESOURCES.items():
            if sub in query:
                return f"{verb}{name}"
        if method == "GET":
            return "ListObjectsV2" if query.get("list-type") == ["2"] else ("ListObjectVersions" if "versions" in query else "ListObjects")
        if method == "POST" and "delete" in query:
            return "DeleteObjects"
        return {"PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"}.get(method, f"{verb}Bucket")
    return "ListBuckets" if method == "GET" else f"{verb}"


class Call:
    def __init__(self, environ: dict[str, Any]) -> None:
        self.method = environ.get("REQUEST_METHOD", "GET")
        self.path = environ.get("PATH_INFO", "")
        self.query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        self.headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            self.headers["content-type"] = environ["CONTENT_TYPE"]
        auth = self.headers.get("authorization", "")
        m = _CRED.search(auth) or _CRED.search("Credential=" + (self.query.get("X-Amz-Credential", [""])[0]))
        self.access_key = m.group(1) if m else ""
        self.region = m.group(2) if m else "us-east-1"
        self.service = (m.group(3) if m else "").lower()
        self.body: bytes | None = None
        self.params: dict[str, Any] = {}
        target = self.headers.get("x-amz-target", "")
        self.protocol = "json" if target else ("rest-xml" if self.service == "s3" else "query")
        self.action = target.rsplit(".", 1)[-1] if target else ""

    def read_body(self, environ: dict[str, Any]) -> None:
        if self.service == "s3":
            return
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        self.body = body
        if self.protocol == "json":
            try:
                self.params = json.loads(body or b"{}")
            except ValueError:
                self.params = {}
        else:
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if body else {}
            self.params = {k: v[0] for k, v in {**self.query, **form}.items()}
            self.action = self.params.get("Action", self.action)

    def finish(self) -> None:
        if self.service == "s3":
            self.action = s3_action(self.method, self.path, self.query)

    @property
    def trail_name(self) -> str | None:
        name = self.params.get("Name") or self.params.get("TrailName") if isinstance(self.params, dict) else None
        if not isinstance(name, str):
            return None
        return name.rsplit(":trail/", 1)[-1]


# ------------------------------------------------------------------ faults


def matching_fault(call: Call, account: str) -> dict[str, Any] | None:
    with STATE.lock:
        for f in STATE.faults:
            if f["service"] != call.service or f["action"] != call.action:
                continue
            if f.get("accountId") and f["accountId"] != account:
                continue
            if f.get("region") and f["region"] != call.region:
                continue
            if f.get("trailName") and f["trailName"] != call.trail_name:
                continue
            f["remaining"] -= 1
            if f["remaining"] <= 0:
                STATE.faults.remove(f)
            return dict(f)
    return None


def fault_response(call: Call, fault: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    code, message = fault["code"], fault.get("message") or f"{fault['code']} (injected by the emulator)"
    status = int(fault.get("status") or 400)
    reason = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Error")
    request_id = secrets.token_hex(16)
    if call.protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id)]
    elif call.protocol == "rest-xml":
        body = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{_xml(code)}</Code><Message>{_xml(message)}</Message><RequestId>{request_id}</RequestId></Error>".encode()
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{_xml(code)}</Code><Message>{_xml(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    return f"{status} {reason}", headers + [("Content-Length", str(len(body)))], body


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------ control endpoint


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _require(body: dict[str, Any], key: str, kind: type = str) -> Any:
    value = body.get(key)
    if not isinstance(value, kind) or (kind is str and not value):
        raise ControlError(400, f"{key} is required ({kind.__name__})")
    return value


def _parse_time(value: Any) -> datetime:
    if value is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ControlError(400, f"time must be an ISO 8601 date-time, got {value!r}")
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t


def _put_object(bucket_name: str, key: str, body: bytes, when: datetime) -> dict[str, Any]:
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(bucket_name)
    if owner is None:
        raise ControlError(404, f"no bucket {bucket_name} in the emulator")
    partition, account = owner
    obj = s3_backends[account][partition].put_object(bucket_name, key, body)
    obj.last_modified = when
    return {"bucket": bucket_name, "key": key, "lastModified": when.isoformat() + "Z"}


def plant_log_file(body: dict[str, Any]) -> dict[str, Any]:
    """A file named and placed as CloudTrail names and places a log file of the trail
    (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html):
    [prefix/]AWSLogs/[org id/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz.
    Written straight into the bucket: no policy is evaluated (this is planting, not delivery)."""
    arn = _require(body, "trailArn")
    m = re.match(r"^arn:[^:]+:cloudtrail:([^:]+):(\d{12}):trail/(.+)$", arn)
    if not m:
        raise ControlError(400, f"trailArn must be a trail ARN, got {arn!r}")
    home, account, name = m.groups()
    from moto.cloudtrail.models import cloudtrail_backends

    trail = cloudtrail_backends[account][home].trails.get(name)
    if trail is None:
        raise ControlError(404, f"no trail {arn} in the emulator")
    region = body.get("region") or home
    when = _parse_time(body.get("time"))
    folder = f"{trail.s3_key_prefix + '/' if trail.s3_key_prefix else ''}AWSLogs/"
    if trail.is_org_trail:
        org = patches.organization_of(account)
        if org is None:
            raise ControlError(409, f"{arn} is an organization trail but no organization of {account} is declared")
        folder += f"{org['id']}/"
    stamp = when.strftime("%Y%m%dT%H%MZ")
    key = f"{folder}{account}/CloudTrail/{region}/{when:%Y/%m/%d}/{account}_CloudTrail_{region}_{stamp}_{secrets.token_hex(8).upper()}.json.gz"
    records = body.get("records") if isinstance(body.get("records"), list) else []
    data = gzip.compress(json.dumps({"Records": records}).encode())
    return _put_object(trail.bucket_name, key, data, when)


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _account_region(body: dict[str, Any]) -> tuple[str, str]:
    account, region = _require(body, "accountId"), _require(body, "region")
    if not re.fullmatch(r"\d{12}", account):
        raise ControlError(400, f"accountId must be 12 digits, got {account!r}")
    if not re.fullmatch(r"[a-z]{2}(-gov)?-[a-z]+-\d", region):
        raise ControlError(400, f"region must be a Region name, got {region!r}")
    return account, region


def plant_kms_key(body: dict[str, Any]) -> dict[str, Any]:
    """A KMS key that exists before the stacks run (optionally with a given key id, e.g. an adopted key's)."""
    from moto.kms.models import kms_backends

    account, region = _account_region(body)
    backend = kms_backends[account][region]
    key_id = body.get("keyId")
    if key_id is not None and not re.fullmatch(r"(mrk-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}", key_id):
        raise ControlError(400, f"keyId must be a key id (a UUID, or mrk- and 32 hex digits), got {key_id!r}")
    if key_id is not None and key_id in backend.keys:
        key = backend.keys[key_id]
    else:
        multi = bool(body.get("multiRegion")) or bool(key_id and key_id.startswith("mrk-"))
        key = backend.create_key(body.get("policy"), "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", body.get("description") or "planted by the emulator", None, multi)
        if key_id is not None:
            backend.keys.pop(key.id)
            key.id = key_id
            key.arn = f"arn:{_partition(region)}:kms:{region}:{account}:key/{key_id}"
            if multi:
                key.multi_region_configuration["PrimaryKey"]["Arn"] = key.arn
            backend.keys[key_id] = key
    alias = body.get("alias")
    if alias:
        if not str(alias).startswith("alias/") or str(alias).startswith("alias/aws/"):
            raise ControlError(400, f"alias must start with alias/ (not alias/aws/), got {alias!r}")
        if not any(alias in k.aliases for k in backend.keys.values()):
            backend.create_alias(key.id, alias)
    return {"keyId": key.id, "arn": key.arn, "aliasArn": f"arn:{_partition(region)}:kms:{region}:{account}:{alias}" if alias else None}


def materialize_organization(org_id: str, management: str, members: list[str], root_id: str | None) -> None:
    """The declared organization in moto's Organizations too (its id, root id and accounts), so that the
    management account's Organizations calls (service control policies of the guard) work as in that organization.
    Service control policies are enabled on the root (what an organization that uses them has)."""
    from moto.organizations import utils as org_utils
    from moto.organizations.models import FakeAccount, organizations_backends

    backend = organizations_backends[management]["aws"]
    if backend.org is None:
        backend.create_organization(region="us-east-1", FeatureSet="ALL")
    org = backend.org
    org.id = org_id
    if root_id and org.root_id != root_id:
        old_root = org.root_id
        org.root_id = root_id
        for ou in backend.ou:
            if ou.id == old_root:
                ou.id = root_id
            if getattr(ou, "parent_id", None) == old_root:
                ou.parent_id = root_id
        for account in backend.accounts:
            if account.parent_id == old_root:
                account.parent_id = root_id
    for account in backend.accounts:
        account.organization_id = org_id
    root = next(ou for ou in backend.ou if ou.id == org.root_id)
    if not any(t["Type"] == "SERVICE_CONTROL_POLICY" for t in root.policy_types):
        root.add_policy_type("SERVICE_CONTROL_POLICY")
    known = {a.id for a in backend.accounts}
    for member in members:
        if member in known:
            continue
        account = FakeAccount(org, AccountName=f"account-{member}", Email=f"aws+{member}@example.com")
        account.id = member
        account.parent_id = org.root_id
        backend.accounts.append(account)
        for policy_id in (org_utils.DEFAULT_SCP_POLICY_ID, org_utils.DEFAULT_RCP_POLICY_ID):
            backend.attach_policy(PolicyId=policy_id, TargetId=member)
        organizations_backends.master_accounts[member] = (management, "aws")


def control(call: Call, environ: dict[str, Any]) -> tuple[int, Any]:
    path = call.path[len(CONTROL):].strip("/")
    method = call.method
    raw = b""
    if method in ("POST", "PUT"):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ControlError(400, "the body must be JSON")
    if path == "health" and method == "GET":
        import moto

        return 200, {"ok": True, "moto": moto.__version__, "patches": [{"name": p.name, "summary": p.summary, "source": p.source} for p in patches.PATCHES]}
    if path == "faults":
        if method == "GET":
            with STATE.lock:
                return 200, {"faults": [dict(f) for f in STATE.faults]}
        if method == "DELETE":
            with STATE.lock:
                STATE.faults.clear()
            return 200, {"faults": []}
        if method == "POST":
            fault = {
                "service": _require(body, "service").lower(),
                "action": _require(body, "action"),
                "code": _require(body, "code"),
                "message": body.get("message"),
                "status": int(body.get("status") or 400),
                "remaining": int(body.get("count", 1)),
                "accountId": body.get("accountId"),
                "region": body.get("region"),
                "trailName": body.get("trailName"),
            }
            if fault["remaining"] < 1:
                raise ControlError(400, "count must be 1 or more")
            with STATE.lock:
                fault["id"] = STATE.next_fault
                STATE.next_fault += 1
                STATE.faults.append(fault)
            return 200, fault
    if path == "calls":
        if method == "GET":
            with STATE.lock:
                return 200, {"calls": list(STATE.calls)}
        if method == "DELETE":
            with STATE.lock:
                STATE.calls.clear()
            return 200, {"calls": []}
    if path == "organizations":
        if method == "GET":
            with patches.ORG_LOCK:
                return 200, {"organizations": [{"id": k, "managementAccountId": v["managementAccountId"], "accountIds": sorted(v["accountIds"])} for k, v in patches.ORGANIZATIONS.items()]}
        if method == "POST":
            org_id = _require(body, "id")
            if not re.fullmatch(r"o-[a-z0-9]{10,32}", org_id):
                raise ControlError(400, f"id must be an organization id (o- and 10 to 32 lowercase letters or digits), got {org_id!r}")
            mgmt = _require(body, "managementAccountId")
            accounts = body.get("accountIds") or []
            if not all(isinstance(a, str) and re.fullmatch(r"\d{12}", a) for a in [mgmt, *accounts]):
                raise ControlError(400, "managementAccountId and accountIds must be 12-digit account ids")
            root_id = body.get("rootId")
            if root_id is not None and not re.fullmatch(r"r-[0-9a-z]{4,32}", str(root_id)):
                raise ControlError(400, f"rootId must be a root id (r- and 4 to 32 lowercase letters or digits), got {root_id!r}")
            with patches.ORG_LOCK:
                patches.ORGANIZATIONS[org_id] = {"managementAccountId": mgmt, "accountIds": set(accounts)}
            materialize_organization(org_id, mgmt, sorted(set(accounts) - {mgmt}), root_id)
            return 200, {"id": org_id, "managementAccountId": mgmt, "accountIds": sorted(set(accounts)), "rootId": root_id}
    m = re.fullmatch(r"credentials/(\d{12})", path)
    if m and method == "GET":
        creds = key_for(m.group(1))
        register_key(creds["accessKeyId"])
        return 200, creds
    if path == "log-files" and method == "POST":
        return 200, plant_log_file(body)
    if path == "objects" and method == "POST":
        data = body.get("body", "")
        raw_body = base64.b64decode(body["bodyBase64"]) if "bodyBase64" in body else str(data).encode()
        return 200, _put_object(_require(body, "bucket"), _require(body, "key"), raw_body, _parse_time(body.get("time")))
    if path == "kms-keys" and method == "POST":
        return 200, plant_kms_key(body)
    if path == "sns-topics" and method == "POST":
        from moto.sns.models import sns_backends

        account, region = _account_region(body)
        topic = sns_backends[account][region].create_topic(_require(body, "name"))
        return 200, {"arn": topic.arn}
    if path == "buckets" and method == "POST":
        from moto.s3.models import s3_backends

        account, region = _account_region(body)
        backend = s3_backends[account][_partition(region)]
        bucket = backend.create_bucket(_require(body, "name"), region)
        if body.get("objectLock"):
            bucket.object_lock_enabled = True
            bucket.versioning_status = "Enabled"
        if body.get("policy"):
            backend.put_bucket_policy(bucket.name, str(body["policy"]).encode("utf-8"))
        return 200, {"name": bucket.name, "arn": f"arn:{_partition(region)}:s3:::{bucket.name}"}
    if path == "reset" and method == "POST":
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        STATE.reset()
        with patches.ORG_LOCK:
            patches.ORGANIZATIONS.clear()
        return 200, {"reset": True}
    raise ControlError(404, f"no control endpoint {method} {CONTROL}{path}")


# ------------------------------------------------------------------ the WSGI application


class Emulator:
    def __init__(self, moto_app: Callable[..., Iterable[bytes]]) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        call = Call(environ)
        if call.path.startswith(CONTROL):
            try:
                status, payload = control(call, environ)
            except ControlError as e:
                status, payload = e.status, {"error": str(e)}
            except Exception as e:  # a bug in the control endpoint: say so
                status, payload = 500, {"error": f"{type(e).__name__}: {e}"}
            data = json.dumps(payload, default=str).encode()
            start_response(f"{status} {'OK' if status == 200 else 'Error'}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        if call.access_key:
            register_key(call.access_key)
        call.read_body(environ)
        call.finish()
        from moto.iam.models import get_account_id_from

        account = get_account_id_from(call.access_key) if call.access_key else "123456789012"
        patches.REQUEST.caller = patches.Caller(
            account_id=account,
            principal_arn=principal_of(account, call.access_key, call.region),
            access_key=call.access_key,
            region=call.region,
            headers=call.headers,
        )
        record = {"service": call.service, "action": call.action, "accountId": account, "region": call.region, "time": round(time.time(), 3)}
        if call.service == "cloudtrail" and call.trail_name:
            record["trailName"] = call.trail_name
        try:
            fault = matching_fault(call, account) if call.service else None
            if fault:
                status, headers, body = fault_response(call, fault)
                record.update(status=int(status.split()[0]), fault=fault["code"])
                with STATE.lock:
                    STATE.calls.append(record)
                start_response(status, headers)
                return [body]

            captured: dict[str, Any] = {}

            def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
                record["status"] = int(status.split()[0])
                with STATE.lock:
                    STATE.calls.append(record)
                captured.update(status=status, headers=headers, exc_info=exc_info)
                return lambda data: None

            result = self.moto_app(environ, recording_start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            status, headers = captured["status"], list(captured["headers"])
            if call.service == "s3" and status.startswith("403") and not body and call.method != "HEAD":
                # moto refuses an object request the bucket policy denies with an empty 403; S3 answers an AccessDenied error
                # (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
                    f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
                ).encode()
                headers = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")]
                headers += [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
            start_response(status, headers, captured["exc_info"]) if captured["exc_info"] else start_response(status, headers)
            return [body]
        finally:
            patches.REQUEST.caller = None


def build_app() -> Emulator:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return Emulator(DomainDispatcherApplication(create_backend_app))


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="launcher.py", description="cloudtrail-fleet's AWS emulator (moto with the project's patches), on 127.0.0.1 only")
    parser.add_argument("--host", default=HOST, help="must be 127.0.0.1 (the emulator never listens on another address)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 = a free port (printed)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when stdin closes (the parent process is gone)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    if args.host != HOST:
        print(f"launcher.py: refusing --host {args.host}: the emulator only ever listens on {HOST}", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"launcher.py: --port must be 0..65535, got {args.port}", file=sys.stderr)
        return 2
    try:
        patches.apply_patches()
    except RuntimeError as e:
        print(f"launcher.py: {e}", file=sys.stderr)
        return 3

    import logging

    from werkzeug.serving import make_server

    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server(HOST, args.port, build_app(), threaded=True)

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:

        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except Exception:
                pass
            os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"cloudtrail-fleet emulator listening on http://{HOST}:{server.port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
