"""Reads a JSON array of config texts from argv[1]; prints one JSON line per
config per PyYAML loader: yaml.safe_load, yaml.load(SafeLoader) and, when
libyaml is compiled in, yaml.load(CSafeLoader) (a different parser).
Values are written in the canonical form of canonical.ts (tagged numbers,
map keys as strings, dates and bytes tagged) so the test compares exactly."""
import datetime, json, math, sys
import yaml


def num(v):
    if isinstance(v, bool):
        raise TypeError
    if isinstance(v, int):
        return {"#n": str(v)}
    if math.isnan(v):
        return {"#n": "NaN"}
    if math.isinf(v):
        return {"#n": "Infinity" if v > 0 else "-Infinity"}
    if v == int(v):
        return {"#n": str(int(v))}
    return {"#f": repr(v)}


def key(k):
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, (int, float)):
        c = num(k)
        return c.get("#n", c.get("#f"))
    if isinstance(k, str):
        return k
    return "#key:" + type(k).__name__ + ":" + repr(k)


def canon(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)):
        return num(v)
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            ck = key(k)
            if ck in out:
                return {"#collision": ck}
            out[ck] = canon(x)
        return {"#m": out}
    if isinstance(v, (datetime.date, datetime.datetime)):
        return {"#date": v.isoformat()}
    if isinstance(v, bytes):
        return {"#bytes": v.hex()}
    return {"#other": type(v).__name__}


def run(load, text):
    try:
        return {"ok": True, "v": canon(load(text))}
    except Exception as e:  # noqa: BLE001 - any failure is a reading
        return {"ok": False, "e": type(e).__name__ + ": " + str(e).split("\n")[0][:200]}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        texts = json.load(f)
    loaders = [("pyyaml.safe_load", yaml.safe_load),
               ("pyyaml.load(SafeLoader)", lambda t: yaml.load(t, Loader=yaml.SafeLoader))]
    if getattr(yaml, "__with_libyaml__", False):
        loaders.append(("pyyaml.load(CSafeLoader)", lambda t: yaml.load(t, Loader=yaml.CSafeLoader)))
    out = sys.stdout
    out.write(json.dumps([n for n, _ in loaders]) + "\n")
    for t in texts:
        out.write(json.dumps([run(l, t) for _, l in loaders], sort_keys=True) + "\n")


main()
