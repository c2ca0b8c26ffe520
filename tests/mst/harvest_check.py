"""Compares what meine-stadt-transparent stored after harvesting protokol (its SQLite
database) with what protokol's OParl API serves, and looks for a canary anywhere in the
harvested database. Prints one JSON object; crates/cli/tests/harvest.rs asserts on it.

Usage: harvest_check.py BASE_URL MST_DATABASE CANARY
"""

import json
import sqlite3
import sys
import urllib.request


def fetch(url):
    with urllib.request.urlopen(url) as r:
        return json.load(r)


def listed(url):
    """Every live object of a paged OParl list."""
    out = []
    while url:
        page = fetch(url)
        out += [o for o in page["data"] if not o.get("deleted")]
        url = page.get("links", {}).get("next")
    return out


def main():
    base, db, canary = sys.argv[1:4]
    body = fetch(base + "/oparl/v1/body/kommune")
    meetings = listed(body["meeting"])
    papers = listed(body["paper"])
    served = {
        "meeting": len(meetings),
        "agendaitem": sum(len(m.get("agendaItem", [])) for m in meetings),
        "person": len(listed(body["person"])),
        "organization": len(listed(body["organization"])),
        "paper": len(papers),
        "consultation": sum(len(p.get("consultation", [])) for p in papers),
    }
    c = sqlite3.connect(db)
    stored = {
        kind: c.execute(f"SELECT COUNT(*) FROM mainapp_{kind}").fetchone()[0]
        for kind in served
    }
    names = {
        kind: sorted(r[0] for r in c.execute(f"SELECT name FROM mainapp_{kind}"))
        for kind in ["meeting", "agendaitem", "person", "organization", "paper"]
    }
    names["location"] = sorted(
        r[0] for r in c.execute("SELECT description FROM mainapp_location")
    )
    # The canary anywhere in any table the importer wrote.
    leaks = []
    tables = [
        r[0]
        for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'mainapp_%'"
        )
    ]
    for table in tables:
        for row in c.execute(f'SELECT * FROM "{table}"'):
            if any(canary in str(v) for v in row if v is not None):
                leaks.append(table)
                break
    print(json.dumps({"served": served, "stored": stored, "names": names, "leaks": leaks}))


if __name__ == "__main__":
    main()
