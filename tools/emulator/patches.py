"""The project's patches to moto 5.2.1: each makes moto behave closer to AWS
where the difference matters to cloudtrail-fleet, cites the AWS page it
follows, and never lets a request through that AWS would refuse (where the
emulator cannot tell, it refuses). docs/emulator.md lists them with what each
one closes; __tests__/tools/emulator/launcher.test.ts tests each through the
AWS SDK.

`apply_patches()` installs them all (idempotent); `PATCHES` names them.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import moto
from moto.core.exceptions import JsonRESTError
from moto.utilities.utils import get_partition

import policy

MOTO_VERSION = "5.2.1"

# ------------------------------------------------------------------ request context

# Set by the launcher's WSGI middleware for the request being served on this thread.
REQUEST = threading.local()


@dataclass
class Caller:
    """Who makes the current request, as AWS would see it."""

    account_id: str
    # The IAM principal: a role (for an assumed-role session), a user, or the account root.
    principal_arn: str
    access_key: str
    region: str
    headers: dict[str, str] = field(default_factory=dict)


def current_caller() -> Caller | None:
    return getattr(REQUEST, "caller", None)


# Organizations the tests declare (POST /_cloudtrail_fleet/organizations): id -> management account and members.
ORGANIZATIONS: dict[str, dict[str, Any]] = {}
ORG_LOCK = threading.Lock()


def organization_of(account_id: str) -> dict[str, Any] | None:
    """The organization an account belongs to: a declared one, else one made in moto's Organizations."""
    with ORG_LOCK:
        for org_id, org in ORGANIZATIONS.items():
            if account_id == org["managementAccountId"] or account_id in org["accountIds"]:
                return {"id": org_id, "managementAccountId": org["managementAccountId"]}
    try:
        from moto.organizations.models import organizations_backends

        for backend in list(organizations_backends.values()):
            b = backend.get("aws") if hasattr(backend, "get") else None
            org = getattr(b, "org", None)
            if org is None:
                continue
            members = {a.id for a in getattr(b, "accounts", [])}
            if account_id == org.master_account_id or account_id in members:
                return {"id": org.id, "managementAccountId": org.master_account_id}
    except Exception:  # pragma: no cover - moto internals differ: no organization
        pass
    return None


def _direct_call_request(action: str, resource: str, caller: Caller, extra: dict[str, str] | None = None, absent: tuple[str, ...] = ()) -> policy.Request:
    """A direct call by an IAM principal over TLS (see S3_SECURE_TRANSPORT)."""
    context = {
        "aws:SecureTransport": "true",
        "aws:PrincipalAccount": caller.account_id,
        "aws:PrincipalArn": caller.principal_arn,
    }
    org = organization_of(caller.account_id)
    if org:
        context["aws:PrincipalOrgID"] = org["id"]
    context.update(extra or {})
    return policy.Request(
        action=action,
        resource=resource,
        principal_arn=caller.principal_arn,
        principal_account=caller.account_id,
        context=context,
        absent=policy.ABSENT_FOR_DIRECT_CALLS + (() if org else ("aws:PrincipalOrgID",)) + absent,
    )


# ------------------------------------------------------------------ registry


@dataclass
class Patch:
    name: str
    # What moto did, what AWS does, and the page that says so.
    summary: str
    source: str
    install: Callable[[], None]


PATCHES: list[Patch] = []


def patch(name: str, summary: str, source: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(fn: Callable[[], None]) -> Callable[[], None]:
        PATCHES.append(Patch(name, summary, source, fn))
        return fn

    return register


_applied = False


def apply_patches() -> list[str]:
    global _applied
    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"the emulator's patches are written against moto {MOTO_VERSION}; this python3 has moto {moto.__version__}. "
            "Re-check every patch against the new moto source before changing MOTO_VERSION in tools/emulator/patches.py."
        )
    if not _applied:
        for p in PATCHES:
            p.install()
        _applied = True
    return [p.name for p in PATCHES]


# ------------------------------------------------------------------ errors


class _Err(JsonRESTError):
    code = 400

    def __init__(self, error_type: str, message: str):
        super().__init__(error_type, message)


# ------------------------------------------------------------------ CloudTrail

CT_API = "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference"
_TRAIL_ARN = re.compile(r"^arn:([^:]+):cloudtrail:([^:]+):(\d{12}):trail/(.+)$")


def _ct():
    from moto.cloudtrail.models import cloudtrail_backends

    return cloudtrail_backends


def _account_trails(account_id: str) -> list[Any]:
    out = []
    for _region, backend in list(_ct()[account_id].items()):
        out.extend(backend.trails.values())
    return out


def _visible_in(trail: Any, region: str) -> bool:
    """A trail is seen in a Region when it lives there, or as the shadow copy of a multi-Region trail."""
    return trail.region_name == region or trail.is_multi_region


def _trail_not_found(backend: Any, name: str) -> JsonRESTError:
    from moto.cloudtrail.exceptions import TrailNotFoundException

    return TrailNotFoundException(account_id=backend.account_id, name=name)


