# apischema.py KIND FILE...: each FILE is JSON that validates against
# docs/api.schema.json: against $defs/KIND (lists, page, message,
# by_msgid, thread, error), or against the whole schema (any of them) if
# KIND is "any".  Prints what does not validate; exits 1 if anything.
# apischema.py --pairs: the same for "KIND FILE" lines on stdin, each
# file against its own kind (one process for many kinds).
import json, os, sys
from jsonschema import Draft202012Validator

here = os.path.dirname(os.path.abspath(__file__))
schema = json.load(open(os.path.join(here, "..", "docs", "api.schema.json")))
Draft202012Validator.check_schema(schema)
validators = {}


def validator(kind):
    if kind not in validators:
        if kind == "any":
            validators[kind] = Draft202012Validator(schema)
        elif kind not in schema["$defs"]:
            sys.exit("no $defs/%s in the schema" % kind)
        else:
            validators[kind] = Draft202012Validator(dict(schema, oneOf=[{"$ref": "#/$defs/" + kind}]))
    return validators[kind]


if sys.argv[1] == "--pairs":
    pairs = [line.split(None, 1) for line in sys.stdin.read().splitlines() if line.strip()]
else:
    pairs = [(sys.argv[1], f) for f in sys.argv[2:]]
bad = 0
for kind, f in pairs:
    v = validator(kind)
    try:
        doc = json.load(open(f, "rb"))
    except ValueError as e:
        print("#   %s: not JSON (%s)" % (f, e))
        bad += 1
        continue
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errs[:3]:
        print("#   %s: %s at %s" % (f, e.message[:200], "/".join(map(str, e.absolute_path))))
    if errs and len(pairs) > 1:
        print("#   %s: not a valid %s" % (f, kind))
    bad += bool(errs)
sys.exit(1 if bad else 0)
