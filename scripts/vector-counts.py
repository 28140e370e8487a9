#!/usr/bin/env python3
"""Runs `kmip vectors check` over Vectors/oasis-xml and writes the table of pass counts per KMIP
version and profile family into README.md, between the `<!-- vector-counts -->` markers.

    scripts/vector-counts.py            print the table
    scripts/vector-counts.py --update   also rewrite README.md
    scripts/vector-counts.py --check    exit 1 when README.md's table differs (CI)

Uses the debug `kmip` in .build (run `swift build` first) unless KMIP is set.
"""
import collections, os, re, shutil, subprocess, sys, tempfile

def tally(output, other="other test cases"):
    """Counts `kmip vectors check` result lines by KMIP version and by (profile family, version);
    returns the two counters and the closing summary line."""
    versions = collections.defaultdict(lambda: collections.Counter())
    families = collections.defaultdict(lambda: collections.Counter())
    for line in output.splitlines():
        m = re.match(r"(PASS|FAIL|XFAIL|XPASS|SKIP) \S*/oasis-xml/([0-9.]+)/(\S+?)(:|$)", line)
        if not m:
            continue
        outcome, version, path = m.group(1), m.group(2), m.group(3)
        versions[version][outcome] += 1
        versions[version]["files"] += 1
        # Profile test cases are named FAMILY-M-n-vv or FAMILY-O-n-vv; the rest are test cases.
        family = re.match(r"(.+?)-[MO]-", os.path.basename(path))
        families[(family.group(1) if family else other, version)]["files"] += 1
        families[(family.group(1) if family else other, version)][outcome] += 1
    summary = output.strip().splitlines()[-1] if output.strip() else "no output"
    return versions, families, summary


root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
kmip = os.environ.get("KMIP", os.path.join(root, ".build", "debug", "kmip"))
vectors = os.path.join(root, "Vectors", "oasis-xml")
out = subprocess.run([kmip, "vectors", "check", vectors], capture_output=True, text=True).stdout
typed_out = subprocess.run([kmip, "vectors", "check", "--typed", vectors], capture_output=True, text=True).stdout

# The server level: every mandatory profile test case of KMIP 1.0-2.1, in path order, against one
# reference server (kmip-server, in memory, certificates in a temporary data directory).
mandatory = sorted(
    os.path.join(folder, name)
    for folder, _, names in os.walk(vectors) for name in names
    if name.endswith(".xml") and "/mandatory" in folder and "/3.0/" not in folder + "/")
