#!/usr/bin/env python3
"""A local stand-in for the data API of CloudFront KeyValueStore (`aws cloudfront-keyvaluestore`),
which moto lacks. The moto tests' aws wrapper hands it every `cloudfront-keyvaluestore` call.

    kvs-stand-in.py STATE_DIR [--region R] cloudfront-keyvaluestore OPERATION [OPTIONS]

It answers the calls deploy.sh makes and one more for the tests to read the store back:

    describe-key-value-store --kvs-arn ARN
    update-keys --kvs-arn ARN --if-match ETAG [--puts file://F] [--deletes file://F]
    delete-key --kvs-arn ARN --key KEY --if-match ETAG
    list-keys --kvs-arn ARN          (every key at once, for the tests)

with `--query ETag|ItemCount|TotalSizeInBytes --output text` or JSON. Like the service it refuses
a stale ETag (ConflictException), more than 50 keys or 3 MB a call, a key over 512 bytes or a value
over 1 KB, a store over 5 MB (ValidationException / ServiceQuotaExceededException), and, since
UpdateKeys is all-or-nothing, a batch that deletes a key the store lacks (ResourceNotFoundException;
the service's documentation does not say, so the stand-in takes the stricter reading). Each call is
appended to STATE_DIR/kvs-calls.log; the stores live in STATE_DIR/kvs-stores.json.
"""
import json
import os
import sys

MAX_KEYS_PER_CALL = 50
MAX_BYTES_PER_CALL = 3 * 1024 * 1024
MAX_KEY_BYTES = 512
MAX_VALUE_BYTES = 1024
MAX_STORE_BYTES = 5 * 1024 * 1024

OPERATIONS = {
    "describe-key-value-store": "DescribeKeyValueStore",
    "update-keys": "UpdateKeys",
    "delete-key": "DeleteKey",
    "list-keys": "ListKeys",
}


def refuse(code, operation, message):
    sys.stderr.write(f"\nAn error occurred ({code}) when calling the {operation} operation: {message}\n")
    sys.exit(254)


def read_file_argument(value):
    if value.startswith("file://"):
        with open(value[len("file://"):]) as source:
            return json.load(source)
    return json.loads(value)


def main():
    state_dir = sys.argv[1]
    arguments = sys.argv[2:]
    if arguments[:1] == ["--region"]:
        arguments = arguments[2:]
    if arguments[:1] != ["cloudfront-keyvaluestore"] or len(arguments) < 2:
        sys.exit("kvs-stand-in: expected cloudfront-keyvaluestore OPERATION")
    operation_name = arguments[1]
    operation = OPERATIONS.get(operation_name)
    if operation is None:
        refuse("InvalidAction", operation_name, "the stand-in does not answer this operation")
    options = {}
    rest = arguments[2:]
    while rest:
        name = rest.pop(0)
        if not name.startswith("--") or not rest:
            sys.exit(f"kvs-stand-in: cannot read option {name}")
        options[name[2:]] = rest.pop(0)
    with open(os.path.join(state_dir, "kvs-calls.log"), "a") as log:
        log.write(" ".join([operation_name] + [f"--{k} {v}" for k, v in options.items()]) + "\n")

    path = os.path.join(state_dir, "kvs-stores.json")
    stores = json.load(open(path)) if os.path.exists(path) else {}
    arn = options.get("kvs-arn", "")
    if ":key-value-store/" not in arn:
        refuse("ResourceNotFoundException", operation, f"no key value store {arn}")
    store = stores.setdefault(arn, {"version": 1, "items": {}})
    items = store["items"]

    def etag():
        return f"KV{store['version']}"

    def size(pairs):
        return sum(len(k.encode()) + len(v.encode()) for k, v in pairs.items())

    def check_etag():
        if options.get("if-match") != etag():
            refuse("ConflictException", operation, f"the store's ETag is {etag()}, not {options.get('if-match')}")

    if operation_name == "update-keys":
        check_etag()
        puts = read_file_argument(options["puts"]) if "puts" in options else []
        deletes = read_file_argument(options["deletes"]) if "deletes" in options else []
        if len(puts) + len(deletes) > MAX_KEYS_PER_CALL:
            refuse("ValidationException", operation, f"{len(puts) + len(deletes)} keys in one call, more than {MAX_KEYS_PER_CALL}")
        payload = sum(len(p["Key"].encode()) + len(p["Value"].encode()) for p in puts) + sum(len(d["Key"].encode()) for d in deletes)
        if payload > MAX_BYTES_PER_CALL:
            refuse("ValidationException", operation, f"{payload} bytes in one call, more than {MAX_BYTES_PER_CALL}")
        for item in puts:
            if not 1 <= len(item["Key"].encode()) <= MAX_KEY_BYTES:
                refuse("ValidationException", operation, f"key {item['Key'][:40]!r} is not 1 to {MAX_KEY_BYTES} bytes")
            if len(item["Value"].encode()) > MAX_VALUE_BYTES:
                refuse("ValidationException", operation, f"the value of {item['Key'][:40]!r} is over {MAX_VALUE_BYTES} bytes")
        for item in deletes:
            if item["Key"] not in items:
                refuse("ResourceNotFoundException", operation, f"no key {item['Key']!r}")
        updated = dict(items)
        for item in puts:
            updated[item["Key"]] = item["Value"]
        for item in deletes:
            updated.pop(item["Key"], None)
        if size(updated) > MAX_STORE_BYTES:
            refuse("ServiceQuotaExceededException", operation, f"the store would hold more than {MAX_STORE_BYTES} bytes")
        store["items"] = items = updated
        store["version"] += 1
    elif operation_name == "delete-key":
        check_etag()
        key = options.get("key", "")
        if key not in items:
            refuse("ResourceNotFoundException", operation, f"no key {key!r}")
        del items[key]
        store["version"] += 1

    with open(path + ".new", "w") as target:
        json.dump(stores, target)
    os.replace(path + ".new", path)

    if operation_name == "list-keys":
        answer = {"Items": [{"Key": k, "Value": v} for k, v in sorted(items.items())]}
    else:
        answer = {"ETag": etag(), "ItemCount": len(items), "TotalSizeInBytes": size(items)}
        if operation_name == "describe-key-value-store":
            answer.update({"KvsARN": arn, "Status": "READY"})
    query = options.get("query")
    if query:
        value = answer.get(query)
        if value is None:
            sys.exit(f"kvs-stand-in: cannot answer --query {query}")
        print(value if options.get("output") == "text" else json.dumps(value))
    else:
        print(json.dumps(answer, indent=2))


if __name__ == "__main__":
    main()