def find_trail_for_read(backend: Any, name_or_arn: str) -> Any:
    """GetTrail, GetTrailStatus, Get*Selectors, ListTags: a name names a trail of this Region;
    an ARN names a trail of this account seen in this Region (its own, or a multi-Region trail's shadow)."""
    m = _TRAIL_ARN.match(name_or_arn)
    if m:
        _partition, region, account, name = m.groups()
        if account == backend.account_id:
            trail = _ct()[account][region].trails.get(name)
            if trail is not None and _visible_in(trail, backend.region_name):
                return trail
        raise _trail_not_found(backend, name_or_arn)
    if name_or_arn in backend.trails:
        return backend.trails[name_or_arn]
    raise _trail_not_found(backend, name_or_arn)


def find_trail_for_write(backend: Any, name_or_arn: str) -> Any:
    """UpdateTrail, DeleteTrail, StartLogging, StopLogging, Put*Selectors: the trail by name or ARN,
    which must be called in its home Region (InvalidHomeRegionException otherwise)."""
    m = _TRAIL_ARN.match(name_or_arn)
    trail = None
    if m:
        _partition, region, account, name = m.groups()
        if account == backend.account_id:
            trail = _ct()[account][region].trails.get(name)
    else:
        trail = backend.trails.get(name_or_arn)
        if trail is None:
            trail = next((t for t in _account_trails(backend.account_id) if t.trail_name == name_or_arn and _visible_in(t, backend.region_name)), None)
    if trail is None:
        raise _trail_not_found(backend, name_or_arn)
    if trail.region_name != backend.region_name:
        raise _Err(
            "InvalidHomeRegionException",
            f"The trail {trail.arn} can only be changed in its home region {trail.region_name}; this call was made in {backend.region_name}.",
        )
    return trail


DEFAULT_EVENT_SELECTOR = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [],
    "ExcludeManagementEventSources": [],
}
INSIGHT_TYPES = ("ApiCallRateInsight", "ApiErrorRateInsight")


def _selector_state(trail: Any) -> None:
    if not hasattr(trail, "_fleet_custom_selectors"):
        trail._fleet_custom_selectors = False
        trail.event_selectors = [dict(DEFAULT_EVENT_SELECTOR)]
        trail.advanced_event_selectors = []
        trail.insight_selectors = []


def _resolve_kms_key(caller_account: str, region: str, key_id: str) -> Any:
    """The key a CloudTrail KmsKeyId names (key id, key ARN, alias name or alias ARN, any account), or None."""
    from moto.kms.models import kms_backends

    m = re.match(r"^arn:[^:]+:kms:([^:]+):(\d{12}):(key|alias)/(.+)$", key_id)
    if m:
        key_region, account, kind, rest = m.groups()
        backend = kms_backends[account][key_region]
        if kind == "key":
            return backend.keys.get(rest)
        if rest.startswith("aws/") and account != caller_account:
            return None
        found = next((k for k in backend.keys.values() if f"alias/{rest}" in k.aliases), None)
        return found
    backend = kms_backends[caller_account][region]
    if key_id.startswith("alias/"):
        return next((k for k in backend.keys.values() if key_id in k.aliases), None)
    return backend.keys.get(key_id)


def _bucket(account_id: str, region: str, name: str) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[account_id][get_partition(region)].get_bucket(name)


def _check_kms_key(backend: Any, bucket_name: str, key_id: str) -> str:
    """CreateTrail/UpdateTrail KmsKeyId: the key must exist and be in the bucket's Region; CloudTrail stores its key ARN."""
    key = _resolve_kms_key(backend.account_id, backend.region_name, key_id)
    if key is None:
        raise _Err("KmsKeyNotFoundException", f"The KMS key {key_id} does not exist.")
    try:
        bucket_region = _bucket(backend.account_id, backend.region_name, bucket_name).region_name
    except Exception:
        bucket_region = key.region
    if key.region != bucket_region:
        raise _Err(
            "KmsKeyNotFoundException",
            f"The KMS key {key.arn} is in {key.region}, but the S3 bucket {bucket_name} is in {bucket_region}: they must be in the same Region.",
        )
    return key.arn


def _resolve_topic(backend: Any, name_or_arn: str) -> str:
    """SnsTopicName takes a name (this account and Region) or an ARN (any account); the topic must exist."""
    from moto.sns.models import sns_backends

    m = re.match(r"^arn:([^:]+):sns:([^:]+):(\d{12}):(.+)$", name_or_arn)
    if m:
        arn = name_or_arn
        account, region = m.group(3), m.group(2)
    else:
        account, region = backend.account_id, backend.region_name
        arn = f"arn:{get_partition(region)}:sns:{region}:{account}:{name_or_arn}"
    if arn not in sns_backends[account][region].topics:
        raise _Err("InsufficientSnsTopicPolicyException", f"SNS Topic {arn} does not exist or the topic policy is incorrect!")
    return arn


def _check_org_trail(backend: Any) -> None:
    org = organization_of(backend.account_id)
    if org is None or org["managementAccountId"] != backend.account_id:
        raise _Err(
            "NotOrganizationMasterAccountException",
            f"The account {backend.account_id} is not the management account of an organization; only the management account "
            "(or a delegated administrator) can create or update an organization trail. "
            "(Emulator: declare the organization with POST /_cloudtrail_fleet/organizations, or tools/emulator declareOrganization.)",
        )


