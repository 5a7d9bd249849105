# apischema.py KIND FILE...: each FILE is JSON that validates against
# docs/api.schema.json: against $defs/KIND (lists, page, message,
# by_msgid, thread, error), or against the whole schema (any of them) if
# KIND is "any".  Prints what does not validate; exits 1 if anything.
import json, os, sys
from jsonschema import Draft202012Validator

here = os.path.dirname(os.path.abspath(__file__))
schema = json.load(open(os.path.join(here, "..", "docs", "api.schema.json")))
Draft202012Validator.check_schema(schema)
kind = sys.argv[1]
if kind != "any":
    if kind not in schema["$defs"]:
        sys.exit("no $defs/%s in the schema" % kind)
    schema = dict(schema, oneOf=[{"$ref": "#/$defs/" + kind}])
v = Draft202012Validator(schema)
bad = 0
for f in sys.argv[2:]:
    try:
        doc = json.load(open(f, "rb"))
    except ValueError as e:
        print("#   %s: not JSON (%s)" % (f, e))
        bad += 1
        continue
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errs[:3]:
        print("#   %s: %s at %s" % (f, e.message[:200], "/".join(map(str, e.absolute_path))))
    bad += bool(errs)
sys.exit(1 if bad else 0)
