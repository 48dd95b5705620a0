#!/usr/bin/env python3
"""Validate a `site plan-infra` output folder against the AWS CLI's own input shapes.

Usage: validate-infra.py DIR

Every JSON file below DIR must be one the AWS CLI reads (see CLI_INPUTS) or one of the plain
JSON files plan-infra writes for people and scripts (see PLAIN_JSON). Each CLI input is checked
with botocore's ParamValidator against the operation's input shape, from the service models that
ship with botocore (no network, no credentials), and then walked again for what ParamValidator
leaves out: enum members, CloudFront's Quantity/Items counts, and booleans where integers belong.

Prints one line per problem as `path: message` (path relative to DIR), then `N files valid` or
`N problems`. Exit status: 0 when all is valid, 1 when there are problems, 2 on usage errors.
"""

import json
import re
import os
import sys

try:
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel
    from botocore.validate import ParamValidator
except ImportError:
    print("validate-infra.py: botocore is not installed (pip install botocore)", file=sys.stderr)
    sys.exit(2)

USAGE = "usage: validate-infra.py DIR\n  DIR: a folder written by `site plan-infra` (default infra/)"

# Each function's create-function input -> the file that holds its code.
FUNCTIONS = {
    "cloudfront/viewer-request.json": "cloudfront/viewer-request.js",
    "cloudfront/viewer-response.json": "cloudfront/viewer-response.js",
}
BUCKET_POLICY = "bucket/policy.json"
ROUTES = "cloudfront/routes.json"
FUNCTION_CODE_LIMIT = 10240
# CloudFront's quotas on key value stores.
KVS_KEY_BYTES = 512
KVS_VALUE_BYTES = 1024
KVS_STORE_BYTES = 5 * 1024 * 1024
KVS_KEYS_PER_UPDATE = 50

# path -> (service, operation, member wrapping the file or None when the file is the whole input)
CLI_INPUTS = {
    "bucket/create-bucket.json": ("s3", "CreateBucket", None),
    "bucket/public-access-block.json": ("s3", "PutPublicAccessBlock", None),
    "bucket/ownership-controls.json": ("s3", "PutBucketOwnershipControls", None),
    "bucket/encryption.json": ("s3", "PutBucketEncryption", None),
    "bucket/versioning.json": ("s3", "PutBucketVersioning", None),
    "bucket/lifecycle.json": ("s3", "PutBucketLifecycleConfiguration", None),
    BUCKET_POLICY: ("s3", "PutBucketPolicy", None),
    "cloudfront/origin-access-control.json": ("cloudfront", "CreateOriginAccessControl", None),
    "cloudfront/viewer-request.json": ("cloudfront", "CreateFunction", None),
    "cloudfront/viewer-response.json": ("cloudfront", "CreateFunction", None),
    "cloudfront/key-value-store.json": ("cloudfront", "CreateKeyValueStore", None),
    "cloudfront/response-headers-policy.json": ("cloudfront", "CreateResponseHeadersPolicy", None),
    "cloudfront/distribution-config.json": ("cloudfront", "CreateDistribution", "DistributionConfig"),
}

# JSON that plan-infra writes but the AWS CLI never reads: optional, must parse as a JSON object.
PLAIN_JSON = (
    "names.json", "backend/backend.json", ROUTES,
    "publish/manifest.json", "publish/manifest-pending.json", "publish/summary.json",
)

# Optional, numbered inputs of the publish plan: pattern -> (service, operation, wrapper, other members
# the CLI gets as arguments).
NUMBERED_INPUTS = (
    (re.compile(r"^publish/invalidation-[0-9]+\.json$"), "cloudfront", "CreateInvalidation", "InvalidationBatch",
     {"DistributionId": "EDFDVBD6EXAMPLE"}),
    (re.compile(r"^publish/deletes-[0-9]+\.json$"), "s3", "DeleteObjects", "Delete", {"Bucket": "example-bucket"}),
    (re.compile(r"^publish/route-puts-[0-9]+\.json$"), "cloudfront-keyvaluestore", "UpdateKeys", "Puts",
     {"KvsARN": "arn:aws:cloudfront::123456789012:key-value-store/example", "IfMatch": "ETAG"}),
    (re.compile(r"^publish/route-deletes-[0-9]+\.json$"), "cloudfront-keyvaluestore", "UpdateKeys", "Deletes",
     {"KvsARN": "arn:aws:cloudfront::123456789012:key-value-store/example", "IfMatch": "ETAG"}),
)