def _apply_trail_settings(trail: Any, backend: Any, params: dict[str, Any], creating: bool) -> None:
    """Validates and applies CreateTrail / UpdateTrail parameters; an empty string removes an optional setting."""

    def opt(key: str) -> Any:
        return params.get(key)

    bucket_name = opt("S3BucketName") if opt("S3BucketName") is not None else trail.bucket_name
    if opt("S3BucketName") is not None and not creating:
        try:
            _bucket(backend.account_id, backend.region_name, bucket_name)
        except Exception:
            from moto.cloudtrail.exceptions import S3BucketDoesNotExistException

            raise S3BucketDoesNotExistException(f"S3 bucket {bucket_name} does not exist!")
    multi = opt("IsMultiRegionTrail") if opt("IsMultiRegionTrail") is not None else trail.is_multi_region
    global_events = opt("IncludeGlobalServiceEvents") if opt("IncludeGlobalServiceEvents") is not None else trail.include_global_service_events
    if multi and not global_events:
        from moto.cloudtrail.exceptions import InvalidParameterCombinationException

        raise InvalidParameterCombinationException("Multi-Region trail must include global service events.")
    org_trail = opt("IsOrganizationTrail") if opt("IsOrganizationTrail") is not None else trail.is_org_trail
    if opt("IsOrganizationTrail") is not None and org_trail:
        _check_org_trail(backend)
    kms = opt("KmsKeyId")
    kms_arn = trail.kms_key_id
    if kms is not None:
        kms_arn = _check_kms_key(backend, bucket_name, kms) if kms != "" else None
    topic = opt("SnsTopicName")
    topic_arn = getattr(trail, "_fleet_topic_arn", None)
    topic_name = trail.sns_topic_name
    if topic is not None:
        topic_arn = _resolve_topic(backend, topic) if topic != "" else None
        topic_name = topic if topic != "" else None
    cw_group, cw_role = opt("CloudWatchLogsLogGroupArn"), opt("CloudWatchLogsRoleArn")
    if (cw_group not in (None, "")) != (cw_role not in (None, "")) and creating:
        from moto.cloudtrail.exceptions import InvalidParameterCombinationException

        raise InvalidParameterCombinationException("CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be given together.")

    trail.bucket_name = bucket_name
    if opt("S3KeyPrefix") is not None:
        trail.s3_key_prefix = opt("S3KeyPrefix") or None
    trail.is_multi_region = bool(multi)
    trail.include_global_service_events = bool(global_events)
    trail.is_org_trail = bool(org_trail)
    if opt("EnableLogFileValidation") is not None:
        trail.log_validation = bool(opt("EnableLogFileValidation"))
    trail.kms_key_id = kms_arn
    trail.sns_topic_name = topic_name
    trail._fleet_topic_arn = topic_arn
    if cw_group is not None:
        trail.cw_log_group_arn = cw_group or None
    if cw_role is not None:
        trail.cw_role_arn = cw_role or None


def _trail_description(trail: Any, include_region: bool = False) -> dict[str, Any]:
    _selector_state(trail)
    desc: dict[str, Any] = {
        "Name": trail.trail_name,
        "S3BucketName": trail.bucket_name,
        "S3KeyPrefix": trail.s3_key_prefix,
        "SnsTopicName": trail.sns_topic_name,
        "SnsTopicARN": getattr(trail, "_fleet_topic_arn", None),
        "IncludeGlobalServiceEvents": trail.include_global_service_events,
        "IsMultiRegionTrail": trail.is_multi_region,
        "HomeRegion": trail.region_name,
        "TrailARN": trail.arn,
        "LogFileValidationEnabled": trail.log_validation,
        "CloudWatchLogsLogGroupArn": trail.cw_log_group_arn,
        "CloudWatchLogsRoleArn": trail.cw_role_arn,
        "KmsKeyId": trail.kms_key_id,
        "HasCustomEventSelectors": trail._fleet_custom_selectors,
        "HasInsightSelectors": bool(trail.insight_selectors),
        "IsOrganizationTrail": trail.is_org_trail,
    }
    if not include_region:
        # CreateTrail / UpdateTrail responses carry no HomeRegion or Has* flags.
        for k in ("HomeRegion", "HasCustomEventSelectors", "HasInsightSelectors"):
            desc.pop(k)
    return {k: v for k, v in desc.items() if v is not None and v != ""}


@patch(
    "cloudtrail-trail-lookup",
    "Trails are found by name (this Region) or ARN (this account, own Region or a multi-Region trail's shadow) for every "
    "read: moto's GetTrail/Get*Selectors only looked in the calling Region, and StartLogging/StopLogging by ARN failed "
    "with a KeyError (HTTP 500). Unknown names and ARNs answer TrailNotFoundException.",
    f"{CT_API}/API_GetTrail.html; {CT_API}/API_GetTrailStatus.html (\"To get the status of a shadow trail ... you must specify its ARN\"); "
    f"{CT_API}/API_StartLogging.html (Name: \"the name or the CloudTrail ARN of the trail\")",
)
def _ct_lookup() -> None:
    from moto.cloudtrail.models import CloudTrailBackend

    CloudTrailBackend.get_trail = lambda self, name_or_arn: find_trail_for_read(self, name_or_arn)  # type: ignore[method-assign]

    def get_trail_status(self: Any, name: str) -> Any:
        return find_trail_for_read(self, name).status

    CloudTrailBackend.get_trail_status = get_trail_status  # type: ignore[method-assign]


