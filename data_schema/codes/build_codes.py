"""Build the code lists in ``data_schema/codes/`` from the Czech Statistical Office's exports.

Run once when the lists are refreshed (not by the toolkit or the tests)::

    python data_schema/codes/build_codes.py FOLDER_WITH_CSU_EXPORTS

``FOLDER_WITH_CSU_EXPORTS`` holds the CSV exports of the ČSÚ classification system
(https://apl2.czso.cz/iSMS/, "export CSV", Windows-1250, ``;``), named as ČSÚ names them:

* ``CIS0043_CS.csv``       číselník 43, obce (municipalities and military districts);
* ``VAZ0043_0065_CS.csv``  vazba obec → obec s rozšířenou působností (ORP, číselník 65);
* ``VAZ0043_0101_CS.csv``  vazba obec → okres (číselník 101);
* ``CIS0101_CS.csv``       číselník 101, okresy (with their CZ-NUTS/LAU 1 codes);
* ``VAZ0100_0101_CS.csv``  vazba kraj (číselník 100) → okres;
* ``CIS0100_CS.csv``       číselník 100, kraje (with their CZ-NUTS codes).

It writes ``municipalities.csv``, ``orp.csv`` and the *illustrative* ``contact_points.csv``
(UTF-8, ``,``). The rule that places the illustrative contact points is in
:func:`illustrative_contact_points`; it is not the government decree's list (see README.md).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Contact points: 115 set up by zákon č. 175/2025 Sb. and 17 added by nařízení vlády č. 418/2025 Sb.
N_ACT, N_DECREE = 115, 17
#: Statutory cities (zákon č. 128/2000 Sb., o obcích, § 4) that are not the town of an okres.
STATUTORY_NOT_OKRES_TOWNS = ("Havířov", "Třinec")


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="cp1250", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _current(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Entries valid today (ČSÚ marks open-ended validity with 09.09.9999)."""
    return [r for r in rows if r.get("ADMNEPO", "09.09.9999") == "09.09.9999"]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def load(folder: Path) -> tuple[dict, dict, dict]:
    """Municipalities, ORP areas and okresy as dictionaries keyed by their codes."""
    municipalities = {r["CHODNOTA"]: {"name": r["TEXT"]} for r in _current(_read(folder, "CIS0043_CS.csv"))}
    for r in _read(folder, "VAZ0043_0065_CS.csv"):
        municipalities[r["CHODNOTA1"]]["orp_code"] = r["CHODNOTA2"]
        municipalities[r["CHODNOTA1"]]["orp_name"] = r["TEXT2"]
    okresy = {r["CHODNOTA"]: {"code": r["CZNUTS"], "name": r["TEXT"]} for r in _current(_read(folder, "CIS0101_CS.csv"))}
    regions = {r["CHODNOTA"]: {"code": r["CZNUTS"], "name": r["TEXT"]} for r in _current(_read(folder, "CIS0100_CS.csv"))}
    for r in _read(folder, "VAZ0100_0101_CS.csv"):
        okresy[r["CHODNOTA2"]]["region"] = regions[r["CHODNOTA1"]]
    for r in _read(folder, "VAZ0043_0101_CS.csv"):
        municipalities[r["CHODNOTA1"]]["okres"] = okresy[r["CHODNOTA2"]]
    missing = [code for code, m in municipalities.items() if "orp_code" not in m or "okres" not in m]
    if missing:
        raise SystemExit(f"municipalities without an ORP area or okres in the exports: {missing[:10]}")
    orp: dict[str, dict] = {}
    for code, m in municipalities.items():
        orp.setdefault(m["orp_code"], {"name": m["orp_name"], "municipalities": []})["municipalities"].append(code)
    for code, area in orp.items():
        seats = [c for c in area["municipalities"] if municipalities[c]["name"] == area["name"]]
        if len(seats) != 1:
            raise SystemExit(f"ORP {code} {area['name']}: no single municipality of that name ({seats})")
        area["seat"] = seats[0]
        area["okres"] = municipalities[seats[0]]["okres"]
    return municipalities, orp, okresy