data = tempfile.mkdtemp(prefix="swift-kmip-counts.")
server = subprocess.Popen([os.path.join(os.path.dirname(kmip), "kmip-server"), "--data", data, "--in-memory", "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    port = None
    for line in server.stdout:
        m = re.match(r"listening on [^ ]+:(\d+)", line)
        if m:
            port = m.group(1)
            break
    if port is None:
        sys.exit("kmip-server did not start")
    certs = os.path.join(data, "certs")
    server_out = subprocess.run([kmip, "vectors", "check", "--server", f"127.0.0.1:{port}", "--ca", f"{certs}/ca.pem",
                                 "--cert", f"{certs}/client.pem", "--key", f"{certs}/client-key.pem"] + mandatory,
                                capture_output=True, text=True).stdout
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(data, ignore_errors=True)
served, served_families, server_summary = tally(server_out, other="other")

# The same against PyKMIP 0.11.0 (KMIP 1.0-2.0; it refuses 2.1): the one scripts/test.sh started
# (PYKMIP_* in the environment), else one started here.
pykmip_files = [f for f in mandatory if "/2.1/" not in f]
pykmip_dir = None
if "PYKMIP_PORT" not in os.environ:
    pykmip_dir = tempfile.mkdtemp(prefix="swift-kmip-counts-pykmip.")
    settings = subprocess.run([os.path.join(root, "scripts", "pykmip.sh"), "start", pykmip_dir],
                              capture_output=True, text=True, check=True).stdout
    for line in settings.splitlines():
        name, _, value = line.partition("=")
        os.environ[name.strip()] = value.strip().strip("'\"")
try:
    pykmip_out = subprocess.run([kmip, "vectors", "check", "--peer", "pykmip", "--timeout", "5",
                                 "--server", f"127.0.0.1:{os.environ['PYKMIP_PORT']}", "--ca", os.environ["PYKMIP_CA"],
                                 "--cert", os.environ["PYKMIP_CLIENT_CERT"], "--key", os.environ["PYKMIP_CLIENT_KEY"]] + pykmip_files,
                                capture_output=True, text=True).stdout
finally:
    if pykmip_dir:
        subprocess.run([os.path.join(root, "scripts", "pykmip.sh"), "stop", pykmip_dir], capture_output=True)
        shutil.rmtree(pykmip_dir, ignore_errors=True)
peer, _, pykmip_summary = tally(pykmip_out)
typed, _, typed_summary = tally(typed_out)
counts, families, summary = tally(out)

rows = ["| KMIP version | files | codec: pass | typed: pass | known failures (listed, codec + typed) | reference server: pass / mandatory cases | PyKMIP: pass / mandatory cases | fail |",
        "|---|---:|---:|---:|---:|---:|---:|---:|"]
for version in sorted(counts, key=lambda v: tuple(map(int, v.split(".")))):
    c, t, r, p = counts[version], typed[version], served[version], peer[version]
    server_cell = f"{r['PASS']} / {r['files']}" if r["files"] else ""
    peer_cell = f"{p['PASS']} / {p['files']}" if p["files"] else ""
    rows.append(f"| {version} | {c['files']} | {c['PASS']} | {t['PASS']} | {t['XFAIL']} | {server_cell} | {peer_cell} | "
                f"{c['FAIL'] + c['XPASS'] + t['FAIL'] + t['XPASS'] + r['FAIL'] + r['XPASS'] + p['FAIL'] + p['XPASS']} |")
rows.append(f"| all | {sum(c['files'] for c in counts.values())} | {sum(c['PASS'] for c in counts.values())} | "
            f"{sum(t['PASS'] for t in typed.values())} | {sum(t['XFAIL'] for t in typed.values())} | "
            f"{sum(r['PASS'] for r in served.values())} / {sum(r['files'] for r in served.values())} | "
            f"{sum(p['PASS'] for p in peer.values())} / {sum(p['files'] for p in peer.values())} | "
            f"{sum(c['FAIL'] + c['XPASS'] for c in counts.values()) + sum(t['FAIL'] + t['XPASS'] for t in typed.values()) + sum(r['FAIL'] + r['XPASS'] for r in served.values()) + sum(p['FAIL'] + p['XPASS'] for p in peer.values())} |")
versions = sorted(counts, key=lambda v: tuple(map(int, v.split("."))))
names = sorted({family for family, _ in families}, key=lambda f: (f == "other test cases", f))
rows += ["", "Codec passes per profile (pass/files; known failures count as not passing):", "",
         "| profile | " + " | ".join(versions) + " |", "|---|" + "---:|" * len(versions)]
for family in names:
    cells = []
    for version in versions:
        c = families.get((family, version))
        cells.append(f"{c['PASS']}/{c['files']}" if c else "")
    rows.append(f"| {family} | " + " | ".join(cells) + " |")
served_versions = sorted((v for v in served if served[v]["files"]), key=lambda v: tuple(map(int, v.split("."))))
rows += ["", "Reference server, mandatory profile test cases passing (pass/files; the rest are listed with reasons in "
         "`Vectors/known-failures.txt`, CHECK `server`):", "",
         "| profile | " + " | ".join(served_versions) + " |", "|---|" + "---:|" * len(served_versions)]
for family in sorted({family for family, _ in served_families}):
    cells = []
    for version in served_versions:
        c = served_families.get((family, version))
        cells.append(f"{c['PASS']}/{c['files']}" if c else "")
    rows.append(f"| {family} | " + " | ".join(cells) + " |")
table = "\n".join(rows) + (f"\n\n`kmip vectors check Vectors/oasis-xml`: {summary}. "
                           f"`kmip vectors check --typed Vectors/oasis-xml` (codec and typed legs): {typed_summary}. "
                           f"`kmip vectors check --server ...` on the mandatory cases against `kmip-server`: {server_summary}; "
                           f"against PyKMIP 0.11.0 (`--peer pykmip`, KMIP 1.0-2.0): {pykmip_summary} "
                           "(its deviations are listed with reasons, CHECK `pykmip`).\n")
print(table)

if "--check" in sys.argv:
    readme = open(os.path.join(root, "README.md")).read()
    if ("<!-- vector-counts -->\n" + table + "<!-- /vector-counts -->") not in readme:
        sys.exit("README.md's vector table is stale: run scripts/vector-counts.py --update")
    print("README.md's vector table is up to date", file=sys.stderr)

if "--update" in sys.argv:
    readme_path = os.path.join(root, "README.md")
    readme = open(readme_path).read()
    new = re.sub(r"(<!-- vector-counts -->\n).*?(<!-- /vector-counts -->)", lambda m: m.group(1) + table + m.group(2), readme, flags=re.S)
    if new == readme and "<!-- vector-counts -->" not in readme:
        sys.exit("README.md has no <!-- vector-counts --> markers")
    open(readme_path, "w").write(new)