@patch(
    "cloudtrail-describe-trails-name-list",
    "DescribeTrails honours trailNameList (moto ignored it and answered every trail: \"too many results: wanted 1, got 2\" in "
    "the provider): names match trails of the calling Region and account only; ARNs match a trail of the account in any "
    "Region (a single-Region trail of another Region too); unknown entries are left out. HasCustomEventSelectors / HasInsightSelectors are reported "
    "(moto: always false, so the provider never read selectors back).",
    f"{CT_API}/API_DescribeTrails.html (trailNameList: \"To return information about a trail in another Region, you must "
    "specify its trail ARN\"; includeShadowTrails); {CT_API}/API_Trail.html (HasCustomEventSelectors, HasInsightSelectors)",
)
def _ct_describe() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    def describe_trails(self: Any) -> str:
        backend = self.cloudtrail_backend
        names = self._get_param("trailNameList") or []
        include_shadow = self._get_bool_param("includeShadowTrails", True)
        trails: list[Any] = []
        if names:
            for entry in names:
                m = _TRAIL_ARN.match(entry)
                if m and m.group(3) == backend.account_id:
                    # By ARN, a trail of this account in any Region (AWS: "To return information about a trail in
                    # another Region, you must specify its trail ARN"), single-Region ones included.
                    t = _ct()[m.group(3)][m.group(2)].trails.get(m.group(4))
                    if t is None:
                        continue
                else:
                    try:
                        t = find_trail_for_read(backend, entry)
                    except JsonRESTError:
                        continue
                if t not in trails:
                    trails.append(t)
        else:
            for t in _account_trails(backend.account_id):
                if t.region_name == backend.region_name or (include_shadow and t.is_multi_region):
                    trails.append(t)
        return json.dumps({"trailList": [_trail_description(t, include_region=True) for t in trails]})

    def get_trail(self: Any) -> str:
        trail = find_trail_for_read(self.cloudtrail_backend, self._get_param("Name"))
        return json.dumps({"Trail": _trail_description(trail, include_region=True)})

    CloudTrailResponse.describe_trails = describe_trails  # type: ignore[method-assign]
    CloudTrailResponse.get_trail = get_trail  # type: ignore[method-assign]


@patch(
    "cloudtrail-create-update",
    "CreateTrail refuses a name already used in the Region (TrailAlreadyExistsException; moto replaced the trail), stores "
    "the key ARN whatever KmsKeyId names (key id, alias, alias ARN) and refuses a missing key or one outside the bucket's "
    "Region (KmsKeyNotFoundException), accepts an SNS topic ARN of another account (moto built a broken ARN from it), and "
    "allows an organization trail only from the organization's management account. UpdateTrail applies the same checks, "
    "takes a name or ARN, must be called in the trail's home Region (InvalidHomeRegionException), and an empty string "
    "removes an optional setting (key, prefix, topic, CloudWatch Logs).",
    f"{CT_API}/API_CreateTrail.html (KmsKeyId: \"CloudTrail ... stores the key ARN\" / KmsKeyNotFoundException, SnsTopicName: "
    f"\"name or ARN\", TrailAlreadyExistsException, NotOrganizationMasterAccountException); {CT_API}/API_UpdateTrail.html "
    "(InvalidHomeRegionException); https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html "
    "(\"The KMS key and the S3 bucket must be in the same Region\")",
)
def _ct_create_update() -> None:
    from moto.cloudtrail.models import Trail
    from moto.cloudtrail.responses import CloudTrailResponse

    def create_trail(self: Any) -> str:
        backend = self.cloudtrail_backend
        params = json.loads(self.body or "{}")
        name = params.get("Name") or ""
        if name in backend.trails or any(t.trail_name == name and _visible_in(t, backend.region_name) for t in _account_trails(backend.account_id)):
            raise _Err("TrailAlreadyExistsException", f"Trail {name} already exists for customer: {backend.account_id}")
        trail = Trail(
            backend.account_id,
            backend.region_name,
            name,
            params.get("S3BucketName") or "",
            None,
            None,  # topic checked below (name or ARN)
            True,
            False,
            False,
            False,
            None,
            None,
            None,
        )
        params = {
            "IncludeGlobalServiceEvents": params.get("IncludeGlobalServiceEvents", True),
            "IsMultiRegionTrail": params.get("IsMultiRegionTrail", False),
            "EnableLogFileValidation": params.get("EnableLogFileValidation", False),
            **{k: v for k, v in params.items() if k not in ("Name", "TagsList")},
            "_tags": params.get("TagsList") or [],
        }
        _apply_trail_settings(trail, backend, params, creating=True)
        _selector_state(trail)
        backend.trails[name] = trail
        backend.tagging_service.tag_resource(trail.arn, params["_tags"])
        return json.dumps(_trail_description(trail))

    def update_trail(self: Any) -> str:
        backend = self.cloudtrail_backend
        params = json.loads(self.body or "{}")
        trail = find_trail_for_write(backend, params.get("Name") or "")
        _apply_trail_settings(trail, backend, params, creating=False)
        return json.dumps(_trail_description(trail))

    CloudTrailResponse.create_trail = create_trail  # type: ignore[method-assign]
    CloudTrailResponse.update_trail = update_trail  # type: ignore[method-assign]