def _okres_town(okres_name: str) -> str:
    """The town an okres is named after ("Plzeň-město" → "Plzeň"; "Praha-východ" → "Praha")."""
    return okres_name.split("-")[0] if okres_name.endswith(("-město", "-venkov", "-východ", "-západ", "-jih",
                                                            "-sever")) else okres_name


def illustrative_contact_points(municipalities: dict, orp: dict) -> dict[str, tuple[str, str]]:
    """ORP code → (ORP code of its contact point's seat, legal basis) for an *illustrative* network.

    1. A contact point in every ORP whose seat is the town its okres is named after (Benešov,
       Kutná Hora, Plzeň for Plzeň-město ...), in Prague, and in the two statutory cities that
       are not the town of an okres (Havířov, Třinec).
    2. In an okres without such an ORP (Praha-východ, Brno-venkov ...), one in its ORP with the
       most municipalities, so that every district lies within one okres and region.
    3. The other contact points, up to 132, in the ORP areas with the most municipalities (large
       rural areas, from which the next seat is far); the last 17 of them are labelled as the
       decree's additions.
    4. Every other ORP area joins the district of its okres's contact point (the seat-town one).
    """
    by_okres: dict[str, list[str]] = {}
    for code, area in orp.items():
        by_okres.setdefault(area["okres"]["code"], []).append(code)
    size = {code: len(area["municipalities"]) for code, area in orp.items()}
    anchor: dict[str, str] = {}  # okres code -> ORP of the okres's own contact point
    for okres, codes in sorted(by_okres.items()):
        town = _okres_town(orp[codes[0]]["okres"]["name"])
        own = [c for c in codes if orp[c]["name"] == town]
        anchor[okres] = own[0] if own else sorted(codes, key=lambda c: (-size[c], c))[0]
    statutory = [c for c, area in orp.items() if area["name"] in STATUTORY_NOT_OKRES_TOWNS]
    seats = list(dict.fromkeys([*anchor.values(), *sorted(statutory)]))
    rest = sorted((c for c in orp if c not in seats), key=lambda c: (-size[c], c))
    extra = rest[:N_ACT + N_DECREE - len(seats)]
    basis = {c: "act" for c in seats + extra[:len(extra) - N_DECREE]}
    basis.update({c: "decree" for c in extra[len(extra) - N_DECREE:]})
    assignment = {}
    for code, area in orp.items():
        seat = code if code in basis else anchor[area["okres"]["code"]]
        assignment[code] = (seat, basis[seat])
    return assignment


def main(folder: Path) -> None:
    municipalities, orp, okresy = load(folder)
    _write(HERE / "municipalities.csv", ["municipality_code", "municipality", "orp_code", "okres_code"],
           [[c, m["name"], m["orp_code"], m["okres"]["code"]] for c, m in sorted(municipalities.items())])
    _write(HERE / "orp.csv", ["orp_code", "orp", "seat_municipality_code", "okres_code", "okres", "region_code",
                              "region", "municipalities"],
           [[c, a["name"], a["seat"], a["okres"]["code"], a["okres"]["name"], a["okres"]["region"]["code"],
             a["okres"]["region"]["name"], len(a["municipalities"])] for c, a in sorted(orp.items())])
    assignment = illustrative_contact_points(municipalities, orp)
    rows = []
    for code, (seat, basis) in sorted(assignment.items(), key=lambda kv: (kv[1][0], kv[0])):
        seat_area = orp[seat]
        rows.append([seat_area["seat"], seat_area["name"], basis, seat_area["okres"]["region"]["code"], code,
                     orp[code]["name"]])
    _write(HERE / "contact_points.csv", ["contact_point_code", "contact_point", "legal_basis", "region_code",
                                         "orp_code", "orp"], rows)
    counts = Counter(seat for seat, _ in assignment.values())
    print(f"{len(municipalities)} municipalities, {len(orp)} ORP areas, {len(counts)} contact points "
          f"({sum(1 for _, b in set(assignment.values()) if b == 'act')} act, "
          f"{sum(1 for _, b in set(assignment.values()) if b == 'decree')} decree), "
          f"largest district {max(counts.values())} ORP areas")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