def numbered_input(path):
    for pattern, service, operation, wrapper, extra in NUMBERED_INPUTS:
        if pattern.match(path):
            return service, operation, wrapper, extra
    return None

# Enums longer than this are named rather than listed in messages.
ENUM_LISTING_LIMIT = 12


class Problems:
    def __init__(self):
        self.lines = []

    def add(self, path, message):
        self.lines.append(f"{path}: {message}")


class Models:
    def __init__(self):
        self._loader = create_loader()
        self._services = {}

    def input_shape(self, service, operation):
        if service not in self._services:
            model = self._loader.load_service_model(service, "service-2")
            self._services[service] = ServiceModel(model, service_name=service)
        return self._services[service].operation_model(operation).input_shape


def display_name(name):
    return name[1:] if name.startswith(".") else (name or "input")


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def walk(value, shape, name, report):
    """Checks what ParamValidator does not; values of the wrong type are left to its report."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict) or shape.is_document_type:
            return
        for key, member in shape.members.items():
            if key in value:
                walk(value[key], member, f"{name}.{key}", report)
        if "Quantity" in shape.members and "Items" in shape.members:
            check_quantity(value, name, report)
    elif kind == "list":
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(item, shape.member, f"{name}[{index}]", report)
    elif kind == "map":
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key, shape.key, f"{name} (key: {key})", report)
                walk(item, shape.value, f"{name}.{key}", report)
    elif kind == "string":
        enum = shape.enum
        if enum and isinstance(value, str) and value not in enum:
            if len(enum) <= ENUM_LISTING_LIMIT:
                allowed = "must be one of: " + ", ".join(enum)
            else:
                allowed = f"not a value of the enum {shape.name}"
            report(f"Invalid value for parameter {display_name(name)}, value: {value}, {allowed}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool):
            report(
                f"Invalid type for parameter {display_name(name)}, value: {json.dumps(value)}, "
                "expected an integer, not a boolean"
            )


def check_quantity(value, name, report):
    quantity = value.get("Quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        return
    where = display_name(name)
    if "Items" not in value:
        if quantity != 0:
            report(f"Quantity mismatch in {where}: Quantity is {quantity} but Items is missing")
        return
    items = value["Items"]
    if isinstance(items, (list, tuple)) and quantity != len(items):
        report(f"Quantity mismatch in {where}: Quantity is {quantity} but Items has {plural(len(items), 'item')}")


def read_json(root, path, problems):
    """The parsed file, or None after reporting why it cannot be read."""
    try:
        with open(os.path.join(root, path), "rb") as handle:
            data = handle.read()
    except OSError as error:
        problems.add(path, f"cannot be read: {error.strerror}")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.add(path, f"not UTF-8 (byte {error.start})")
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        problems.add(path, f"not valid JSON: {error}")
        return None


def check_function_code(root, path, problems):
    """Checks a function's code file; returns its bytes, or None when it is missing."""
    full = os.path.join(root, path)
    if not os.path.isfile(full):
        problems.add(path, "missing")
        return None
    try:
        with open(full, "rb") as handle:
            code = handle.read()
    except OSError as error:
        problems.add(path, f"cannot be read: {error.strerror}")
        return None
    if not code:
        problems.add(path, "empty; CreateFunction needs at least 1 byte of FunctionCode")
    elif len(code) > FUNCTION_CODE_LIMIT:
        problems.add(
            path,
            f"{len(code)} bytes; CloudFront Functions allow at most {FUNCTION_CODE_LIMIT} bytes",
        )
    return code


def check_routes(root, problems):
    """Checks the key value store's data: CloudFront's import format and its quotas."""
    content = read_json(root, ROUTES, problems)
    if content is None:
        return
    data = content.get("data") if isinstance(content, dict) else None
    if not isinstance(data, list):
        problems.add(ROUTES, 'expected {"data": [{"key": ..., "value": ...}, ...]}')
        return
    seen = set()
    total = 0
    for index, item in enumerate(data):
        if not isinstance(item, dict) or set(item) != {"key", "value"}:
            problems.add(ROUTES, f"data[{index}] must have exactly the members key and value")
            continue
        key, value = item["key"], item["value"]
        if not isinstance(key, str) or not isinstance(value, str) or not key or not value:
            problems.add(ROUTES, f"data[{index}]: key and value must be non-empty strings")
            continue
        key_bytes, value_bytes = len(key.encode()), len(value.encode())
        if key_bytes > KVS_KEY_BYTES:
            problems.add(ROUTES, f"data[{index}]: key of {key_bytes} bytes; at most {KVS_KEY_BYTES}")
        if value_bytes > KVS_VALUE_BYTES:
            problems.add(ROUTES, f"data[{index}]: value of {value_bytes} bytes; at most {KVS_VALUE_BYTES}")
        if key in seen:
            problems.add(ROUTES, f"data[{index}]: key {json.dumps(key)} appears twice")
        seen.add(key)
        total += key_bytes + value_bytes
    if total > KVS_STORE_BYTES:
        problems.add(ROUTES, f"{total} bytes of keys and values; a key value store holds at most {KVS_STORE_BYTES}")