@patch(
    "cloudtrail-home-region",
    "DeleteTrail, StartLogging and StopLogging take a name or an ARN (moto: DeleteTrail by ARN did nothing, Start/Stop by "
    "ARN failed), answer TrailNotFoundException for an unknown trail (moto: a silent success), and with "
    "UpdateTrail/PutEventSelectors/PutInsightSelectors must be called in the trail's home Region "
    "(InvalidHomeRegionException from any other Region).",
    f"{CT_API}/API_DeleteTrail.html; {CT_API}/API_StartLogging.html; {CT_API}/API_StopLogging.html "
    "(Errors: InvalidHomeRegionException \"thrown when an operation is called on a trail from a Region other than the Region in which the trail was created\")",
)
def _ct_home_region() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    def delete_trail(self: Any) -> str:
        backend = self.cloudtrail_backend
        trail = find_trail_for_write(backend, self._get_param("Name") or "")
        del backend.trails[trail.trail_name]
        backend.tagging_service.delete_all_tags_for_resource(trail.arn)
        return json.dumps({})

    def start_logging(self: Any) -> str:
        find_trail_for_write(self.cloudtrail_backend, self._get_param("Name") or "").start_logging()
        return json.dumps({})

    def stop_logging(self: Any) -> str:
        find_trail_for_write(self.cloudtrail_backend, self._get_param("Name") or "").stop_logging()
        return json.dumps({})

    CloudTrailResponse.delete_trail = delete_trail  # type: ignore[method-assign]
    CloudTrailResponse.start_logging = start_logging  # type: ignore[method-assign]
    CloudTrailResponse.stop_logging = stop_logging  # type: ignore[method-assign]


def _normalise_basic(selector: dict[str, Any]) -> dict[str, Any]:
    out = dict(DEFAULT_EVENT_SELECTOR)
    out.update({k: v for k, v in selector.items() if v is not None})
    out["DataResources"] = [dict(d, Values=d.get("Values") or []) for d in out.get("DataResources") or []]
    out["ExcludeManagementEventSources"] = list(out.get("ExcludeManagementEventSources") or [])
    if out["ReadWriteType"] not in ("ReadOnly", "WriteOnly", "All"):
        raise _Err("InvalidEventSelectorsException", f"ReadWriteType {out['ReadWriteType']} is not one of ReadOnly, WriteOnly, All.")
    return out


@patch(
    "cloudtrail-event-selectors",
    "PutEventSelectors replaces the trail's selectors (moto kept old advanced selectors when basic ones were put): basic "
    "selectors replace advanced ones and the other way round; both kinds in one call are refused "
    "(InvalidParameterCombinationException); at most 5 basic selectors. A trail that never got selectors answers the "
    "default selector (all management events, no data events; moto answered none). GetEventSelectors answers only the "
    "kind in use, basic selectors with every field. (A call whose lists are both empty or absent changes nothing, as "
    "in moto: AWS's answer to it is not documented.)",
    f"{CT_API}/API_PutEventSelectors.html (\"You can use either AdvancedEventSelectors or EventSelectors, but not both. If you apply "
    "AdvancedEventSelectors to a trail, any existing EventSelectors are overwritten\"; up to five event selectors); "
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html "
    "(\"By default, trails ... log all management events and don't include data events\")",
)
def _ct_event_selectors() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    def put_event_selectors(self: Any) -> str:
        params = json.loads(self.body or "{}")
        trail = find_trail_for_write(self.cloudtrail_backend, params.get("TrailName") or "")
        _selector_state(trail)
        basic = params.get("EventSelectors")
        advanced = params.get("AdvancedEventSelectors")
        if basic and advanced:
            from moto.cloudtrail.exceptions import InvalidParameterCombinationException

            raise InvalidParameterCombinationException("You can use either AdvancedEventSelectors or EventSelectors, but not both.")
        if basic:
            if len(basic) > 5:
                raise _Err("InvalidEventSelectorsException", f"A trail can have at most 5 event selectors; got {len(basic)}.")
            trail.event_selectors = [_normalise_basic(s) for s in basic]
            trail.advanced_event_selectors = []
            trail._fleet_custom_selectors = True
        elif advanced:
            trail.advanced_event_selectors = advanced
            trail.event_selectors = []
            trail._fleet_custom_selectors = True
        return json.dumps(_selectors_response(trail))

    def get_event_selectors(self: Any) -> str:
        params = json.loads(self.body or "{}")
        trail = find_trail_for_read(self.cloudtrail_backend, params.get("TrailName") or "")
        _selector_state(trail)
        return json.dumps(_selectors_response(trail))

    CloudTrailResponse.put_event_selectors = put_event_selectors  # type: ignore[method-assign]
    CloudTrailResponse.get_event_selectors = get_event_selectors  # type: ignore[method-assign]


def _selectors_response(trail: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"TrailARN": trail.arn}
    if trail.advanced_event_selectors:
        out["AdvancedEventSelectors"] = trail.advanced_event_selectors
    else:
        out["EventSelectors"] = trail.event_selectors
    return out


