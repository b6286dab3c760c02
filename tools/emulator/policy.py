"""A small evaluator of resource-based policies (KMS key policies, S3 bucket
policies) for the emulator's patches.

It follows the AWS IAM user guide, "Policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
and "IAM JSON policy elements: Condition operators"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
with the same semantics as the project's test evaluator
(__tests__/helpers/iam-evaluator.ts):

- an explicit Deny wins; otherwise any Allow allows; otherwise the request is
  implicitly denied;
- a statement applies when its Principal (or NotPrincipal), Action (or
  NotAction), Resource (or NotResource) and every condition match;
- conditions: every operator and every key must hold (AND); several values of
  one key: any (OR). A non-negated operator on a key absent from the request
  is false; a negated one (StringNotEquals, StringNotLike, ArnNotEquals,
  ArnNotLike) is true; `...IfExists` is true when the key is absent; `Null`
  tests presence.

Never more permissive than AWS: a request lists the keys it has (with their
values) and the keys it is known not to have (e.g. aws:SourceArn on a call
that no AWS service makes on someone's behalf). A
statement that names a key outside that model, or an operator this evaluator
does not implement, is treated as *applying* when it is a Deny and as *not
applying* when it is an Allow: where the emulator cannot tell, it refuses.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from typing import Any

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

# Keys that are absent from a direct API call by an IAM principal: AWS sets
# them only when a service calls on behalf of a resource (aws:SourceArn,
# aws:SourceAccount: "Global condition context keys"), or when the call comes
# through another service (aws:CalledVia, kms:ViaService).
ABSENT_FOR_DIRECT_CALLS = (
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "kms:ViaService",
)


@dataclass
class Request:
    """One request as a policy sees it."""

    action: str
    resource: str
    # The caller: an IAM principal ARN (role for an assumed-role session, user, or account root).
    principal_arn: str
    principal_account: str
    # Keys present in the request, with their values.
    context: dict[str, str] = field(default_factory=dict)
    # Keys known to be absent (a condition on any other key is not modelled).
    absent: tuple[str, ...] = ABSENT_FOR_DIRECT_CALLS
    # Key prefixes whose keys are all modelled (present in `context` or absent), e.g. kms:EncryptionContext:.
    modelled_prefixes: tuple[str, ...] = ()


class _Unknown(Exception):
    """A statement uses something this evaluator does not model."""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, case_insensitive: bool = False) -> bool:
    if case_insensitive:
        pattern, value = pattern.lower(), value.lower()
    # fnmatch treats [] as a class; IAM does not: escape it.
    pattern = pattern.replace("[", "[[]")
    return fnmatch.fnmatchcase(value, pattern)


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _fill(pattern: str, context: dict[str, str]) -> str | None:
    """Policy variables filled from the context; None when one is missing."""
    missing = False

    def repl(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1).strip()
        if name in ("*", "?", "$"):
            # AWS's escapes for the literal characters; mark them so wildcards do not expand them.
            return {"*": "\x00STAR\x00", "?": "\x00QM\x00", "$": "$"}[name]
        value = _ctx(context, name)
        if value is None:
            missing = True
            return ""
        return value.replace("*", "\x00STAR\x00").replace("?", "\x00QM\x00")

    out = _VARIABLE.sub(repl, pattern)
    return None if missing else out


def _match_pattern(pattern: str, value: str, context: dict[str, str], wildcards: bool, case_insensitive: bool = False) -> bool:
    filled = _fill(pattern, context)
    if filled is None:
        return False
    if not wildcards:
        filled = filled.replace("\x00STAR\x00", "*").replace("\x00QM\x00", "?")
        return filled.lower() == value.lower() if case_insensitive else filled == value
    # Literal * and ? from variables or escapes: match themselves only.
    parts = re.split("(\x00STAR\x00|\x00QM\x00)", filled)
    regex = ""
    for p in parts:
        if p == "\x00STAR\x00":
            regex += re.escape("*")
        elif p == "\x00QM\x00":
            regex += re.escape("?")
        else:
            regex += "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if case_insensitive else re.DOTALL) is not None


def _ctx(context: dict[str, str], key: str) -> str | None:
    lower = key.lower()
    for k, v in context.items():
        if k.lower() == lower:
            return v
    return None


def _modelled(key: str, req: "Request") -> bool:
    lower = key.lower()
    return (
        _ctx(req.context, key) is not None
        or lower in {a.lower() for a in req.absent}
        or lower.startswith(tuple(p.lower() for p in req.modelled_prefixes))
    )


def _principal_matches(element: Any, req: Request) -> bool:
    if element == "*":
        return True
    if not isinstance(element, dict):
        raise _Unknown(f"Principal {element!r}")
    for kind, values in element.items():
        if kind != "AWS":
            # Service / Federated / CanonicalUser principals: never a direct IAM caller.
            continue
        for v in _as_list(values):
            if v == "*":
                return True
            if re.fullmatch(r"\d{12}", v) and v == req.principal_account:
                return True
            m = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", v)
            if m and m.group(1) == req.principal_account:
                return True
            if v == req.principal_arn:
                return True
    return False


_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _operator_holds(op: str, key: str, expected: list[Any], req: "Request") -> bool:
    context = req.context
    if_exists = op.endswith("IfExists")
    base = op[: -len("IfExists")] if if_exists else op
    # Every key modelled here is single-valued: ForAnyValue is the plain test, and
    # ForAllValues also holds when the key is absent (the IAM user guide, "Multivalued context keys").
    for_all = False
    if ":" in base:
        qualifier, base = base.split(":", 1)
        if qualifier not in ("ForAllValues", "ForAnyValue"):
            raise _Unknown(f"condition qualifier {qualifier}")
        for_all = qualifier == "ForAllValues"
    if not _modelled(key, req):
        raise _Unknown(f"condition key {key}")
    actual = _ctx(context, key)
    if base == "Null":
        want_absent = str(expected[0]).lower() == "true"
        return (actual is None) == want_absent
    if actual is None:
        if if_exists or for_all:
            return True
        return base in _NEGATED
    values = [actual]

    def any_value(test: Any) -> bool:
        return any(test(str(e), v) for e in expected for v in values)

    if base == "StringEquals":
        return any_value(lambda e, v: _match_pattern(e, v, context, False))
    if base == "StringNotEquals":
        return not any_value(lambda e, v: _match_pattern(e, v, context, False))
    if base == "StringEqualsIgnoreCase":
        return any_value(lambda e, v: _match_pattern(e, v, context, False, True))
    if base == "StringNotEqualsIgnoreCase":
        return not any_value(lambda e, v: _match_pattern(e, v, context, False, True))
    if base in ("StringLike", "ArnLike", "ArnEquals"):
        return any_value(lambda e, v: _match_pattern(e, v, context, True))
    if base in ("StringNotLike", "ArnNotLike", "ArnNotEquals"):
        return not any_value(lambda e, v: _match_pattern(e, v, context, True))
    if base == "Bool":
        return any(str(e).lower() == actual.lower() for e in expected)
    raise _Unknown(f"condition operator {op}")


def _conditions_hold(conditions: Any, req: "Request") -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        raise _Unknown("Condition block")
    for op, keys in conditions.items():
        if not isinstance(keys, dict):
            raise _Unknown(f"condition {op}")
        for key, expected in keys.items():
            if not _operator_holds(op, key, _as_list(expected), req):
                return False
    return True


def _statement_applies(st: dict[str, Any], req: Request) -> bool:
    if "Principal" in st:
        if not _principal_matches(st["Principal"], req):
            return False
    elif "NotPrincipal" in st:
        if _principal_matches(st["NotPrincipal"], req):
            return False
    if "Action" in st:
        if not any(_wildcard(a, req.action, True) for a in _as_list(st["Action"])):
            return False
    elif "NotAction" in st:
        if any(_wildcard(a, req.action, True) for a in _as_list(st["NotAction"])):
            return False
    if "Resource" in st:
        if not any(_match_pattern(r, req.resource, req.context, True) for r in _as_list(st["Resource"])):
            return False
    elif "NotResource" in st:
        if any(_match_pattern(r, req.resource, req.context, True) for r in _as_list(st["NotResource"])):
            return False
    return _conditions_hold(st.get("Condition"), req)


@dataclass
class Decision:
    decision: str
    allowed_by: list[str]
    denied_by: list[str]
    # Statements this evaluator could not fully model (and how it treated them).
    unmodelled: list[str]


def evaluate(policy_text: str | bytes | None, req: Request) -> Decision:
    """The decision of one resource policy for one request."""
    if policy_text is None:
        return Decision(IMPLICIT_DENY, [], [], [])
    if isinstance(policy_text, bytes):
        policy_text = policy_text.decode("utf-8")
    try:
        doc = json.loads(policy_text)
    except ValueError:
        return Decision(IMPLICIT_DENY, [], [], ["policy is not JSON"])
    allowed: list[str] = []
    denied: list[str] = []
    unmodelled: list[str] = []
    for i, st in enumerate(_as_list(doc.get("Statement"))):
        sid = str(st.get("Sid") or f"#{i}")
        effect = st.get("Effect")
        try:
            applies = _statement_applies(st, req)
        except _Unknown as e:
            # Cannot tell: a Deny applies, an Allow does not (never more permissive than AWS).
            applies = effect == "Deny"
            unmodelled.append(f"{sid}: {e} ({'treated as applying' if applies else 'treated as not applying'})")
        if not applies:
            continue
        if effect == "Deny":
            denied.append(sid)
        elif effect == "Allow":
            allowed.append(sid)
    if denied:
        return Decision(EXPLICIT_DENY, allowed, denied, unmodelled)
    if allowed:
        return Decision(ALLOW, allowed, denied, unmodelled)
    return Decision(IMPLICIT_DENY, allowed, denied, unmodelled)