def check_policy_document(params, problems):
    policy = params.get("Policy") if isinstance(params, dict) else None
    if not isinstance(policy, str):
        return
    try:
        document = json.loads(policy)
    except ValueError as error:
        problems.add(BUCKET_POLICY, f"Policy is not valid JSON: {error}")
        return
    if not isinstance(document, dict):
        problems.add(BUCKET_POLICY, "Policy is not a JSON object")
        return
    version = document.get("Version")
    if version != "2012-10-17":
        problems.add(BUCKET_POLICY, f'Policy Version is {json.dumps(version)}, expected "2012-10-17"')
    statements = document.get("Statement")
    if not isinstance(statements, list) or not statements:
        problems.add(BUCKET_POLICY, "Policy Statement must be a non-empty list")
        return
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            problems.add(BUCKET_POLICY, f"Policy Statement[{index}] is not a JSON object")
        elif statement.get("Effect") not in ("Allow", "Deny"):
            problems.add(
                BUCKET_POLICY,
                f'Policy Statement[{index}].Effect is {json.dumps(statement.get("Effect"))}, expected "Allow" or "Deny"',
            )


def check_cli_input(root, path, models, function_codes, problems, spec=None):
    service, operation, wrapper, extra = spec if spec else CLI_INPUTS[path] + ({},)
    content = read_json(root, path, problems)
    if content is None:
        return
    params = {wrapper: content} if wrapper else content
    if extra and isinstance(params, dict):
        params = dict(extra, **params)
    if path in FUNCTIONS and isinstance(params, dict):
        if "FunctionCode" in params:
            problems.add(path, f"FunctionCode belongs in {FUNCTIONS[path]}, not in this file")
        params = dict(params)
        code = function_codes.get(path)
        params["FunctionCode"] = code if code is not None else b""
    if wrapper in ("Puts", "Deletes") and isinstance(content, list) and len(content) > KVS_KEYS_PER_UPDATE:
        problems.add(path, f"{len(content)} keys; one UpdateKeys request takes at most {KVS_KEYS_PER_UPDATE}")

    shape = models.input_shape(service, operation)
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        for line in report.generate_report().splitlines():
            problems.add(path, line)
    walk(params, shape, "", lambda message: problems.add(path, message))
    if path == BUCKET_POLICY:
        check_policy_document(params, problems)


def json_files(root):
    found = []
    for folder, folders, files in os.walk(root):
        folders.sort()
        for name in sorted(files):
            if name.lower().endswith(".json"):
                found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
    return found


def validate(root):
    problems = Problems()
    models = Models()
    checked = 0
    present = json_files(root)

    function_codes = {}
    for path in CLI_INPUTS:
        if path in FUNCTIONS:
            function_codes[path] = check_function_code(root, FUNCTIONS[path], problems)
            if function_codes[path] is not None:
                checked += 1
        if path not in present:
            problems.add(path, "missing")
            continue
        check_cli_input(root, path, models, function_codes, problems)
        checked += 1
    if ROUTES in present:
        check_routes(root, problems)
    for path in PLAIN_JSON:
        if path in present:
            content = read_json(root, path, problems)
            if content is not None and not isinstance(content, dict):
                problems.add(path, "not a JSON object")
            checked += 1
    for path in present:
        spec = numbered_input(path)
        if spec:
            check_cli_input(root, path, models, function_codes, problems, spec)
            checked += 1
            continue
        if path not in CLI_INPUTS and path not in PLAIN_JSON:
            problems.add(
                path,
                "unknown file: not an AWS CLI input this validator knows; "
                "add it to CLI_INPUTS in scripts/validate-infra.py",
            )
    return checked, problems.lines


def main(arguments):
    if arguments in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if len(arguments) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    root = arguments[0]
    if not os.path.isdir(root):
        print(f"validate-infra.py: {root}: not a folder\n{USAGE}", file=sys.stderr)
        return 2
    checked, lines = validate(root)
    for line in lines:
        print(line)
    if lines:
        print(plural(len(lines), "problem"))
        return 1
    print(plural(checked, "file") + " valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