@patch(
    "cloudtrail-insight-selectors",
    "PutInsightSelectors replaces the trail's Insights selectors (moto appended them) and an empty list turns Insights "
    "off; unknown types are refused (InvalidInsightSelectorsException). GetInsightSelectors on a trail without "
    "Insights answers InsightNotEnabledException (moto: an empty answer).",
    f"{CT_API}/API_PutInsightSelectors.html; {CT_API}/API_GetInsightSelectors.html (\"If you run GetInsightSelectors on a trail "
    "... that does not have Insights events enabled, the operation throws the exception InsightNotEnabledException\")",
)
def _ct_insights() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    def put_insight_selectors(self: Any) -> str:
        params = json.loads(self.body or "{}")
        trail = find_trail_for_write(self.cloudtrail_backend, params.get("TrailName") or "")
        _selector_state(trail)
        selectors = params.get("InsightSelectors") or []
        for s in selectors:
            if s.get("InsightType") not in INSIGHT_TYPES:
                raise _Err("InvalidInsightSelectorsException", f"InsightType {s.get('InsightType')} is not one of {', '.join(INSIGHT_TYPES)}.")
        trail.insight_selectors = [{"InsightType": s["InsightType"]} for s in selectors]
        return json.dumps({"TrailARN": trail.arn, "InsightSelectors": trail.insight_selectors})

    def get_insight_selectors(self: Any) -> str:
        params = json.loads(self.body or "{}")
        trail = find_trail_for_read(self.cloudtrail_backend, params.get("TrailName") or "")
        _selector_state(trail)
        if not trail.insight_selectors:
            raise _Err("InsightNotEnabledException", f"Trail {trail.arn} does not have Insights enabled.")
        return json.dumps({"TrailARN": trail.arn, "InsightSelectors": trail.insight_selectors})

    CloudTrailResponse.put_insight_selectors = put_insight_selectors  # type: ignore[method-assign]
    CloudTrailResponse.get_insight_selectors = get_insight_selectors  # type: ignore[method-assign]


AGGREGATION_TEMPLATES = ("API_ACTIVITY", "RESOURCE_ACCESS", "USER_ACTIONS")


def _event_configuration_target(backend: Any, params: dict[str, Any], write: bool) -> Any:
    """The trail a Get/PutEventConfiguration call names. Event data stores (CloudTrail Lake) do not exist in the
    emulator: naming one answers EventDataStoreNotFoundException, never a made-up configuration."""
    trail_name, store = params.get("TrailName"), params.get("EventDataStore")
    if trail_name and store:
        raise _Err("InvalidParameterCombinationException", "Specify either TrailName or EventDataStore, not both.")
    if store:
        raise _Err("EventDataStoreNotFoundException", f"The specified event data store {store} was not found. (Emulator: no event data stores.)")
    if not trail_name:
        raise _Err("InvalidParameterCombinationException", "Specify TrailName or EventDataStore.")
    return find_trail_for_write(backend, trail_name) if write else find_trail_for_read(backend, trail_name)


def _event_configuration(trail: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"TrailARN": trail.arn}
    aggregation = getattr(trail, "_fleet_aggregation", None)
    if aggregation:
        out["AggregationConfigurations"] = aggregation
    return out


@patch(
    "cloudtrail-event-configuration",
    "GetEventConfiguration answers a trail's ARN and its event aggregation settings, none unless PutEventConfiguration "
    "set them (moto: not implemented, HTTP 500). PutEventConfiguration sets a trail's AggregationConfigurations (at most "
    "one, EventCategory Data, Templates among API_ACTIVITY, RESOURCE_ACCESS, USER_ACTIONS; an empty list removes them; "
    "InvalidParameterException otherwise), only from the trail's home Region (InvalidHomeRegionException); "
    "MaxEventSize and ContextKeySelectors belong to event data stores (InvalidParameterCombinationException with a "
    "trail). Event data stores do not exist here: EventDataStoreNotFoundException. Unknown trails: TrailNotFoundException.",
    f"{CT_API}/API_GetEventConfiguration.html (\"any aggregation settings configured for the trail\"; TrailARN, "
    f"AggregationConfigurations); {CT_API}/API_PutEventConfiguration.html (AggregationConfigurations: \"Array Members: Maximum "
    f"number of 1 item\"; Errors: InvalidHomeRegionException, TrailNotFoundException); {CT_API}/API_AggregationConfiguration.html "
    "(EventCategory: Data; Templates: API_ACTIVITY | RESOURCE_ACCESS | USER_ACTIONS)",
)
def _ct_event_configuration() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    def get_event_configuration(self: Any) -> str:
        params = json.loads(self.body or "{}")
        trail = _event_configuration_target(self.cloudtrail_backend, params, write=False)
        return json.dumps(_event_configuration(trail))

    def put_event_configuration(self: Any) -> str:
        params = json.loads(self.body or "{}")
        trail = _event_configuration_target(self.cloudtrail_backend, params, write=True)
        if params.get("MaxEventSize") is not None or params.get("ContextKeySelectors") is not None:
            raise _Err("InvalidParameterCombinationException", "MaxEventSize and ContextKeySelectors apply to event data stores, not to trails.")
        configs = params.get("AggregationConfigurations")
        if configs is not None:
            if not isinstance(configs, list) or len(configs) > 1:
                raise _Err("InvalidParameterException", "AggregationConfigurations takes at most 1 item.")
            for c in configs:
                templates = c.get("Templates") if isinstance(c, dict) else None
                if not isinstance(c, dict) or c.get("EventCategory") != "Data":
                    raise _Err("InvalidParameterException", f"EventCategory must be Data, got {c.get('EventCategory') if isinstance(c, dict) else c!r}.")
                if not isinstance(templates, list) or not templates or any(t not in AGGREGATION_TEMPLATES for t in templates):
                    raise _Err("InvalidParameterException", f"Templates must be a non-empty list of {', '.join(AGGREGATION_TEMPLATES)}, got {templates!r}.")
            trail._fleet_aggregation = [{"EventCategory": c["EventCategory"], "Templates": list(c["Templates"])} for c in configs]
        return json.dumps(_event_configuration(trail))

    CloudTrailResponse.get_event_configuration = get_event_configuration  # type: ignore[attr-defined]
    CloudTrailResponse.put_event_configuration = put_event_configuration  # type: ignore[attr-defined]


# One RSA key pair per partition and Region, made on first use: CloudTrail signs each Region's digest files with a
# private key of that Region and publishes the public key through ListPublicKeys.
_DIGEST_KEYS: dict[tuple[str, str], dict[str, Any]] = {}
_DIGEST_KEYS_LOCK = threading.Lock()


def digest_key(region: str) -> dict[str, Any]:
    """The Region's digest signing key: {private (cryptography key), der (PKCS#1 public key), fingerprint, start, end}."""
    import hashlib
    import time

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = (get_partition(region), region)
    with _DIGEST_KEYS_LOCK:
        if key not in _DIGEST_KEYS:
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
            # Valid from an hour before first use (digests of the last hour can be checked) for a year.
            start = int(time.time()) - 3600
            _DIGEST_KEYS[key] = {"private": private, "der": der, "fingerprint": hashlib.md5(der).hexdigest(), "start": start, "end": start + 366 * 86400}
        return _DIGEST_KEYS[key]


@patch(
    "cloudtrail-list-public-keys",
    "ListPublicKeys answers the calling Region's digest public key (DER, PKCS#1), its fingerprint and validity when its "
    "validity overlaps StartTime..EndTime (default: now; StartTime after EndTime: InvalidTimeRangeException) (moto: not "
    "implemented, HTTP 500). One key pair per Region, made on first use, valid from an hour before for a year. The "
    "fingerprint is the MD5 of the DER key in hex (AWS does not document how it computes its fingerprints; verify only "
    "matches them).",
    f"{CT_API}/API_ListPublicKeys.html (\"CloudTrail uses different private and public key pairs per Region\"; StartTime / "
    f"EndTime \"If not specified, the current time is used\"; InvalidTimeRangeException); {CT_API}/API_PublicKey.html (Value: "
    "\"The DER encoded public key value in PKCS#1 format\")",
)
def _ct_public_keys() -> None:
    import time

    from moto.cloudtrail.responses import CloudTrailResponse

    def list_public_keys(self: Any) -> str:
        params = json.loads(self.body or "{}")
        now = time.time()
        start = float(params["StartTime"]) if params.get("StartTime") is not None else now
        end = float(params["EndTime"]) if params.get("EndTime") is not None else now
        if start > end:
            raise _Err("InvalidTimeRangeException", "The StartTime must be before the EndTime.")
        k = digest_key(self.region)
        keys = []
        if k["start"] <= end and start <= k["end"]:
            import base64

            keys.append({"Value": base64.b64encode(k["der"]).decode(), "ValidityStartTime": k["start"], "ValidityEndTime": k["end"], "Fingerprint": k["fingerprint"]})
        return json.dumps({"PublicKeyList": keys})

    CloudTrailResponse.list_public_keys = list_public_keys  # type: ignore[attr-defined]


# ------------------------------------------------------------------ KMS

KMS_API = "https://docs.aws.amazon.com/kms/latest/APIReference"
KMS_GUIDE = "https://docs.aws.amazon.com/kms/latest/developerguide"


@patch(
    "kms-create-key-defaults",
    "CreateKey without KeyUsage makes an ENCRYPT_DECRYPT key (moto: no key usage at all, so the provider planned a "
    "change of key_usage on every plan); a key policy longer than 32,768 characters is refused (ValidationException; "
    "moto: any size).",
    f"{KMS_API}/API_CreateKey.html (KeyUsage: \"The default value is ENCRYPT_DECRYPT\"; Policy: maximum length 32768); "
    f"{KMS_API}/API_PutKeyPolicy.html (Policy: maximum length 32768)",
)
def _kms_defaults() -> None:
    from moto.kms.models import KmsBackend
    from moto.kms.responses import KmsResponse

    original_create = KmsBackend.create_key

    def create_key(self: Any, policy_text: Any, key_usage: Any, *args: Any, **kwargs: Any) -> Any:
        _check_key_policy_size(policy_text)
        return original_create(self, policy_text, key_usage or "ENCRYPT_DECRYPT", *args, **kwargs)

    KmsBackend.create_key = create_key  # type: ignore[method-assign]

    original_put = KmsResponse.put_key_policy

    def put_key_policy(self: Any) -> str:
        _check_key_policy_size(self._get_param("Policy"))
        return original_put(self)

    KmsResponse.put_key_policy = put_key_policy  # type: ignore[method-assign]


def _check_key_policy_size(text: Any) -> None:
    if text is not None and len(text) > 32768:
        raise _Err(
            "ValidationException",
            f"1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 32768 (got {len(text)})",
        )


@patch(
    "kms-describe-key-cross-account",
    "DescribeKey with another account's key ARN or alias ARN (the account stacks' data \"aws_kms_key\" lookup of the central "
    "key) answers the key when the key's policy allows kms:DescribeKey to the caller, and AccessDeniedException when it "
    "does not (moto: NotFoundException whatever the policy). The key policy is evaluated with policy.py (principal: the "
    "caller's account root, role or user; conditions on aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID of a "
    "declared organization, aws:SecureTransport); anything it does not model makes an Allow not apply and a Deny apply. "
    "IAM identity policies of the caller's account are not evaluated (moto evaluates none, for any call).",
    f"{KMS_API}/API_DescribeKey.html (\"Cross-account use: Yes. To perform this operation with a KMS key in a different AWS "
    f"account, specify the key ARN or alias ARN\"); {KMS_GUIDE}/key-policy-modifying-external-accounts.html",
)
def _kms_cross_account() -> None:
    from moto.kms.models import kms_backends
    from moto.kms.responses import KmsResponse

    original = KmsResponse.describe_key

    def describe_key(self: Any) -> str:
        key_id = self._get_param("KeyId") or ""
        m = re.match(r"^arn:[^:]+:kms:([^:]+):(\d{12}):(key|alias)/(.+)$", key_id)
        if not m or m.group(2) == self.current_account:
            return original(self)
        region, account, kind, rest = m.groups()
        if region != self.region:
            raise _Err("NotFoundException", f"Invalid arn {region}: the key must be in the Region of the request ({self.region}).")
        backend = kms_backends[account][region]
        if kind == "key":
            key = backend.keys.get(rest)
            if key is None:
                raise _Err("NotFoundException", f"Key '{key_id}' does not exist")
        else:
            key = None if rest.startswith("aws/") else next((k for k in backend.keys.values() if f"alias/{rest}" in k.aliases), None)
            if key is None:
                raise _Err("NotFoundException", f"Alias {key_id} is not found.")
        caller = current_caller() or Caller(self.current_account, f"arn:{get_partition(region)}:iam::{self.current_account}:root", "", region)
        req = _direct_call_request("kms:DescribeKey", key.arn, caller, {"kms:CallerAccount": caller.account_id})
        decision = policy.evaluate(key.policy, req)
        if decision.decision != policy.ALLOW:
            why = "with an explicit deny in a resource-based policy" if decision.decision == policy.EXPLICIT_DENY else "because no resource-based policy allows the kms:DescribeKey action"
            raise _Err(
                "AccessDeniedException",
                f"User: {caller.principal_arn} is not authorized to perform: kms:DescribeKey on resource: {key.arn} {why}",
            )
        return json.dumps(backend.describe_key(key.id).to_dict())

    KmsResponse.describe_key = describe_key  # type: ignore[method-assign]


# ------------------------------------------------------------------ S3

S3_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide"


@patch(
    "s3-bucket-policy-evaluation",
    "Object requests (GET/PUT/HEAD/DELETE object) are judged by the bucket policy with a real request context: moto "
    "evaluated conditions with no context, so any conditional statement (the stacks' Allow for CloudTrail, the Deny on "
    "Bool aws:SecureTransport false) denied every object request. Requests to the emulator count as sent over TLS "
    "(aws:SecureTransport true): the AWS SDKs and the provider only call AWS over HTTPS, the emulator is plain HTTP on "
    "127.0.0.1 only because it is local. An explicit Deny refuses; a caller of another account needs an Allow; the "
    "bucket's own account is allowed otherwise (its IAM policies are not evaluated: moto evaluates none).",
    f"{S3_GUIDE}/access-control-auth-workflow-object-operation.html; {S3_GUIDE}/security-best-practices.html "
    "(\"Enforce encryption of data in transit ... aws:SecureTransport\"); "
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport",
)
def _s3_policy() -> None:
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    original = FakeBucket.get_permission

    def get_permission(self: Any, action: str, resource: str) -> Any:
        caller = current_caller()
        if caller is None:
            return original(self, action, resource)
        headers = {k.lower(): v for k, v in caller.headers.items()}
        present: dict[str, str] = {}
        absent: list[str] = []
        for key, header in (
            ("s3:x-amz-acl", "x-amz-acl"),
            ("s3:x-amz-server-side-encryption", "x-amz-server-side-encryption"),
            ("s3:x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-aws-kms-key-id"),
        ):
            if header in headers:
                present[key] = headers[header]
            else:
                absent.append(key)
        req = _direct_call_request(action, resource, caller, present, tuple(absent))
        decision = policy.evaluate(self.policy, req) if self.policy else policy.Decision(policy.IMPLICIT_DENY, [], [], [])
        if decision.decision == policy.EXPLICIT_DENY:
            return PermissionResult.DENIED
        if decision.decision == policy.ALLOW:
            return PermissionResult.PERMITTED
        return PermissionResult.NEUTRAL if caller.account_id == self.account_id else PermissionResult.DENIED

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


@patch(
    "s3-bucket-policy-size",
    "PutBucketPolicy refuses a policy over 20 KB (20,480 bytes) with MalformedPolicy (moto: any size), so a fleet whose "
    "bucket policy the provider sends over the limit fails here as on AWS.",
    f"{S3_GUIDE}/bucket-policies.html and https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html "
    "(\"Bucket policies are limited to 20 KB in size\")",
)
def _s3_policy_size() -> None:
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend

    original = S3Backend.put_bucket_policy

    def put_bucket_policy(self: Any, bucket_name: str, policy_bytes: Any) -> None:
        size = len(policy_bytes if isinstance(policy_bytes, bytes) else str(policy_bytes).encode("utf-8"))
        if size > 20480:
            raise S3ClientError("MalformedPolicy", f"Policy exceeds the maximum allowed document size ({size} of 20480 bytes).")
        return original(self, bucket_name, policy_bytes)

    S3Backend.put_bucket_policy = put_bucket_policy  # type: ignore[method-assign]
